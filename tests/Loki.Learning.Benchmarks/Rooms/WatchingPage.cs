using System.Collections.Concurrent;
using System.Diagnostics;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Benchmarks.Rooms;

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
