using Loki.Learning.Web.Data;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Calendar;

/// iCal feeds: a personal one behind a secret token, and public ones per course or ensemble where the owner allows.
public static class CalendarApi
{
    public static void MapCalendarFeeds(this IEndpointRouteBuilder app)
    {
        var feeds = app.MapGroup("/calendar").AllowAnonymous().WithTags("Calendar");
        // GET and HEAD: some calendar clients probe a subscription with HEAD before they fetch it.
        string[] getOrHead = [HttpMethods.Get, HttpMethods.Head];
        feeds.MapMethods("/me/{token}.ics", getOrHead, PersonalFeed);
        feeds.MapMethods("/courses/{courseId:guid}.ics", getOrHead, CourseFeed);
        feeds.MapMethods("/ensembles/{ensembleId:guid}.ics", getOrHead, EnsembleFeed);
    }

    private static DateTime FeedStart(TimeProvider clock) => clock.GetUtcNow().UtcDateTime.AddDays(-30);

    private static Uri SiteBase(HttpRequest request) => new($"{request.Scheme}://{request.Host}{request.PathBase}/");

    private static async Task<Results<ContentHttpResult, NotFound>> PersonalFeed(
        string token, HttpRequest request, IDbContextFactory<LokiDbContext> dbFactory, IMediator mediator, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var person = await db.Users.Where(u => u.CalendarToken == token).Select(u => new { u.Id, u.DisplayName }).SingleOrDefaultAsync(cancellationToken);
        if (person is null)
        {
            return TypedResults.NotFound();
        }
        var items = await mediator.Send(new GetMySchedule(person.Id, FeedStart(clock)), cancellationToken);
        return TypedResults.Content(CalendarFeed.Render($"Loki – {person.DisplayName}", items, SiteBase(request)), CalendarFeed.ContentType);
    }

    private static async Task<Results<ContentHttpResult, NotFound>> CourseFeed(
        Guid courseId, HttpRequest request, IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var course = await db.Courses.Where(c => c.Id == courseId && c.PublicCalendar).Select(c => new { c.Title, c.TimeZoneId }).SingleOrDefaultAsync(cancellationToken);
        if (course is null)
        {
            // A private course and a missing one look the same from outside.
            return TypedResults.NotFound();
        }
        var from = FeedStart(clock);
        var items = await db.ClassSessions.Where(s => s.CourseId == courseId && s.EndsUtc > from).OrderBy(s => s.StartsUtc)
            .Select(s => new ScheduleItem(s.Id, ScheduleItemKind.ClassSession, s.Title, course.Title, courseId, s.StartsUtc, s.EndsUtc, course.TimeZoneId, s.RoomId))
            .ToListAsync(cancellationToken);
        return TypedResults.Content(CalendarFeed.Render(course.Title, items, SiteBase(request)), CalendarFeed.ContentType);
    }

    private static async Task<Results<ContentHttpResult, NotFound>> EnsembleFeed(
        Guid ensembleId, HttpRequest request, IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ensemble = await db.Ensembles.Where(e => e.Id == ensembleId && e.PublicCalendar).Select(e => new { e.Name, e.TimeZoneId }).SingleOrDefaultAsync(cancellationToken);
        if (ensemble is null)
        {
            return TypedResults.NotFound();
        }
        var from = FeedStart(clock);
        var items = await db.Rehearsals.Where(r => r.EnsembleId == ensembleId && r.EndsUtc > from).OrderBy(r => r.StartsUtc)
            .Select(r => new ScheduleItem(r.Id, ScheduleItemKind.Rehearsal, r.Title, ensemble.Name, ensembleId, r.StartsUtc, r.EndsUtc, ensemble.TimeZoneId, r.RoomId))
            .ToListAsync(cancellationToken);
        return TypedResults.Content(CalendarFeed.Render(ensemble.Name, items, SiteBase(request)), CalendarFeed.ContentType);
    }
}
