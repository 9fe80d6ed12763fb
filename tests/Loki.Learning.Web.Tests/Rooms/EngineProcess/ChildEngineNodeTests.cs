using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Tests.Engine;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Rooms.EngineProcess;

/// The real node with <c>Media:Process = Child</c>: its media engine is the Hub's <c>engine</c> mode in a child process
/// that the node started and drives over its control socket.
public sealed class ChildEngineNode : IAsyncLifetime
{
    public RunningApp App { get; } = new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["Media:Process"] = "Child",
            ["Media:RealTimePriority"] = "0",
        },
    };

    public RoomMedia Media => App.Services.GetRequiredService<RoomMedia>();

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

/// JackTrip rooms work on a node whose engine runs in a child process: admission asks the room grain through the
/// control channel, joins and leaves reach the grain, the mix comes back, levels reach the room page, and an engine
/// that is killed is started again and takes clients again. What cannot cross yet is refused with a reason.
public sealed class ChildEngineNodeTests(ChildEngineNode node) : IClassFixture<ChildEngineNode>
{
    private static readonly TimeSpan Patience = RoomApi.Patience;

    private RunningApp App => node.App;

    private async Task<(HttpClient Teacher, HttpClient Pupil, Guid RoomId, IPEndPoint Hub)> OpenRoomAsync()
    {
        var teacher = await App.SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var pupil = await App.SignedInAsync("pupil@demo.loki.local", "Demo-pupil-2026");
        var roomId = await RoomApi.RehearsalRoomAsync(teacher);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
        return (teacher, pupil, roomId, new IPEndPoint(IPAddress.Loopback, node.Media.JackTripPort));
    }

    private static async Task<bool> ConnectedAsync(HttpClient client, Guid roomId, string personId) =>
        (await RoomApi.RosterAsync(client, roomId)).Any(p => p["personId"]!.GetValue<string>() == personId && p["audioConnected"]!.GetValue<bool>());

    private static async Task<string> PersonIdAsync(HttpClient client, Guid roomId, string namePart) =>
        (await RoomApi.RosterAsync(client, roomId)).Single(p => p["displayName"]!.GetValue<string>().Contains(namePart, StringComparison.Ordinal))["personId"]!.GetValue<string>();

    private static float Rms(float[] samples) => (float)Math.Sqrt(samples.Average(s => (double)s * s));

    private static float Tone(long frame, double hz) => (float)(0.3 * Math.Sin(2 * Math.PI * hz * frame / 48000));

    [Fact]
    public async Task JackTripClientsJoinThroughTheChildEngineHearEachOtherShowTheirLevelsAndLeaveWhileBadCodesAreRefused()
    {
        Assert.True(node.Media.RunsInChild);
        Assert.NotEqual(Environment.ProcessId, node.Media.Child!.ProcessId);
        var (teacher, pupil, roomId, hub) = await OpenRoomAsync();
        var teacherJoin = await RoomApi.JoinAsync(teacher, roomId);
        var pupilJoin = await RoomApi.JoinAsync(pupil, roomId);
        Assert.Equal(hub.Port, teacherJoin["jackTripPort"]!.GetValue<int>());

        // A code the room never issued is refused through the control channel, as is a code used twice.
        Assert.Equal(JackTripAuthCode.AuthenticationRequired, await JackTripHandshakeClient.HandshakeAsync(hub, 40100, JackTripCodes.Create(roomId)));
        Assert.Equal(JackTripAuthCode.AuthenticationRequired, await JackTripHandshakeClient.HandshakeAsync(hub, 40101, "not-a-code"));

        await using var teacherSide = await FakeJackTripClient.ConnectAsync(hub, teacherJoin["jackTripCode"]!.GetValue<string>());
        await using var pupilSide = await FakeJackTripClient.ConnectAsync(hub, pupilJoin["jackTripCode"]!.GetValue<string>());
        Assert.InRange(teacherSide.HandshakeReply, 1u, 65535u);
        Assert.InRange(pupilSide.HandshakeReply, 1u, 65535u);
        Assert.Equal(JackTripAuthCode.AuthenticationRequired, await JackTripHandshakeClient.HandshakeAsync(hub, 40102, teacherJoin["jackTripCode"]!.GetValue<string>()));

        using var done = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var streaming = Task.WhenAll(
            teacherSide.StreamAsync(150, (frame, _) => Tone(frame, 440), stop: done.Token),
            pupilSide.StreamAsync(150, (_, _) => 0f, stop: done.Token));
        var teacherId = await PersonIdAsync(teacher, roomId, "Tove");
        var pupilId = await PersonIdAsync(teacher, roomId, "Elsa");
        await RoomApi.EventuallyAsync(async () => await ConnectedAsync(teacher, roomId, teacherId) && await ConnectedAsync(teacher, roomId, pupilId),
            "both clients show as audio-connected (ParticipantJoined crossed to the grain)");

        // The pupil hears the teacher's tone, mixed by the child engine.
        var heard = await pupilSide.HeardAfterAsync(pupilSide.FramesReceived);
        Assert.True(Rms(heard) > 0.05, $"the pupil hears the teacher at RMS {Rms(heard):F3}");

        // The room page's meters read the child's levels through the node's copy.
        var room = App.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId);
        await RoomApi.EventuallyAsync(async () => (await room.GetLevelsAsync()).GetValueOrDefault(teacherId) > 0.1f, "the teacher's level shows");

        // The pupil's client leaves: the grain hears it through the channel.
        await done.CancelAsync();
        await streaming;
        await pupilSide.SendExitAsync();
        await RoomApi.EventuallyAsync(async () => !await ConnectedAsync(teacher, roomId, pupilId), "the pupil no longer shows as audio-connected");
    }

    [Fact]
    public async Task AKilledEngineIsStartedAgainOnTheSamePortItsClientsShowAsGoneAndNewOnesAreMixedAgain()
    {
        var (teacher, pupil, roomId, hub) = await OpenRoomAsync();
        var child = node.Media.Child!;
        var starts = child.Starts;
        var killed = child.ProcessId!.Value;
        var teacherJoin = await RoomApi.JoinAsync(teacher, roomId);
        await using (var before = await FakeJackTripClient.ConnectAsync(hub, teacherJoin["jackTripCode"]!.GetValue<string>()))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var streaming = before.StreamAsync(120, (frame, _) => Tone(frame, 440), stop: stop.Token);
            var teacherId = await PersonIdAsync(teacher, roomId, "Tove");
            await RoomApi.EventuallyAsync(() => ConnectedAsync(teacher, roomId, teacherId), "the teacher's client shows as connected");

            using (var process = Process.GetProcessById(killed))
            {
                process.Kill(); // SIGKILL: no goodbye to the node or the clients
            }
            await RoomApi.EventuallyAsync(() => Task.FromResult(child.Starts > starts && child.ProcessId is { } pid && pid != killed),
                "the node starts the engine again");
            await RoomApi.EventuallyAsync(async () => !await ConnectedAsync(teacher, roomId, teacherId),
                "the client of the killed engine no longer shows as connected");
            await stop.CancelAsync();
            await streaming;
        }

        Assert.Equal(hub.Port, node.Media.JackTripPort);
        var teacherAgain = await RoomApi.JoinAsync(teacher, roomId);
        var pupilJoin = await RoomApi.JoinAsync(pupil, roomId);
        await using var teacherSide = await FakeJackTripClient.ConnectAsync(hub, teacherAgain["jackTripCode"]!.GetValue<string>());
        await using var pupilSide = await FakeJackTripClient.ConnectAsync(hub, pupilJoin["jackTripCode"]!.GetValue<string>());
        Assert.InRange(teacherSide.HandshakeReply, 1u, 65535u);
        Assert.InRange(pupilSide.HandshakeReply, 1u, 65535u);
        using var done = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var again = Task.WhenAll(
            teacherSide.StreamAsync(120, (frame, _) => Tone(frame, 440), stop: done.Token),
            pupilSide.StreamAsync(120, (_, _) => 0f, stop: done.Token));
        var heard = await pupilSide.HeardAfterAsync(pupilSide.FramesReceived);
        Assert.True(Rms(heard) > 0.05, $"after the restart the pupil hears the teacher at RMS {Rms(heard):F3}");
        await done.CancelAsync();
        await again;
    }

    /// Before, a node in <c>Child</c> mode refused every browser's audio socket (<c>Refusal.NotWithEngineInChild</c>).
    [Fact]
    public async Task ABrowserInTheWebProcessAndAJackTripClientHearEachOtherThroughTheChildEngine()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("the engine process and its ring files are for Linux nodes");
            return;
        }
        var (teacher, bearer) = await App.SignedInWithBearerAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var pupil = await App.SignedInAsync("pupil@demo.loki.local", "Demo-pupil-2026");
        var roomId = await RoomApi.OpenNewRehearsalAsync(teacher, "Browser beside JackTrip in the child engine");
        var teacherJoin = await RoomApi.JoinAsync(teacher, roomId);
        var pupilJoin = await RoomApi.JoinAsync(pupil, roomId);
        var child = node.Media.Child!;

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var browser = await RoomApi.BrowserAsync(App, bearer, teacherJoin, 440, stop.Token);
        await using var jackTrip = await FakeJackTripClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, node.Media.JackTripPort), pupilJoin["jackTripCode"]!.GetValue<string>());
        var streaming = jackTrip.StreamAsync(150, (frame, _) => Tone(frame, 660), stop: stop.Token);
        try
        {
            await RoomApi.EventuallyAsync(() => Task.FromResult(browser.Level(660) > 0.05), "the browser hears the JackTrip client's 660 Hz, mixed by the child engine");
            var heard = await jackTrip.HeardAfterAsync(jackTrip.FramesReceived);
            Assert.True(ToneClient.Amplitude(heard, 440) > 0.05, $"the JackTrip client hears the browser's 440 Hz at {ToneClient.Amplitude(heard, 440):F3}");
            Assert.True(browser.Level(440) < 0.02, $"the browser hears itself at {browser.Level(440):F3} (mix-minus)");

            // Its ring lives in the node's private folder, for the node's user alone.
            var ring = Assert.Single(Directory.GetFiles(child.SocketFolder, "browser-*.ring"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ring));

            // The roster and the meters show the browser as in-process.
            var teacherId = await PersonIdAsync(teacher, roomId, "Tove");
            await RoomApi.EventuallyAsync(() => ConnectedAsync(teacher, roomId, teacherId), "the browser shows as audio-connected");
            var room = App.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId);
            await RoomApi.EventuallyAsync(async () => (await room.GetLevelsAsync()).GetValueOrDefault(teacherId) > 0.1f, "the browser's level shows");

            // The page closes its socket: the child lets the participant go and its ring goes.
            await browser.DisposeAsync();
            await RoomApi.EventuallyAsync(async () => !File.Exists(ring) && !await ConnectedAsync(teacher, roomId, teacherId),
                "the closed browser's ring is removed and it no longer shows as connected");
        }
        finally
        {
            await browser.DisposeAsync();
            await stop.CancelAsync();
            await streaming;
        }
    }

    [Fact]
    public void TheControlSocketLivesInAFolderOnlyTheNodesUserCanEnter()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("the engine process is for Linux nodes");
            return;
        }
        var folder = node.Media.Child!.SocketFolder;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        var socket = Assert.Single(Directory.GetFiles(folder, "*.sock"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
    }
}

/// The child engine belongs to its node: it stops when the node stops, and its socket folder goes with it.
public sealed class ChildEngineShutdownTests
{
    [Fact]
    public async Task StoppingTheNodeStopsItsEngineProcessAndRemovesItsSocketFolder()
    {
        var app = new RunningApp { Settings = new Dictionary<string, string?> { ["Media:Process"] = "Child", ["Media:RealTimePriority"] = "0" } };
        await app.InitializeAsync();
        var child = app.Services.GetRequiredService<RoomMedia>().Child!;
        var processId = child.ProcessId!.Value;
        var folder = child.SocketFolder;
        using var process = Process.GetProcessById(processId);
        Assert.False(process.HasExited);

        await app.DisposeAsync();

        using var exited = new CancellationTokenSource(RoomApi.Patience);
        await process.WaitForExitAsync(exited.Token);
        Assert.False(Directory.Exists(folder), $"the socket folder {folder} was left behind");
    }
}
