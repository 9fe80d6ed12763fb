namespace Loki.Learning.Web.Features.Meetings;

/// Time zones the programme schedules in, and conversion of wall-clock times entered by people.
public static class Schedule
{
    public static readonly IReadOnlyList<string> SupportedTimeZones = ["Europe/Stockholm", "Europe/Oslo"];

    public static bool IsSupported(string timeZoneId) => SupportedTimeZones.Contains(timeZoneId);

    public static TimeZoneInfo Zone(string timeZoneId) => TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);

    /// Wall-clock time in <paramref name="timeZoneId"/> to UTC. A time inside the spring-forward
    /// gap does not exist and is refused; in the autumn overlap the first (summer-time) instant is meant.
    public static DateTime ToUtc(DateTime localWallClock, string timeZoneId)
    {
        var zone = Zone(timeZoneId);
        var local = DateTime.SpecifyKind(localWallClock, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            throw Refusal.Invalid("Refusal.TimeDoesNotExist", "Start");
        }
        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            var summer = offsets.Max();
            return DateTime.SpecifyKind(local - summer, DateTimeKind.Utc);
        }
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// A slot that starts at a wall-clock time and lasts <paramref name="minutes"/> of elapsed time,
    /// so a rehearsal across the DST switch still lasts as long as planned.
    public static (DateTime StartsUtc, DateTime EndsUtc) Slot(DateTime localStart, int minutes, string timeZoneId)
    {
        var startsUtc = ToUtc(localStart, timeZoneId);
        return (startsUtc, startsUtc.AddMinutes(minutes));
    }

    public static DateTime ToLocal(DateTime utc, string timeZoneId) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone(timeZoneId));
}
