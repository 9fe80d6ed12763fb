namespace Loki.Learning.Media.Engine;

/// <summary>
/// Minimum of (receive wall-clock time − sender timestamp) over a sliding window of two buckets. With synchronised
/// clocks the minimum is the network one-way delay (queueing only adds); the window lets it follow route changes.
/// Allocation-free; owned by the mix thread.
/// </summary>
internal sealed class OneWayDelayEstimator
{
    private const long Unknown = long.MaxValue;
    // Beyond these the clocks clearly disagree; report nothing rather than nonsense.
    private const long MinPlausibleMicroseconds = -1_000;
    private const long MaxPlausibleMicroseconds = 5_000_000;

    private readonly long _windowMicroseconds;
    private long _windowStart;
    private long _minCurrent = Unknown;
    private long _minPrevious = Unknown;

    public OneWayDelayEstimator(TimeSpan window)
    {
        _windowMicroseconds = (long)window.TotalMicroseconds;
    }

    public void Add(ulong senderMicroseconds, long receiveMicroseconds)
    {
        if (receiveMicroseconds - _windowStart > _windowMicroseconds)
        {
            _minPrevious = _minCurrent;
            _minCurrent = Unknown;
            _windowStart = receiveMicroseconds;
        }
        var sample = receiveMicroseconds - (long)senderMicroseconds;
        if (sample < _minCurrent)
        {
            _minCurrent = sample;
        }
    }

    public TimeSpan? Estimate
    {
        get
        {
            var minimum = Math.Min(_minCurrent, _minPrevious);
            if (minimum == Unknown || minimum < MinPlausibleMicroseconds || minimum > MaxPlausibleMicroseconds)
            {
                return null;
            }
            return TimeSpan.FromMicroseconds(Math.Max(0, minimum));
        }
    }
}
