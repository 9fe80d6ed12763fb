using System.Security.Claims;
using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Rooms;

public static class RoomsApi
{
    public sealed record RoomAction(RoomControl Control, string? PersonId, float? Gain);

    /// <param name="Channel">0-based input channel of the site.</param>
    public sealed record ChannelPlacement(string PersonId, int Channel, float Pan, float Gain);

    /// <param name="SourceId">Whose channels the listener receives unmixed; null gives it its mix back.</param>
    public sealed record Passthrough(string ListenerId, string? SourceId);

    /// <param name="Policy">"tight" or "safe" (any case); anything else is refused as invalid.</param>
    public sealed record LinkPolicy(string? Policy)
    {
        public Media.Jitter.JitterPolicy Parsed() =>
            Enum.TryParse<Media.Jitter.JitterPolicy>(Policy, ignoreCase: true, out var policy) && Enum.IsDefined(policy) && !int.TryParse(Policy, out _)
                ? policy
                : (Media.Jitter.JitterPolicy)(-1);
    }

    public static void MapRoomsApi(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms").RequireAuthorization().WithTags("Rooms");

        rooms.MapGet("/", async (ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListMyRooms(Actor.From(user)!), ct)));

        rooms.MapGet("/{roomId:guid}", async (Guid roomId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetRoom(Actor.From(user)!, roomId), ct)));

        rooms.MapPost("/{roomId:guid}/open", async (Guid roomId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new OpenLiveRoom(Actor.From(user)!, roomId), ct);
            return TypedResults.NoContent();
        });

        rooms.MapPost("/{roomId:guid}/close", async (Guid roomId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new OpenLiveRoom(Actor.From(user)!, roomId, Open: false), ct);
            return TypedResults.NoContent();
        });

        rooms.MapPost("/{roomId:guid}/join", async (Guid roomId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new JoinRoom(Actor.From(user)!, roomId), ct)));

        // A multichannel site's channels in the fold-down, and passthrough to a production site (host only).
        rooms.MapPut("/{roomId:guid}/channel-mix", async (Guid roomId, ChannelPlacement body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new SetSiteChannel(Actor.From(user)!, roomId, body.PersonId, body.Channel, body.Pan, body.Gain), ct);
            return TypedResults.NoContent();
        });

        rooms.MapDelete("/{roomId:guid}/channel-mix/{personId}", async (Guid roomId, string personId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new ResetSiteChannels(Actor.From(user)!, roomId, personId), ct);
            return TypedResults.NoContent();
        });

        rooms.MapPut("/{roomId:guid}/passthrough", async (Guid roomId, Passthrough body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new PassSiteThrough(Actor.From(user)!, roomId, body.ListenerId, body.SourceId), ct);
            return TypedResults.NoContent();
        });

        // What the room's browser audio does on a bad link: "tight" or "safe" (host only).
        rooms.MapPut("/{roomId:guid}/link-policy", async (Guid roomId, LinkPolicy body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new SetRoomLinkPolicy(Actor.From(user)!, roomId, body.Parsed()), ct);
            return TypedResults.NoContent();
        });

        rooms.MapPost("/{roomId:guid}/actions", async (Guid roomId, RoomAction body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new ControlRoom(Actor.From(user)!, roomId, body.Control, body.PersonId, body.Gain ?? 1f), ct);
            return TypedResults.NoContent();
        });
    }
}
