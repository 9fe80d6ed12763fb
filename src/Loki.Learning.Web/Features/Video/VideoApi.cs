using System.Security.Claims;
using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Video;

/// Video for programs and pages alike: a member's token for the relay, and the host's stop.
public static class VideoApi
{
    public sealed record StopBody(string PersonId, VideoKind Kind = VideoKind.Camera);

    public sealed record ShareGrantBody(string PersonId, bool Allowed);

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
    }
}
