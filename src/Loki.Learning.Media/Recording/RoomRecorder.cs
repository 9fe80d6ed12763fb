using System.Diagnostics;
using System.Globalization;
using Loki.Learning.Media.Mixing;
using NAudio.Wave;

namespace Loki.Learning.Media.Recording;

/// <summary>
/// Records a room: one 24-bit WAV per included participant (their input after the jitter buffer, aligned to
/// performance time) and <c>mix.wav</c>, the stereo sum of the included participants only. A participant with three
/// or more channels (a hall or studio) gets one mono WAV per channel, <c>stem-ch1.wav</c> …: the take and export model
/// is one file per track (the review page's mute/solo and waveform, a DAW track per file), so each microphone lands
/// on its own track; one 16-channel file would need a special case in each of them. It is an
/// <see cref="IRoomTap"/>: attach it with the engine's <c>AttachTap</c> command, detach with <c>DetachTap</c>, then
/// <see cref="CompleteAsync"/>.
/// </summary>
/// <remarks>
/// The mix thread only copies each period into a block taken from a preallocated pool and queues it; a writer thread
/// of its own converts and writes the files and flushes every second, which also rewrites the WAV headers, so a crash
/// or kill loses at most the last second. When the writer falls behind (a slow disk) the pool runs dry and the mix
/// thread drops blocks instead of waiting: they are counted, and the writer fills the gap with silence so the track
/// stays in time.
/// </remarks>
public sealed class RoomRecorder : IRoomTap
{
    /// The mix's track index in blocks.
    private const int MixTrack = -1;

    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly int _periodFrames;
    private readonly int _sampleRate;
    private readonly Block[] _blocks;
    private readonly BlockRing _free;
    private readonly BlockRing _filled;
    private readonly float[] _mix;
    private readonly Thread _writer;
    private readonly TaskCompletionSource<RecordedFiles> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _control = new();
    private readonly Dictionary<int, Track> _tracksById = [];
    private readonly List<Track> _allTracks = [];
    private volatile Track[] _active = [];   // read by the mix thread; replaced whole by the control plane
    private volatile bool _detached;
    private long _period;
    private long _blocksWritten;
    private long _droppedBlocks;
    private long _bytesWritten;
    private double _startedEpochMs = double.NaN;

    /// <param name="folder">Created if missing; the files go there.</param>
    /// <param name="periodFrames">The engine's period.</param>
    /// <param name="sampleRate">The engine's rate.</param>
    /// <param name="maxTracks">Tracks expected at once (a multichannel participant counts once per channel): sizes the
    /// block pool (two seconds of every track and the mix).</param>
    public RoomRecorder(string folder, int periodFrames, int sampleRate = 48000, int maxTracks = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(periodFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTracks, 1);
        Folder = Directory.CreateDirectory(folder).FullName;
        _periodFrames = periodFrames;
        _sampleRate = sampleRate;
        var blockCount = (int)Math.Min(1 << 20, (maxTracks + 1L) * 2 * sampleRate / periodFrames);
        _blocks = new Block[blockCount];
        _free = new BlockRing(blockCount);
        _filled = new BlockRing(blockCount);
        for (var i = 0; i < blockCount; i++)
        {
            _blocks[i] = new Block(2 * periodFrames);
            _free.TryWrite(i);
        }
        _mix = new float[2 * periodFrames];
        MixWriter = new TrackWriter(Path.Combine(Folder, "mix.wav"), 2, sampleRate, skipFrames: 0);
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Loki recorder" };
        _writer.Start();
    }

    /// <summary>Where the files are written.</summary>
    public string Folder { get; }

    /// <summary>Server time of the first recorded period (ms since the Unix epoch); null before it.</summary>
    public double? StartedEpochMs
    {
        get
        {
            var started = Volatile.Read(ref _startedEpochMs);
            return double.IsNaN(started) ? null : started;
        }
    }

    /// <summary>Counters, safe to read at any time.</summary>
    public RecorderStatistics Statistics => new(
        Interlocked.Read(ref _blocksWritten), Interlocked.Read(ref _droppedBlocks), Interlocked.Read(ref _bytesWritten), _active.Length);

    private TrackWriter MixWriter { get; }

    /// <summary>
    /// Records a participant from its next period into <c>fileStem.wav</c>, dropping the first
    /// <paramref name="alignOffsetMs"/> of its audio: what arrives that long after a moment was played then, so the
    /// track lines up with performance time (and with the click every site heard). Thread-safe; a participant
    /// included again after <see cref="Exclude"/> continues in a new file.
    /// </summary>
    public void Include(int participantId, string fileStem, double alignOffsetMs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileStem);
        if (fileStem.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || fileStem.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException("A file stem is a plain file name.", nameof(fileStem));
        }
        lock (_control)
        {
            if (_detached || _tracksById.ContainsKey(participantId))
            {
                return;
            }
            var skip = (int)Math.Round(Math.Clamp(alignOffsetMs, 0, 2000) * _sampleRate / 1000);
            var name = fileStem + ".wav";
            for (var n = 2; _allTracks.Any(t => t.FileName == name); n++)
            {
                name = $"{fileStem}-{n}.wav";
            }
            var track = new Track(_allTracks.Count, participantId, name, alignOffsetMs, skip);
            _allTracks.Add(track);
            _tracksById.Add(participantId, track);
            _active = [.. _active, track];
        }
    }

    /// <summary>Stops recording a participant; it is left out of the mix from its next period on. Thread-safe.</summary>
    public void Exclude(int participantId)
    {
        lock (_control)
        {
            if (_tracksById.Remove(participantId, out var track))
            {
                _active = _active.Where(t => t != track).ToArray();
            }
        }
    }

    /// <inheritdoc />
    public void OnPeriod(MixingRoom room, double periodEpochMs)
    {
        if (double.IsNaN(_startedEpochMs))
        {
            Volatile.Write(ref _startedEpochMs, periodEpochMs);
        }
        var period = _period++;
        var frames = _periodFrames;
        var mix = _mix.AsSpan();
        mix.Clear();
        var participants = room.Participants;
        foreach (var track in _active)
        {
            MixParticipant? source = null;
            foreach (var candidate in participants)
            {
                if (candidate.Id == track.ParticipantId)
                {
                    source = candidate;
                    break;
                }
            }
            if (source is null || source.InputChannels == 0)
            {
                continue;
            }
            if (track.FirstPeriod < 0)
            {
                track.FirstPeriod = period;
                track.FirstEpochMs = periodEpochMs;
                track.Channels = source.InputChannels;
            }
            var input = source.Input;
            if (source.HasInput && !source.Muted)
            {
                // The stored mix: included participants only, at unity, mono in both channels, more channels folded
                // down by the pan/gain the host set (what the room heard).
                source.AddToStereo(mix, 1f);
            }
            if (source.InputChannels <= 2)
            {
                Queue(track.Index, 0, period, source.HasInput ? input : default, source.InputChannels);
                continue;
            }
            for (var channel = 0; channel < source.InputChannels; channel++)
            {
                Queue(track.Index, channel + 1, period, source.HasInput ? input.Slice(channel * frames, frames) : default, 1);
            }
        }
        SampleMath.Scale(mix, room.MasterGain);
        Queue(MixTrack, 0, period, mix, 2);
    }

    // channel: 0 for the participant's whole input (or the mix), k for its channel k (1-based) in a file of its own.
    private void Queue(int track, int channel, long period, ReadOnlySpan<float> planar, int channels)
    {
        if (!_free.TryRead(out var index))
        {
            Interlocked.Increment(ref _droppedBlocks);
            return;
        }
        var block = _blocks[index];
        block.Track = track;
        block.Channel = channel;
        block.Period = period;
        block.Channels = channels;
        block.Silent = planar.IsEmpty;
        if (!planar.IsEmpty)
        {
            planar[..(channels * _periodFrames)].CopyTo(block.Samples);
        }
        _filled.TryWrite(index);
    }

    /// <inheritdoc />
    public void OnDetached() => _detached = true;

    /// <summary>
    /// Waits until the tap has been detached (or its room closed), writes what is still queued, closes every file with
    /// a valid header and answers what was written.
    /// </summary>
    public Task<RecordedFiles> CompleteAsync(CancellationToken cancellationToken = default) => _completed.Task.WaitAsync(cancellationToken);

    private void WriteLoop()
    {
        var interleaved = new float[2 * _periodFrames];
        var writers = new Dictionary<(int Track, int Channel), (TrackWriter Writer, Track Track)>();
        var lastFlush = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                var detached = _detached;
                var wrote = false;
                while (_filled.TryRead(out var index))
                {
                    Write(_blocks[index], writers, interleaved);
                    _free.TryWrite(index);
                    wrote = true;
                }
                if (Stopwatch.GetElapsedTime(lastFlush) >= FlushInterval)
                {
                    MixWriter.Flush();
                    foreach (var (writer, _) in writers.Values)
                    {
                        writer.Flush();
                    }
                    lastFlush = Stopwatch.GetTimestamp();
                }
                if (detached && !wrote)
                {
                    break;
                }
                if (!wrote)
                {
                    Thread.Sleep(5);
                }
            }
            MixWriter.Dispose();
            foreach (var (writer, _) in writers.Values)
            {
                writer.Dispose();
            }
            List<Track> tracks;
            lock (_control)
            {
                _detached = true;
                tracks = [.. _allTracks];
            }
            var started = StartedEpochMs ?? 0;
            _completed.TrySetResult(new RecordedFiles(
                "mix.wav",
                started,
                MixWriter.Frames,
                [.. tracks.SelectMany(t => Recorded(t, writers))],
                Interlocked.Read(ref _droppedBlocks)));
        }
        catch (Exception exception)
        {
            _completed.TrySetException(exception);
        }
    }

    /// <summary>The files of one included participant: its whole input, or one per channel (in channel order).</summary>
    private static IEnumerable<RecordedTrack> Recorded(Track track, Dictionary<(int Track, int Channel), (TrackWriter Writer, Track Track)> writers)
    {
        if (writers.TryGetValue((track.Index, 0), out var whole))
        {
            yield return new RecordedTrack(track.ParticipantId, track.FileName, track.Channels, track.FirstEpochMs, whole.Writer.Frames, track.AlignOffsetMs, track.Dropped);
        }
        for (var channel = 1; channel <= MixParticipant.MaxInputChannels; channel++)
        {
            if (writers.TryGetValue((track.Index, channel), out var one))
            {
                yield return new RecordedTrack(track.ParticipantId, track.ChannelFileName(channel), 1, track.FirstEpochMs, one.Writer.Frames, track.AlignOffsetMs, track.Dropped)
                {
                    Channel = channel,
                };
            }
        }
    }

    private void Write(Block block, Dictionary<(int Track, int Channel), (TrackWriter Writer, Track Track)> writers, float[] interleaved)
    {
        TrackWriter writer;
        Track? track = null;
        if (block.Track == MixTrack)
        {
            writer = MixWriter;
        }
        else if (writers.TryGetValue((block.Track, block.Channel), out var known))
        {
            (writer, track) = known;
        }
        else
        {
            lock (_control)
            {
                track = _allTracks[block.Track];
            }
            var file = block.Channel == 0 ? track.FileName : track.ChannelFileName(block.Channel);
            writer = new TrackWriter(Path.Combine(Folder, file), block.Channels, _sampleRate, track.SkipFrames);
            writers.Add((block.Track, block.Channel), (writer, track));
        }
        // Blocks the mix thread had to drop leave a gap in the periods: silence keeps the track in time.
        var expected = writer.NextPeriod < 0 ? block.Period : writer.NextPeriod;
        for (var gap = expected; gap < block.Period; gap++)
        {
            writer.WriteSilence(_periodFrames);
            if (track is not null && block.Channel <= 1)
            {
                track.Dropped++; // counted once per participant: its channels drop together
            }
        }
        writer.NextPeriod = block.Period + 1;
        if (block.Silent)
        {
            writer.WriteSilence(_periodFrames);
        }
        else
        {
            var channels = block.Channels;
            for (var i = 0; i < _periodFrames; i++)
            {
                for (var c = 0; c < channels; c++)
                {
                    interleaved[(i * channels) + c] = block.Samples[(c * _periodFrames) + i];
                }
            }
            writer.Write(interleaved, _periodFrames);
        }
        Interlocked.Increment(ref _blocksWritten);
        Interlocked.Add(ref _bytesWritten, (long)_periodFrames * block.Channels * 3);
    }

    private sealed class Block(int samples)
    {
        public float[] Samples { get; } = new float[samples];

        public int Track { get; set; }

        /// 0: the whole input (or the mix); k: channel k of a multichannel participant.
        public int Channel { get; set; }

        public long Period { get; set; }

        public int Channels { get; set; }

        public bool Silent { get; set; }
    }

    private sealed class Track(int index, int participantId, string fileName, double alignOffsetMs, int skipFrames)
    {
        public int Index { get; } = index;

        public int ParticipantId { get; } = participantId;

        public string FileName { get; } = fileName;

        /// <summary>The file of channel <paramref name="channel"/> (1-based): <c>stem-chN.wav</c> beside <see cref="FileName"/>.</summary>
        public string ChannelFileName(int channel) =>
            string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(FileName)}-ch{channel}.wav");

        public double AlignOffsetMs { get; } = alignOffsetMs;

        public int SkipFrames { get; } = skipFrames;

        // Written by the mix thread before the track's first block is queued; read by the writer after it.
        public long FirstPeriod { get; set; } = -1;

        public double FirstEpochMs { get; set; }

        public int Channels { get; set; } = 1;

        public long Dropped { get; set; }
    }

    /// One WAV file, 24-bit PCM, written by the writer thread only.
    private sealed class TrackWriter : IDisposable
    {
        private readonly WaveFileWriter _wav;
        private readonly int _channels;
        private readonly float[] _zeros;
        private int _skip;

        public TrackWriter(string path, int channels, int sampleRate, int skipFrames)
        {
            _channels = channels;
            _skip = skipFrames;
            _wav = new WaveFileWriter(path, new WaveFormat(sampleRate, 24, channels));
            _zeros = new float[1024 * channels];
        }

        public long NextPeriod { get; set; } = -1;

        public long Frames { get; private set; }

        /// Interleaved frames; the first frames up to the alignment offset are dropped.
        public void Write(float[] interleaved, int frames)
        {
            var from = 0;
            if (_skip > 0)
            {
                from = Math.Min(_skip, frames);
                _skip -= from;
            }
            if (from < frames)
            {
                _wav.WriteSamples(interleaved, from * _channels, (frames - from) * _channels);
                Frames += frames - from;
            }
        }

        public void WriteSilence(int frames)
        {
            var skipped = Math.Min(_skip, frames);
            _skip -= skipped;
            frames -= skipped;
            while (frames > 0)
            {
                var n = Math.Min(frames, _zeros.Length / _channels);
                _wav.WriteSamples(_zeros, 0, n * _channels);
                Frames += n;
                frames -= n;
            }
        }

        public void Flush() => _wav.Flush();

        public void Dispose() => _wav.Dispose();
    }
}

/// <summary>Recorder counters.</summary>
/// <param name="BlocksWritten">Periods written to files (tracks and mix).</param>
/// <param name="DroppedBlocks">Periods the mix thread could not hand over (the writer was behind); the target is 0.</param>
/// <param name="BytesWritten">Audio bytes written.</param>
/// <param name="Tracks">Participants being recorded now.</param>
public readonly record struct RecorderStatistics(long BlocksWritten, long DroppedBlocks, long BytesWritten, int Tracks);

/// <summary>One participant's file.</summary>
/// <param name="ParticipantId">The engine's participant.</param>
/// <param name="FileName">File name in the recorder's folder.</param>
/// <param name="Channels">1 or 2 (1 for each channel file of a multichannel participant).</param>
/// <param name="Frames">Frames in the file.</param>
/// <param name="StartEpochMs">Server time of the performance moment of the file's first frame.</param>
/// <param name="AlignOffsetMs">Audio dropped at the start to line the track up with performance time.</param>
/// <param name="DroppedBlocks">Periods written as silence because the writer was behind.</param>
public sealed record RecordedTrack(int ParticipantId, string FileName, int Channels, double StartEpochMs, long Frames, double AlignOffsetMs, long DroppedBlocks)
{
    /// <summary>For a participant with three or more channels, which of them this file holds (1-based); otherwise null.</summary>
    public int? Channel { get; init; }
}

/// <summary>What a recording wrote.</summary>
/// <param name="MixFileName">The stereo mix of the included participants.</param>
/// <param name="StartEpochMs">Server time of the first recorded period.</param>
/// <param name="MixFrames">Frames in the mix.</param>
/// <param name="Tracks">Every participant's file, in the order they were included.</param>
/// <param name="DroppedBlocks">Periods the mix thread could not hand over; the target is 0.</param>
public sealed record RecordedFiles(string MixFileName, double StartEpochMs, long MixFrames, IReadOnlyList<RecordedTrack> Tracks, long DroppedBlocks);

/// <summary>Single-producer, single-consumer ring of block indices; never allocates, never blocks.</summary>
internal sealed class BlockRing(int capacity)
{
    private readonly int[] _items = new int[capacity + 1];
    private long _head;   // next to read (consumer)
    private long _tail;   // next to write (producer)

    public bool TryWrite(int item)
    {
        var tail = Volatile.Read(ref _tail);
        if (tail - Volatile.Read(ref _head) >= _items.Length - 1)
        {
            return false;
        }
        _items[tail % _items.Length] = item;
        Volatile.Write(ref _tail, tail + 1);
        return true;
    }

    public bool TryRead(out int item)
    {
        var head = Volatile.Read(ref _head);
        if (head == Volatile.Read(ref _tail))
        {
            item = -1;
            return false;
        }
        item = _items[head % _items.Length];
        Volatile.Write(ref _head, head + 1);
        return true;
    }
}
