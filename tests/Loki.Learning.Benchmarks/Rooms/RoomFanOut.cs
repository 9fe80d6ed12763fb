using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Benchmarks.Rooms;

/// How long a change in a live room takes to reach every page watching it, with N participants on one node:
/// the real host (co-hosted silo, as in production), one room grain, N joined participants and N page observers.
/// Each update is a participant raising or lowering a hand; the latency is from the call to each observer's
/// delivery of that version.
public static class RoomFanOut
{
    public static async Task<int> RunAsync(string[] args)
    {
        var participants = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var updates = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        var folder = Directory.CreateTempSubdirectory("loki-fanout-").FullName;
        var app = LokiHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Production"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Path"] = Path.Combine(folder, "loki.db"),
                ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
                ["Orleans:ClusterId"] = "fanout",
                ["Media:Enabled"] = "false",
                ["SeedData:Enabled"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
            }));
        await app.PrepareDatabaseAsync();
        await app.StartAsync();
        try
        {
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            var roomId = Guid.NewGuid();
            var room = grains.GetGrain<IRoomGrain>(roomId);
            await room.OpenAsync(new RoomDescription(roomId, RoomKind.Rehearsal, "Fan-out", "Bench", Guid.NewGuid(), DateTime.UtcNow, DateTime.UtcNow.AddHours(1), "Europe/Stockholm"), "p0");
            for (var i = 0; i < participants; i++)
            {
                await room.JoinAsync(new RoomMember($"p{i}", $"Participant {i}", i == 0 ? RoomRole.Host : RoomRole.Performer));
            }

            var sent = new ConcurrentDictionary<long, long>();
            var latencies = new ConcurrentBag<double>();
            var pages = Enumerable.Range(0, participants).Select(_ => new Page(sent, latencies)).ToList();
            var references = pages.Select(p => grains.CreateObjectReference<IRoomObserver>(p)).ToList();
            foreach (var reference in references)
            {
                await room.SubscribeAsync(reference);
            }

            // Warm-up, then measured updates one after another (each waits until every page has it).
            for (var u = 0; u < updates + 10; u++)
            {
                if (u == 10)
                {
                    latencies.Clear();
                }
                var before = (await room.GetViewAsync()).Version;
                sent[before + 1] = Stopwatch.GetTimestamp();
                await room.RaiseHandAsync($"p{u % participants}", u % 2 == 0);
                var deadline = Stopwatch.StartNew();
                while (pages.Any(p => p.LastVersion < before + 1) && deadline.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(1);
                }
            }

            var sorted = latencies.OrderBy(l => l).ToArray();
            double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"room-fanout: {participants} participants, {updates} updates, {sorted.Length} deliveries: p50 {Percentile(0.50):F2} ms, p95 {Percentile(0.95):F2} ms, p99 {Percentile(0.99):F2} ms, max {sorted[^1]:F2} ms"));
            var expected = (long)participants * updates;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"room-fanout: delivered {sorted.Length} of {expected}"));
            foreach (var reference in references)
            {
                await room.UnsubscribeAsync(reference);
            }
            return sorted.Length == expected ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Page(ConcurrentDictionary<long, long> sent, ConcurrentBag<double> latencies) : IRoomObserver
    {
        public long LastVersion;

        public Task RoomChangedAsync(RoomView view)
        {
            var now = Stopwatch.GetTimestamp();
            if (sent.TryGetValue(view.Version, out var at))
            {
                latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
            }
            Interlocked.Exchange(ref LastVersion, Math.Max(Interlocked.Read(ref LastVersion), view.Version));
            return Task.CompletedTask;
        }
    }
}
