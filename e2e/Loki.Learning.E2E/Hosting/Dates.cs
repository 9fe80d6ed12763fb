namespace Loki.Learning.E2E.Hosting;

public static class Dates
{
    /// The next <paramref name="month"/>/<paramref name="day"/> at least two days ahead: far enough to be
    /// "upcoming" everywhere, and on a fixed side of the daylight-saving switch.
    public static DateOnly Next(int month, int day)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var candidate = new DateOnly(today.Year, month, day);
        return candidate > today.AddDays(1) ? candidate : candidate.AddYears(1);
    }
}
