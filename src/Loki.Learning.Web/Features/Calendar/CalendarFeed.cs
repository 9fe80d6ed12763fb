using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Loki.Learning.Web.Features.Meetings;

namespace Loki.Learning.Web.Features.Calendar;

/// Renders schedule items as an RFC 5545 calendar. Times are written in UTC so every client
/// places them right across the Swedish and Norwegian DST switches without a VTIMEZONE.
public static class CalendarFeed
{
    public const string ContentType = "text/calendar; charset=utf-8";

    public static string Render(string calendarName, IEnumerable<ScheduleItem> items, Uri siteBase)
    {
        var calendar = new Ical.Net.Calendar { ProductId = "-//Loki.Learning//Schedule//EN" };
        calendar.AddProperty("X-WR-CALNAME", calendarName);
        foreach (var item in items)
        {
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"{item.Id:N}@loki.learning",
                Summary = item.Title == item.OwnerTitle ? item.Title : $"{item.OwnerTitle}: {item.Title}",
                DtStart = new CalDateTime(DateTime.SpecifyKind(item.StartsUtc, DateTimeKind.Utc)),
                DtEnd = new CalDateTime(DateTime.SpecifyKind(item.EndsUtc, DateTimeKind.Utc)),
                Url = new Uri(siteBase, PagePath(item)),
                Location = new Uri(siteBase, PagePath(item)).ToString(),
            });
        }
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    /// The page the entry opens: the course, ensemble or workshop, whose schedule links into the live room.
    public static string PagePath(ScheduleItem item) => item.Kind switch
    {
        OwnerKind.Course => $"courses/{item.OwnerId}",
        OwnerKind.Ensemble => $"ensembles/{item.OwnerId}",
        _ => $"events/{item.OwnerId}",
    };
}
