using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Workshops;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Tests.Workshops;

/// The audience socket carries the mix one way: a listener sends nothing. One that does (a script, not the page) is
/// closed at its first message, however large, and the other listeners of the room stay connected.
public sealed class AudienceSocketAbuseTests
{
    [Fact]
    public async Task AListenerThatSendsAnOversizedMessageIsClosedAndTheOtherListenerStays()
    {
        await using var media = MediaOff();
        await using var streams = new AudienceStreams(media, NullLoggerFactory.Instance);
        var roomId = Guid.NewGuid();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await using var quiet = await SocketPair.OpenAsync();
        await using var hostile = await SocketPair.OpenAsync();
        var quietServed = streams.ListenAsync(roomId, quiet.Server, stop.Token);
        var hostileServed = streams.ListenAsync(roomId, hostile.Server, stop.Token);

        // The send never completes once the server stops reading; disposing the pair ends it.
        _ = hostile.Client.SendAsync(new byte[4 * 1024 * 1024], WebSocketMessageType.Binary, true, stop.Token);
        var closed = await ReceiveCloseAsync(hostile.Client, stop.Token);
        await hostileServed.WaitAsync(stop.Token);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, closed.CloseStatus);
        Assert.Equal(AudienceBroadcaster.ListenOnlyReason, closed.CloseStatusDescription);
        Assert.False(quietServed.IsCompleted);
        Assert.Equal(WebSocketState.Open, quiet.Client.State);
        Assert.Equal(1, streams.Find(roomId)?.ListenerCount);
        await stop.CancelAsync();
        await quietServed;
    }

    [Fact]
    public async Task ARoomThatClosesEndsItsAudienceStreamAndTellsTheListeners()
    {
        await using var media = MediaOff();
        await using var streams = new AudienceStreams(media, NullLoggerFactory.Instance);
        var roomId = Guid.NewGuid();
        var other = Guid.NewGuid();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var listener = await SocketPair.OpenAsync();
        await using var elsewhere = await SocketPair.OpenAsync();
        var served = streams.ListenAsync(roomId, listener.Server, stop.Token);
        var servedElsewhere = streams.ListenAsync(other, elsewhere.Server, stop.Token);

        // What the room publishes as it closes (the stream subscribes; the room does not know it).
        await streams.OnRoomEventAsync(new LiveRoomClosed(roomId));
        var closed = await ReceiveCloseAsync(listener.Client, stop.Token);
        await listener.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", stop.Token);   // as a browser answers
        await served.WaitAsync(stop.Token);

        Assert.Equal("Audience.Ended", closed.CloseStatusDescription);
        Assert.True(streams.Find(roomId) is null || streams.Find(roomId)!.Stopped);
        Assert.False(servedElsewhere.IsCompleted);
        Assert.Equal(WebSocketState.Open, elsewhere.Client.State);
        await stop.CancelAsync();
        await servedElsewhere;
    }

    private static RoomMedia MediaOff() => new(
        Options.Create(new MediaOptions { Enabled = false }), null!, NullLogger<RoomMedia>.Instance, TimeProvider.System, new ServiceCollection().BuildServiceProvider());

    private static async Task<WebSocketReceiveResult> ReceiveCloseAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result;
            }
        }
    }

    /// Both ends of a WebSocket over a loopback TCP connection, without HTTP: the server end is what the endpoint hands
    /// to <see cref="AudienceStreams.ListenAsync"/> after the upgrade.
    private sealed class SocketPair : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly TcpClient _server;

        private SocketPair(TcpClient client, TcpClient server)
        {
            _client = client;
            _server = server;
            Client = WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false });
            Server = WebSocket.CreateFromStream(server.GetStream(), new WebSocketCreationOptions { IsServer = true });
        }

        public WebSocket Client { get; }

        public WebSocket Server { get; }

        public static async Task<SocketPair> OpenAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                var client = new TcpClient();
                var accepting = listener.AcceptTcpClientAsync();
                await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
                return new SocketPair(client, await accepting);
            }
            finally
            {
                listener.Stop();
            }
        }

        public ValueTask DisposeAsync()
        {
            Client.Dispose();
            Server.Dispose();
            _client.Dispose();
            _server.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
