using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Loki.Learning.Web.Tests.Localization;

public sealed partial class TranslationTests
{
    private static string WebProject => Path.Combine(RepositoryRoot(), "src", "Loki.Learning.Web");

    private static Dictionary<string, string> Read(string culture)
    {
        var file = Path.Combine(WebProject, "Features", "Localization", culture.Length == 0 ? "Text.resx" : $"Text.{culture}.resx");
        return XDocument.Load(file).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!);
    }

    [Fact]
    public void SwedishNorwegianAndEnglishHaveTheSameKeys()
    {
        var english = Read("");
        var swedish = Read("sv");
        var norwegian = Read("nb");

        Assert.True(english.Count > 100);
        Assert.Empty(english.Keys.Except(swedish.Keys));
        Assert.Empty(english.Keys.Except(norwegian.Keys));
        Assert.Empty(swedish.Keys.Except(english.Keys));
        Assert.Empty(norwegian.Keys.Except(english.Keys));
        Assert.All(swedish.Concat(norwegian).Concat(english), pair => Assert.False(string.IsNullOrWhiteSpace(pair.Value), pair.Key));
    }

    [Fact]
    public void PlaceholdersMatchAcrossLanguages()
    {
        var english = Read("");
        foreach (var culture in new[] { "sv", "nb" })
        {
            foreach (var (key, text) in Read(culture))
            {
                Assert.Equal(Placeholders().Matches(english[key]).Select(m => m.Value).Order(), Placeholders().Matches(text).Select(m => m.Value).Order());
            }
        }
    }

    [Fact]
    public void EveryKeyTheCodeUsesIsTranslated()
    {
        var keys = Read("").Keys.ToHashSet();
        var sources = Directory.EnumerateFiles(WebProject, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        // A string literal shaped like a key whose first segment is one of ours ("Refusal.", "Course.", …).
        var prefixes = keys.Select(k => k[..k.IndexOf('.')]).ToHashSet();
        var used = sources
            .SelectMany(f => UsedKeys().Matches(File.ReadAllText(f)).Select(m => m.Groups["key"].Value))
            .Where(k => prefixes.Contains(k[..k.IndexOf('.')]))
            .ToHashSet();

        Assert.True(used.Count > 100, $"found only {used.Count} keys in use");
        Assert.Empty(used.Except(keys));
    }

    [Fact]
    public void EveryCountedTextHasASingularAndAPlural()
    {
        var keys = Read("").Keys.ToHashSet();
        var counted = Directory.EnumerateFiles(WebProject, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .SelectMany(f => CountedKeys().Matches(File.ReadAllText(f)).Select(m => m.Groups["key"].Value))
            .ToHashSet();

        Assert.True(counted.Count >= 5, $"found only {counted.Count} counted texts");
        // L.Count picks "Key.One" for exactly one: a counted key without it would show the key itself.
        var withoutAPair = counted.Where(k => !keys.Contains(k) || !keys.Contains(k + ".One")).ToList();
        var singularsAlone = keys.Where(k => k.EndsWith(".One", StringComparison.Ordinal) && !keys.Contains(k[..^".One".Length])).ToList();
        Assert.Empty(withoutAPair);
        Assert.Empty(singularsAlone);
    }

    [GeneratedRegex(@"\.Count\(""(?<key>[A-Z][A-Za-z.]+)""")]
    private static partial Regex CountedKeys();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholders();

    // L["Key"], text["Key"], and the refusal/validation/notice keys passed as strings.
    [GeneratedRegex(@"(?:\b(?:L|text)\[""|"")(?<key>(?:[A-Z][a-zA-Z]+)\.[A-Za-z.]+)""")]
    private static partial Regex UsedKeys();

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Loki.Learning.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Loki.Learning.sln not found");
    }
}
