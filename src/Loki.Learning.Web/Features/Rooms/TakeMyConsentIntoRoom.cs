using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

/// After a person changed their own consent while in a room, the room takes the consent on file as it now is: during
/// a take they go into it or leave it at once.
public sealed record TakeMyConsentIntoRoom(Actor Actor, Guid RoomId) : ICommand;

public sealed class TakeMyConsentIntoRoomHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains) : ICommandHandler<TakeMyConsentIntoRoom>
{
    public async ValueTask<Unit> Handle(TakeMyConsentIntoRoom command, CancellationToken cancellationToken)
    {
        var (_, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var onFile = await db.Users.Where(u => u.Id == command.Actor.PersonId).Select(u => u.RecordingConsent).SingleAsync(cancellationToken);
        var refusal = await grains.GetGrain<IRoomGrain>(command.RoomId).SetRecordingConsentAsync(command.Actor.PersonId, RecordingConsent.Given(onFile, role));
        return refusal is null ? Unit.Value : throw Refusal.Conflict(refusal);
    }
}
