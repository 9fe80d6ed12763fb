using Loki.Learning.Web.Features.Meetings;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

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
        string token, HttpRequest request, IMediator mediator, TimeProvider clock, CancellationToken cancellationToken) =>
        Render(await mediator.Send(new GetPersonalFeed(token, FeedStart(clock)), cancellationToken), request);

    private static async Task<Results<ContentHttpResult, NotFound>> CourseFeed(
        Guid courseId, HttpRequest request, IMediator mediator, TimeProvider clock, CancellationToken cancellationToken) =>
        Render(await mediator.Send(new GetOwnerFeed(OwnerKind.Course, courseId, FeedStart(clock)), cancellationToken), request);

    private static async Task<Results<ContentHttpResult, NotFound>> EnsembleFeed(
        Guid ensembleId, HttpRequest request, IMediator mediator, TimeProvider clock, CancellationToken cancellationToken) =>
        Render(await mediator.Send(new GetOwnerFeed(OwnerKind.Ensemble, ensembleId, FeedStart(clock)), cancellationToken), request);

    private static Results<ContentHttpResult, NotFound> Render(CalendarFeedItems? feed, HttpRequest request) =>
        feed is null ? TypedResults.NotFound() : TypedResults.Content(CalendarFeed.Render(feed.Name, feed.Items, SiteBase(request)), CalendarFeed.ContentType);
}
