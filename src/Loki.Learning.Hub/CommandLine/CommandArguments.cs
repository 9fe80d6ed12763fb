using System.Globalization;

namespace Loki.Learning.Hub.CommandLine;

/// <summary>
/// The options of one command as <c>--name value</c> pairs. Every option a command reads is marked as used,
/// so <see cref="ThrowOnUnknown"/> can reject typos instead of silently running with defaults.
/// </summary>
public sealed class CommandArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandArguments()
    {
    }

    public static CommandArguments Parse(IReadOnlyList<string> arguments, IReadOnlySet<string> flagNames)
    {
        var parsed = new CommandArguments();
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal) || argument.Length == 2)
            {
                throw new UsageException($"unexpected argument '{argument}'");
            }
            var name = argument[2..];
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parsed._values[name[..equals]] = name[(equals + 1)..];
            }
            else if (flagNames.Contains(name))
            {
                parsed._flags.Add(name);
            }
            else if (i + 1 < arguments.Count)
            {
                parsed._values[name] = arguments[++i];
            }
            else
            {
                throw new UsageException($"option --{name} needs a value");
            }
        }
        return parsed;
    }

    public string Text(string name, string fallback)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name, fallback);
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _flags.Contains(name);
    }

    public int Integer(string name, int fallback, int min, int max)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, not '{text}'");
        }
        return value;
    }

    public double Number(string name, double fallback, double min, double max)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a number from {min} to {max}, not '{text}'");
        }
        return value;
    }

    public void ThrowOnUnknown()
    {
        var unknown = _values.Keys.Concat(_flags).Where(n => !_used.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"unknown option{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(n => "--" + n))}");
        }
    }
}

/// <summary>A mistake on the command line; printed with the usage text, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
