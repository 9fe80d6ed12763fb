using Loki.Learning.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// Stores what a take wrote: its tracks, timeline and length, once the files are closed (or repaired).
internal static class RecordingArchive
{
    /// How long a stop waits for the room's node to store the take (it waits up to 30 s for the recorder's files).
    private static readonly TimeSpan StorePatience = TimeSpan.FromSeconds(45);

    /// Waits until take <paramref name="recordingId"/> is no longer being recorded: stored, recovered or gone. The
    /// node hosting the room does that work off the room's turn, so the caller may be on any node; false when it did
    /// not happen within the patience (the take is then still stored later, or repaired at the next start).
    public static async Task<bool> WaitStoredAsync(IDbContextFactory<LokiDbContext> dbFactory, Guid recordingId, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + StorePatience;
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                if (!await db.Recordings.AnyAsync(r => r.Id == recordingId && r.Status == RecordingStatus.Recording, cancellationToken))
                {
                    return true;
                }
            }
            if (DateTime.UtcNow > until)
            {
                return false;
            }
            await Task.Delay(pause, cancellationToken);
            pause = TimeSpan.FromMilliseconds(Math.Min(250, pause.TotalMilliseconds * 2));
        }
    }

    public static async Task StoreAsync(
        IDbContextFactory<LokiDbContext> dbFactory, Guid recordingId, RecordingStatus status, double startEpochMs, string mixFile, long mixFrames,
        long droppedBlocks, IReadOnlyList<RecordingTrack> tracks, IReadOnlyList<RecordingEvent> events, DateTime endedUtc)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var recording = await db.Recordings.SingleOrDefaultAsync(r => r.Id == recordingId);
        if (recording is null)
        {
            // Deleted while recording (retention or the owner's removal): nothing to keep.
            return;
        }
        recording.Status = status;
        recording.StartEpochMs = startEpochMs;
        recording.MixFile = mixFile;
        recording.DurationSeconds = mixFrames / (double)RoomRecorders.SampleRate;
        recording.DroppedBlocks = droppedBlocks;
        recording.EndedUtc = endedUtc;
        await db.RecordingTracks.Where(t => t.RecordingId == recordingId).ExecuteDeleteAsync();
        await db.RecordingEvents.Where(e => e.RecordingId == recordingId).ExecuteDeleteAsync();
        foreach (var track in tracks)
        {
            track.RecordingId = recordingId;
            db.RecordingTracks.Add(track);
        }
        foreach (var recordingEvent in events)
        {
            recordingEvent.RecordingId = recordingId;
            db.RecordingEvents.Add(recordingEvent);
        }
        await db.SaveChangesAsync();
    }
}
