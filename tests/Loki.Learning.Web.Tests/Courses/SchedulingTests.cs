using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Tests.Courses;

[Collection(nameof(CatalogueCollection))]
public sealed class SchedulingTests(Catalogue catalogue)
{
    private async Task<(Actor Teacher, Guid CourseId)> CourseAsync(string timeZoneId)
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher);
        var id = await catalogue.Mediator.Send(new CreateCourse(teacher, "Counterpoint " + Guid.NewGuid().ToString("N")[..6], "", 20, null, timeZoneId, false));
        return (teacher, id);
    }

    private async Task<Meeting> ScheduleAsync(Actor teacher, Guid courseId, DateTime localStart, int minutes = 90)
    {
        var id = await catalogue.Mediator.Send(new ScheduleMeeting(teacher, OwnerKind.Course, courseId, "Seminar", localStart, minutes));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        return await db.Meetings.SingleAsync(s => s.Id == id);
    }

    [Theory]
    [InlineData("Europe/Stockholm", 2026, 1, 15, 10, 15, 9)]   // winter: UTC+1
    [InlineData("Europe/Stockholm", 2026, 6, 15, 10, 15, 8)]   // summer: UTC+2
    [InlineData("Europe/Oslo", 2026, 3, 30, 18, 0, 16)]        // the day after the spring switch
    [InlineData("Europe/Oslo", 2026, 10, 26, 18, 0, 17)]       // the day after the autumn switch
    public async Task WallClockTimesBecomeTheRightInstantOnEitherSideOfDaylightSaving(string zone, int y, int m, int d, int hour, int minute, int expectedUtcHour)
    {
        var (teacher, courseId) = await CourseAsync(zone);

        var session = await ScheduleAsync(teacher, courseId, new DateTime(y, m, d, hour, minute, 0));

        Assert.Equal(new DateTime(y, m, d, expectedUtcHour, minute, 0, DateTimeKind.Utc), session.StartsUtc);
        Assert.Equal(DateTimeKind.Utc, session.StartsUtc.Kind);
    }

    [Fact]
    public async Task ATimeInsideTheSpringForwardGapIsRefused()
    {
        var (teacher, courseId) = await CourseAsync("Europe/Stockholm");

        var refusal = await Assert.ThrowsAsync<Refusal>(() => ScheduleAsync(teacher, courseId, new DateTime(2026, 3, 29, 2, 30, 0)));

        Assert.Equal("Refusal.TimeDoesNotExist", refusal.ReasonKey);
        await using var db = await catalogue.Db.CreateDbContextAsync();
        Assert.False(await db.Meetings.AnyAsync(s => s.OwnerId == courseId));
    }

    [Fact]
    public async Task AnAmbiguousAutumnTimeMeansTheSummerTimeInstant()
    {
        var (teacher, courseId) = await CourseAsync("Europe/Oslo");

        var session = await ScheduleAsync(teacher, courseId, new DateTime(2026, 10, 25, 2, 30, 0));

        Assert.Equal(new DateTime(2026, 10, 25, 0, 30, 0, DateTimeKind.Utc), session.StartsUtc);
    }

    [Fact]
    public async Task ASessionAcrossTheSwitchLastsAsLongAsPlanned()
    {
        var (teacher, courseId) = await CourseAsync("Europe/Stockholm");

        var session = await ScheduleAsync(teacher, courseId, new DateTime(2026, 10, 25, 1, 0, 0), minutes: 180);

        Assert.Equal(TimeSpan.FromMinutes(180), session.EndsUtc - session.StartsUtc);
    }

    [Fact]
    public async Task OnlyTheCoursesTeachersScheduleSessions()
    {
        var (_, courseId) = await CourseAsync("Europe/Stockholm");
        var otherTeacher = await catalogue.PersonAsync(Roles.Teacher);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => ScheduleAsync(otherTeacher, courseId, new DateTime(2026, 12, 1, 10, 0, 0)));

        Assert.Equal("Refusal.NotCourseTeacher", refusal.ReasonKey);
    }

    [Fact]
    public async Task ADurationOutsideTheAllowedRangeIsAFieldError()
    {
        var (teacher, courseId) = await CourseAsync("Europe/Stockholm");

        var invalid = await Assert.ThrowsAsync<InvalidInput>(() => ScheduleAsync(teacher, courseId, new DateTime(2026, 12, 1, 10, 0, 0), minutes: 5));

        Assert.Contains("DurationMinutes", invalid.Errors.Keys);
    }
}
