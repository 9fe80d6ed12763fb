using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Benchmarks.Rooms;

/// Room update fan-out as pages see it: the time from a change in a room to each of that room's page observers
/// receiving the version it made.
internal sealed class FanOutMeter
{
    private readonly ConcurrentDictionary<(int Room, long Version), long> _sent = new();
    private readonly ConcurrentBag<double> _latencies = [];

    /// A page observer of room number <paramref name="room"/> that reports to this meter.
    public WatchingPage Page(int room) => new(room, _sent, _latencies);

    public int Deliveries => _latencies.Count;

    /// Forgets the deliveries measured so far (after a warm-up).
    public void Reset() => _latencies.Clear();

    /// One update: a participant raises or lowers a hand; returns when every page of the room has it (or after 10 s).
    public async Task RaiseHandAsync(int room, IRoomGrain grain, IReadOnlyList<WatchingPage> pages, string person, bool raised)
    {
        var before = (await grain.GetViewAsync()).Version;
        _sent[(room, before + 1)] = Stopwatch.GetTimestamp();
        await grain.RaiseHandAsync(person, raised);
        var deadline = Stopwatch.StartNew();
        while (pages.Any(p => p.LastVersion < before + 1) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(1);
        }
    }

    /// "p50 … ms, p95 … ms, p99 … ms, max … ms" over the deliveries measured.
    public string Percentiles()
    {
        var sorted = _latencies.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        return string.Create(CultureInfo.InvariantCulture,
            $"p50 {Percentile(0.50):F2} ms, p95 {Percentile(0.95):F2} ms, p99 {Percentile(0.99):F2} ms, max {Percentile(1):F2} ms");
    }
}

/// A room page's observer: notes when each awaited version of its room arrives and the newest version seen.
internal sealed class WatchingPage(int room, ConcurrentDictionary<(int Room, long Version), long> sent, ConcurrentBag<double> latencies) : IRoomObserver
{
    public long LastVersion;

    public Task RoomChangedAsync(RoomView view)
    {
        var now = Stopwatch.GetTimestamp();
        if (sent.TryGetValue((room, view.Version), out var at))
        {
            latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
        }
        Interlocked.Exchange(ref LastVersion, Math.Max(Interlocked.Read(ref LastVersion), view.Version));
        return Task.CompletedTask;
    }
}
