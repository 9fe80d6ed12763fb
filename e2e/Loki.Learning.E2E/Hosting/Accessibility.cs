using System.Text.Json;
using Microsoft.Playwright;

namespace Loki.Learning.E2E.Hosting;

public static class Accessibility
{
    /// Runs axe-core over the whole page, or the part <paramref name="selector"/> names; one line per serious or critical
    /// rule, with the offending nodes.
    public static async Task<List<string>> SeriousAccessibilityViolationsAsync(this IPage page, string? selector = null)
    {
        await page.AddScriptTagAsync(new() { Path = AxeScript.Value });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async selector => {
                const results = await axe.run(selector ? document.querySelector(selector) : document, { resultTypes: ['violations'] });
                return results.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => ({
                        id: v.id,
                        impact: v.impact,
                        help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' ') + ' → ' + (n.failureSummary || '').replaceAll('\n', ' ')),
                    }));
            }
            """, selector);
        return violations.EnumerateArray()
            .Select(v => $"{v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}): {v.GetProperty("help").GetString()}"
                + string.Concat(v.GetProperty("nodes").EnumerateArray().Select(n => $"{Environment.NewLine}    {n.GetString()}")))
            .ToList();
    }

    /// axe-core from npm (e2e/Loki.Learning.E2E/package.json), read from disk: never a CDN.
    private static readonly Lazy<string> AxeScript = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("axe-core is not installed: run `npm ci` in e2e/Loki.Learning.E2E (test.sh does).");
    });
}
