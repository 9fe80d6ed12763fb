using System.Diagnostics;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Audience;

/// <summary>
/// Copies each period's room mix into a ring allocated up front, for one reader that encodes it into audience-stream
/// messages (<see cref="AudienceFrame"/>) off the mix thread. Also times the mix thread: the interval between periods.
/// </summary>
/// <remarks>
/// Threading: <see cref="OnPeriod"/> runs on the mix thread (copy, publish the count, return: no lock, no allocation);
/// <see cref="TryEncode"/> runs on one reader thread. The reader skips ahead when it falls more than half the ring behind,
/// so it never reads a slot the mix thread is writing.
/// </remarks>
public sealed class AudienceTap : IRoomTap
{
    /// <summary>Periods in the ring: 256 × 128 frames ≈ 0.68 s at 48 kHz.</summary>
    public const int RingPeriods = 256;

    private readonly int _periodFrames;
    private readonly float[] _ring;
    private readonly double[] _epochs = new double[RingPeriods];
    private long _written;
    private long _read;
    private long _lastTimestamp;
    private long _maxIntervalTicks;
    private long _lateIntervals;
    private long _intervals;
    private int _detached;
    private uint _sequence;

    /// <param name="periodFrames">Frames per period of the engine (128).</param>
    /// <param name="batchPeriods">Periods per message (16 = 2048 frames ≈ 42.7 ms).</param>
    public AudienceTap(int periodFrames = 128, int batchPeriods = 16)
    {
        _periodFrames = periodFrames;
        BatchPeriods = batchPeriods;
        _ring = new float[RingPeriods * periodFrames * 2];
    }

    /// <summary>Periods per message.</summary>
    public int BatchPeriods { get; }

    /// <summary>Frames per channel in each message.</summary>
    public int BatchFrames => BatchPeriods * _periodFrames;

    /// <summary>Length of each message in bytes.</summary>
    public int MessageLength => AudienceFrame.Length(BatchFrames, 2);

    /// <summary>True once the tap will see no more periods (room closed, engine stopped).</summary>
    public bool Detached => Volatile.Read(ref _detached) != 0;

    /// <summary>Periods seen so far.</summary>
    public long Periods => Volatile.Read(ref _written);

    /// <summary>Periods the reader skipped because it fell behind.</summary>
    public long SkippedPeriods { get; private set; }

    /// <summary>Longest interval between two periods on the mix thread, and how many were over 1.5 periods.</summary>
    public (TimeSpan Max, long Late, long Intervals) MixTiming =>
        (Stopwatch.GetElapsedTime(0, Volatile.Read(ref _maxIntervalTicks)), Volatile.Read(ref _lateIntervals), Volatile.Read(ref _intervals));

    /// <inheritdoc />
    public void OnPeriod(MixingRoom room, double periodEpochMs)
    {
        var now = Stopwatch.GetTimestamp();
        if (_lastTimestamp != 0)
        {
            var interval = now - _lastTimestamp;
            if (interval > _maxIntervalTicks)
            {
                Volatile.Write(ref _maxIntervalTicks, interval);
            }
            // 1.5 periods of 128 frames at 48 kHz = 4 ms.
            if (interval * 1000.0 / Stopwatch.Frequency > 1.5 * _periodFrames * 1000.0 / AudienceFrame.SampleRate)
            {
                Volatile.Write(ref _lateIntervals, _lateIntervals + 1);
            }
            Volatile.Write(ref _intervals, _intervals + 1);
        }
        _lastTimestamp = now;

        var written = _written;
        var slot = (int)(written % RingPeriods);
        var mix = room.RoomMix;
        var length = Math.Min(mix.Length, 2 * _periodFrames);
        mix[..length].CopyTo(_ring.AsSpan(slot * 2 * _periodFrames, length));
        _epochs[slot] = periodEpochMs;
        Volatile.Write(ref _written, written + 1);
    }

    /// <inheritdoc />
    public void OnDetached() => Volatile.Write(ref _detached, 1);

    /// <summary>Forgets the timing so far (after warm-up).</summary>
    public void ResetTiming()
    {
        Volatile.Write(ref _maxIntervalTicks, 0);
        Volatile.Write(ref _lateIntervals, 0);
        Volatile.Write(ref _intervals, 0);
    }

    /// <summary>
    /// Encodes the next <see cref="BatchPeriods"/> periods into <paramref name="message"/> (<see cref="MessageLength"/> bytes)
    /// when that many are waiting. Reader thread only.
    /// </summary>
    public bool TryEncode(Span<byte> message)
    {
        var written = Volatile.Read(ref _written);
        if (written - _read > RingPeriods / 2)
        {
            var from = written - BatchPeriods;
            SkippedPeriods += from - _read;
            _read = from;
        }
        if (written - _read < BatchPeriods)
        {
            return false;
        }
        var frames = BatchFrames;
        AudienceFrame.WriteHeader(message, 2, frames, _sequence++, _epochs[(int)(_read % RingPeriods)]);
        for (var p = 0; p < BatchPeriods; p++)
        {
            var slot = (int)((_read + p) % RingPeriods);
            var period = _ring.AsSpan(slot * 2 * _periodFrames, 2 * _periodFrames);
            // Planar in the ring per period; planar per message: left of every period, then right.
            AudienceFrame.WriteSamples(message, AudienceFrame.HeaderLength + (2 * p * _periodFrames), period[.._periodFrames]);
            AudienceFrame.WriteSamples(message, AudienceFrame.HeaderLength + (2 * (frames + (p * _periodFrames))), period[_periodFrames..]);
        }
        _read += BatchPeriods;
        return true;
    }
}
