using System.Reflection;

namespace Loki.Learning.Media.Tests.Architecture;

public class DependencyRuleTests
{
    private static readonly string[] ForbiddenPrefixes =
    [
        "Microsoft.AspNetCore",
        "Orleans",
        "Microsoft.Orleans",
        "Microsoft.EntityFrameworkCore",
    ];

    [Fact]
    public void TheMediaLibraryReferencesNeitherAspNetCoreNorOrleansNorEntityFramework()
    {
        var referenced = typeof(MediaAssembly).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();

        Assert.NotEmpty(referenced);
        var offending = referenced.Where(name => ForbiddenPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))).ToList();
        Assert.Empty(offending);
    }

    [Fact]
    public void TheMediaProjectFileHasNoForbiddenPackageOrProjectReference()
    {
        var projectFile = Path.Combine(RepositoryRoot(), "src", "Loki.Learning.Media", "Loki.Learning.Media.csproj");
        var text = File.ReadAllText(projectFile);

        foreach (var prefix in ForbiddenPrefixes)
        {
            Assert.DoesNotContain($"Include=\"{prefix}", text, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("Loki.Learning.Web", text, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Loki.Learning.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Loki.Learning.sln not found above " + AppContext.BaseDirectory);
    }
}
