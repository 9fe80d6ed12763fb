using Loki.Learning.Media.Mixing;
using System.Globalization;
using Loki.Learning.Media.Recording;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// On start-up, takes still marked Recording may have been cut off by a crash or a kill. Each one's room grain
/// answers: a room that is recording it (on a live node of the cluster) keeps going; otherwise the take is
/// repaired here (a room that comes back with such a take also has it repaired, through <see cref="TakeCutOff"/>) — each WAV's header from the file's length, tracks and timeline rebuilt from
/// <c>timeline.jsonl</c> — and marked Recovered. A file that cannot be repaired is left out and logged.
/// On an orderly shutdown, takes still running are stored instead.
public sealed class RecordingRecovery(
    IDbContextFactory<LokiDbContext> dbFactory, RecordingStorage storage, RoomRecorders recorders, IGrainFactory grains, RecordingVideoConversion videos,
    ILogger<RecordingRecovery> logger) : IHostedService
{
    /// One repair at a time on this node: a take may be asked for twice at start-up (here, and by its room coming back).
    private readonly SemaphoreSlim _repairing = new(1, 1);

    public Task StartAsync(CancellationToken cancellationToken) => RepairAsync(cancellationToken);

    /// On an orderly shutdown the takes still running are stopped and stored, so nothing needs repair.
    public Task StopAsync(CancellationToken cancellationToken) => recorders.StopAllAsync();

    /// Returns how many takes were recovered.
    public async Task<int> RepairAsync(CancellationToken cancellationToken = default)
    {
        List<(Guid Id, Guid RoomId)> open;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            open = (await db.Recordings.Where(r => r.Status == RecordingStatus.Recording).Select(r => new { r.Id, r.RoomId }).ToListAsync(cancellationToken))
                .Select(r => (r.Id, r.RoomId)).ToList();
        }
        var repaired = 0;
        foreach (var (id, roomId) in open)
        {
            if (!await grains.GetGrain<IRoomGrain>(roomId).IsRecordingAsync(id) && await RepairTakeAsync(id))
            {
                repaired++;
            }
        }
        return repaired;
    }

    /// Repairs one take that no recorder writes any more. Nothing to do once stored; true when it was repaired here.
    public async Task<bool> RepairTakeAsync(Guid recordingId)
    {
        await _repairing.WaitAsync();
        try
        {
            Recording? recording;
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                recording = await db.Recordings.SingleOrDefaultAsync(r => r.Id == recordingId && r.Status == RecordingStatus.Recording);
            }
            if (recording is null || recorders.IsRecording(recordingId))
            {
                return false;
            }
            await RepairAsync(recording);
            return true;
        }
        finally
        {
            _repairing.Release();
        }
    }

    private async Task RepairAsync(Recording recording)
    {
        var folder = storage.FolderOf(recording.Folder);
        var lines = TimelineLine.Read(Path.Combine(folder, TimelineLine.FileName));
        var start = lines.FirstOrDefault(l => l.Kind == TimelineLine.Start)?.EpochMs ?? recording.StartEpochMs;
        var mix = Repair(Path.Combine(folder, recording.MixFile));
        var tracks = new List<RecordingTrack>();
        foreach (var (line, file, channel) in lines.Where(l => l is { Kind: TimelineLine.Track, File: not null }).SelectMany(l => FilesOf(recording.Folder, l)))
        {
            var path = storage.PathOf(recording.Folder, file);
            if (Repair(path) is not { } repaired)
            {
                continue;
            }
            tracks.Add(new RecordingTrack
            {
                PersonId = line.PersonId ?? "",
                DisplayName = RoomRecorders.TrackName(line.Text ?? "", channel),
                File = file,
                OffsetMs = line.OffsetMs ?? 0,
                ResidualMs = line.ResidualMs ?? 0,
                StartSeconds = Math.Max(0, (line.EpochMs - start) / 1000),
                Frames = repaired.Frames,
                Channels = repaired.Channels,
            });
        }
        var mixFrames = mix?.Frames ?? 0;
        await RecordingArchive.StoreAsync(dbFactory, recording.Id, RecordingStatus.Recovered, start, recording.MixFile, mixFrames, recording.DroppedBlocks,
            tracks, TimelineLine.ToEvents(lines, start), recording.StartedUtc.AddSeconds(mixFrames / (double)RoomRecorders.SampleRate));
        logger.LogWarning("Recording {Recording} was left open; recovered {Tracks} tracks and {Seconds:F1} s of mix", recording.Id, tracks.Count, mixFrames / (double)RoomRecorders.SampleRate);
        // Its cameras and screens: what Janus wrote before the cut is converted like a finished take's.
        videos.Enqueue(recording.Id);
    }

    /// The files of a track line: its own, or for a hall or studio one per channel (<c>stem-ch1.wav</c> …, which the
    /// timeline does not list one by one).
    private IEnumerable<(TimelineLine Line, string File, int? Channel)> FilesOf(string folder, TimelineLine line)
    {
        if (File.Exists(storage.PathOf(folder, line.File!)))
        {
            yield return (line, line.File!, null);
            yield break;
        }
        var stem = Path.GetFileNameWithoutExtension(line.File!);
        var found = false;
        for (var channel = 1; channel <= MixParticipant.MaxInputChannels; channel++)
        {
            var file = string.Create(CultureInfo.InvariantCulture, $"{stem}-ch{channel}.wav");
            if (File.Exists(storage.PathOf(folder, file)))
            {
                found = true;
                yield return (line, file, channel);
            }
        }
        if (!found)
        {
            yield return (line, line.File!, null); // missing: Repair says so
        }
    }

    private (long Frames, int Channels)? Repair(string path)
    {
        if (!File.Exists(path))
        {
            logger.LogWarning("Recorded file {Path} is missing", path);
            return null;
        }
        var result = WavRepair.Repair(path);
        if (result.Error is not null)
        {
            logger.LogWarning("Recorded file {Path} could not be repaired: {Error}", path, result.Error);
            return null;
        }
        return (result.Frames, ChannelsOf(path));
    }

    /// The channel count from the "fmt " chunk (the first chunk in the files our recorder writes).
    private static int ChannelsOf(string path)
    {
        Span<byte> header = stackalloc byte[24];
        using var stream = File.OpenRead(path);
        return stream.Read(header) == 24 ? BitConverter.ToInt16(header[22..]) : 0;
    }
}
