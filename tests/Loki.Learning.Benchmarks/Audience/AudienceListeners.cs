using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Engine;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Workshops;
using Loki.Learning.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Benchmarks.Audience;

/// `audience-listeners [listeners] [seconds]`: N audience listeners on one node while a room mixes a tone.
/// The real host (co-hosted silo, SQLite, media engine on loopback), one published workshop with N registrations,
/// its room open, one browser-like participant sending a 440 Hz tone. A probe tap times the mix thread (interval
/// between periods) first with nobody listening, then with N WebSocket listeners for the same time. Each listener
/// checks every message (format, sequence) and records gaps and the longest silence between messages.
/// The listeners run in this process too: the CPU figure is server and clients together.
public static class AudienceListeners
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var folder = Directory.CreateTempSubdirectory("loki-audience-").FullName;
        var app = BuildNode(folder, new Dictionary<string, string?>());
        await app.PrepareDatabaseAsync();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var stop = new CancellationTokenSource();
        try
        {
            var (eventId, roomId, tokens) = await PrepareAsync(app.Services, count);
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            await grains.GetGrain<IRoomGrain>(roomId).OpenAsync(
                new RoomDescription(roomId, OwnerKind.Workshop, "Bench", "Bench", eventId, DateTime.UtcNow, DateTime.UtcNow.AddHours(1), "Europe/Stockholm"), "organizer");
            var engine = app.Services.GetRequiredService<RoomMedia>().Engine!;
            var mediaRoom = roomId.ToString("N");
            await Task.Delay(200);
            var tone = Task.Run(() => SendToneAsync(engine.AttachExternal(mediaRoom, "tone", channels: 1), stop.Token));
            var probe = new AudienceTap();
            engine.Post(new AttachTap(mediaRoom, probe));
            await Task.Delay(2000);

            var cpu = Process.GetCurrentProcess();
            probe.ResetTiming();
            var cpuBefore = cpu.TotalProcessorTime;
            var gcBefore = GcFigures.Now();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            cpu.Refresh();
            Report("no listeners", probe, (cpu.TotalProcessorTime - cpuBefore).TotalSeconds / seconds, GcFigures.Now() - gcBefore);

            var listeners = tokens.Select(t => new Listener(new Uri($"ws://{address.Authority}{AudienceEndpoint.Path(eventId, t)}"))).ToList();
            var connecting = Stopwatch.StartNew();
            foreach (var batch in listeners.Chunk(50))
            {
                await Task.WhenAll(batch.Select(l => l.ConnectAsync(stop.Token)));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audience: {listeners.Count(l => l.Connected)} of {count} listeners connected in {connecting.Elapsed.TotalSeconds:F1} s"));
            var receiving = listeners.Where(l => l.Connected).Select(l => Task.Run(() => l.ReceiveAsync(stop.Token))).ToList();
            await Task.Delay(3000);
            foreach (var l in listeners)
            {
                l.Reset();
            }
            probe.ResetTiming();
            cpu.Refresh();
            cpuBefore = cpu.TotalProcessorTime;
            gcBefore = GcFigures.Now();
            var measured = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var elapsed = measured.Elapsed;
            cpu.Refresh();
            Report($"{count} listeners", probe, (cpu.TotalProcessorTime - cpuBefore).TotalSeconds / elapsed.TotalSeconds, GcFigures.Now() - gcBefore);

            var expected = elapsed.TotalSeconds * AudienceFrame.SampleRate / new AudienceTap().BatchFrames;
            var received = listeners.Select(l => l.Received).Order().ToArray();
            var silences = listeners.Where(l => l.Connected).Select(l => l.LongestSilence.TotalMilliseconds).Order().ToArray();
            var streams = app.Services.GetRequiredService<AudienceStreams>().Find(roomId);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audience: messages per listener in {elapsed.TotalSeconds:F1} s: expected {expected:F0}, min {received[0]}, median {received[received.Length / 2]}, max {received[^1]}; " +
                $"delivered {received.Sum() / (expected * count):P2} of expected"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audience: sequence gaps {listeners.Sum(l => l.Gaps)} messages, malformed {listeners.Sum(l => l.Malformed)}, closed by the server {listeners.Count(l => l.Closed)}; " +
                $"longest silence between messages p50 {Percentile(silences, 0.5):F1} ms, p99 {Percentile(silences, 0.99):F1} ms, max {silences[^1]:F1} ms"));
            if (streams is not null)
            {
                var (messages, missed, dropped) = streams.Statistics;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"audience: broadcaster encoded {messages} messages, listeners missed {missed} sends, {dropped} dropped for falling behind, {probe.SkippedPeriods} periods skipped by the probe"));
            }
            await stop.CancelAsync();
            await Task.WhenAll(receiving.Append(tone)).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            return received[0] > 0 ? 0 : 1;
        }
        finally
        {
            await stop.CancelAsync();
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// The real host on loopback with its database in <paramref name="folder"/>, a media engine on ports the system
    /// picks, and <paramref name="settings"/> on top (they win).
    internal static WebApplication BuildNode(string folder, IDictionary<string, string?> settings)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Database:Path"] = Path.Combine(folder, "loki.db"),
            ["Cluster:SiloPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
            ["Cluster:ClusterId"] = "audience",
            ["Media:BindAddress"] = "127.0.0.1",
            ["Media:JackTripPort"] = "0",
            ["Media:UdpBasePort"] = "0",
            ["SeedData:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }
        return LokiHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Production"], builder =>
            builder.Configuration.AddInMemoryCollection(configuration));
    }

    private static void Report(string label, AudienceTap probe, double cores, GcFigures gc)
    {
        var (max, late, intervals) = probe.MixTiming;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"audience: {label}: mix thread {intervals} periods, longest interval {max.TotalMilliseconds:F2} ms (one period 2.67 ms), {late} over 4 ms; " +
            $"process CPU {cores:F2} cores (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}); GC {gc.Gen0}/{gc.Gen1}/{gc.Gen2} collections (gen 0/1/2), paused {gc.Paused.TotalMilliseconds:F0} ms"));
    }

    /// Garbage collections so far: every one pauses the mix thread too (it is a managed thread).
    private readonly record struct GcFigures(int Gen0, int Gen1, int Gen2, TimeSpan Paused)
    {
        public static GcFigures Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

        public static GcFigures operator -(GcFigures a, GcFigures b) => new(a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.Paused - b.Paused);
    }

    internal static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    internal static async Task<(Guid EventId, Guid RoomId, List<string> Tokens)> PrepareAsync(IServiceProvider services, int count, string organizerId = "organizer")
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var workshop = new Workshop
        {
            Title = "Audience bench",
            OrganizerId = organizerId,
            StartsUtc = now,
            EndsUtc = now.AddHours(2),
            Published = true,
            Online = true,
            AudiencePlaces = count,
            Capacity = count,
            RegistrationOpensUtc = now.AddDays(-1),
            RegistrationClosesUtc = now.AddHours(1),
        };
        var tokens = Enumerable.Range(0, count).Select(_ => SecretTokens.New()).ToList();
        workshop.Registrations.AddRange(tokens.Select((t, i) => new Registration
        {
            Name = $"Listener {i}", Email = $"listener{i}@bench.local", Category = TicketCategory.Audience, Status = RegistrationStatus.Registered,
            CreatedUtc = now, ConsentedUtc = now, Token = t,
        }));
        db.Workshops.Add(workshop);
        // Its one sitting, held in its room, as the workshop form makes it (the room's host is found through it).
        db.Meetings.Add(new Meeting
        {
            OwnerKind = OwnerKind.Workshop, OwnerId = workshop.Id, Title = "Bench sitting", StartsUtc = now, EndsUtc = now.AddHours(2), RoomId = workshop.RoomId,
        });
        await db.SaveChangesAsync();
        return (workshop.Id, workshop.RoomId, tokens);
    }

    /// A 440 Hz tone at half scale into the room, in 128-frame blocks paced by the wall clock (like a browser).
    internal static async Task SendToneAsync(ExternalParticipant participant, CancellationToken cancellationToken)
    {
        var block = new float[128];
        var output = new float[2 * ExternalParticipant.MaxBlockFrames];
        var clock = Stopwatch.StartNew();
        long frames = 0;
        uint sequence = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                while (frames + 128 <= clock.Elapsed.TotalSeconds * 48000)
                {
                    for (var i = 0; i < block.Length; i++)
                    {
                        block[i] = 0.5f * MathF.Sin(2 * MathF.PI * 440 * (frames + i) / 48000);
                    }
                    participant.WriteInput(sequence++, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000, block);
                    frames += 128;
                }
                while (participant.TryReadOutput(output, out _))
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            participant.Dispose();
        }
    }

    internal sealed class Listener(Uri uri)
    {
        private readonly ClientWebSocket _socket = new();
        private long _lastArrival;
        private uint? _expected;

        public bool Connected { get; private set; }

        public bool Closed { get; private set; }

        public long Received { get; private set; }

        public long Gaps { get; private set; }

        public long Malformed { get; private set; }

        public TimeSpan LongestSilence { get; private set; }

        public async Task ConnectAsync(CancellationToken cancellationToken)
        {
            try
            {
                await _socket.ConnectAsync(uri, cancellationToken);
                Connected = true;
            }
            catch (WebSocketException)
            {
            }
        }

        public void Reset()
        {
            Received = Gaps = Malformed = 0;
            LongestSilence = TimeSpan.Zero;
        }

        public async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[16384];
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage && length < buffer.Length);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        Closed = true;
                        return;
                    }
                    var now = Stopwatch.GetTimestamp();
                    if (_lastArrival != 0 && Received > 0)
                    {
                        var silence = Stopwatch.GetElapsedTime(_lastArrival, now);
                        if (silence > LongestSilence)
                        {
                            LongestSilence = silence;
                        }
                    }
                    _lastArrival = now;
                    if (!AudienceFrame.TryReadHeader(buffer.AsSpan(0, length), out _, out _, out var sequence, out _))
                    {
                        Malformed++;
                        continue;
                    }
                    if (_expected is { } expected && sequence != expected)
                    {
                        Gaps += sequence - expected;
                    }
                    _expected = sequence + 1;
                    Received++;
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
            {
            }
        }
    }
}
