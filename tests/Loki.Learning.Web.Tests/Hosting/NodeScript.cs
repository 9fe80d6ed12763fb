using System.Diagnostics;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Tests.Localization;

namespace Loki.Learning.Web.Tests.Hosting;

/// Runs the page's own JavaScript in Node (the same files the browser loads) and reads the JSON it prints: the
/// simulations of the clock and metronome models run this way, with simulated time, so they are exact checks.
internal static class NodeScript
{
    /// Node with <paramref name="arguments"/>, from the repository root; fails the test with Node's errors when it fails.
    public static async Task<JsonObject> RunAsync(params IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TranslationTests.RepositoryRoot(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, await errors);
        return JsonNode.Parse(await output)!.AsObject();
    }

    /// The file URL of a script under wwwroot/js, for a module to import.
    public static string PageScript(string name) =>
        new Uri(Path.Combine(TranslationTests.RepositoryRoot(), "src", "Loki.Learning.Web", "wwwroot", "js", name)).AbsoluteUri;
}
