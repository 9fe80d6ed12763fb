using System.Security.Claims;
using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Video;

/// Video for programs and pages alike: a member's token for the relay, the host's stop, screen-share grants and slides.
public static class VideoApi
{
    public sealed record StopBody(string PersonId, VideoKind Kind = VideoKind.Camera);

    public sealed record ShareGrantBody(string PersonId, bool Allowed);

    /// <param name="MaterialId">A PDF of the room's course materials; null stops presenting.</param>
    public sealed record SlidesBody(Guid? MaterialId);

    public sealed record SlidePageBody(int Page);

    public static void MapVideoApi(this IEndpointRouteBuilder app)
    {
        var video = app.MapGroup("/api/rooms/{roomId:guid}/video").RequireAuthorization().WithTags("Video");

        video.MapPost("/token", async (Guid roomId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new IssueVideoToken(Actor.From(user)!, roomId), ct)));

        video.MapPost("/stop", async (Guid roomId, StopBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new StopVideo(Actor.From(user)!, roomId, body.PersonId, body.Kind), ct);
            return TypedResults.NoContent();
        });

        // The host allows a participant to share their screen, or takes it back (a running share ends).
        video.MapPost("/share-grant", async (Guid roomId, ShareGrantBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new AllowScreenShare(Actor.From(user)!, roomId, body.PersonId, body.Allowed), ct);
            return TypedResults.NoContent();
        });

        // Slides: the host presents a PDF of the course's materials (or stops) and turns its pages for everyone.
        var slides = app.MapGroup("/api/rooms/{roomId:guid}/slides").RequireAuthorization().WithTags("Video");

        slides.MapPost("", async (Guid roomId, SlidesBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new PresentSlides(Actor.From(user)!, roomId, body.MaterialId), ct);
            return TypedResults.NoContent();
        });

        slides.MapPost("/page", async (Guid roomId, SlidePageBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new TurnSlide(Actor.From(user)!, roomId, body.Page), ct);
            return TypedResults.NoContent();
        });
    }
}
