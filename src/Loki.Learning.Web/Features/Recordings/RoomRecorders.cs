using Loki.Learning.Web.Features.Music;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.Recording;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// This node's recorders, one per room being recorded (a room's audio and its recorder live on the node where its
/// grain is active). Driven by the room's events (<see cref="RoomTakes"/>), off the grain's turn; the recorder itself
/// writes on its own thread, never on the mix thread. The recorder runs where the engine runs
/// (<see cref="RoomMedia.RecordAsync"/>): tapped into the engine in this process, or in the child engine process
/// (decision 0010, step 4), which tells this node what it wrote; everything here works the same either way.
/// Each take also appends its timeline (tracks, joins, leaves, beat changes, markers) to <c>timeline.jsonl</c>, flushed
/// per line, so the start-up repair can rebuild a take that a crash cut off.
public sealed class RoomRecorders(RoomMedia media, RecordingStorage storage, IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock, ILogger<RoomRecorders> logger)
{
    /// The engine mixes 128-frame periods at 48 kHz.
    public const int PeriodFrames = 128;

    public const int SampleRate = 48000;

    private const double PeriodMs = PeriodFrames * 1000.0 / SampleRate;

    /// Tracks a take's block pool holds two seconds of: a full room (<see cref="LiveRoom.Capacity"/>) in which one
    /// participant is a hall sending the most channels the hub takes (each channel is a track of its own) and everyone
    /// else one track. 79 tracks and the mix: 80 × 750 blocks of 1 KiB ≈ 59 MiB while the take runs. More tracks than
    /// that (two halls) still record; they share the pool, which then covers less than two seconds of a slow disk.
    public const int MaxTracks = LiveRoom.Capacity - 1 + MixParticipant.MaxInputChannels;

    private readonly ConcurrentDictionary<Guid, Take> _takes = new();

    public bool IsRecording(Guid recordingId) => _takes.ContainsKey(recordingId);

    /// Attaches a recorder to the room's audio. False when this node has no media engine running.
    /// <exception cref="IOException">The take's folder cannot be written (here, or the child engine refused it).</exception>
    public async Task<bool> StartAsync(Guid recordingId, string mediaRoom, string folder, BeatTimeline beat, string? scoreTitle)
    {
        var path = storage.FolderOf(folder);
        Directory.CreateDirectory(path);
        var timeline = new StreamWriter(Path.Combine(path, TimelineLine.FileName), append: true, Encoding.UTF8);
        IRoomRecording? recording;
        try
        {
            recording = await media.RecordAsync(mediaRoom, path, MaxTracks);
        }
        catch
        {
            await timeline.DisposeAsync();
            throw;
        }
        if (recording is null)
        {
            await timeline.DisposeAsync();
            return false;
        }
        var take = new Take(recordingId, mediaRoom, recording, timeline);
        _takes[recordingId] = take;
        var now = NowEpochMs();
        take.Write(new TimelineLine(TimelineLine.Start, now));
        take.Write(new TimelineLine(TimelineLine.Beat, now, Segments: beat.Running ? beat.Segments : []));
        if (scoreTitle is not null)
        {
            take.Write(new TimelineLine(TimelineLine.Score, now, scoreTitle));
        }
        return true;
    }

    /// From the participant's next period on, their input goes to a track of their own and into the stored mix,
    /// shifted by their measured upstream delay (one-way, jitter buffer and one period) so it lines up with the beat.
    public void Include(Guid recordingId, int mediaId, string personId, string displayName, double? oneWayMs, double jitterMs)
    {
        if (!_takes.TryGetValue(recordingId, out var take))
        {
            return;
        }
        var upstream = LatestUpstreamMs(mediaId);
        var offset = upstream ?? (oneWayMs ?? 0) + PeriodMs;
        var stem = FileStem(displayName, mediaId);
        take.Recording.Include(mediaId, stem, offset);
        take.Write(new TimelineLine(TimelineLine.Track, NowEpochMs(), displayName, mediaId, personId, stem + ".wav", offset, jitterMs));
        take.Write(new TimelineLine(TimelineLine.Joined, NowEpochMs(), displayName, mediaId, personId));
    }

    public void Exclude(Guid recordingId, int mediaId, string displayName)
    {
        if (_takes.TryGetValue(recordingId, out var take))
        {
            take.Recording.Exclude(mediaId);
            take.Write(new TimelineLine(TimelineLine.Left, NowEpochMs(), displayName, mediaId));
        }
    }

    /// The take this node records for engine room <paramref name="mediaRoom"/>, if any.
    public Guid? TakeOf(string mediaRoom) => _takes.Values.FirstOrDefault(t => t.MediaRoom == mediaRoom)?.Id;

    public void Beat(Guid recordingId, BeatTimeline beat) => Write(recordingId, new TimelineLine(TimelineLine.Beat, NowEpochMs(), Segments: beat.Running ? beat.Segments : []));

    public void Score(Guid recordingId, string? title) => Write(recordingId, new TimelineLine(TimelineLine.Score, NowEpochMs(), title ?? ""));

    public void Marker(Guid recordingId, string name) => Write(recordingId, new TimelineLine(TimelineLine.Marker, NowEpochMs(), name));

    /// Detaches the recorder, waits for its files to be closed, and stores the take: tracks, timeline, duration.
    public async Task StopAsync(Guid recordingId)
    {
        if (!_takes.TryRemove(recordingId, out var take))
        {
            return;
        }
        take.Stopped.TrySetResult();
        RecordedFiles files;
        try
        {
            files = await take.Recording.StopAsync();
        }
        finally
        {
            take.Close();
        }
        var lines = TimelineLine.Read(Path.Combine(take.Recording.Folder, TimelineLine.FileName));
        var start = files.StartEpochMs > 0 ? files.StartEpochMs : lines.FirstOrDefault()?.EpochMs ?? NowEpochMs();
        var includes = lines.Where(l => l.Kind == TimelineLine.Track).ToList();
        var tracks = files.Tracks
            .Select(track => (track, line: includes.LastOrDefault(l => l.MediaId == track.ParticipantId && l.File == track.FileName)
                ?? includes.LastOrDefault(l => l.MediaId == track.ParticipantId)))
            .Where(t => t.line is not null)
            .Select(t => new RecordingTrack
            {
                PersonId = t.line!.PersonId ?? "",
                DisplayName = TrackName(t.line.Text ?? "", t.track.Channel),
                File = t.track.FileName,
                OffsetMs = t.track.AlignOffsetMs,
                ResidualMs = Residual(t.line, t.track.AlignOffsetMs, LatestUpstreamMs(t.track.ParticipantId)),
                StartSeconds = Math.Max(0, (t.track.StartEpochMs - start) / 1000),
                Frames = t.track.Frames,
                Channels = t.track.Channels,
            })
            .ToList();
        await RecordingArchive.StoreAsync(dbFactory, recordingId, RecordingStatus.Finished, start, files.MixFileName, files.MixFrames, files.DroppedBlocks,
            tracks, TimelineLine.ToEvents(lines, start), clock.GetUtcNow().UtcDateTime);
        logger.LogInformation("Recording {Recording} stored: {Tracks} tracks, {Dropped} dropped blocks", recordingId, tracks.Count, files.DroppedBlocks);
    }

    /// Completes with true when the engine that records the take ended before the take was stopped (a child engine that
    /// was killed, or hung and was killed): the take is no longer recorded here, and what reached its folder is to be
    /// stored as recovered. False once the take is stopped, or when it is not recorded here.
    public async Task<bool> LostAsync(Guid recordingId)
    {
        if (!_takes.TryGetValue(recordingId, out var take))
        {
            return false;
        }
        var lost = take.Recording.Lost;
        if (await Task.WhenAny(lost, take.Stopped.Task) != lost || !_takes.TryRemove(new KeyValuePair<Guid, Take>(recordingId, take)))
        {
            return false;
        }
        take.Close();
        return true;
    }

    /// Stops every take on this node (the host is shutting down), so their files are closed and stored.
    public async Task StopAllAsync()
    {
        foreach (var id in _takes.Keys.ToList())
        {
            try
            {
                await StopAsync(id);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Recording {Recording} not stored on shutdown; it is repaired on the next start", id);
            }
        }
    }

    /// The larger of the delay's jitter when the track began and how far the estimate moved by the end of the take.
    private static double Residual(TimelineLine include, double applied, double? latest) =>
        Math.Max(include.ResidualMs ?? 0, latest is { } now ? Math.Abs(now - applied) : 0);

    private double? LatestUpstreamMs(int mediaId) => media.LatencyOf(mediaId)?.UpstreamDelay?.TotalMilliseconds;

    private void Write(Guid recordingId, TimelineLine line)
    {
        if (_takes.TryGetValue(recordingId, out var take))
        {
            take.Write(line);
        }
    }

    private double NowEpochMs() => (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds;

    /// A name a person recognises in a DAW, safe on any file system: letters and digits of the display name and the
    /// media id (a participant who reconnects gets a new id, so a new file).
    public static string FileStem(string displayName, int mediaId)
    {
        var name = new StringBuilder();
        foreach (var c in displayName.Normalize(NormalizationForm.FormC))
        {
            if (char.IsLetterOrDigit(c))
            {
                name.Append(c);
            }
            else if (name.Length > 0 && name[^1] != '-')
            {
                name.Append('-');
            }
            if (name.Length >= 32)
            {
                break;
            }
        }
        var stem = name.ToString().Trim('-');
        return string.Create(CultureInfo.InvariantCulture, $"{(stem.Length == 0 ? "track" : stem)}-{mediaId}");
    }

    /// The name a track carries on the review page and in a DAW: the person's, and for one channel of a hall or studio
    /// (<see cref="RecordedTrack.Channel"/>, 1-based) its number, so eight microphones are not eight tracks named alike.
    public static string TrackName(string displayName, int? channel) =>
        channel is { } number ? string.Create(CultureInfo.InvariantCulture, $"{displayName} ch {number}") : displayName;

    private sealed class Take(Guid id, string mediaRoom, IRoomRecording recording, StreamWriter timeline)
    {
        private readonly Lock _lock = new();
        private bool _closed;

        public Guid Id { get; } = id;

        public string MediaRoom { get; } = mediaRoom;

        public IRoomRecording Recording { get; } = recording;

        /// Set when the take is stopped (a lost engine after that is no longer this take's concern).
        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// Appends a line and flushes it; a line for a take already closed is dropped (an event racing the stop).
        public void Write(TimelineLine line)
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return;
                }
                timeline.WriteLine(line.ToJson());
                timeline.Flush();
            }
        }

        public void Close()
        {
            lock (_lock)
            {
                if (!_closed)
                {
                    _closed = true;
                    timeline.Dispose();
                }
            }
        }
    }
}
