namespace Loki.Learning.Web.Features.Rooms;

/// Turns a room grain's refusal key into the answer the page or API gives: bad input names its field, anything else
/// is not the caller's to do.
internal static class RoomAnswer
{
    public static void ThrowIfRefused(string? refusal, string field)
    {
        if (refusal is null)
        {
            return;
        }
        throw refusal.StartsWith("Validation.", StringComparison.Ordinal) ? Refusal.Invalid(refusal, field) : Refusal.Forbidden(refusal);
    }
}
