using System.Globalization;

namespace Loki.Learning.Hub.LoadGeneration;

/// <summary>Collects latency samples (ms) on one thread and reports percentiles afterwards.</summary>
public sealed class LatencyRecorder(int capacity)
{
    private readonly List<double> _samples = new(capacity);

    public int Count => _samples.Count;

    public void Add(double milliseconds) => _samples.Add(milliseconds);

    public double Percentile(double percentile)
    {
        if (_samples.Count == 0)
        {
            return double.NaN;
        }
        var sorted = _samples.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public string Summary() => Count == 0
        ? "no samples"
        : string.Create(CultureInfo.InvariantCulture,
            $"p50 {Percentile(50):0.000} ms, p90 {Percentile(90):0.000} ms, p99 {Percentile(99):0.000} ms, max {Percentile(100):0.000} ms ({Count} samples)");
}
