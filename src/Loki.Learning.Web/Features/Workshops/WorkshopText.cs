using System.Text.RegularExpressions;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Loki.Learning.Web.Features.Workshops;

/// An event's description: Markdown in, safe HTML out. Raw HTML in the Markdown is shown as text, never run, and links
/// may only go to http(s), mailto or this site, so nothing an organizer writes can put a script on the public page.
public static partial class WorkshopText
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().UseAutoLinks().Build();

    public static string ToHtml(string? markdown)
    {
        var document = Markdown.Parse(markdown ?? "", Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "";
            }
            // Pictures would be fetched from wherever they point; the page stays on this machine.
            link.IsImage = false;
        }
        foreach (var link in document.Descendants<AutolinkInline>().Where(l => !IsSafe(l.Url)).ToList())
        {
            link.Url = "";
        }
        return document.ToHtml(Pipeline);
    }

    /// A short plain-text excerpt (Open Graph description, listing).
    public static string Excerpt(string? markdown, int length = 200)
    {
        var plain = Markdown.ToPlainText(markdown ?? "", Pipeline);
        var text = Whitespace().Replace(plain, " ").Trim();
        return text.Length <= length ? text : text[..(length - 1)].TrimEnd() + "…";
    }

    private static bool IsSafe(string? url) =>
        string.IsNullOrEmpty(url)
        || (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal))
        || url.StartsWith('#')
        || (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" or "mailto");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
