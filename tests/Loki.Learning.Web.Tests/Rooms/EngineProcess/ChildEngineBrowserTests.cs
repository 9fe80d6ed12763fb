using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Media.Tests.Engine;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Rooms.EngineProcess;

/// Browser audio on a node whose engine runs in a child process (decision 0010 step 1): the browser's socket stays in
/// the web process, its audio crosses to the child through a ring file. The host's Remove cuts the person off in the
/// child too, and a child that is killed sends the page to join again, after which it is mixed by the new child.
public sealed class ChildEngineBrowserTests(ChildEngineNode node) : IClassFixture<ChildEngineNode>
{
    private const string Teacher = "teacher@demo.loki.local";
    private const string Pupil = "pupil@demo.loki.local";
    private const double Heard = 0.05;
    private const double Silent = 0.01;

    private RunningApp App => node.App;

    private static float Tone(long frame, double hz) => (float)(0.3 * Math.Sin(2 * Math.PI * hz * frame / 48000));

    private string[] BrowserRings() => Directory.GetFiles(node.Media.Child!.SocketFolder, "browser-*.ring");

    /// An attack as much as a feature: a removed person must neither keep hearing the room nor keep being heard, and
    /// the child engine (where the mix now happens) must let them go, not only the web process's socket.
    [Fact]
    public async Task ThePersonTheHostRemovesNeitherHearsNorIsHeardAndTheChildEngineLetsThemGo()
    {
        var (teacher, teacherBearer) = await App.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var (pupil, pupilBearer) = await App.SignedInWithBearerAsync(Pupil, "Demo-pupil-2026");
        var roomId = await RoomApi.OpenNewRehearsalAsync(teacher, "Removal in the child engine");
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var host = await RoomApi.BrowserAsync(App, teacherBearer, await RoomApi.JoinAsync(teacher, roomId), 440, stop.Token);
        await using var removed = await RoomApi.BrowserAsync(App, pupilBearer, await RoomApi.JoinAsync(pupil, roomId), 660, stop.Token);
        await RoomApi.EventuallyAsync(async () => (await RoomApi.RosterAsync(pupil, roomId)).Count == 2, "the pupil sees both in the room");
        await RoomApi.EventuallyAsync(() => Task.FromResult(host.Level(660) > Heard && removed.Level(440) > Heard),
            "the teacher and the pupil hear each other through the child engine");
        Assert.Equal(2, BrowserRings().Length);
        var pupilEntry = (await RoomApi.RosterAsync(teacher, roomId)).Single(p => p["displayName"]!.GetValue<string>().Contains("Elsa", StringComparison.Ordinal));
        var pupilId = pupilEntry["personId"]!.GetValue<string>();
        var pupilMedia = pupilEntry["mediaId"]!.GetValue<int>();
        Assert.True(node.Media.TryGetInputLevel(pupilMedia, out _, out _), "the child reports the pupil's level");

        var remove = await teacher.PostAsJsonAsync($"api/rooms/{roomId}/actions", new { control = RoomControl.Remove, personId = pupilId });
        Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);

        await RoomApi.EventuallyAsync(() => Task.FromResult(removed.CloseReason is not null), "the removed pupil's socket is closed");
        Assert.Equal("Room.Audio.Removed", removed.CloseReason);
        await RoomApi.EventuallyAsync(() => Task.FromResult(host.Level(660) < Silent), "nothing of the removed pupil is heard any more");
        // The child let the participant go (its ParticipantLeft crossed: no level any more) and removed its ring.
        await RoomApi.EventuallyAsync(() => Task.FromResult(!node.Media.TryGetInputLevel(pupilMedia, out _, out _) && BrowserRings().Length == 1),
            "the child engine let the removed pupil go and removed their ring");
        var receivedAfterRemoval = removed.Received;
        var hostReceived = host.Received;
        await RoomApi.EventuallyAsync(() => Task.FromResult(host.Received > hostReceived + 375), "the teacher is still served");
        Assert.Equal(receivedAfterRemoval, removed.Received);
        Assert.True(host.Level(660) < Silent, $"the removed pupil is heard at {host.Level(660):F3}");
    }

    /// SIGKILL of the real child: the browser's socket is closed with <c>Room.Audio.Moved</c> (the page joins again and
    /// reconnects on its own, as it does when a room moves), the dead child's ring is removed, and after joining again the
    /// browser and a JackTrip client that joined again hear each other through the restarted child.
    [Fact]
    public async Task AfterTheChildEngineIsKilledTheBrowserIsToldToJoinAgainAndIsMixedByTheRestartedChild()
    {
        var (teacher, bearer) = await App.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var pupil = await App.SignedInAsync(Pupil, "Demo-pupil-2026");
        var roomId = await RoomApi.OpenNewRehearsalAsync(teacher, "Browser across an engine restart");
        var child = node.Media.Child!;
        var hub = new IPEndPoint(IPAddress.Loopback, node.Media.JackTripPort);

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await using var before = await RoomApi.BrowserAsync(App, bearer, await RoomApi.JoinAsync(teacher, roomId), 440, stop.Token);
        string oldRing;
        await using (var site = await FakeJackTripClient.ConnectAsync(hub, (await RoomApi.JoinAsync(pupil, roomId))["jackTripCode"]!.GetValue<string>()))
        {
            using var playing = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            var streaming = site.StreamAsync(200, (frame, _) => Tone(frame, 660), stop: playing.Token);
            await RoomApi.EventuallyAsync(() => Task.FromResult(before.Level(660) > Heard), "the browser hears the JackTrip site");
            oldRing = Assert.Single(BrowserRings());

            var killed = child.ProcessId!.Value;
            var starts = child.Starts;
            using (var process = Process.GetProcessById(killed))
            {
                process.Kill(); // SIGKILL: the child tells nobody
            }
            await RoomApi.EventuallyAsync(() => Task.FromResult(before.CloseReason is not null), "the browser's socket is closed");
            Assert.Equal(RoomAudioEndpoint.MovedReason, before.CloseReason);
            await before.DisposeAsync(); // a browser answers the close at once; its socket handler then ends and removes the ring
            await RoomApi.EventuallyAsync(() => Task.FromResult(child.Starts > starts && child.Ready && child.ProcessId != killed), "the node starts the engine again");
            await RoomApi.EventuallyAsync(() => Task.FromResult(!File.Exists(oldRing)), "the dead child's browser ring is removed");
            await playing.CancelAsync();
            await streaming;
        }

        // What the page does on Room.Audio.Moved: join again (a fresh token) and open the socket again.
        await using var after = await RoomApi.BrowserAsync(App, bearer, await RoomApi.JoinAsync(teacher, roomId), 440, stop.Token);
        await using var siteAgain = await FakeJackTripClient.ConnectAsync(hub, (await RoomApi.JoinAsync(pupil, roomId))["jackTripCode"]!.GetValue<string>());
        var again = siteAgain.StreamAsync(150, (frame, _) => Tone(frame, 660), stop: stop.Token);
        await RoomApi.EventuallyAsync(() => Task.FromResult(after.Level(660) > Heard), "after the restart the browser hears the JackTrip site again");
        var heard = await siteAgain.HeardAfterAsync(siteAgain.FramesReceived);
        Assert.True(ToneClient.Amplitude(heard, 440) > Heard, $"after the restart the site hears the browser at {ToneClient.Amplitude(heard, 440):F3}");
        var ring = Assert.Single(BrowserRings());
        Assert.NotEqual(oldRing, ring);
        var teacherId = (await RoomApi.RosterAsync(teacher, roomId)).Single(p => p["displayName"]!.GetValue<string>().Contains("Tove", StringComparison.Ordinal));
        Assert.True(teacherId["audioConnected"]!.GetValue<bool>());
        await stop.CancelAsync();
        await again;
    }
}
