using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Video;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// The recording feature's side of a room: it subscribes to the room's events and does the file work the room
/// decided on, off the room grain's turn and on the node whose engine carries the room's audio. A take that cannot
/// start or be stored is reported back to the room (<see cref="IRoomGrain.ReportTakeProblemAsync"/>), which shows it.
public sealed class RoomTakes(
    RoomRecorders recorders, RecordingRecovery recovery, RecordingStorage storage, IGrainFactory grains, IDbContextFactory<LokiDbContext> dbFactory,
    VideoRecordings videoRecordings, RecordingVideoConversion videos, ILogger<RoomTakes> logger) : IRoomEventSubscriber
{
    /// The room's audio does not run on the node hosting it (its engine is off).
    public const string NoAudio = "Recording.Refusal.NoAudio";

    /// The take's files could not be written; nothing was recorded.
    public const string NotStarted = "Recording.Problem.NotStarted";

    /// The take could not be closed normally; what reached the disk is kept as a recovered take.
    public const string NotStored = "Recording.Problem.NotStored";

    public async Task OnRoomEventAsync(RoomEvent roomEvent)
    {
        switch (roomEvent)
        {
            case TakeStarted started:
                await StartAsync(started);
                break;
            case TrackIncluded track:
                recorders.Include(track.RecordingId, track.MediaId, track.PersonId, track.DisplayName, track.OneWayMs, track.JitterMs);
                // Whom the take records (the room asked their consent) also has their camera and screen recorded.
                await videoRecordings.IncludeAsync(track.RoomId, track.RecordingId, track.PersonId, track.DisplayName);
                break;
            case TrackExcluded track:
                recorders.Exclude(track.RecordingId, track.MediaId, track.DisplayName);
                break;
            case MarkerDropped marker:
                recorders.Marker(marker.RecordingId, marker.Name);
                break;
            case BeatChanged beat when recorders.TakeOf(beat.MediaRoom) is { } recordingId:
                recorders.Beat(recordingId, beat.Beat);
                break;
            case ScoreChanged score when recorders.TakeOf(score.MediaRoom) is { } recordingId:
                recorders.Score(recordingId, score.Score?.Title);
                break;
            case TakeStopped stopped:
                await StopAsync(stopped);
                break;
            case TakeCutOff cut:
                await videoRecordings.StopAsync(cut.RoomId, cut.RecordingId);
                await recovery.RepairTakeAsync(cut.RecordingId);
                break;
        }
    }

    private async Task StartAsync(TakeStarted take)
    {
        string? problem;
        try
        {
            problem = await recorders.StartAsync(take.RecordingId, take.MediaRoom, take.Folder, take.Beat, take.ScoreTitle) ? null : NoAudio;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            logger.LogError(exception, "Recording {Recording} of room {Room} could not start", take.RecordingId, take.RoomId);
            problem = NotStarted;
        }
        if (problem is null)
        {
            _ = Task.Run(() => WatchAsync(take), CancellationToken.None);
            await videoRecordings.StartAsync(take.RoomId, take.RecordingId, storage.FolderOf(take.Folder));
            await grains.GetGrain<IRoomGrain>(take.RoomId).ReportTakeWritingAsync(take.RecordingId);
            return;
        }
        // Nothing was recorded: the take's row goes (as a refusal at the start always did) and the room says why.
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.Recordings.Where(r => r.Id == take.RecordingId && r.Status == RecordingStatus.Recording).ExecuteDeleteAsync();
        }
        RemoveIfEmpty(storage.FolderOf(take.Folder));
        await grains.GetGrain<IRoomGrain>(take.RoomId).ReportTakeProblemAsync(take.RecordingId, problem);
    }

    private async Task StopAsync(TakeStopped take)
    {
        // The pictures stop with the sound; they are converted once the take is stored (or repaired).
        var pictures = videoRecordings.StopAsync(take.RoomId, take.RecordingId);
        try
        {
            await StopSoundAsync(take);
        }
        finally
        {
            await pictures;
            videos.Enqueue(take.RecordingId);
        }
    }

    private async Task StopSoundAsync(TakeStopped take)
    {
        if (recorders.IsRecording(take.RecordingId))
        {
            try
            {
                await recorders.StopAsync(take.RecordingId);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Recording {Recording} of room {Room} was not stored; keeping what reached the disk", take.RecordingId, take.RoomId);
                await grains.GetGrain<IRoomGrain>(take.RoomId).ReportTakeProblemAsync(take.RecordingId, NotStored);
            }
        }
        // Not recorded here (or not stored): what reached the disk is kept. Nothing to do for a take already stored.
        await recovery.RepairTakeAsync(take.RecordingId);
    }

    /// The engine that records the take ended before the take was stopped (a child engine killed, or hung and killed by
    /// its heartbeat): what reached the disk is stored as a recovered take, the pictures stop, and the room ends the take
    /// and shows why (<see cref="NotStored"/>). A take stopped normally ends this watch without doing anything.
    private async Task WatchAsync(TakeStarted take)
    {
        try
        {
            if (!await recorders.LostAsync(take.RecordingId))
            {
                return;
            }
            logger.LogError("Recording {Recording} of room {Room} was cut off: the media engine ended during the take; what reached the disk is stored as recovered",
                take.RecordingId, take.RoomId);
            await videoRecordings.StopAsync(take.RoomId, take.RecordingId);
            await recovery.RepairTakeAsync(take.RecordingId);
            await grains.GetGrain<IRoomGrain>(take.RoomId).ReportTakeProblemAsync(take.RecordingId, NotStored);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Recording {Recording} of room {Room} was cut off and could not be stored; the start-up repair finds it", take.RecordingId, take.RoomId);
        }
    }

    /// The folder of a take that never started holds at most empty files.
    private static void RemoveIfEmpty(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles().Where(f => f.Length == 0))
        {
            file.Delete();
        }
        if (!Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }
}
