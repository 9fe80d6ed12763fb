using Loki.Learning.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// Stores what a take wrote: its tracks, timeline and length, once the files are closed (or repaired).
internal static class RecordingArchive
{
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
