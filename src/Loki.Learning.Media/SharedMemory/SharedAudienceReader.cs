using Loki.Learning.Media.Audience;

namespace Loki.Learning.Media.SharedMemory;

/// <summary>
/// The web process's end of an audience ring the engine process writes: the broadcaster's
/// <see cref="AudienceTap.TryEncode"/>, over the shared file, through the same ring code.
/// </summary>
/// <remarks>One reader thread. The mapping stays until this object is collected (a thread inside a call never touches
/// unmapped memory). Every position read from the file is checked: an impossible one sets <see cref="Fault"/>, and
/// <see cref="Detached"/> turns true.</remarks>
public sealed class SharedAudienceReader : IDisposable
{
    private readonly RingMemory _memory;
    private readonly AudienceRingReader _reader;
    private long _beat;
    private int _disposed;

    private SharedAudienceReader(RingMemory memory, AudienceRingLayout layout, int batchPeriods)
    {
        _memory = memory;
        _reader = new AudienceRingReader(memory, layout, batchPeriods);
        RingHeader.Attach(memory, RingSide.Transport);
    }

    /// <summary>Periods per message.</summary>
    public int BatchPeriods => _reader.BatchPeriods;

    /// <summary>Frames per channel in each message.</summary>
    public int BatchFrames => _reader.BatchFrames;

    /// <summary>Length of each message in bytes.</summary>
    public int MessageLength => AudienceFrame.Length(BatchFrames, 2);

    /// <summary>Periods the engine wrote.</summary>
    public long Periods => _reader.Written;

    /// <summary>Periods skipped because this reader fell behind (or a batch was overwritten while encoded).</summary>
    public long SkippedPeriods => _reader.Skipped;

    /// <summary>Set once a position read from the file was impossible.</summary>
    public RingFault Fault => _reader.Fault;

    /// <summary>True once the engine closed its end (room closed, engine stopped), a fault was found, or this reader was disposed.</summary>
    public bool Detached => Volatile.Read(ref _disposed) != 0 || Fault != RingFault.None || RingHeader.ReadSide(_memory, RingSide.Engine).Closed;

    /// <summary>Maps the audience ring at <paramref name="path"/> and checks its header.</summary>
    /// <exception cref="RingFormatException">Not an audience ring of this version, truncated, out of bounds, or another generation.</exception>
    public static SharedAudienceReader Open(string path, ulong generation, int batchPeriods = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchPeriods);
        var memory = MappedRingMemory.Open(path);
        try
        {
            var layout = AudienceRingLayout.FromHeader(memory);
            if (batchPeriods > layout.Periods / 2)
            {
                throw new ArgumentOutOfRangeException(nameof(batchPeriods), batchPeriods, "A batch must fit in half the ring.");
            }
            var found = RingHeader.Read(memory).Generation;
            if (found != generation)
            {
                throw new RingFormatException($"The ring file {path} is generation {found:X16}, not {generation:X16}.");
            }
            return new SharedAudienceReader(memory, layout, batchPeriods);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>Watches the engine's end (closed, process gone, or silent for longer than <paramref name="silenceLimit"/>).</summary>
    public RingPeerWatch WatchEngine(TimeProvider time, TimeSpan silenceLimit) => new(_memory, RingSide.Engine, time, silenceLimit);

    /// <summary>Encodes the next batch into <paramref name="message"/> (<see cref="MessageLength"/> bytes) when that many periods are waiting. Allocation-free.</summary>
    public bool TryEncode(Span<byte> message)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }
        RingHeader.Beat(_memory, RingSide.Transport, ++_beat);
        return _reader.TryEncode(message);
    }

    /// <summary>Closes this side (the engine sees <see cref="RingPeerState.Closed"/>).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            RingHeader.Close(_memory, RingSide.Transport);
        }
    }
}
