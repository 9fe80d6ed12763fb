using Ical.Net.Serialization;
using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;

namespace Loki.Learning.Web.Tests.Calendar;

[Collection(nameof(CatalogueCollection))]
public sealed class ScheduleFeedTests(Catalogue catalogue)
{
    [Fact]
    public async Task MyScheduleHoldsClassesIAttendAndRehearsalsIPlayInInStartOrder()
    {
        var lecturer = await catalogue.PersonAsync(Roles.Teacher);
        var student = await catalogue.PersonAsync(Roles.Student);
        var courseId = await catalogue.Mediator.Send(new CreateCourse(lecturer, "Orchestration", "", 10, "orch-key", "Europe/Stockholm", false));
        await catalogue.Mediator.Send(new ScheduleMeeting(lecturer, OwnerKind.Course, courseId, "Winds", new DateTime(2026, 12, 3, 10, 0, 0), 60));
        await catalogue.Mediator.Send(new SelfEnrollInCourse(student, courseId, "orch-key"));
        var ensembleId = await catalogue.Mediator.Send(new CreateEnsemble(lecturer, "Chamber group", null, "Europe/Oslo", null));
        await catalogue.Mediator.Send(new ScheduleMeeting(lecturer, OwnerKind.Ensemble, ensembleId, "Run-through", new DateTime(2026, 12, 1, 17, 0, 0), 75));

        var studentItems = await catalogue.Mediator.Send(new GetMySchedule(student.PersonId, catalogue.Clock.GetUtcNow().UtcDateTime));
        var lecturerItems = await catalogue.Mediator.Send(new GetMySchedule(lecturer.PersonId, catalogue.Clock.GetUtcNow().UtcDateTime));

        Assert.Equal(["Winds"], studentItems.Select(i => i.Title));
        Assert.Equal(["Run-through", "Winds"], lecturerItems.Select(i => i.Title));
        Assert.Equal(new DateTime(2026, 12, 1, 16, 0, 0, DateTimeKind.Utc), lecturerItems[0].StartsUtc);
    }

    [Fact]
    public void TheFeedIsAValidCalendarWithEventsInUtc()
    {
        var items = new[]
        {
            new ScheduleItem(Guid.NewGuid(), OwnerKind.Course, "Seminar 1", "Pedagogy", Guid.NewGuid(),
                new DateTime(2026, 3, 28, 9, 15, 0, DateTimeKind.Utc), new DateTime(2026, 3, 28, 10, 45, 0, DateTimeKind.Utc), "Europe/Stockholm", Guid.NewGuid()),
            new ScheduleItem(Guid.NewGuid(), OwnerKind.Ensemble, "Tutti", "Strings", Guid.NewGuid(),
                new DateTime(2026, 3, 30, 15, 0, 0, DateTimeKind.Utc), new DateTime(2026, 3, 30, 16, 15, 0, DateTimeKind.Utc), "Europe/Oslo", Guid.NewGuid()),
        };

        var text = CalendarFeed.Render("Test", items, new Uri("http://127.0.0.1:5080/"));
        var calendar = Ical.Net.Calendar.Load(text)!;

        Assert.Equal(2, calendar.Events.Count);
        var seminar = calendar.Events.Single(e => e.Summary == "Pedagogy: Seminar 1");
        Assert.Equal(new DateTime(2026, 3, 28, 9, 15, 0, DateTimeKind.Utc), seminar.DtStart!.AsUtc);
        Assert.Equal(new DateTime(2026, 3, 28, 10, 45, 0, DateTimeKind.Utc), seminar.DtEnd!.AsUtc);
        Assert.Equal($"http://127.0.0.1:5080/courses/{items[0].OwnerId}", seminar.Url!.ToString());
        Assert.All(calendar.Events, e => Assert.EndsWith("@loki.learning", e.Uid));
    }
}
