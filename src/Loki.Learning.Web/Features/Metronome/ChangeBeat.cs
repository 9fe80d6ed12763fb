using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Metronome;

/// The room's host changes the beat clock: start with count-in, stop, tempo, metre, click, or a jump to a bar or a
/// rehearsal mark of the room's score. Everyone else is refused.
public sealed record ChangeBeat(Actor Actor, Guid RoomId, BeatChange Change, string? JumpToMark = null) : ICommand<BeatAnswer>;

public sealed class ChangeBeatHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains, TimeProvider clock)
    : ICommandHandler<ChangeBeat, BeatAnswer>
{
    public async ValueTask<BeatAnswer> Handle(ChangeBeat command, CancellationToken cancellationToken)
    {
        var (_, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        if (role != RoomRole.Host)
        {
            throw Refusal.Forbidden("Refusal.NotRoomHost");
        }
        if (command.Change.FindProblem() is { } problem)
        {
            throw Refusal.Invalid(problem.Key, problem.Field);
        }
        var room = grains.GetGrain<IRoomGrain>(command.RoomId);
        var change = command.Change;
        if (!string.IsNullOrWhiteSpace(command.JumpToMark))
        {
            var score = (await room.GetViewAsync()).Score;
            var bar = score?.Measures.FirstOrDefault(m => string.Equals(m.Mark, command.JumpToMark.Trim(), StringComparison.OrdinalIgnoreCase))?.CountedNumber
                ?? throw Refusal.Invalid("Validation.RehearsalMark", nameof(command.JumpToMark));
            // A mark on the pickup starts from the beginning: the pickup is played from the count-in.
            change = change with { JumpToBar = Math.Max(1, bar) };
        }
        var (refusal, beat) = await room.ChangeBeatAsync(change);
        if (refusal is not null)
        {
            throw Refusal.Conflict(refusal);
        }
        return BeatAnswer.From(beat, clock);
    }
}
