using System.Globalization;
using Loki.Learning.Web.Features.Localization;
using Loki.Learning.Web.Features.Meetings;
using Microsoft.Extensions.Localization;

namespace Loki.Learning.Web.Features.Workshops;

/// A change to a workshop that registrants need to hear about: where or when it happens, or that a sitting is off.
/// Title and text changes are not among them (the page shows them; nobody has to plan anew).
public abstract record WorkshopChange
{
    /// One line of the mail, in the culture the localizer is set to; times in the event's zone.
    public abstract string Describe(IStringLocalizer<Text> text, CultureInfo culture, string timeZoneId);

    protected static string Slot(DateTime startsUtc, DateTime endsUtc, CultureInfo culture, string timeZoneId)
    {
        var starts = Schedule.ToLocal(startsUtc, timeZoneId);
        var ends = Schedule.ToLocal(endsUtc, timeZoneId);
        return starts.Date == ends.Date
            ? $"{starts.ToString("dddd d MMMM yyyy HH:mm", culture)}–{ends.ToString("HH:mm", culture)}"
            : $"{starts.ToString("dddd d MMMM yyyy HH:mm", culture)} – {ends.ToString("dddd d MMMM yyyy HH:mm", culture)}";
    }
}

public sealed record SittingMoved(string Title, DateTime WasStartsUtc, DateTime WasEndsUtc, DateTime StartsUtc, DateTime EndsUtc) : WorkshopChange
{
    public override string Describe(IStringLocalizer<Text> text, CultureInfo culture, string timeZoneId) =>
        text["Events.Change.Moved", Title, Slot(WasStartsUtc, WasEndsUtc, culture, timeZoneId), Slot(StartsUtc, EndsUtc, culture, timeZoneId)];
}

public sealed record SittingAdded(string Title, DateTime StartsUtc, DateTime EndsUtc) : WorkshopChange
{
    public override string Describe(IStringLocalizer<Text> text, CultureInfo culture, string timeZoneId) =>
        text["Events.Change.Added", Title, Slot(StartsUtc, EndsUtc, culture, timeZoneId)];
}

public sealed record SittingCancelled(string Title, DateTime StartsUtc, DateTime EndsUtc) : WorkshopChange
{
    public override string Describe(IStringLocalizer<Text> text, CultureInfo culture, string timeZoneId) =>
        text["Events.Change.Cancelled", Title, Slot(StartsUtc, EndsUtc, culture, timeZoneId)];
}

public sealed record VenueChanged(string? WasVenue, string? Venue) : WorkshopChange
{
    public override string Describe(IStringLocalizer<Text> text, CultureInfo culture, string timeZoneId) =>
        Venue is null ? text["Events.Change.VenueRemoved", WasVenue ?? ""]
        : WasVenue is null ? text["Events.Change.VenueAdded", Venue]
        : text["Events.Change.Venue", WasVenue, Venue];
}

public sealed record OnlineChanged(bool Online) : WorkshopChange
{
    public override string Describe(IStringLocalizer<Text> text, CultureInfo culture, string timeZoneId) =>
        Online ? text["Events.Change.NowOnline"] : text["Events.Change.NoLongerOnline"];
}

/// The sittings of a workshop as they were and as they are to be.
public sealed record SittingSlot(Guid Id, string Title, DateTime StartsUtc, DateTime EndsUtc);

public static class WorkshopChanges
{
    /// What changed for registrants between two versions of a workshop's place and sittings, in the order a reader
    /// needs it: place first, then sittings by time.
    public static IReadOnlyList<WorkshopChange> Between(
        string? wasVenue, bool wasOnline, IReadOnlyList<SittingSlot> wasSittings,
        string? venue, bool online, IReadOnlyList<SittingSlot> sittings)
    {
        var changes = new List<WorkshopChange>();
        if (!string.Equals(wasVenue, venue, StringComparison.Ordinal))
        {
            changes.Add(new VenueChanged(wasVenue, venue));
        }
        if (wasOnline != online)
        {
            changes.Add(new OnlineChanged(online));
        }
        var before = wasSittings.ToDictionary(s => s.Id);
        var after = sittings.Select(s => s.Id).ToHashSet();
        var timed = new List<(DateTime At, WorkshopChange Change)>();
        foreach (var sitting in sittings)
        {
            if (!before.TryGetValue(sitting.Id, out var was))
            {
                timed.Add((sitting.StartsUtc, new SittingAdded(sitting.Title, sitting.StartsUtc, sitting.EndsUtc)));
            }
            else if (was.StartsUtc != sitting.StartsUtc || was.EndsUtc != sitting.EndsUtc)
            {
                timed.Add((sitting.StartsUtc, new SittingMoved(sitting.Title, was.StartsUtc, was.EndsUtc, sitting.StartsUtc, sitting.EndsUtc)));
            }
        }
        timed.AddRange(wasSittings.Where(s => !after.Contains(s.Id))
            .Select(s => (s.StartsUtc, (WorkshopChange)new SittingCancelled(s.Title, s.StartsUtc, s.EndsUtc))));
        changes.AddRange(timed.OrderBy(t => t.At).Select(t => t.Change));
        return changes;
    }
}
