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

    /// The next last Sunday of March: in Sweden and Norway the clocks jump from 02:00 to 03:00 that night.
    public static DateOnly NextSpringForward()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        for (var year = today.Year; ; year++)
        {
            var day = new DateOnly(year, 3, 31);
            while (day.DayOfWeek != DayOfWeek.Sunday)
            {
                day = day.AddDays(-1);
            }
            if (day > today.AddDays(1))
            {
                return day;
            }
        }
    }
}
