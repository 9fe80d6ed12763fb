using System.Security.Claims;
using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Rooms;

public static class RoomsApi
{
    public sealed record RoomAction(RoomControl Control, string? PersonId, float? Gain);

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

        rooms.MapPost("/{roomId:guid}/actions", async (Guid roomId, RoomAction body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new ControlRoom(Actor.From(user)!, roomId, body.Control, body.PersonId, body.Gain ?? 1f), ct);
            return TypedResults.NoContent();
        });
    }
}
