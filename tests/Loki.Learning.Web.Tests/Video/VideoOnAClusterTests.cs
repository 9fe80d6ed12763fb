using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.Video;
using Loki.Learning.Web.Tests.Rooms;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Video;

/// Two nodes of a cluster on PostgreSQL, each with its own Janus. The room lives on node A (its teacher opened it there);
/// the pupil's page is served by node B. The room's video lives where its audio does: the answer node B gives names
/// node A's relay, as its join answer names node A for audio, and the token works at node A's relay only, so the room's
/// video never splits over two Janus servers.
public sealed class VideoOnAClusterTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AMemberJoiningThroughAnotherNodeIsSentToTheVideoOfTheNodeHostingTheRoomAndOnlyThere()
    {
        var connectionString = await postgres.CreateDatabaseAsync("loki_" + Guid.NewGuid().ToString("N")[..8]);
        var clusterId = "video-" + Guid.NewGuid().ToString("N")[..8];
        var loopbackOnly = LoopbackOnlyVideo.Settings();
        var a = ClusterTests.Node(connectionString, clusterId, more: loopbackOnly);
        var b = ClusterTests.Node(connectionString, clusterId, more: loopbackOnly);
        try
        {
            await a.InitializeAsync();
            await b.InitializeAsync();
            await a.Services.GetRequiredService<JanusSupervisor>().WaitUntilReadyAsync(Patience);
            await b.Services.GetRequiredService<JanusSupervisor>().WaitUntilReadyAsync(Patience);
            var teacherOnA = await a.SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
            var pupilOnB = await b.SignedInAsync("pupil@demo.loki.local", "Demo-pupil-2026");
            var roomId = await DrainingANodeTests.RehearsalRoomAsync(teacherOnA);
            Assert.Equal(HttpStatusCode.NoContent, (await teacherOnA.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);

            var teacherJoin = await JoinAsync(teacherOnA, roomId);
            var pupilJoin = await JoinAsync(pupilOnB, roomId);
            var teacherVideo = await VideoTokenAsync(teacherOnA, roomId);
            var pupilVideo = await VideoTokenAsync(pupilOnB, roomId);

            // Node B names node A for the pupil's video, as it names node A for their audio.
            var pupilRelay = new Uri(pupilVideo["relayUrl"]!.GetValue<string>());
            Assert.Equal(a.Address.Port, new Uri(pupilJoin["audioUrl"]!.GetValue<string>()).Port);
            Assert.Equal(a.Address.Port, pupilRelay.Port);
            Assert.Equal($"/rooms/{roomId:D}/video", pupilRelay.AbsolutePath);
            Assert.Equal(a.Address.Port, new Uri(teacherVideo["relayUrl"]!.GetValue<string>()).Port);
            Assert.Equal(a.Address.Port, new Uri(teacherJoin["audioUrl"]!.GetValue<string>()).Port);

            // At node B's relay the pupil's token is refused: it is valid where the room lives.
            await using (var atB = await RelayAsync(b.Address, pupilOnB, roomId, pupilVideo["token"]!.GetValue<string>()))
            {
                Assert.Equal("Video.Refusal.TokenOtherNode", await atB.ClosedAsync());
            }

            // At node A's relay both join the one Janus room of the room, on node A's Janus.
            await using var teacherAtA = await RelayAsync(pupilRelay, teacherOnA, roomId, teacherVideo["token"]!.GetValue<string>());
            await using var pupilAtA = await RelayAsync(pupilRelay, pupilOnB, roomId, pupilVideo["token"]!.GetValue<string>());
            var teacherJoined = await teacherAtA.VideoRoomAsync(await teacherAtA.AttachAsync(), new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera" });
            var pupilJoined = await pupilAtA.VideoRoomAsync(await pupilAtA.AttachAsync(), new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera" });
            Assert.Equal("joined", teacherJoined["videoroom"]?.GetValue<string>());
            Assert.Equal("joined", pupilJoined["videoroom"]?.GetValue<string>());
            Assert.Equal(teacherJoined["room"]!.GetValue<string>(), pupilJoined["room"]!.GetValue<string>());
            var listed = await a.Services.GetRequiredService<JanusApi>().VideoRoomAsync(
                new JsonObject { ["request"] = "listparticipants", ["room"] = pupilJoined["room"]!.DeepClone() }, CancellationToken.None);
            Assert.Equal(2, listed["participants"]!.AsArray().Count);
        }
        finally
        {
            await b.DisposeAsync();
            await a.DisposeAsync();
        }
    }

    private static async Task<JsonObject> JoinAsync(HttpClient client, Guid roomId)
    {
        var join = await client.PostAsync($"api/rooms/{roomId}/join", null);
        Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        return (await join.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<JsonObject> VideoTokenAsync(HttpClient client, Guid roomId)
    {
        var response = await client.PostAsync($"api/rooms/{roomId}/video/token", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// Opens the room's relay on the node at <paramref name="node"/> as the signed-in <paramref name="client"/>.
    private static async Task<JanusTestClient> RelayAsync(Uri node, HttpClient client, Guid roomId, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(JanusApi.Subprotocol);
        socket.Options.SetRequestHeader("Authorization", client.DefaultRequestHeaders.Authorization!.ToString());
        var uri = new UriBuilder(node) { Scheme = "ws", Path = VideoRelayEndpoint.Path(roomId), Query = "token=" + Uri.EscapeDataString(token) }.Uri;
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(uri, timeout.Token);
        return new JanusTestClient(socket);
    }
}
