using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Features.Meetings;

namespace Loki.Learning.Web.Features.Workshops;

/// What a workshop must satisfy when it is created and each time it is edited.
internal static class WorkshopRules
{
    /// Refuses with the field the organizer has to correct; returns the sittings as UTC slots, earliest first.
    public static List<(NewWorkshopSession Session, DateTime StartsUtc, DateTime EndsUtc)> Check(
        string title, string? venue, bool online, int? institutionId, string timeZoneId, IReadOnlyList<NewWorkshopSession> sessions)
    {
        if (title.Contains('<', StringComparison.Ordinal) || title.Contains('>', StringComparison.Ordinal))
        {
            throw Refusal.Invalid("Validation.NoMarkup", "Title");
        }
        if (!Schedule.IsSupported(timeZoneId))
        {
            throw Refusal.Invalid("Validation.TimeZone", "TimeZoneId");
        }
        if (!online && string.IsNullOrWhiteSpace(venue) && institutionId is null)
        {
            throw Refusal.Invalid("Validation.VenueOrOnline", "Venue");
        }
        if (sessions.Count == 0)
        {
            throw Refusal.Invalid("Validation.SessionsRequired", "Sessions");
        }
        foreach (var session in sessions)
        {
            var problems = new List<ValidationResult>();
            if (!Validator.TryValidateObject(session, new ValidationContext(session), problems, validateAllProperties: true))
            {
                throw Refusal.Invalid(problems[0].ErrorMessage ?? "Validation.Invalid", "Sessions");
            }
        }
        return sessions
            .Select(s => (Session: s, Slot: Schedule.Slot(s.Start, s.DurationMinutes, timeZoneId)))
            .Select(s => (s.Session, s.Slot.StartsUtc, s.Slot.EndsUtc))
            .OrderBy(s => s.StartsUtc)
            .ToList();
    }
}
