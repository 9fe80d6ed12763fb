using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using System.Globalization;
using Loki.Learning.Media.Browser;
using Loki.Learning.Media.Tests.Interop;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.Rooms;

/// The browser audio WebSocket on the real host: two clients that speak the frame format the way the
/// browser module does hear each other through the room's mixer; the host's mute applies; bad input is
/// dropped without disturbing anyone; bad tokens are refused with a reason.
public sealed partial class BrowserAudioSocketTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private const string Teacher = "teacher@demo.loki.local";
    private const string Pupil = "pupil@demo.loki.local";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// The demo ensemble's rehearsals, in schedule order; each test uses its own so they do not meet.
    private static async Task<Guid> RehearsalRoomAsync(HttpClient teacher, int index)
    {
        var rooms = (await teacher.GetFromJsonAsync<JsonArray>("api/rooms"))!;
        var ids = rooms
            .Where(r => r!["ownerTitle"]!.GetValue<string>() == Ensemble && r["title"]!.GetValue<string>() == "Weekly rehearsal")
            .Select(r => Guid.Parse(r!["roomId"]!.GetValue<string>()))
            .ToList();
        Assert.True(ids.Count > index, $"the demo ensemble has {ids.Count} rehearsals");
        return ids[index];
    }

    private static async Task<JsonObject> JoinAsync(HttpClient client, Guid roomId)
    {
        var response = await client.PostAsync($"api/rooms/{roomId}/join", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<ClientWebSocket> ConnectAsync(string? bearer, string path, string token)
    {
        var socket = new ClientWebSocket();
        if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        }
        var uri = new Uri(new Uri(app.Address.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), path.TrimStart('/') + "?token=" + Uri.EscapeDataString(token));
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(uri, timeout.Token);
        return socket;
    }

    [Fact]
    public async Task TwoBrowsersHearEachOtherTheHostsMuteSilencesOneAndGarbageIsDroppedWhileBothAreServed()
    {
        var (teacher, teacherBearer) = await app.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var (pupil, pupilBearer) = await app.SignedInWithBearerAsync(Pupil, "Demo-pupil-2026");
        var roomId = await RehearsalRoomAsync(teacher, 0);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
        var teacherJoin = await JoinAsync(teacher, roomId);
        var pupilJoin = await JoinAsync(pupil, roomId);
        var pupilId = await PersonIdAsync(teacher, roomId, "Elsa");

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var teacherSide = new ToneClient(await ConnectAsync(teacherBearer, teacherJoin["audioUrl"]!.GetValue<string>(), teacherJoin["audioToken"]!.GetValue<string>()), 440, stop.Token);
        await using var pupilSide = new ToneClient(await ConnectAsync(pupilBearer, pupilJoin["audioUrl"]!.GetValue<string>(), pupilJoin["audioToken"]!.GetValue<string>()), 660, stop.Token);

        await Eventually(async () =>
        {
            var roster = await RosterAsync(teacher, roomId);
            return roster.All(p => p["audioConnected"]!.GetValue<bool>());
        }, "both show as audio-connected in the roster");
        await Eventually(() => Task.FromResult(teacherSide.Level(660) > 0.1 && pupilSide.Level(440) > 0.1),
            () => $"each hears the other (teacher hears 660 Hz at {teacherSide.Level(660):F3}, pupil hears 440 Hz at {pupilSide.Level(440):F3})");
        // Mix-minus: nobody hears themselves.
        Assert.True(teacherSide.Level(440) < 0.02, $"the teacher hears their own tone at {teacherSide.Level(440):F3}");

        // Garbage from the pupil, between its good frames: dropped one by one, the socket stays up.
        await pupilSide.SendGarbageAsync();
        var receivedBefore = teacherSide.Received;
        await Eventually(() => Task.FromResult(teacherSide.Received > receivedBefore + 750 && teacherSide.Level(660) > 0.1 && pupilSide.Level(440) > 0.1),
            () => $"both are still served after the garbage (teacher hears 660 Hz at {teacherSide.Level(660):F3})");
        Assert.Equal(WebSocketState.Open, pupilSide.State);

        // A ping is answered with the server's time.
        await teacherSide.PingAsync();
        await Eventually(() => Task.FromResult(teacherSide.Pongs > 0), "a pong answers the ping");

        var mute = await teacher.PostAsJsonAsync($"api/rooms/{roomId}/actions", new { control = RoomControl.Mute, personId = pupilId });
        Assert.Equal(HttpStatusCode.NoContent, mute.StatusCode);
        await Eventually(() => Task.FromResult(teacherSide.Level(660) < 0.01),
            () => $"the pupil's tone is gone from the teacher's mix (still {teacherSide.Level(660):F3})");
        Assert.True(pupilSide.Level(440) > 0.1, "the muted pupil still hears the teacher");

        var remove = await teacher.PostAsJsonAsync($"api/rooms/{roomId}/actions", new { control = RoomControl.Remove, personId = pupilId });
        Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        await Eventually(() => Task.FromResult(pupilSide.CloseReason is not null), "the removed pupil's socket is closed");
        Assert.Equal("Room.Audio.Removed", pupilSide.CloseReason);
    }

    [Fact]
    public async Task TheServerRendersTheClickIntoTheMixOfWhoeverAsksForIt()
    {
        var (teacher, teacherBearer) = await app.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var (pupil, pupilBearer) = await app.SignedInWithBearerAsync(Pupil, "Demo-pupil-2026");
        var roomId = await RehearsalRoomAsync(teacher, 1);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
        var teacherJoin = await JoinAsync(teacher, roomId);
        var pupilJoin = await JoinAsync(pupil, roomId);

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // The pupil sends silence, so whatever the teacher hears at the click's pitch comes from the click alone.
        await using var teacherSide = new ToneClient(await ConnectAsync(teacherBearer, teacherJoin["audioUrl"]!.GetValue<string>(), teacherJoin["audioToken"]!.GetValue<string>()), 440, stop.Token);
        await using var pupilSide = new ToneClient(await ConnectAsync(pupilBearer, pupilJoin["audioUrl"]!.GetValue<string>(), pupilJoin["audioToken"]!.GetValue<string>()), 0, stop.Token);
        await Eventually(async () => (await RosterAsync(teacher, roomId)).All(p => p["audioConnected"]!.GetValue<bool>()), "both are audio-connected");

        var ask = await pupil.PostAsJsonAsync($"api/rooms/{roomId}/actions", new { control = RoomControl.ServerClickOn });
        Assert.Equal(HttpStatusCode.NoContent, ask.StatusCode);
        var start = await teacher.PutAsJsonAsync($"api/rooms/{roomId}/beat", new { running = true, bpm = 240, countInBars = 0 });
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);

        // Plain beats click at 1200 Hz, bar lines at 1800 Hz.
        await Eventually(() => Task.FromResult(pupilSide.Level(1200) > 0.002 && pupilSide.Level(1800) > 0.002),
            () => $"the pupil hears the click (1200 Hz at {pupilSide.Level(1200):F4}, 1800 Hz at {pupilSide.Level(1800):F4})");
        Assert.True(teacherSide.Level(1200) < 0.0005, $"the teacher, who did not ask, hears a click at {teacherSide.Level(1200):F4}");

        var stopBeat = await teacher.PutAsJsonAsync($"api/rooms/{roomId}/beat", new { running = false });
        Assert.Equal(HttpStatusCode.OK, stopBeat.StatusCode);
        await Eventually(() => Task.FromResult(pupilSide.Level(1200) < 0.0005), () => $"the click stops with the metronome (still {pupilSide.Level(1200):F4})");
        await pupil.PostAsJsonAsync($"api/rooms/{roomId}/actions", new { control = RoomControl.ServerClickOff });
    }

    [Fact]
    public async Task TheSocketRefusesStrangersForgedReusedAndOtherRoomsTokensWithAReason()
    {
        var (teacher, teacherBearer) = await app.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var (pupil, pupilBearer) = await app.SignedInWithBearerAsync(Pupil, "Demo-pupil-2026");
        var roomId = await RehearsalRoomAsync(teacher, 1);
        await teacher.PostAsync($"api/rooms/{roomId}/open", null);
        var join = await JoinAsync(pupil, roomId);
        var path = join["audioUrl"]!.GetValue<string>();
        var token = join["audioToken"]!.GetValue<string>();
        var forged = token[..30] + (token[30] == 'x' ? 'y' : 'x') + token[31..];
        var otherRoomPath = $"/rooms/{Guid.NewGuid():D}/audio";

        Assert.Equal("Refusal.AudioNotSignedIn", await RefusalAsync(null, path, token));
        Assert.Equal("Refusal.AudioTokenInvalid", await RefusalAsync(pupilBearer, path, forged));
        Assert.Equal("Refusal.AudioTokenOtherRoom", await RefusalAsync(pupilBearer, otherRoomPath, token));
        Assert.Equal("Refusal.AudioTokenNotYours", await RefusalAsync(teacherBearer, path, token));

        await using (var first = new ToneClient(await ConnectAsync(pupilBearer, path, token), 550, CancellationToken.None))
        {
            Assert.Equal("Refusal.AudioTokenUsed", await RefusalAsync(pupilBearer, path, token));
        }
        var plain = await app.Client().GetAsync(path.TrimStart('/') + "?token=x");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
    }

    [Fact]
    public async Task AMessageFarTooLargeClosesOnlyThatSocket()
    {
        var (teacher, teacherBearer) = await app.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var roomId = await RehearsalRoomAsync(teacher, 1);
        await teacher.PostAsync($"api/rooms/{roomId}/open", null);
        var join = await JoinAsync(teacher, roomId);
        using var socket = await ConnectAsync(teacherBearer, join["audioUrl"]!.GetValue<string>(), join["audioToken"]!.GetValue<string>());

        using var timeout = new CancellationTokenSource(Patience);
        await socket.SendAsync(new byte[100_000], WebSocketMessageType.Binary, true, timeout.Token);
        var reason = await ReadUntilCloseAsync(socket, timeout.Token);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        Assert.Equal("Refusal.AudioMessageTooBig", reason);
    }

    private async Task<string?> RefusalAsync(string? bearer, string path, string token)
    {
        using var socket = await ConnectAsync(bearer, path, token);
        using var timeout = new CancellationTokenSource(Patience);
        var reason = await ReadUntilCloseAsync(socket, timeout.Token);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        return reason;
    }

    private static async Task<string?> ReadUntilCloseAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result.CloseStatusDescription;
            }
        }
    }

    private static async Task<List<JsonNode>> RosterAsync(HttpClient client, Guid roomId)
    {
        var details = (await client.GetFromJsonAsync<JsonObject>($"api/rooms/{roomId}"))!;
        return details["view"]!["roster"]!.AsArray().Select(p => p!).ToList();
    }

    private static async Task<string> PersonIdAsync(HttpClient client, Guid roomId, string namePart) =>
        (await RosterAsync(client, roomId)).Single(p => p["displayName"]!.GetValue<string>().Contains(namePart, StringComparison.Ordinal))["personId"]!.GetValue<string>();

    [Fact]
    public async Task AHallOnJackTripAndATeacherInTheBrowserHearEachOtherInOneRoom()
    {
        var (teacher, teacherBearer) = await app.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var (pupil, _) = await app.SignedInWithBearerAsync(Pupil, "Demo-pupil-2026");
        var roomId = await OpenNewRehearsalAsync(teacher, "Hall and browser");
        var teacherJoin = await JoinAsync(teacher, roomId);
        var hallJoin = await JoinAsync(pupil, roomId);

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var browser = new ToneClient(await ConnectAsync(teacherBearer, teacherJoin["audioUrl"]!.GetValue<string>(), teacherJoin["audioToken"]!.GetValue<string>()), 440, stop.Token);
        using var turn = await JackGate.EnterAsync();
        using var jack = JackServer.Start("hall");
        using var hall = JackTripPeer.Start(jack, hallJoin["jackTripCode"]!.GetValue<string>(), hallJoin["jackTripPort"]!.GetValue<int>());
        Assert.True(hall.WaitUntilConnected(TimeSpan.FromSeconds(20)), hall.ToString());

        // A 1 kHz metronome plays into the hall's JackTrip client; its receive port is recorded.
        var metro = $"metro{Random.Shared.Next(10_000, 99_999)}";
        using var metronome = ExternalTool.Start("jack_metro", "jack_metro", ["-n", metro, "-b", "240", "-f", "1000", "-A", "0.5", "-D", "100"], jack.Environment);
        jack.Connect($"{metro}:240_bpm", hall.SendPort(1));
        await Eventually(() => Task.FromResult(browser.Level(1000) > 0.03),
            () => $"the browser hears the hall's 1 kHz tone (at {browser.Level(1000):F3})");

        var file = Path.Combine(Path.GetTempPath(), $"loki-hall-{Guid.NewGuid():N}.wav");
        try
        {
            var (exitCode, output) = ExternalTool.Run("jack_rec", ["-f", file, "-d", "2", "-b", "16", hall.ReceivePort(1)], jack.Environment, TimeSpan.FromSeconds(20));
            Assert.True(exitCode == 0, output);
            var heard = CapturedAudio.ReadWav(file)[0];
            var browserTone = CapturedAudio.SoundingToneAmplitude(heard, 440, JackServer.SampleRate);
            var ownTone = CapturedAudio.SoundingToneAmplitude(heard, 1000, JackServer.SampleRate);
            Assert.True(browserTone > 0.05, string.Create(CultureInfo.InvariantCulture, $"the hall hears the browser's 440 Hz at {browserTone:F3}"));
            Assert.True(ownTone < browserTone / 5, string.Create(CultureInfo.InvariantCulture, $"the hall hears itself at {ownTone:F3} (mix-minus)"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Task Eventually(Func<Task<bool>> condition, string what) => Eventually(condition, () => what);

    /// Polls until the condition holds; the machine is small and shared, so only an upper bound on patience.
    private static async Task Eventually(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Patience)
            {
                Assert.Fail($"Not within {Patience.TotalSeconds} s: {what()}");
            }
            await Task.Delay(100);
        }
    }
}
