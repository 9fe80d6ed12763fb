using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// The room's host stops a take; its files are closed and the take stored before this returns (the room's node
/// does that off the room's turn; this waits for it).
public sealed record StopRecording(Actor Actor, Guid RecordingId) : ICommand;

public sealed class StopRecordingHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains) : ICommandHandler<StopRecording>
{
    public async ValueTask<Unit> Handle(StopRecording command, CancellationToken cancellationToken)
    {
        Guid roomId;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var (recording, _) = await db.RecordingForAsync(owners, command.RecordingId, command.Actor, cancellationToken);
            roomId = recording.RoomId;
        }
        await dbFactory.EnsureHostsAsync(owners, roomId, command.Actor, cancellationToken);
        var refusal = await grains.GetGrain<IRoomGrain>(roomId).StopRecordingAsync(command.RecordingId);
        if (refusal is not null)
        {
            throw Refusal.Conflict(refusal);
        }
        await RecordingArchive.WaitStoredAsync(dbFactory, command.RecordingId, cancellationToken);
        return Unit.Value;
    }
}

/// The host drops a named marker into the running take of a room.
public sealed record DropRecordingMarker(Actor Actor, Guid RoomId, string? Name) : ICommand;

public sealed class DropRecordingMarkerHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains) : ICommandHandler<DropRecordingMarker>
{
    public const int MaxNameLength = 100;

    public async ValueTask<Unit> Handle(DropRecordingMarker command, CancellationToken cancellationToken)
    {
        await dbFactory.EnsureHostsAsync(owners, command.RoomId, command.Actor, cancellationToken);
        var name = command.Name?.Trim() ?? "";
        if (name.Length > MaxNameLength)
        {
            throw Refusal.Invalid("Validation.TooLong", nameof(command.Name));
        }
        var refusal = await grains.GetGrain<IRoomGrain>(command.RoomId).DropMarkerAsync(name.Length == 0 ? "M" : name);
        return refusal is null ? Unit.Value : throw Refusal.Conflict(refusal);
    }
}
