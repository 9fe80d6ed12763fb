using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Video;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace Loki.Learning.Web.Tests.Video;

/// The video relay on the real host with the node's own Janus (Debian's, started by the node): only a member in the
/// room gets a token; the relay refuses forged, expired, other-room and other-person tokens; through it a browser joins
/// only its own room under its own name and can do nothing else a VideoRoom client could; Remove ends their video;
/// a Janus that dies is started again.
public sealed partial class VideoRelayTests(VideoRelayTests.JanusApp app) : IClassFixture<VideoRelayTests.JanusApp>
{
    /// The host with ICE on loopback only, as every test of video runs.
    public sealed class JanusApp() : IAsyncLifetime
    {
        public RunningApp App { get; } = new() { Settings = LoopbackOnlyVideo.Settings() };

        public Task InitializeAsync() => App.InitializeAsync();

        public Task DisposeAsync() => App.DisposeAsync();
    }

    private const string Ensemble = "Mittnorden string orchestra";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private RunningApp Host => app.App;

    private async Task<(HttpClient Client, string Bearer)> SignedInAsync(string email, string password)
    {
        var client = Host.Client();
        var login = await client.PostAsJsonAsync("api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (client, token);
    }

    private Task<(HttpClient Client, string Bearer)> TeacherAsync() => SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");

    private Task<(HttpClient Client, string Bearer)> PupilAsync() => SignedInAsync("pupil@demo.loki.local", "Demo-pupil-2026");

    /// A fresh rehearsal of the demo ensemble (teacher and pupil are members), opened: each test has a room of its own.
    private async Task<Guid> OpenRehearsalAsync(HttpClient teacher)
    {
        var rehearsal = await Db(async db =>
        {
            var ensembleId = await db.Ensembles.Where(e => e.Name == Ensemble).Select(e => e.Id).SingleAsync();
            var made = new Meeting { OwnerKind = OwnerKind.Ensemble, OwnerId = ensembleId, Title = "Video check", StartsUtc = DateTime.UtcNow, EndsUtc = DateTime.UtcNow.AddHours(1) };
            db.Meetings.Add(made);
            await db.SaveChangesAsync();
            return made;
        });
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{rehearsal.RoomId}/open", null)).StatusCode);
        return rehearsal.RoomId;
    }

    /// The teacher and the pupil, signed in, both in a fresh rehearsal room the teacher opened.
    private async Task<(HttpClient Teacher, string TeacherBearer, HttpClient Pupil, string PupilBearer, Guid RoomId)> BothInANewRoomAsync()
    {
        var (teacher, teacherBearer) = await TeacherAsync();
        var (pupil, pupilBearer) = await PupilAsync();
        var roomId = await OpenRehearsalAsync(teacher);
        await JoinAsync(teacher, roomId);
        await JoinAsync(pupil, roomId);
        return (teacher, teacherBearer, pupil, pupilBearer, roomId);
    }

    private static async Task JoinAsync(HttpClient client, Guid roomId) =>
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"api/rooms/{roomId}/join", null)).StatusCode);

    private static async Task<JsonObject> VideoTokenAsync(HttpClient client, Guid roomId)
    {
        var response = await client.PostAsync($"api/rooms/{roomId}/video/token", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<JanusTestClient> RelayAsync(string? bearer, Guid roomId, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(JanusApi.Subprotocol);
        if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        }
        var uri = new Uri(new Uri(Host.Address.ToString().Replace("http://", "ws://", StringComparison.Ordinal)),
            VideoRelayEndpoint.Path(roomId).TrimStart('/') + "?token=" + Uri.EscapeDataString(token));
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(uri, timeout.Token);
        return new JanusTestClient(socket);
    }

    private async Task<string> PersonIdAsync(string email) =>
        await Db(db => db.Users.Where(u => u.Email == email || u.UserName == email).Select(u => u.Id).SingleAsync());

    private async Task<T> Db<T>(Func<LokiDbContext, Task<T>> query)
    {
        await using var db = await Host.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    private async Task<string> PupilIdAsync() => await Db(db => db.Users.Where(u => u.IsPupil && u.DisplayName.StartsWith("Elsa")).Select(u => u.Id).FirstAsync());

    private async Task GiveVideoConsentAsync(string personId, bool consent) =>
        await Db(async db => await db.Users.Where(u => u.Id == personId).ExecuteUpdateAsync(u => u.SetProperty(p => p.VideoConsent, consent)));

    [Fact]
    public async Task OnlyAMemberInTheRoomGetsAVideoTokenAndAPupilSendsACameraOnlyWithConsent()
    {
        await Host.Services.GetRequiredService<JanusSupervisor>().WaitUntilReadyAsync(Patience);
        var (teacher, _) = await TeacherAsync();
        var (pupil, _) = await PupilAsync();
        var (outsider, _) = await SignedInAsync("student@demo.loki.local", "Demo-student-2026");
        var roomId = await OpenRehearsalAsync(teacher);
        await GiveVideoConsentAsync(await PupilIdAsync(), false);

        var beforeJoining = await pupil.PostAsync($"api/rooms/{roomId}/video/token", null);
        var stranger = await outsider.PostAsync($"api/rooms/{roomId}/video/token", null);
        var anonymous = await Host.Client().PostAsync($"api/rooms/{roomId}/video/token", null);
        await JoinAsync(teacher, roomId);
        await JoinAsync(pupil, roomId);
        var pupilAccess = await VideoTokenAsync(pupil, roomId);
        var teacherAccess = await VideoTokenAsync(teacher, roomId);
        await GiveVideoConsentAsync(await PupilIdAsync(), true);
        var pupilWithConsent = await VideoTokenAsync(pupil, roomId);

        Assert.Equal(HttpStatusCode.Forbidden, beforeJoining.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.False(pupilAccess["mayUseCamera"]!.GetValue<bool>());
        Assert.False(pupilAccess["mayShareScreen"]!.GetValue<bool>());
        Assert.True(teacherAccess["mayUseCamera"]!.GetValue<bool>());
        Assert.True(teacherAccess["mayShareScreen"]!.GetValue<bool>());
        Assert.True(pupilWithConsent["mayUseCamera"]!.GetValue<bool>());
        Assert.Equal($"/rooms/{roomId:D}/video", pupilAccess["relayUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheRelayRefusesForgedExpiredOtherRoomAndOtherPersonsTokens()
    {
        var (teacher, teacherBearer) = await TeacherAsync();
        var (pupil, pupilBearer) = await PupilAsync();
        var roomId = await OpenRehearsalAsync(teacher);
        var otherRoomId = await OpenRehearsalAsync(teacher);
        await JoinAsync(teacher, roomId);
        await JoinAsync(pupil, roomId);
        await JoinAsync(teacher, otherRoomId);
        var pupilToken = (await VideoTokenAsync(pupil, roomId))["token"]!.GetValue<string>();
        var otherRoomToken = (await VideoTokenAsync(teacher, otherRoomId))["token"]!.GetValue<string>();
        var pupilId = await PupilIdAsync();
        // Genuine signatures from this site's keys, but issued in the past: expired.
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10));
        var siteKeys = Host.Services.GetRequiredService<IDataProtectionProvider>();
        var expiredTokens = new VideoTokens(siteKeys, past);
        var node = Host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();
        var expired = expiredTokens.Issue(expiredTokens.TicketFor(roomId, pupilId, RoomRole.Host, true, node));
        // Same shape and purpose, signed with keys this site does not have.
        var foreignTokens = new VideoTokens(new EphemeralDataProtectionProvider(), TimeProvider.System);
        var forged = foreignTokens.Issue(foreignTokens.TicketFor(roomId, pupilId, RoomRole.Host, true, node));
        // An audio token is no video token.
        var audioToken = (await (await pupil.PostAsync($"api/rooms/{roomId}/join", null)).Content.ReadFromJsonAsync<JsonObject>())!["audioToken"]!.GetValue<string>();

        async Task<string?> RefusalAsync(string? bearer, Guid room, string token)
        {
            await using var client = await RelayAsync(bearer, room, token);
            return await client.ClosedAsync();
        }

        Assert.Equal("Video.Refusal.TokenInvalid", await RefusalAsync(pupilBearer, roomId, forged));
        Assert.Equal("Video.Refusal.TokenInvalid", await RefusalAsync(pupilBearer, roomId, audioToken));
        Assert.Equal("Video.Refusal.TokenInvalid", await RefusalAsync(pupilBearer, roomId, "not-a-token"));
        Assert.Equal("Video.Refusal.TokenExpired", await RefusalAsync(pupilBearer, roomId, expired));
        Assert.Equal("Video.Refusal.TokenOtherRoom", await RefusalAsync(teacherBearer, roomId, otherRoomToken));
        Assert.Equal("Video.Refusal.TokenNotYours", await RefusalAsync(teacherBearer, roomId, pupilToken));
        Assert.Equal("Video.Refusal.NotSignedIn", await RefusalAsync(null, roomId, pupilToken));
        // The genuine token still works for its holder.
        await using var genuine = await RelayAsync(pupilBearer, roomId, pupilToken);
        Assert.NotEqual(0, await genuine.AttachAsync());
    }

    [Fact]
    public async Task ThroughTheRelayAMemberJoinsOnlyTheirOwnRoomUnderTheirOwnNameAndCanDoNothingElse()
    {
        var (teacher, teacherBearer, pupil, pupilBearer, roomId) = await BothInANewRoomAsync();
        var pupilId = await PupilIdAsync();
        var teacherId = await PersonIdAsync("teacher@demo.loki.local");
        await GiveVideoConsentAsync(pupilId, false);
        await using var host = await RelayAsync(teacherBearer, roomId, (await VideoTokenAsync(teacher, roomId))["token"]!.GetValue<string>());
        await using var client = await RelayAsync(pupilBearer, roomId, (await VideoTokenAsync(pupil, roomId))["token"]!.GetValue<string>());
        var hostHandle = await host.AttachAsync();
        var hostJoined = await host.VideoRoomAsync(hostHandle, new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera" });
        var handle = await client.AttachAsync();

        // Posing as the teacher, in a room of its own choosing, with a pin guessed: the relay rewrites all three.
        var joined = await client.VideoRoomAsync(handle, new JsonObject
        {
            ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera", ["room"] = "somewhere-else", ["id"] = $"camera-{teacherId}", ["pin"] = "1234",
        });
        var secondJoin = await client.VideoRoomAsync(handle, new JsonObject { ["request"] = "join", ["ptype"] = "subscriber", ["streams"] = new JsonArray() });
        var refused = new Dictionary<string, string?>();
        foreach (var request in new[] { "create", "destroy", "edit", "list", "exists", "listparticipants", "kick", "moderate", "allowed", "rtp_forward", "enable_recording", "joinandconfigure", "switch" })
        {
            var answer = await client.VideoRoomAsync(handle, new JsonObject { ["request"] = request, ["room"] = hostJoined["room"]!.DeepClone(), ["id"] = $"camera-{teacherId}" });
            refused[request] = answer["error"]?["reason"]?.GetValue<string>();
        }
        var publishWithoutConsent = await client.VideoRoomAsync(handle, new JsonObject { ["request"] = "publish" });
        var screenAsPupil = await client.VideoRoomAsync(await client.AttachAsync(), new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "screen" });
        var otherPlugin = await client.RequestAsync(new JsonObject { ["janus"] = "attach", ["session_id"] = client.SessionId, ["plugin"] = "janus.plugin.echotest" });
        var hostsSession = await client.RequestAsync(new JsonObject { ["janus"] = "attach", ["session_id"] = host.SessionId, ["plugin"] = JanusRelayRules.VideoRoomPlugin });
        var info = await client.RequestAsync(new JsonObject { ["janus"] = "info" });
        var participants = await Host.Services.GetRequiredService<JanusApi>().VideoRoomAsync(new JsonObject
        {
            ["request"] = "listparticipants", ["room"] = hostJoined["room"]!.DeepClone(),
        }, CancellationToken.None);

        Assert.Equal("joined", hostJoined["videoroom"]?.GetValue<string>());
        Assert.Equal("joined", joined["videoroom"]?.GetValue<string>());
        Assert.Equal($"camera-{pupilId}", joined["id"]!.GetValue<string>());
        Assert.Equal(hostJoined["room"]!.GetValue<string>(), joined["room"]!.GetValue<string>());
        Assert.StartsWith(roomId.ToString("N"), joined["room"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Video.Refusal.RequestNotAllowed", secondJoin["error"]?["reason"]?.GetValue<string>());
        Assert.All(refused, r => Assert.Equal("Video.Refusal.RequestNotAllowed", r.Value));
        Assert.Equal("Video.Refusal.NoCameraConsent", publishWithoutConsent["error"]?["reason"]?.GetValue<string>());
        Assert.Equal("Video.Refusal.OnlyHostShares", screenAsPupil["error"]?["reason"]?.GetValue<string>());
        Assert.Equal("Video.Refusal.RequestNotAllowed", otherPlugin!["error"]?["reason"]?.GetValue<string>());
        Assert.Equal("Video.Refusal.NotYourSession", hostsSession!["error"]?["reason"]?.GetValue<string>());
        Assert.Equal("Video.Refusal.RequestNotAllowed", info!["error"]?["reason"]?.GetValue<string>());
        Assert.Equivalent(new[] { $"camera-{pupilId}", $"camera-{teacherId}" },
            participants["participants"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()).Order().ToArray());
    }

    [Fact]
    public async Task RemovingSomeoneFromTheRoomEndsTheirVideoConnectionAndTheirPublisher()
    {
        var (teacher, teacherBearer, pupil, pupilBearer, roomId) = await BothInANewRoomAsync();
        var pupilId = await PupilIdAsync();
        await using var host = await RelayAsync(teacherBearer, roomId, (await VideoTokenAsync(teacher, roomId))["token"]!.GetValue<string>());
        await using var client = await RelayAsync(pupilBearer, roomId, (await VideoTokenAsync(pupil, roomId))["token"]!.GetValue<string>());
        var hostJoined = await host.VideoRoomAsync(await host.AttachAsync(), new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera" });
        var joined = await client.VideoRoomAsync(await client.AttachAsync(), new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera" });
        Assert.Equal("joined", joined["videoroom"]?.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent,
            (await teacher.PostAsJsonAsync($"api/rooms/{roomId}/actions", new { control = RoomControl.Remove, personId = pupilId })).StatusCode);

        Assert.Equal(VideoRelayEndpoint.LeftReason, await client.ClosedAsync());
        var janus = Host.Services.GetRequiredService<JanusApi>();
        await Eventually(async () =>
        {
            var participants = await janus.VideoRoomAsync(new JsonObject { ["request"] = "listparticipants", ["room"] = hostJoined["room"]!.DeepClone() }, CancellationToken.None);
            return participants["participants"]!.AsArray().All(p => p!["id"]!.GetValue<string>() != $"camera-{pupilId}");
        }, "the removed pupil is no longer in the Janus room");
        var again = await pupil.PostAsync($"api/rooms/{roomId}/video/token", null);
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
    }

    [Fact]
    public async Task AJanusThatDiesIsStartedAgainAndServesVideo()
    {
        var supervisor = Host.Services.GetRequiredService<JanusSupervisor>();
        Assert.True(await supervisor.WaitUntilReadyAsync(Patience));
        var generation = supervisor.Generation;
        using (var janus = Process.GetProcessById(supervisor.ProcessId!.Value))
        {
            janus.Kill();
        }

        await Eventually(() => Task.FromResult(supervisor.Generation > generation && supervisor.Endpoint is not null), "Janus runs again");
        var (teacher, teacherBearer) = await TeacherAsync();
        var roomId = await OpenRehearsalAsync(teacher);
        await JoinAsync(teacher, roomId);
        await using var client = await RelayAsync(teacherBearer, roomId, (await VideoTokenAsync(teacher, roomId))["token"]!.GetValue<string>());
        var joined = await client.VideoRoomAsync(await client.AttachAsync(), new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera" });
        Assert.Equal("joined", joined["videoroom"]?.GetValue<string>());
    }

    /// Polls until the condition holds; the machine is small and shared, so only an upper bound on patience.
    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Patience)
            {
                Assert.Fail($"Not within {Patience.TotalSeconds} s: {what}");
            }
            await Task.Delay(100);
        }
    }
}
