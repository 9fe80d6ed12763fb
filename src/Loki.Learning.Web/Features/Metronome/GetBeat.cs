using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Metronome;

/// The room's beat clock as integrators see it (GET /api/rooms/{roomId}/beat). Members only.
public sealed record GetBeat(Actor Actor, Guid RoomId) : IQuery<BeatAnswer>;

public sealed class GetBeatHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains, TimeProvider clock) : IQueryHandler<GetBeat, BeatAnswer>
{
    public async ValueTask<BeatAnswer> Handle(GetBeat query, CancellationToken cancellationToken)
    {
        await dbFactory.MemberOfRoomAsync(owners, query.RoomId, query.Actor, cancellationToken);
        return BeatAnswer.From(await grains.GetGrain<IRoomGrain>(query.RoomId).GetBeatAsync(), clock);
    }
}

/// One point of the timeline: this beat sounds at this server time (Unix-epoch milliseconds).
public sealed record BeatAnchor(double EpochMs, long Beat, int Bar);

/// <param name="Anchor">The segment in force now (or the first one, before the start); null when stopped.</param>
/// <param name="Segments">All segments, past and planned: a tempo or metre change appears here before it sounds.</param>
/// <param name="ServerEpochMs">The server's clock when this answer was made.</param>
/// <param name="PickupBeats">The followed score's pickup in beats of bar 0 (it sounds on the count-in's last beats).</param>
public sealed record BeatAnswer(
    bool Running,
    double Bpm,
    int BeatsPerBar,
    int BeatUnit,
    int CountInBars,
    int StartBar,
    BeatAnchor? Anchor,
    IReadOnlyList<BeatSegment> Segments,
    IReadOnlyList<MetreChange> Metres,
    ClickSettings Click,
    long Version,
    double ServerEpochMs,
    double PickupBeats = 0)
{
    public static BeatAnswer From(BeatTimeline beat, TimeProvider clock)
    {
        var now = (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds;
        var current = beat.SegmentAt(now);
        var (bpm, beats, unit) = current is null ? (beat.Bpm, beat.BeatsPerBar, beat.BeatUnit) : (current.Bpm, current.BeatsPerBar, current.BeatUnit);
        return new BeatAnswer(
            beat.Running, bpm, beats, unit, beat.CountInBars, beat.StartBar,
            current is null ? null : new BeatAnchor(current.EpochMs, current.Beat, current.Bar),
            beat.Segments, beat.Metres, beat.Click, beat.Version, now, beat.PickupBeats);
    }
}
