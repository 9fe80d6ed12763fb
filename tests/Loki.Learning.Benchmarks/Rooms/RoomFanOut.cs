using System.Globalization;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Benchmarks.Rooms;

/// How long a change in a live room takes to reach every page watching it, with N participants on one node:
/// the real host (co-hosted silo, as in production), N joined participants spread over enough rooms that none holds
/// more than a room's capacity (64), and one page observer per participant on its room. Each update is a participant
/// raising or lowering a hand, rooms taking turns; the latency is from the call to each of that room's observers'
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
                ["Cluster:SiloPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
                ["Cluster:ClusterId"] = "fanout",
                ["Media:Enabled"] = "false",
                ["SeedData:Enabled"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
            }));
        await app.PrepareDatabaseAsync();
        await app.StartAsync();
        try
        {
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            var roomCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : (participants + LiveRoom.Capacity - 1) / LiveRoom.Capacity;
            var rooms = new List<(IRoomGrain Grain, List<string> People, List<WatchingPage> Pages, List<IRoomObserver> References)>();
            var meter = new FanOutMeter();
            for (var r = 0; r < roomCount; r++)
            {
                var roomId = Guid.NewGuid();
                var grain = grains.GetGrain<IRoomGrain>(roomId);
                await grain.OpenAsync(new RoomDescription(roomId, OwnerKind.Ensemble, $"Fan-out {r}", "Bench", Guid.NewGuid(), DateTime.UtcNow, DateTime.UtcNow.AddHours(1), "Europe/Stockholm"), "host");
                var people = Enumerable.Range(0, participants).Where(i => i % roomCount == r).Select(i => $"p{i}").ToList();
                foreach (var person in people)
                {
                    var grant = await grain.JoinAsync(new RoomMember(person, person, person == people[0] ? RoomRole.Host : RoomRole.Performer));
                    if (grant.RefusalKey is not null)
                    {
                        throw new InvalidOperationException($"{person} was refused: {grant.RefusalKey} (a room holds {LiveRoom.Capacity}; use more rooms)");
                    }
                }
                var pages = people.Select(_ => meter.Page(r)).ToList();
                var references = pages.Select(p => grains.CreateObjectReference<IRoomObserver>(p)).ToList();
                foreach (var reference in references)
                {
                    await grain.SubscribeAsync(reference);
                }
                rooms.Add((grain, people, pages, references));
            }

            // Warm-up, then measured updates one after another (each waits until every page of its room has it).
            for (var u = 0; u < updates + 10; u++)
            {
                if (u == 10)
                {
                    meter.Reset();
                }
                var (grain, people, pages, _) = rooms[u % rooms.Count];
                await meter.RaiseHandAsync(u % rooms.Count, grain, pages, people[u / rooms.Count % people.Count], u / rooms.Count % 2 == 0);
            }

            var delivered = meter.Deliveries;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"room-fanout: {participants} participants in {rooms.Count} rooms, {updates} updates, {delivered} deliveries: {meter.Percentiles()}"));
            var expected = Enumerable.Range(10, updates).Sum(u => (long)rooms[u % rooms.Count].People.Count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"room-fanout: delivered {delivered} of {expected}"));
            foreach (var (grain, _, _, references) in rooms)
            {
                foreach (var reference in references)
                {
                    await grain.UnsubscribeAsync(reference);
                }
            }
            return delivered == expected ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
