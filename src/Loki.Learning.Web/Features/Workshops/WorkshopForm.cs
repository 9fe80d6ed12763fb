using Loki.Learning.Web.Features.Meetings;

namespace Loki.Learning.Web.Features.Workshops;

/// What the organizer types into the create and edit forms. It lives as long as the page, so a refused submit keeps
/// every value where it was.
public sealed class WorkshopForm
{
    public sealed class Sitting
    {
        /// The sitting being edited; null for one added in this form.
        public Guid? Id { get; init; }

        public string Title { get; set; } = "";

        /// Wall-clock in the event's time zone.
        public DateTime Start { get; set; }

        public int Minutes { get; set; } = 120;
    }

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    public string Language { get; set; } = "sv";

    public string Venue { get; set; } = "";

    public bool Online { get; set; } = true;

    public string TimeZoneId { get; set; } = "Europe/Stockholm";

    public List<Sitting> Sittings { get; } = [];

    /// A sitting a week on (and a day after the last), at six in the evening.
    public void AddSitting(DateTime nowUtc)
    {
        var last = Sittings.Count == 0 ? Schedule.ToLocal(nowUtc, TimeZoneId).Date.AddDays(6) : Sittings[^1].Start.Date;
        Sittings.Add(new Sitting { Title = Sittings.Count == 0 ? Title : "", Start = last.AddDays(1).AddHours(18) });
    }

    /// The sittings as the commands take them; an untitled one takes the event's title.
    public List<NewWorkshopSession> Sessions() =>
        Sittings.Select(s => new NewWorkshopSession(string.IsNullOrWhiteSpace(s.Title) ? Title : s.Title, s.Start, s.Minutes, s.Id)).ToList();

    public static WorkshopForm From(WorkshopDetails details) => new WorkshopForm
    {
        Title = details.Title,
        Description = details.Source?.Description ?? "",
        Language = details.Language,
        Venue = details.Source?.Venue ?? "",
        Online = details.Online,
        TimeZoneId = details.TimeZoneId,
    }.WithSittings(details.Sessions.Select(s => new Sitting
    {
        Id = s.Id,
        Title = s.Title,
        Start = Schedule.ToLocal(s.StartsUtc, details.TimeZoneId),
        Minutes = (int)Math.Round((s.EndsUtc - s.StartsUtc).TotalMinutes),
    }));

    private WorkshopForm WithSittings(IEnumerable<Sitting> sittings)
    {
        Sittings.AddRange(sittings);
        return this;
    }
}
