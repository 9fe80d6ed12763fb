using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using Loki.Learning.Benchmarks.Audience;
using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Engine;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Hosting;
using Mediator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Benchmarks.Isolation;

/// `mix-isolation [--listeners 1000] [--users 100] [--seconds 20] [--mix-cpu -1] [--engine in-process|child] [--label NAME]`: does anything else on
/// the node disturb the room's mix? The real host (co-hosted silo, SQLite, media engine on loopback) mixes a 440 Hz
/// tone into a workshop room with an audience stream; the mix thread is timed in three windows of the same length:
/// nobody listening; N audience listeners in another process (`audience-client`); the same listeners plus U signed-in
/// page users in a third process (`page-load`: Blazor circuits, API calls, score uploads, a recording export). Only
/// the node runs in this process, so its CPU and its garbage collections are the node's own. The GC settings under
/// test come from this process's environment (DOTNET_gcServer, DOTNET_gcConcurrent, DOTNET_GCgen0size,
/// DOTNET_GCHeapAffinitizeMask); the load generators run with the defaults. One line per window, `mix-isolation: …`,
/// for bench/mix-isolation.sh. In every window the same engine also runs alone in a process of its own
/// (<see cref="EngineAlone"/>) with one JackTrip client, for the comparison the engine-in-its-own-process decision needs.
/// With `--engine child` the node runs its engine as its child process (`Media:Process = Child`, decision 0010): the tone
/// comes from a JackTrip client (the Hub's `loadgen`, admitted by name), the audience stream reads the child's ring file,
/// and the mix thread's figures are the child's own (its periods and late periods, and the longest interval its audience
/// taps saw, reported once a second over the control channel).
internal static class MixIsolation
{
    private const double PeriodMs = 128 * 1000.0 / 48000;
    private const string Password = "Bench-page-user-2026";

    public static async Task<int> RunAsync(string[] args)
    {
        var listeners = Option(args, "--listeners", 1000);
        var users = Option(args, "--users", 100);
        var seconds = Option(args, "--seconds", 20);
        var mixCpu = Option(args, "--mix-cpu", -1);
        var label = args.SkipWhile(a => a != "--label").Skip(1).FirstOrDefault() ?? "default";
        var inChild = args.SkipWhile(a => a != "--engine").Skip(1).FirstOrDefault() == "child";
        var folder = Directory.CreateTempSubdirectory("loki-isolation-").FullName;
        var app = AudienceListeners.BuildNode(folder, new Dictionary<string, string?>
        {
            ["Media:MixThreadCpu"] = mixCpu.ToString(CultureInfo.InvariantCulture),
            // A hundred sign-ins from one loopback address in a minute: the login limit is for guessers, not this.
            ["RateLimits:Login:PermitLimit"] = "100000",
            ["Media:Process"] = inChild ? "Child" : "InProcess",
        });
        await app.PrepareDatabaseAsync();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mix-isolation: {label}: GC {(GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {AppContext.GetData("System.GC.Concurrent") ?? "default"}, " +
            $"latency mode {GCSettings.LatencyMode}; mix thread CPU {mixCpu}; engine {(inChild ? "in a child process" : "in the node's process")}; {Environment.ProcessorCount} CPUs; " +
            $"GC environment: {string.Join(' ', Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_gc", StringComparison.OrdinalIgnoreCase)).Order().Select(k => k + "=" + Environment.GetEnvironmentVariable(k)))}"));
        using var stop = new CancellationTokenSource();
        var children = new List<BenchChild>();
        MixClock? clock = null;
        try
        {
            var (organizer, logins) = await AddPeopleAsync(app.Services, users);
            var (eventId, roomId, tokens) = await AudienceListeners.PrepareAsync(app.Services, listeners, organizer.PersonId);
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            await grains.GetGrain<IRoomGrain>(roomId).OpenAsync(
                new RoomDescription(roomId, OwnerKind.Workshop, "Bench", "Bench", eventId, DateTime.UtcNow, DateTime.UtcNow.AddHours(1), "Europe/Stockholm"), organizer.PersonId);
            var media = app.Services.GetRequiredService<RoomMedia>();
            var mediaRoom = roomId.ToString("N");
            Task tone;
            if (media.Engine is { } engine)
            {
                tone = Task.Run(() => AudienceListeners.SendToneAsync(engine.AttachExternal(mediaRoom, "tone", channels: 1), stop.Token));
                var probe = new AudienceTap();
                engine.Post(new AttachTap(mediaRoom, probe));
                clock = MixClock.InProcess(engine, probe);
            }
            else
            {
                clock = await MixClock.InChildAsync(media, mediaRoom, stop.Token);
                tone = Task.CompletedTask;
            }
            var recordingId = await RecordATakeAsync(app.Services.GetRequiredService<IMediator>(), organizer, roomId);
            await Task.Delay(2000);

            var idle = await MeasureAsync(label, "nobody listening", clock, seconds, []);

            var tokenFile = Path.Combine(folder, "tokens.txt");
            await File.WriteAllLinesAsync(tokenFile, tokens.Select(Uri.EscapeDataString));
            var listenerProcess = BenchChild.Start("listeners", "audience-client", $"ws://{address.Authority}/events/{eventId:D}/listen?token=", tokenFile);
            children.Add(listenerProcess);
            Console.WriteLine("  " + await listenerProcess.WaitForAsync("ready", TimeSpan.FromMinutes(3)));
            await Task.Delay(3000);
            var withListeners = await MeasureAsync(label, $"{listeners} listeners out of process", clock, seconds, [listenerProcess]);

            if (users > 0)
            {
                var planFile = Path.Combine(folder, "plan.json");
                var score = Path.Combine(AppContext.BaseDirectory, "bench-score.musicxml");
                await File.WriteAllTextAsync(planFile, JsonSerializer.Serialize(new PagePlan(logins, Password, logins[0], eventId, recordingId, score)));
                var pageProcess = BenchChild.Start("pages", "page-load", address.ToString(), planFile);
                children.Add(pageProcess);
                Console.WriteLine("  " + await pageProcess.WaitForAsync("ready", TimeSpan.FromMinutes(3)));
                await Task.Delay(3000);
                await MeasureAsync(label, $"{listeners} listeners + {users} page users out of process", clock, seconds, [listenerProcess, pageProcess], idle);
            }
            _ = withListeners;
            await stop.CancelAsync();
            await tone.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            return 0;
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var child in children)
            {
                await child.DisposeAsync();
            }
            if (clock is not null)
            {
                await clock.DisposeAsync();
            }
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// The mix thread over one window: periods, periods started more than one period late (the engine's own count), the
    /// longest interval between two periods (the probe tap), the node's CPU and garbage collections, the load average.
    private static async Task<Window> MeasureAsync(string label, string phase, MixClock mix, int seconds, BenchChild[] clients, Window? idle = null)
    {
        foreach (var client in clients)
        {
            await client.SendAsync("mark");
            await client.WaitForAsync("marked", TimeSpan.FromSeconds(30));
        }
        await using var alone = await EngineAlone.StartAsync(seconds);
        alone?.Mark();
        var process = Process.GetCurrentProcess();
        var loadBefore = LoadAverage();
        var (periodsBefore, lateBefore) = mix.Totals();
        var gc0 = GC.CollectionCount(0);
        var gc1 = GC.CollectionCount(1);
        var gc2 = GC.CollectionCount(2);
        var paused = GC.GetTotalPauseDuration();
        var cpu = process.TotalProcessorTime;
        mix.ResetTiming();
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var (longest, over4) = mix.Timing();
        var (periodsAfter, lateAfter) = mix.Totals();
        var periods = periodsAfter - periodsBefore;
        var late = lateAfter - lateBefore;
        var elapsed = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var window = new Window(periods, late, longest.TotalMilliseconds);
        var verdict = idle is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $" goal (late ≤ 0.1%, longest ≤ {idle.LongestMs / PeriodMs + 2:F1} periods): {(window.LatePercent <= 0.1 && window.LongestMs <= idle.LongestMs + (2 * PeriodMs) ? "met" : "not met")}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mix-isolation: {label} | {phase} | periods {periods} | late {late} ({window.LatePercent:F3}%) | longest {longest.TotalMilliseconds:F1} ms ({longest.TotalMilliseconds / PeriodMs:F1} periods) | " +
            $"over 4 ms {over4} | node CPU {(process.TotalProcessorTime - cpu).TotalSeconds / elapsed:F2} cores | GC {GC.CollectionCount(0) - gc0}/{GC.CollectionCount(1) - gc1}/{GC.CollectionCount(2) - gc2} " +
            $"paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms | load {loadBefore}→{LoadAverage()} |{verdict}"));
        alone?.Mark();
        Console.WriteLine("  " + (alone?.Report() ?? "engine alone: the hub did not start"));
        foreach (var client in clients)
        {
            await client.SendAsync("report");
            Console.WriteLine("  " + await client.WaitForAsync("report", TimeSpan.FromSeconds(30)));
        }
        return window;
    }

    private sealed record Window(long Periods, long Late, double LongestMs)
    {
        public double LatePercent => Periods == 0 ? 0 : 100.0 * Late / Periods;
    }

    /// An organizer (the workshop's, who records and uploads) and students, all with one password.
    private static async Task<(Actor Organizer, string[] Logins)> AddPeopleAsync(IServiceProvider services, int count)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
        var people = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var logins = new List<string>();
        Actor? organizer = null;
        for (var i = 0; i < Math.Max(1, count); i++)
        {
            var role = i == 0 ? Roles.Organizer : Roles.Student;
            var login = i == 0 ? "organizer@bench.local" : $"student{i}@bench.local";
            var person = new Person { UserName = login, Email = login, EmailConfirmed = true, DisplayName = i == 0 ? "Bench organizer" : $"Student {i}", RecordingConsent = true };
            var result = await people.CreateAsync(person, Password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"{login}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
            }
            await people.AddToRoleAsync(person, role);
            organizer ??= new Actor(person.Id, new HashSet<string> { role });
            logins.Add(login);
        }
        return (organizer!, logins.ToArray());
    }

    /// A short take of the room, so the organizer has a recording to export.
    private static async Task<Guid> RecordATakeAsync(IMediator mediator, Actor organizer, Guid roomId)
    {
        try
        {
            var started = await mediator.Send(new StartRecording(organizer, roomId));
            await Task.Delay(TimeSpan.FromSeconds(4));
            await mediator.Send(new StopRecording(organizer, started.Id));
            return started.Id;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Console.WriteLine($"mix-isolation: no recording to export ({exception.GetType().Name}: {exception.Message})");
            return Guid.Empty;
        }
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
