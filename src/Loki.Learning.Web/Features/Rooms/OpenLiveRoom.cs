using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

/// The host opens (or closes) the live room of a session, rehearsal or workshop.
public sealed record OpenLiveRoom(Actor Actor, Guid RoomId, bool Open = true) : ICommand;

public sealed class OpenLiveRoomHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains) : ICommandHandler<OpenLiveRoom>
{
    public async ValueTask<Unit> Handle(OpenLiveRoom command, CancellationToken cancellationToken)
    {
        var (room, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        if (role != RoomRole.Host)
        {
            throw Refusal.Forbidden("Refusal.NotRoomHost");
        }
        var grain = grains.GetGrain<IRoomGrain>(command.RoomId);
        if (command.Open)
        {
            await grain.OpenAsync(room, command.Actor.PersonId);
        }
        else
        {
            await grain.CloseAsync(command.Actor.PersonId);
        }
        return Unit.Value;
    }
}
