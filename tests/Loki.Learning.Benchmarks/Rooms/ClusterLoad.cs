using System.Diagnostics;
using System.Globalization;
using System.Net;
using Loki.Learning.Hub.LoadGeneration;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Hosting;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Benchmarks.Rooms;

/// Two nodes of a cluster (two hosts, each with its silo and media engine, Orleans ADO.NET clustering and grain
/// storage on a throw-away PostgreSQL) carrying N participants in R rooms at once: rooms alternate between the
/// nodes (each opened from its node, so placed there), every participant is joined through the other node's silo,
/// half the pages watch from each node, and every participant sends and receives JackTrip audio (the load
/// generator's clients, each dialling the node its room's join answer names) while hands go up and down.
/// Measured: room update fan-out (call → every page of the room has the version) and audio dropouts.
/// The two nodes share this process (and its garbage collector) and the two cores with the load generator.
public static class ClusterLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var participants = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var roomCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 30;
        // How many of each room's participants send and receive audio (default: all of them).
        var audioPerRoom = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : int.MaxValue;
        var folder = Directory.CreateTempSubdirectory("loki-cluster-load-").FullName;
        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        var nodes = new List<WebApplication>();
        try
        {
            var connectionString = await postgres.CreateDatabaseAsync("loki_load");
            for (var n = 0; n < 2; n++)
            {
                nodes.Add(await StartNodeAsync(connectionString, Path.Combine(folder, $"node-{n}")));
            }
            var grainsOf = nodes.Select(node => node.Services.GetRequiredService<IGrainFactory>()).ToList();

            var meter = new FanOutMeter();
            var rooms = new List<(IRoomGrain Grain, List<string> People, List<WatchingPage> Pages, int Node)>();
            var targets = new List<LoadTarget>();
            for (var r = 0; r < roomCount; r++)
            {
                var home = r % 2;
                var roomId = Guid.NewGuid();
                await grainsOf[home].GetGrain<IRoomGrain>(roomId).OpenAsync(
                    new RoomDescription(roomId, OwnerKind.Ensemble, $"Load {r}", "Bench", Guid.NewGuid(), DateTime.UtcNow, DateTime.UtcNow.AddHours(1), "Europe/Stockholm"), "host");
                // Joined through the other node: every join is a call between silos.
                var grain = grainsOf[1 - home].GetGrain<IRoomGrain>(roomId);
                var people = Enumerable.Range(0, participants).Where(i => i % roomCount == r).Select(i => $"p{i}").ToList();
                var pages = new List<WatchingPage>();
                foreach (var (person, index) in people.Select((p, i) => (p, i)))
                {
                    var grant = await grain.JoinAsync(new RoomMember(person, person, index == 0 ? RoomRole.Host : RoomRole.Performer));
                    if (grant.RefusalKey is not null || grant.Media is null)
                    {
                        throw new InvalidOperationException($"{person} was refused: {grant.RefusalKey}");
                    }
                    if (index < audioPerRoom)
                    {
                        targets.Add(new LoadTarget(grant.JackTripCode!, new IPEndPoint(IPAddress.Parse(grant.Media.JackTripHost), grant.Media.JackTripPort)));
                    }
                    var page = meter.Page(r);
                    pages.Add(page);
                    // Half the pages watch from each node.
                    await grain.SubscribeAsync(grainsOf[index % 2].CreateObjectReference<IRoomObserver>(page));
                }
                rooms.Add((grain, people, pages, home));
            }
            var placement = targets.GroupBy(t => t.Hub.Port).Select(g => g.Count()).ToList();
            Console.WriteLine($"cluster-load: {participants} participants in {roomCount} rooms on 2 nodes; JackTrip clients per node: {string.Join(" / ", placement)}");

            var options = new LoadOptions(IPAddress.Loopback, 0, targets.Count, TimeSpan.FromSeconds(seconds), 2, 16, 128, 48000, 1,
                MarkerEveryPeriods: 100_000, "load", TimeSpan.FromSeconds(10));
            var audio = Task.Factory.StartNew(() => new LoadGenerator(options, Console.Out, targets).Run(CancellationToken.None), TaskCreationOptions.LongRunning);

            // Hand-raises while the audio runs: one after another, each waiting for every page of its room.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var updates = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds - 5)
            {
                var (grain, people, pages, _) = rooms[updates % rooms.Count];
                await meter.RaiseHandAsync(updates % rooms.Count, grain, pages, people[updates / rooms.Count % people.Count], updates / rooms.Count % 2 == 0);
                updates++;
            }
            var report = await audio;

            var delivered = meter.Deliveries;
            var expected = Enumerable.Range(0, updates).Sum(u => (long)rooms[u % rooms.Count].People.Count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cluster-load fan-out: {updates} updates, delivered {delivered} of {expected}: {meter.Percentiles()}"));
            report.WriteTo(Console.Out);
            var expectedAudio = (double)report.Admitted * report.SendSeconds * options.PacketsPerSecond;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cluster-load audio: {report.Admitted} of {targets.Count} clients admitted, delivered {100.0 * report.Received / Math.Max(1, expectedAudio):F2}% of datagrams, stalls > 4 periods {report.Stalls}, lost {report.Lost}, late sends {report.LateSends}"));
            return delivered == expected && report.Admitted == targets.Count ? 0 : 1;
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.StopAsync();
                await node.DisposeAsync();
            }
            await postgres.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<WebApplication> StartNodeAsync(string connectionString, string folder)
    {
        Directory.CreateDirectory(folder);
        // Each node its certificate from one cluster CA, as docs/operations.md sets a cluster up.
        var certificate = ClusterCertificates.Write(Path.Combine(Path.GetDirectoryName(folder)!, "certificates"), "load", [Path.GetFileName(folder)])[0];
        var app = LokiHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Production"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Loki:Database:Provider"] = "Postgres",
                ["ConnectionStrings:Loki"] = connectionString,
                ["Loki:Cluster:Mode"] = "AdoNet",
                ["Loki:Cluster:ClusterId"] = "load",
                ["Loki:Cluster:SiloPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
                ["Loki:Cluster:Tls:CertificatePath"] = certificate.CertificatePath,
                ["Loki:Cluster:Tls:KeyPath"] = certificate.KeyPath,
                ["Loki:Cluster:Tls:CaPath"] = certificate.CaPath,
                ["Loki:Cluster:AdvertisedAddress"] = "127.0.0.1",
                ["Database:Path"] = Path.Combine(folder, "loki.db"),
                ["Media:BindAddress"] = "127.0.0.1",
                ["Media:PublicHost"] = "127.0.0.1",
                ["Media:JackTripPort"] = "0",
                ["Media:UdpBasePort"] = "0",
                ["SeedData:Enabled"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
            }));
        await app.PrepareDatabaseAsync();
        await app.StartAsync();
        return app;
    }
}
