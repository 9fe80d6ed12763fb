using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

public sealed record RecordingStarted(Guid Id);

/// The room's host starts a take. The row comes first (status Recording), so a crash from then on leaves something the
/// start-up repair finds; a refusal by the room removes it again. The room decides, the recorder on the room's node
/// starts writing off the room's turn and reports back; this answers once it has (or with the problem it reported).
public sealed record StartRecording(Actor Actor, Guid RoomId) : ICommand<RecordingStarted>;

public sealed class StartRecordingHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains, TimeProvider clock) : ICommandHandler<StartRecording, RecordingStarted>
{
    public async ValueTask<RecordingStarted> Handle(StartRecording command, CancellationToken cancellationToken)
    {
        var room = await dbFactory.EnsureHostsAsync(owners, command.RoomId, command.Actor, cancellationToken);
        var grain = grains.GetGrain<IRoomGrain>(command.RoomId);
        var view = await grain.GetViewAsync();
        if (!view.Open)
        {
            throw Refusal.Conflict("Refusal.RoomClosed");
        }
        if (view.Recording is not null)
        {
            throw Refusal.Conflict("Recording.Refusal.AlreadyRecording");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var recording = new Recording
        {
            RoomId = room.RoomId,
            OwnerId = room.OwnerId,
            OwnerKind = room.Kind,
            Title = room.Title,
            StartedById = command.Actor.PersonId,
            StartedUtc = now,
            Status = RecordingStatus.Recording,
            Folder = RecordingStorage.NewFolderName(),
            StartEpochMs = (now - DateTime.UnixEpoch).TotalMilliseconds,
            ScoreId = view.Score?.ScoreId,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Recordings.Add(recording);
        await db.SaveChangesAsync(cancellationToken);

        var refusal = await grain.StartRecordingAsync(recording.Id, recording.Folder);
        if (refusal is not null)
        {
            db.Recordings.Remove(recording);
            await db.SaveChangesAsync(CancellationToken.None);
            throw Refusal.Conflict(refusal);
        }
        if (await WritingAsync(grain, recording.Id, cancellationToken) is { } problem)
        {
            throw Refusal.Conflict(problem);
        }
        return new RecordingStarted(recording.Id);
    }

    /// Waits until the recorder reported: null when it writes the take (or did not answer in time: the room shows the
    /// take as recording, and a problem when it comes), else the problem's key.
    private static async Task<string?> WritingAsync(IRoomGrain grain, Guid recordingId, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var pause = TimeSpan.FromMilliseconds(10);
        while (DateTime.UtcNow < until)
        {
            var view = await grain.GetViewAsync();
            if (view.Recording?.RecordingId != recordingId)
            {
                return view.RecordingProblem ?? RoomTakes.NotStarted;
            }
            if (view.Recording.Writing)
            {
                return null;
            }
            await Task.Delay(pause, cancellationToken);
            pause = TimeSpan.FromMilliseconds(Math.Min(200, pause.TotalMilliseconds * 2));
        }
        return null;
    }
}
