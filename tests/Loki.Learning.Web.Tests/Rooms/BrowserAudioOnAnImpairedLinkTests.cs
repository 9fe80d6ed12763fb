using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Loki.Learning.Hub.LinkSimulation;
using Microsoft.Extensions.DependencyInjection;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Tests.Hosting;
using Xunit.Abstractions;

namespace Loki.Learning.Web.Tests.Rooms;

/// The real browser audio socket through the seeded TCP impairment proxy (docs/benchmarks.md §3.2): a client that
/// speaks the frame format as the page does sends a tone through a lossy, jittery path into a tight room and into a
/// safe one, and the engine's own figures for that participant are printed. Behaviour, not timing: the tight room's
/// buffer never aims above its four periods; both rooms keep the audio flowing.
public sealed class BrowserAudioOnAnImpairedLinkTests(RunningApp app, ITestOutputHelper output) : IClassFixture<RunningApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AJitteryLossySocketKeepsPlayingInBothPoliciesAndTheTightRoomKeepsItsDelay()
    {
        var (teacher, bearer) = await app.SignedInWithBearerAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var rooms = (await teacher.GetFromJsonAsync<JsonArray>("api/rooms"))!
            .Where(r => r!["ownerTitle"]!.GetValue<string>() == Ensemble)
            .Select(r => Guid.Parse(r!["roomId"]!.GetValue<string>()))
            .Take(2)
            .ToList();
        Assert.Equal(2, rooms.Count);
        var engine = app.Services.GetRequiredService<RoomMedia>().Engine!;
        foreach (var (roomId, policy) in new[] { (rooms[0], "tight"), (rooms[1], "safe") })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
            var join = (await (await teacher.PostAsync($"api/rooms/{roomId}/join", null)).Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(HttpStatusCode.NoContent, (await teacher.PutAsJsonAsync($"api/rooms/{roomId}/link-policy", new { policy })).StatusCode);

            await using var proxy = TcpImpairmentProxy.Start(new IPEndPoint(IPAddress.Loopback, app.Address.Port), ImpairmentProfile.Jitter5MsAndOnePercentLoss, seed: 1);
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
            var uri = new Uri($"ws://127.0.0.1:{proxy.EndPoint.Port}{join["audioUrl"]!.GetValue<string>()}?token={Uri.EscapeDataString(join["audioToken"]!.GetValue<string>())}");
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await socket.ConnectAsync(uri, stop.Token);
            await using var client = new ToneClient(socket, 440, stop.Token);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Measured)
            {
                await Task.Delay(250, stop.Token);
            }
            var mine = engine.GetParticipantSnapshots().Where(s => s.RoomId == roomId.ToString("N")).ToList();
            var figures = string.Join("; ", mine.Select(s => s.JitterBuffer.ToString()));
            output.WriteLine($"BROWSER-LINK {policy} ±5 ms + 1% loss over TCP, {Measured.TotalSeconds:F0} s: proxy up [{proxy.Upstream}] down [{proxy.Downstream}]; " +
                $"received by the client {client.Received}; engine: {figures}");
            var buffer = Assert.Single(mine).JitterBuffer;
            Assert.True(buffer.Received > 375 * Measured.TotalSeconds / 2, figures);
            Assert.True(client.Received > 375 * Measured.TotalSeconds / 2, $"the client received {client.Received}");
            if (policy == "tight")
            {
                Assert.True(buffer.TargetDepthFrames <= 4 * 128, figures);
            }
            Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/close", null)).StatusCode);
        }
    }
}
