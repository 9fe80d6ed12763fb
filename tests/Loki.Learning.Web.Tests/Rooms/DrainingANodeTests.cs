using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.Rooms;

/// Two nodes of a cluster on PostgreSQL with one shared recording folder. The room lives on node B (its teacher
/// opened it there) and both participants' audio goes to B, though the pupil joined through node A; B records them.
/// Node B is shut down in order: their sockets end with "the room moved", the take is stored complete and is
/// reviewed through node A, and joining again through node A brings them to the room's new home with its beat
/// unchanged, where they hear each other again.
public sealed class DrainingANodeTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ShuttingANodeDownMovesItsRoomAndTellsItsParticipantsToReconnect()
    {
        var connectionString = await postgres.CreateDatabaseAsync("loki_" + Guid.NewGuid().ToString("N")[..8]);
        var clusterId = "drain-" + Guid.NewGuid().ToString("N")[..8];
        var recordings = Directory.CreateTempSubdirectory("loki-shared-recordings-").FullName;
        var a = ClusterTests.Node(connectionString, clusterId, recordings);
        var b = ClusterTests.Node(connectionString, clusterId, recordings);
        var bStopped = false;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await a.InitializeAsync();
            await b.InitializeAsync();
            var teacherOnB = await b.SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
            var teacherOnA = await a.SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
            var pupilOnA = await a.SignedInAsync("pupil@demo.loki.local", "Demo-pupil-2026");
            var roomId = await RehearsalRoomAsync(teacherOnB);
            Assert.Equal(HttpStatusCode.NoContent, (await teacherOnB.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
            var beat = await teacherOnB.PutAsJsonAsync($"api/rooms/{roomId}/beat", new { running = true, bpm = 100.0, countInBars = 0 });
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
            var beatBefore = await teacherOnA.GetFromJsonAsync<JsonObject>($"api/rooms/{roomId}/beat");

            var teacherTone = await ConnectAsync(teacherOnB, roomId, 440, b, stop.Token);
            var pupilTone = await ConnectAsync(pupilOnA, roomId, 660, b, stop.Token);
            await Eventually(() => teacherTone.Level(660) > 0.1 && pupilTone.Level(440) > 0.1, () => "both hear each other through node B");
            var started = await teacherOnB.PostAsync($"api/rooms/{roomId}/recordings", null);
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
            var takeId = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
            await Task.Delay(1500);

            await b.DisposeAsync();
            bStopped = true;

            await Eventually(() => teacherTone.CloseReason is not null && pupilTone.CloseReason is not null,
                () => $"both sockets were closed (teacher {teacherTone.State} '{teacherTone.CloseReason}', pupil {pupilTone.State} '{pupilTone.CloseReason}', received {teacherTone.Received}/{pupilTone.Received})");
            Assert.Equal((RoomAudioEndpoint.MovedReason, RoomAudioEndpoint.MovedReason), (teacherTone.CloseReason, pupilTone.CloseReason));
            await teacherTone.DisposeAsync();
            await pupilTone.DisposeAsync();

            // The take node B recorded was closed and stored as B left; node A serves it from the shared folder.
            var take = (await pupilOnA.GetFromJsonAsync<JsonObject>($"api/recordings/{takeId}"))!;
            Assert.Equal("finished", take["status"]!.GetValue<string>());
            Assert.Equal(2, take["tracks"]!.AsArray().Count);
            var mix = await pupilOnA.GetAsync(take["mix"]!["url"]!.GetValue<string>().TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, mix.StatusCode);
            Assert.True((await mix.Content.ReadAsByteArrayAsync()).Length > 48_000 * 2 * 3, "at least a second of stereo 24-bit mix");

            // Joining again through node A: the room is there now, open, at the same beat.
            await using var teacherAgain = await ConnectAsync(teacherOnA, roomId, 440, a, stop.Token);
            await using var pupilAgain = await ConnectAsync(pupilOnA, roomId, 660, a, stop.Token);
            await Eventually(() => teacherAgain.Level(660) > 0.1 && pupilAgain.Level(440) > 0.1, () => "both hear each other through node A");
            var beatAfter = await teacherOnA.GetFromJsonAsync<JsonObject>($"api/rooms/{roomId}/beat");
            Assert.Equal(beatBefore!["segments"]!.ToJsonString(), beatAfter!["segments"]!.ToJsonString());
            Assert.True(beatAfter["running"]!.GetValue<bool>());
        }
        finally
        {
            if (!bStopped)
            {
                await b.DisposeAsync();
            }
            await a.DisposeAsync();
            Directory.Delete(recordings, recursive: true);
        }
    }

    /// The demo ensemble's first rehearsal (teacher and pupil are members).
    internal static async Task<Guid> RehearsalRoomAsync(HttpClient teacher)
    {
        var rooms = await teacher.GetFromJsonAsync<JsonArray>("api/rooms");
        return rooms!.Where(r => r!["ownerTitle"]!.GetValue<string>() == Ensemble)
            .OrderBy(r => r!["startsUtc"]!.GetValue<DateTime>())
            .Select(r => Guid.Parse(r!["roomId"]!.GetValue<string>()))
            .First();
    }

    /// Joins through the caller's node and opens the audio socket where the answer says; that must be <paramref name="expected"/>.
    private static async Task<ToneClient> ConnectAsync(HttpClient client, Guid roomId, double frequency, RunningApp expected, CancellationToken cancellationToken)
    {
        var join = await client.PostAsync($"api/rooms/{roomId}/join", null);
        Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        var answer = (await join.Content.ReadFromJsonAsync<JsonObject>())!;
        var audioUrl = new Uri(answer["audioUrl"]!.GetValue<string>());
        Assert.Equal(expected.Address.Port, audioUrl.Port);
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", client.DefaultRequestHeaders.Authorization!.ToString());
        var uri = new UriBuilder(audioUrl) { Scheme = "ws", Query = "token=" + Uri.EscapeDataString(answer["audioToken"]!.GetValue<string>()) }.Uri;
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(uri, timeout.Token);
        return new ToneClient(socket, frequency, cancellationToken);
    }

    private static async Task Eventually(Func<bool> condition, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"Not within {Patience.TotalSeconds} s: {what()}");
            await Task.Delay(100);
        }
    }
}
