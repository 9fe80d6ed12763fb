using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// The room's host puts one of the owner's scores in front of everyone (or none). Its bars and time signatures
/// drive the beat clock and the cursor from then on.
public sealed record ChooseRoomScore(Actor Actor, Guid RoomId, Guid? ScoreId) : ICommand;

public sealed class ChooseRoomScoreHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains, IMediator mediator) : ICommandHandler<ChooseRoomScore>
{
    public async ValueTask<Unit> Handle(ChooseRoomScore command, CancellationToken cancellationToken)
    {
        var (room, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        if (role != RoomRole.Host)
        {
            throw Refusal.Forbidden("Refusal.NotRoomHost");
        }
        ScoreChoice? choice = null;
        if (command.ScoreId is { } scoreId)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // Only the room's own course, ensemble or workshop scores: a host of one room cannot show another's.
            if (!await db.Scores.AnyAsync(s => s.Id == scoreId && s.OwnerId == room.OwnerId, cancellationToken))
            {
                throw Refusal.NotFound("Scores.Refusal.NotFound");
            }
            choice = await mediator.Send(new GetScoreChoice(command.Actor, scoreId), cancellationToken);
        }
        await grains.GetGrain<IRoomGrain>(command.RoomId).SelectScoreAsync(choice);
        return Unit.Value;
    }
}

/// The host turns the page of the room's PDF score for everyone.
public sealed record TurnRoomScorePage(Actor Actor, Guid RoomId, int Page) : ICommand;

public sealed class TurnRoomScorePageHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains) : ICommandHandler<TurnRoomScorePage>
{
    public async ValueTask<Unit> Handle(TurnRoomScorePage command, CancellationToken cancellationToken)
    {
        var (_, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        if (role != RoomRole.Host)
        {
            throw Refusal.Forbidden("Refusal.NotRoomHost");
        }
        await grains.GetGrain<IRoomGrain>(command.RoomId).TurnScorePageAsync(command.Page);
        return Unit.Value;
    }
}
