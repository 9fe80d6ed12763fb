using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Tests.Engine;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Localization;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Rooms.EngineProcess;
using Loki.Learning.Web.Features.Workshops;
using Loki.Learning.Web.Tests.Hosting;
using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace Loki.Learning.Web.Tests.Rooms.EngineProcess;

/// The audience stream of a workshop room on a node whose engine runs in a child process: the child taps the room into a
/// ring file in the node's private folder, the node's broadcaster reads it, and a listener hears the performer's tone.
/// When the child is killed, the same listener, still connected, hears the room again from the restarted child.
public sealed class ChildEngineAudienceTests(ChildEngineNode node) : IClassFixture<ChildEngineNode>
{
    private RunningApp App => node.App;

    private static float Tone(long frame, double hz) => (float)(0.3 * Math.Sin(2 * Math.PI * hz * frame / 48000));

    [Fact]
    public async Task AListenerHearsThePerformersToneFromTheChildEngineAndHearsItAgainWithoutReconnectingAfterTheEngineIsKilled()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("the engine process and its ring files are for Linux nodes");
            return;
        }
        var child = node.Media.Child!;
        var organizer = await App.SignedInAsync("organizer@demo.loki.local", "Demo-organizer-2026");
        var (eventId, roomId, token) = await WorkshopWithAListenerAsync(App);
        Assert.Equal(HttpStatusCode.NoContent, (await organizer.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
        var hub = new IPEndPoint(IPAddress.Loopback, node.Media.JackTripPort);

        using var done = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var join = await RoomApi.JoinAsync(organizer, roomId);
        var performer = await FakeJackTripClient.ConnectAsync(hub, join["jackTripCode"]!.GetValue<string>());
        var playing = performer.StreamAsync(200, (frame, _) => Tone(frame, 440), stop: done.Token);

        var admission = await App.Services.GetRequiredService<IMediator>().Send(new AdmitAudience(eventId, token));
        using var listening = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(new Uri(App.Address, admission.Url)) { Scheme = "ws" }.Uri, listening.Token);
        var listener = new AudienceListener(socket, listening.Token);

        var before = await listener.HearsAsync(440, "the listener hears the performer's 440 Hz tone, mixed by the child engine");
        var ring = Assert.Single(Directory.GetFiles(child.SocketFolder, "audience-*.ring"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ring));

        // SIGKILL: the child says goodbye to nobody. Its JackTrip client is gone with it and joins again with a new code.
        var killed = child.ProcessId!.Value;
        var starts = child.Starts;
        using (var process = Process.GetProcessById(killed))
        {
            process.Kill();
        }
        await RoomApi.EventuallyAsync(() => Task.FromResult(child.Starts > starts && child.Ready && child.ProcessId != killed), "the node starts the engine again");
        await done.CancelAsync();
        await playing.ContinueWith(_ => { }, TaskScheduler.Default);
        await performer.DisposeAsync();

        using var again = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var rejoin = await RoomApi.JoinAsync(organizer, roomId);
        await using var back = await FakeJackTripClient.ConnectAsync(hub, rejoin["jackTripCode"]!.GetValue<string>());
        var playingAgain = back.StreamAsync(150, (frame, _) => Tone(frame, 660), stop: again.Token);

        var after = await listener.HearsAsync(660, "the same listener hears the performer's 660 Hz tone from the restarted engine");
        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.True(after.Sequence > before.Sequence, $"the stream's sequence went on ({before.Sequence} → {after.Sequence}) rather than starting over");
        var rings = Directory.GetFiles(child.SocketFolder, "audience-*.ring");
        Assert.DoesNotContain(ring, rings); // the dead child's ring file is gone; the new child's is there
        Assert.Single(rings);

        await again.CancelAsync();
        await playingAgain;
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
    }

    /// A node whose engine is killed and cannot start again (its socket folder is gone): the listener waits in silence
    /// for a while, then is told that the sound engine stopped, with a reason the page shows, rather than left waiting.
    [Fact]
    public async Task AListenerIsToldWhenTheKilledEngineDoesNotComeBack()
    {
        var app = new RunningApp { Settings = new Dictionary<string, string?> { ["Media:Process"] = "Child", ["Media:RealTimePriority"] = "0" } };
        await app.InitializeAsync();
        try
        {
            var child = app.Services.GetRequiredService<RoomMedia>().Child!;
            var organizer = await app.SignedInAsync("organizer@demo.loki.local", "Demo-organizer-2026");
            var (eventId, roomId, token) = await WorkshopWithAListenerAsync(app);
            Assert.Equal(HttpStatusCode.NoContent, (await organizer.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
            var admission = await app.Services.GetRequiredService<IMediator>().Send(new AdmitAudience(eventId, token));
            using var listening = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new UriBuilder(new Uri(app.Address, admission.Url)) { Scheme = "ws" }.Uri, listening.Token);
            var buffer = new byte[64 * 1024];
            var first = await socket.ReceiveAsync(buffer, listening.Token);
            Assert.Equal(WebSocketMessageType.Binary, first.MessageType); // the stream flows (the room's silence)

            Directory.Delete(child.SocketFolder, recursive: true); // no engine can open its control socket any more
            using (var process = Process.GetProcessById(child.ProcessId!.Value))
            {
                process.Kill();
            }
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, listening.Token);
            }
            while (result.MessageType != WebSocketMessageType.Close);

            Assert.Equal(IAudienceFeed.EngineLostReason, result.CloseStatusDescription);
            var told = app.Services.GetRequiredService<IStringLocalizer<Text>>()[IAudienceFeed.EngineLostReason];
            Assert.False(told.ResourceNotFound, "the page has no words for the reason");
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// A published workshop happening now, its sitting held in its room, organized by the demo organizer, with one audience place taken.
    private static async Task<(Guid EventId, Guid RoomId, string Token)> WorkshopWithAListenerAsync(RunningApp app)
    {
        var organizer = await app.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope().ServiceProvider
            .GetRequiredService<UserManager<Person>>().FindByEmailAsync("organizer@demo.loki.local");
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var token = SecretTokens.New();
        var workshop = new Workshop
        {
            Title = "Audience from the engine process",
            OrganizerId = organizer!.Id,
            StartsUtc = now.AddMinutes(-5),
            EndsUtc = now.AddHours(2),
            Published = true,
            Online = true,
            AudiencePlaces = 1,
            Capacity = 1,
            RegistrationOpensUtc = now.AddDays(-1),
            RegistrationClosesUtc = now.AddHours(1),
        };
        workshop.Registrations.Add(new Registration
        {
            Name = "Lisa Lyssnare", Email = "lisa@example.se", Category = TicketCategory.Audience, Status = RegistrationStatus.Registered,
            CreatedUtc = now, ConsentedUtc = now, Token = token,
        });
        db.Workshops.Add(workshop);
        db.Meetings.Add(new Meeting
        {
            OwnerKind = OwnerKind.Workshop, OwnerId = workshop.Id, Title = "The sitting", StartsUtc = now.AddMinutes(-5), EndsUtc = now.AddHours(2), RoomId = workshop.RoomId,
        });
        await db.SaveChangesAsync();
        return (workshop.Id, workshop.RoomId, token);
    }

    /// Reads the audience socket as the page's player does and keeps the left channel of the latest messages.
    private sealed class AudienceListener
    {
        private readonly ConcurrentQueue<(uint Sequence, float[] Left)> _messages = new();

        public AudienceListener(WebSocket socket, CancellationToken stop) => _ = ReadAsync(socket, stop);

        /// Waits until four messages in a row (≈ 170 ms) carry a tone of <paramref name="hz"/> (±5 %) at a clear level.
        public async Task<(uint Sequence, double Hz, double Rms)> HearsAsync(double hz, string what)
        {
            var deadline = Stopwatch.StartNew();
            var last = (Sequence: 0u, Hz: 0.0, Rms: 0.0);
            while (deadline.Elapsed < RoomApi.Patience * 2)
            {
                var recent = _messages.ToArray().TakeLast(4).ToArray();
                if (recent.Length == 4)
                {
                    var samples = recent.SelectMany(m => m.Left).ToArray();
                    var crossings = 0;
                    for (var i = 1; i < samples.Length; i++)
                    {
                        crossings += (samples[i - 1] < 0) != (samples[i] < 0) ? 1 : 0;
                    }
                    var heard = crossings / 2.0 / (samples.Length / 48000.0);
                    var rms = Math.Sqrt(samples.Average(s => (double)s * s));
                    last = (recent[^1].Sequence, heard, rms);
                    if (Math.Abs(heard - hz) < hz * 0.05 && rms > 0.05)
                    {
                        return last;
                    }
                }
                await Task.Delay(50);
            }
            Assert.Fail($"{what}: not within {2 * RoomApi.Patience.TotalSeconds} s; last heard {last.Hz:F0} Hz at RMS {last.Rms:F3} (message {last.Sequence}, {_messages.Count} messages)");
            return last;
        }

        private async Task ReadAsync(WebSocket socket, CancellationToken stop)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(length), stop);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                    var message = buffer.AsSpan(0, length);
                    Assert.True(AudienceFrame.TryReadHeader(message, out _, out var frames, out var sequence, out _));
                    var left = new float[frames];
                    for (var i = 0; i < frames; i++)
                    {
                        left[i] = BinaryPrimitives.ReadInt16LittleEndian(message[(AudienceFrame.HeaderLength + (2 * i))..]) / 32767f;
                    }
                    _messages.Enqueue((sequence, left));
                    while (_messages.Count > 64)
                    {
                        _messages.TryDequeue(out _);
                    }
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
            {
            }
        }
    }
}
