namespace Loki.Learning.Media.Engine;

/// <summary>
/// Fixed-bucket histogram of durations with 1 µs resolution up to 20 ms (longer values land in the last bucket).
/// The mix thread records; any thread may read percentiles or reset. Allocation-free after construction.
/// </summary>
internal sealed class AddedLatencyHistogram
{
    private const int Buckets = 20_000;
    private readonly long[] _counts = new long[Buckets + 1];
    private long _total;
    private long _maxMicroseconds;

    public void Record(long microseconds)
    {
        var bucket = (int)Math.Clamp(microseconds, 0, Buckets);
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Increment(ref _total);
        if (microseconds > Volatile.Read(ref _maxMicroseconds))
        {
            Volatile.Write(ref _maxMicroseconds, microseconds);
        }
    }

    public AddedLatencySnapshot Snapshot()
    {
        var total = Volatile.Read(ref _total);
        if (total == 0)
        {
            return default;
        }
        return new AddedLatencySnapshot(
            total,
            TimeSpan.FromMicroseconds(Percentile(total, 0.50)),
            TimeSpan.FromMicroseconds(Percentile(total, 0.99)),
            TimeSpan.FromMicroseconds(Volatile.Read(ref _maxMicroseconds)));
    }

    public void Reset()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            Volatile.Write(ref _counts[i], 0);
        }
        Volatile.Write(ref _total, 0);
        Volatile.Write(ref _maxMicroseconds, 0);
    }

    private long Percentile(long total, double fraction)
    {
        var rank = (long)Math.Ceiling(total * fraction);
        var seen = 0L;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return i;
            }
        }
        return Buckets;
    }
}
