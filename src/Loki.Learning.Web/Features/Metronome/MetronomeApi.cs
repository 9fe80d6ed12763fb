using Loki.Learning.Web.Features.Music;
using System.Security.Claims;
using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Metronome;

public static class MetronomeApi
{
    /// The body of PUT /api/rooms/{roomId}/beat: any subset of the fields.
    public sealed record BeatRequest(
        bool? Running,
        double? Bpm,
        int? BeatsPerBar,
        int? BeatUnit,
        int? CountInBars,
        int? JumpToBar,
        string? JumpToMark,
        ClickSettings? Click);

    public static void MapMetronomeApi(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms").RequireAuthorization().WithTags("Metronome");

        rooms.MapGet("/{roomId:guid}/beat", async (Guid roomId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetBeat(Actor.From(user)!, roomId), ct)));

        rooms.MapPut("/{roomId:guid}/beat", async (Guid roomId, BeatRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var change = new BeatChange(body.Running, body.Bpm, body.BeatsPerBar, body.BeatUnit, body.CountInBars, body.JumpToBar, body.Click);
            return TypedResults.Ok(await mediator.Send(new ChangeBeat(Actor.From(user)!, roomId, change, body.JumpToMark), ct));
        });

        app.MapClockSocket();
    }
}
