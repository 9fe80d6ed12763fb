using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Media.Tests.Engine;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NAudio.Wave;

namespace Loki.Learning.Web.Tests.Rooms.EngineProcess;

/// Recording on a node whose engine runs in a child process (decision 0010, step 4): the child runs the recorder in the
/// take's folder, the node stores what the child reports, and the take's page, files and export are as with the engine
/// in the node's own process. A child killed during a take leaves valid WAVs that the node stores as a recovered take.
public sealed class ChildEngineRecordingTests(ChildEngineNode node) : IClassFixture<ChildEngineNode>
{
    private const double Amplitude = 0.3;

    private RunningApp App => node.App;

    private static float Tone(long frame) => (float)(Amplitude * Math.Sin(2 * Math.PI * 440 * frame / 48000));

    [Fact]
    public async Task AChildEngineRecordsAJackTripClientsToneIntoATakeWhosePageFilesAndExportHoldIt()
    {
        Assert.True(node.Media.RunsInChild);
        var (teacher, roomId, player, playing, stop) = await PlayingInARoomAsync();
        await using (player)
        {
            var id = await StartTakeAsync(teacher, roomId);
            var folder = await FolderAsync(id);
            await Until(() => TrackSeconds(folder) >= 2, "two seconds of the teacher's track written by the child engine");
            Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/recordings/{id}/stop", null)).StatusCode);
            await stop.CancelAsync();
            await playing;

            var take = (await teacher.GetFromJsonAsync<JsonObject>($"api/recordings/{id}"))!;
            Assert.Equal("finished", take["status"]!.GetValue<string>());
            var track = Assert.Single(take["tracks"]!.AsArray())!;
            Assert.Equal("Tove Lärare", track["displayName"]!.GetValue<string>());
            Assert.True(track["offsetMs"]!.GetValue<double>() > 0, "the track is shifted by the upstream delay the child reported");
            var trackLevel = Level(await teacher.GetByteArrayAsync(track["url"]!.GetValue<string>().TrimStart('/')));
            Assert.InRange(trackLevel, Amplitude * 0.85, Amplitude * 1.1);
            var mixLevel = Level(await teacher.GetByteArrayAsync(take["mix"]!["url"]!.GetValue<string>().TrimStart('/')));
            Assert.InRange(mixLevel, Amplitude * 0.85, Amplitude * 1.1);
            Console.WriteLine($"recorded by the child engine: 440 Hz at {trackLevel:F3} in the track, {mixLevel:F3} in the mix (played at {Amplitude})");

            var export = await teacher.GetAsync($"api/recordings/{id}/export");
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            using var zip = new ZipArchive(new MemoryStream(await export.Content.ReadAsByteArrayAsync()));
            Assert.Contains(zip.Entries, e => e.Name == track["file"]!.GetValue<string>());
            Assert.Contains(zip.Entries, e => e.Name == "mix.wav");
        }
    }

    [Fact]
    public async Task AChildEngineKilledDuringATakeLeavesValidFilesThatTheNodeStoresAsARecoveredTakeAndTheNextTakeRecordsAgain()
    {
        var child = node.Media.Child!;
        var (teacher, roomId, player, playing, stop) = await PlayingInARoomAsync();
        string id;
        await using (player)
        {
            id = await StartTakeAsync(teacher, roomId);
            var folder = await FolderAsync(id);
            await Until(() => TrackSeconds(folder) >= 2, "two seconds of the teacher's track written by the child engine");

            var killed = child.ProcessId!.Value;
            var starts = child.Starts;
            using (var process = Process.GetProcessById(killed))
            {
                process.Kill(); // SIGKILL: the recorder in the child closes nothing
            }
            await RoomApi.EventuallyAsync(async () => (await teacher.GetFromJsonAsync<JsonObject>($"api/recordings/{id}"))!["status"]!.GetValue<string>() == "recovered",
                "the node stores what the killed engine wrote as a recovered take");
            await RoomApi.EventuallyAsync(() => Task.FromResult(child.Starts > starts && child.Ready && child.ProcessId != killed), "the node starts the engine again");
            await stop.CancelAsync();
            await playing.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var view = await App.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId).GetViewAsync();
        Assert.Null(view.Recording); // the room no longer says it records
        Assert.Equal(RoomTakes.NotStored, view.RecordingProblem); // and tells the host what happened
        var take = (await teacher.GetFromJsonAsync<JsonObject>($"api/recordings/{id}"))!;
        var track = Assert.Single(take["tracks"]!.AsArray())!;
        var wav = await teacher.GetByteArrayAsync(track["url"]!.GetValue<string>().TrimStart('/'));
        using (var reader = new WaveFileReader(new MemoryStream(wav)))
        {
            Assert.True(reader.TotalTime >= TimeSpan.FromSeconds(1.5), $"the track holds {reader.TotalTime.TotalSeconds:F2} s");
        }
        Assert.InRange(Level(wav), Amplitude * 0.85, Amplitude * 1.1);
        Assert.True(take["durationSeconds"]!.GetValue<double>() >= 1.5);

        // The restarted engine records the next take.
        var next = await StartTakeAsync(teacher, roomId);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/recordings/{next}/stop", null)).StatusCode);
        Assert.Equal("finished", (await teacher.GetFromJsonAsync<JsonObject>($"api/recordings/{next}"))!["status"]!.GetValue<string>());
    }

    /// The demo rehearsal open, the teacher's JackTrip client playing 440 Hz into it and shown as connected.
    private async Task<(HttpClient Teacher, Guid RoomId, FakeJackTripClient Player, Task Playing, CancellationTokenSource Stop)> PlayingInARoomAsync()
    {
        var teacher = await App.SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var roomId = await RoomApi.RehearsalRoomAsync(teacher);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
        await RoomApi.EventuallyAsync(() => Task.FromResult(node.Media.Child!.Ready), "the engine process is ready");
        var join = await RoomApi.JoinAsync(teacher, roomId);
        var player = await FakeJackTripClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, node.Media.JackTripPort), join["jackTripCode"]!.GetValue<string>());
        var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var playing = player.StreamAsync(200, (frame, _) => Tone(frame), stop: stop.Token);
        await RoomApi.EventuallyAsync(async () => (await RoomApi.RosterAsync(teacher, roomId)).Any(p => p["displayName"]!.GetValue<string>() == "Tove Lärare" && p["audioConnected"]!.GetValue<bool>()),
            "the teacher's JackTrip client shows as connected");
        return (teacher, roomId, player, playing, stop);
    }

    private static async Task<string> StartTakeAsync(HttpClient teacher, Guid roomId)
    {
        var started = await teacher.PostAsync($"api/rooms/{roomId}/recordings", null);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        return (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    private async Task<string> FolderAsync(string recordingId)
    {
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        var folder = await db.Recordings.Where(r => r.Id == Guid.Parse(recordingId)).Select(r => r.Folder).SingleAsync();
        return App.Services.GetRequiredService<RecordingStorage>().FolderOf(folder);
    }

    /// Seconds of the take's first track as its header says now (the recorder rewrites it every second).
    private static double TrackSeconds(string folder)
    {
        foreach (var path in Directory.Exists(folder) ? Directory.GetFiles(folder, "*.wav") : [])
        {
            if (Path.GetFileName(path) == "mix.wav")
            {
                continue;
            }
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new WaveFileReader(stream);
                return reader.TotalTime.TotalSeconds;
            }
            catch (Exception exception) when (exception is IOException or FormatException or ArgumentException)
            {
                return 0;
            }
        }
        return 0;
    }

    /// The 440 Hz amplitude of a WAV's first channel: the upper quartile over its 100 ms windows (a loaded machine may
    /// starve the client now and then, and the track then holds a moment of silence, as the room heard it).
    private static double Level(byte[] wav)
    {
        using var reader = new WaveFileReader(new MemoryStream(wav));
        var channels = reader.WaveFormat.Channels;
        var all = new float[(int)(reader.SampleCount * channels)];
        var count = reader.ToSampleProvider().Read(all.AsSpan());
        var mono = Enumerable.Range(0, count / channels).Select(i => all[i * channels]).ToArray();
        const int window = 4800; // 44 whole cycles of 440 Hz
        var levels = Enumerable.Range(0, mono.Length / window).Select(w => ToneClient.Amplitude(mono.AsSpan(w * window, window), 440)).Order().ToArray();
        Console.WriteLine($"440 Hz over {levels.Length} windows of 100 ms: " + string.Join(" ", levels.Select(l => l.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.NotEmpty(levels);
        return levels[levels.Length * 3 / 4];
    }

    private static Task Until(Func<bool> condition, string what) => RoomApi.EventuallyAsync(() => Task.FromResult(condition()), what);
}

/// The heartbeat (decision 0010, step 5): a child engine that stops answering without closing its socket (SIGSTOP) is
/// noticed within <c>Media:EngineSilenceSeconds</c>, killed, and started again.
public sealed class ChildEngineHeartbeatTests
{
    [Fact]
    public async Task AChildEngineThatHangsIsKilledAndStartedAgain()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("the engine process is for Linux nodes");
            return;
        }
        var app = new RunningApp
        {
            Settings = new Dictionary<string, string?> { ["Media:Process"] = "Child", ["Media:RealTimePriority"] = "0", ["Media:EngineSilenceSeconds"] = "2" },
        };
        await app.InitializeAsync();
        var child = app.Services.GetRequiredService<RoomMedia>().Child!;
        var hung = child.ProcessId!.Value;
        using var process = Process.GetProcessById(hung);
        try
        {
            var starts = child.Starts;
            var stopped = Stopwatch.StartNew();
            Signal("STOP", hung); // the process stays, its socket stays open, nothing comes out of it

            await RoomApi.EventuallyAsync(() => Task.FromResult(child.Starts > starts && child.Ready && child.ProcessId is { } pid && pid != hung),
                "the node notices the silent engine and starts a new one");
            var restarted = stopped.Elapsed;
            using var exited = new CancellationTokenSource(RoomApi.Patience);
            await process.WaitForExitAsync(exited.Token); // the hung one was killed, not left behind
            Assert.True(restarted > TimeSpan.FromSeconds(2), $"restarted after {restarted.TotalSeconds:F1} s, before the silence limit");
            Console.WriteLine($"hung engine replaced after {restarted.TotalSeconds:F1} s (limit 2 s)");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            await app.DisposeAsync();
        }
    }

    private static void Signal(string signal, int processId)
    {
        using var kill = Process.Start("kill", ["-" + signal, processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
