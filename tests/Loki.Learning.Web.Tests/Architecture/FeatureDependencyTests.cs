using System.Reflection;
using System.Reflection.Emit;
using Loki.Learning.Web.Features.Rooms;
using Xunit.Abstractions;

namespace Loki.Learning.Web.Tests.Architecture;

/// Features point one way: a feature that must react to another subscribes to what the other declares instead of
/// calling back into it. This reads the web assembly — signatures and every method body's tokens — and lists the
/// pairs of feature folders that use each other. The pairs that existed when the rule was written are debt to pay
/// off, listed below; a new pair fails the test, and a pair paid off must be struck from the list.
public sealed class FeatureDependencyTests(ITestOutputHelper output)
{
    private const string FeaturePrefix = "Loki.Learning.Web.Features.";

    /// Two-way pairs still to be broken (see docs/decisions/0004), alphabetical "A ⇄ B": none are left, so a new one fails.
    private static readonly string[] KnownTwoWayPairs = [];

    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    [Fact]
    public void NoNewPairOfFeaturesDependsOnEachOtherInBothDirections()
    {
        var edges = FeatureEdges(typeof(LiveRoom).Assembly);
        var twoWay = edges
            .Where(e => string.CompareOrdinal(e.From, e.To) < 0 && edges.Contains((e.To, e.From)))
            .Select(e => $"{e.From} ⇄ {e.To}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(edges);
        Assert.True(KnownTwoWayPairs.Order(StringComparer.Ordinal).SequenceEqual(twoWay), "The two-way pairs are now: " + string.Join(", ", twoWay.Select(p => $"\"{p}\"")));
    }

    /// The picture in docs/architecture.md is drawn from this: run with
    /// <c>--filter "FullyQualifiedName~TheFeatureGraph" --logger "console;verbosity=detailed"</c> to print it.
    [Fact]
    public void TheFeatureGraphPrintsEveryEdgeOnceAndMarksTheTwoWayPairs()
    {
        var edges = FeatureEdges(typeof(LiveRoom).Assembly);

        var lines = Mermaid(edges);
        foreach (var line in lines)
        {
            output.WriteLine(line);
        }

        Assert.Equal(edges.Count, lines.Count(l => l.Contains("-->", StringComparison.Ordinal)));
        Assert.Equal(KnownTwoWayPairs.Length * 2, lines.Count(l => l.EndsWith("%% two-way", StringComparison.Ordinal)));
    }

    /// A mermaid flowchart of the feature edges, one per line, alphabetical; an edge of a two-way pair says so.
    private static List<string> Mermaid(HashSet<(string From, string To)> edges) =>
    [
        "flowchart LR",
        .. edges.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal)
            .Select(e => $"  {e.From} --> {e.To}" + (edges.Contains((e.To, e.From)) ? "  %% two-way" : "")),
    ];

    [Fact]
    public void NoFeaturesDependOnEachOtherThroughALongerLoop()
    {
        var edges = FeatureEdges(typeof(LiveRoom).Assembly);
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var done = new HashSet<string>();
        var path = new List<string>();

        // Depth first: a feature met again while it is still on the path closes a loop (Rooms → Courses → Recordings → Rooms).
        List<string>? LoopFrom(string feature)
        {
            if (path.IndexOf(feature) is var at and >= 0)
            {
                return [.. path[at..], feature];
            }
            if (!done.Add(feature))
            {
                return null;
            }
            path.Add(feature);
            foreach (var used in next.GetValueOrDefault(feature, []))
            {
                if (LoopFrom(used) is { } loop)
                {
                    return loop;
                }
            }
            path.RemoveAt(path.Count - 1);
            return null;
        }

        var found = next.Keys.Order(StringComparer.Ordinal).Select(LoopFrom).FirstOrDefault(loop => loop is not null);
        Assert.True(found is null, "Features depend on each other in a loop: " + string.Join(" → ", found ?? []));
    }

    [Fact]
    public void TheReaderSeesADependencyThatOnlyAMethodBodyHas()
    {
        var all = FeatureEdges(typeof(LiveRoom).Assembly);
        var fromSignatures = FeatureEdges(typeof(LiveRoom).Assembly, readBodies: false);

        // Pages render other features' components inside method bodies only (render fragments, OpenComponent<T>),
        // never in a signature: without reading bodies those edges would be invisible to the cycle rule.
        Assert.NotEmpty(all.Except(fromSignatures));
        Assert.Contains(("Recordings", "Rooms"), all);
    }

    /// Feature → feature edges: every type of a feature folder (nested and compiler-generated types count as their
    /// outermost type) and everything its signatures and method bodies name.
    private static HashSet<(string From, string To)> FeatureEdges(Assembly assembly, bool readBodies = true)
    {
        var edges = new HashSet<(string, string)>();
        foreach (var type in assembly.GetTypes())
        {
            if (FeatureOf(type) is not { } from)
            {
                continue;
            }
            foreach (var used in Uses(type, readBodies))
            {
                if (FeatureOf(used) is { } to && to != from)
                {
                    edges.Add((from, to));
                }
            }
        }
        return edges;
    }

    private static string? FeatureOf(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }
        var ns = type.Namespace ?? "";
        if (!ns.StartsWith(FeaturePrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = ns[FeaturePrefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static IEnumerable<Type> Uses(Type type, bool readBodies)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var named = new List<Type>();
        if (type.BaseType is { } baseType)
        {
            named.Add(baseType);
        }
        named.AddRange(type.GetInterfaces());
        named.AddRange(type.GetFields(all).Select(f => f.FieldType));
        named.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            named.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info)
            {
                named.Add(info.ReturnType);
            }
            if (readBodies)
            {
                named.AddRange(BodyUses(method));
            }
        }
        return named.SelectMany(Unwrap);
    }

    /// The types named by the tokens in a method's IL (calls, fields, types, constructors).
    private static IEnumerable<Type> BodyUses(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }
        var module = method.Module;
        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var operand = OperandTypes.GetValueOrDefault(value, OperandType.InlineNone);
            if (operand is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, at);
                Type[] found = [];
                try
                {
                    found = module.ResolveMember(token, typeArguments, methodArguments) switch
                    {
                        Type t => [t],
                        // A generic method's arguments count: a page renders a component as OpenComponent<TPanel>().
                        MethodInfo { IsGenericMethod: true } m => [.. m.GetGenericArguments(), .. m.DeclaringType is { } d ? [d] : Array.Empty<Type>()],
                        MemberInfo { DeclaringType: { } d } => [d],
                        _ => [],
                    };
                }
                catch (ArgumentException)
                {
                    // A token of a generic context this walk does not model; its declaring type is seen elsewhere.
                }
                foreach (var type in found)
                {
                    yield return type;
                }
            }
            at += OperandSize(operand, il, at);
        }
    }

    private static int OperandSize(OperandType operand, byte[] il, int at) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var inner in Unwrap(type.GetElementType()!))
            {
                yield return inner;
            }
            yield break;
        }
        yield return type;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return argument;
            }
        }
    }
}
