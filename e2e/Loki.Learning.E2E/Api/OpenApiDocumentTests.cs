using System.Diagnostics;
using System.Text.Json;
using Loki.Learning.E2E.Hosting;

namespace Loki.Learning.E2E.Api;

/// The running app's OpenAPI document, checked by an outside validator (@readme/openapi-parser from npm, in this
/// project's package.json): a schema error or an operation whose path parameters are not declared fails it.
public sealed class OpenApiDocumentTests(LokiApp app) : IClassFixture<LokiApp>
{
    /// Validates the document on stdin and prints { valid, errors, warnings } (run from this project's folder,
    /// where npm ci put node_modules).
    private const string Validate = """
        import { validate } from '@readme/openapi-parser';
        let text = '';
        for await (const chunk of process.stdin) text += chunk;
        const result = await validate(JSON.parse(text));
        console.log(JSON.stringify({ valid: result.valid, errors: result.errors ?? [], warnings: result.warnings ?? [] }));
        """;

    private static string ProjectFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (Directory.Exists(Path.Combine(folder.FullName, "node_modules", "@readme", "openapi-parser")))
            {
                return folder.FullName;
            }
        }
        throw new DirectoryNotFoundException("@readme/openapi-parser is not installed: run `npm ci` in e2e/Loki.Learning.E2E (test.sh does).");
    }

    [Fact]
    public async Task TheOpenApiDocumentPassesAnOutsideValidator()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var document = await http.GetStringAsync("openapi/v1.json");

        var start = new ProcessStartInfo("node") { WorkingDirectory = ProjectFolder(), RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--input-type=module", "--eval", Validate })
        {
            start.ArgumentList.Add(argument);
        }
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.StandardInput.WriteAsync(document);
        node.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await node.WaitForExitAsync(timeout.Token);

        Assert.True(node.ExitCode == 0, $"node could not run the validator: {await errors}");
        var result = JsonDocument.Parse(await output).RootElement;
        Assert.True(result.GetProperty("valid").GetBoolean(), $"/openapi/v1.json is not valid OpenAPI: {result.GetProperty("errors")}");
        // The delete of an annotation names its score: the document declares both path parameters.
        using var parsed = JsonDocument.Parse(document);
        var delete = parsed.RootElement.GetProperty("paths").GetProperty("/api/scores/{scoreId}/annotations/{annotationId}").GetProperty("delete");
        Assert.Equal(["scoreId", "annotationId"], delete.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }
}
