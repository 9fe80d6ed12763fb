using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Localization;
using Microsoft.Extensions.Localization;

namespace Loki.Learning.Web.Components;

/// What went wrong with the last submit of a form: a summary and messages per field, already localized.
public sealed class FormProblem
{
    public string? Summary { get; private set; }

    public Dictionary<string, string[]> Fields { get; } = new(StringComparer.OrdinalIgnoreCase);

    public bool Any => Summary is not null;

    /// Changes whenever the problem is set or cleared, so a field's message knows which submit it belongs to.
    public long Version { get; private set; }

    public void Clear()
    {
        Summary = null;
        Fields.Clear();
        Version++;
    }

    /// Runs <paramref name="action"/>; a refusal or invalid input becomes this problem instead of an error page.
    public async Task<bool> TryAsync(IStringLocalizer<Text> text, Func<Task> action)
    {
        Clear();
        try
        {
            await action();
            return true;
        }
        catch (InvalidInput invalid)
        {
            Summary = text["Problem.InvalidInput"];
            foreach (var (field, keys) in invalid.Errors)
            {
                Fields[field] = keys.Select(k => text[k].Value).ToArray();
            }
        }
        catch (Refusal refusal)
        {
            Summary = text[refusal.ReasonKey];
            if (refusal.Field is not null)
            {
                Fields[refusal.Field] = [Summary];
            }
        }
        Version++;
        return false;
    }

    public string? For(string field) => Fields.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;
}
