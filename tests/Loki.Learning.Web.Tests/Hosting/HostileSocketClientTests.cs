using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Loki.Learning.Media.Browser;
using Loki.Learning.Web.Hosting;

namespace Loki.Learning.Web.Tests.Hosting;

/// Clients that are not the site's pages, on the node's long-lived sockets: the room clock socket and the Blazor
/// circuit. Malformed or oversized messages close that one connection, early and with a reason, and the node goes on
/// serving everyone else. (The JackTrip ports, the browser audio socket and the audience socket have tests of their
/// own beside their features.)
public sealed class HostileSocketClientTests(RunningApp app) : IClassFixture<RunningApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private Uri WebSocketUri(string path) =>
        new(new Uri(app.Address.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), path.TrimStart('/'));

    private async Task<ClientWebSocket> ClockSocketAsync()
    {
        var teacher = await app.SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var rooms = (await teacher.GetFromJsonAsync<JsonArray>("api/rooms"))!;
        var roomId = Guid.Parse(rooms[0]!["roomId"]!.GetValue<string>());
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", teacher.DefaultRequestHeaders.Authorization!.ToString());
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(WebSocketUri($"/rooms/{roomId:D}/clock"), timeout.Token);
        return socket;
    }

    /// Sends, tolerating a server that closes before the message is through (that is what is tested).
    private static async Task SendAsync(WebSocket socket, byte[] message, WebSocketMessageType type)
    {
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
            await socket.SendAsync(message, type, endOfMessage: true, timeout.Token);
        }
        catch (Exception exception) when (exception is WebSocketException or IOException)
        {
        }
    }

    /// Reads until the server closes; returns its close status and reason (null when the connection just broke) and
    /// how many SignalR completions (binary messages of type 3) came before.
    private static async Task<(WebSocketCloseStatus? Status, string? Reason, int Completions)> UntilClosedAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var messages = 0;
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (result.CloseStatus, result.CloseStatusDescription, messages);
                }
                messages += IsCompletion(result, buffer) ? 1 : 0;
            }
        }
        catch (Exception exception) when (exception is WebSocketException or IOException)
        {
            return (null, null, messages);
        }
    }

    private static async Task<bool> PongArrivesAsync(WebSocket socket)
    {
        var ping = new byte[BrowserFrame.PingLength];
        BrowserFrame.WritePing(ping, 7, 1_000_000);
        await socket.SendAsync(ping, WebSocketMessageType.Binary, true, CancellationToken.None);
        var reply = new byte[64];
        using var timeout = new CancellationTokenSource(Patience);
        var result = await socket.ReceiveAsync(reply, timeout.Token);
        return result.MessageType == WebSocketMessageType.Binary
            && BrowserFrame.TryRead(reply.AsSpan(0, result.Count), out var frame) == BrowserFrameError.None
            && frame.Kind == BrowserFrameKind.Pong;
    }

    public static TheoryData<string> HostileClockMessages => ["oversized", "malformed", "text"];

    [Theory]
    [MemberData(nameof(HostileClockMessages))]
    public async Task TheClockSocketClosesOnAnOversizedMalformedOrTextMessageAndKeepsServingOthers(string kind)
    {
        using var bystander = await ClockSocketAsync();
        using var hostile = await ClockSocketAsync();
        Assert.True(await PongArrivesAsync(hostile));

        var (message, type) = kind switch
        {
            "oversized" => (new byte[4 * 1024 * 1024], WebSocketMessageType.Binary),
            "malformed" => (Enumerable.Repeat((byte)0xA5, BrowserFrame.PingLength).ToArray(), WebSocketMessageType.Binary),
            _ => (Encoding.UTF8.GetBytes("{\"ping\":1}"), WebSocketMessageType.Text),
        };
        var sending = SendAsync(hostile, message, type);
        var (status, reason, _) = await UntilClosedAsync(hostile);
        await sending;

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, status);
        Assert.Equal("Refusal.ClockFrameInvalid", reason);
        Assert.True(await PongArrivesAsync(bystander), "the other page's clock socket stopped answering");
    }

    [Fact]
    public async Task AnOversizedCircuitMessageClosesThatCircuitAndTheNodeGoesOn()
    {
        // Just under the limit: the hub reads the message and answers (a completion: no such hub method).
        using var fitting = await BlazorHubAsync();
        await SendAsync(fitting, Invocation(LokiHost.CircuitMaximumReceiveMessageSize - 1024), WebSocketMessageType.Binary);
        Assert.True(await CompletionArrivesAsync(fitting), "a message under the limit was not answered");

        // Just over it: that connection is closed unanswered, before the message is buffered.
        using var hostile = await BlazorHubAsync();
        var sending = SendAsync(hostile, Invocation(LokiHost.CircuitMaximumReceiveMessageSize + 1024), WebSocketMessageType.Binary);
        var (status, _, answers) = await UntilClosedAsync(hostile);
        await sending;

        Assert.Equal(0, answers);
        Assert.True(hostile.State is WebSocketState.Closed or WebSocketState.Aborted or WebSocketState.CloseReceived, $"state {hostile.State}, close {status}");
        // The node still opens circuits and serves pages.
        using var next = await BlazorHubAsync();
        Assert.Equal(WebSocketState.Open, next.State);
        using var page = await app.Client().GetAsync("");
        Assert.True(page.IsSuccessStatusCode, $"home page: {page.StatusCode}");
    }

    /// A SignalR invocation (MessagePack, as Blazor's script frames it) of a hub method that does not exist, with one
    /// string argument that makes the message about <paramref name="size"/> bytes long.
    private static byte[] Invocation(int size)
    {
        var body = new List<byte> { 0x96, 0x01, 0x80, 0xA1, (byte)'1', 0xA4, (byte)'N', (byte)'o', (byte)'p', (byte)'e', 0x91, 0xDB };
        var text = size - body.Count - 5;
        body.AddRange([(byte)(text >> 24), (byte)(text >> 16), (byte)(text >> 8), (byte)text]);
        body.AddRange(Enumerable.Repeat((byte)'a', text));
        body.Add(0x90);
        var prefix = new byte[5];
        var length = LengthPrefix(body.Count, prefix);
        return [.. prefix.AsSpan(0, length), .. body];
    }

    /// Waits for a completion message (type 3) for the invocation.
    private static async Task<bool> CompletionArrivesAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }
            if (IsCompletion(result, buffer))
            {
                return true;
            }
        }
    }

    /// A length prefix (one byte for a short message), then a MessagePack array whose first element is the type: 3.
    private static bool IsCompletion(WebSocketReceiveResult result, byte[] buffer) =>
        result.MessageType == WebSocketMessageType.Binary && result.Count > 2 && buffer[2] == 0x03;

    /// A WebSocket to the Blazor hub after SignalR's handshake (blazorpack, the protocol Blazor's script speaks).
    private async Task<ClientWebSocket> BlazorHubAsync()
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(WebSocketUri("/_blazor"), timeout.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"blazorpack\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, timeout.Token);
        var reply = new byte[256];
        var result = await socket.ReceiveAsync(reply, timeout.Token);
        var text = Encoding.UTF8.GetString(reply, 0, result.Count);
        Assert.True(text.StartsWith("{}", StringComparison.Ordinal), $"handshake answer: {text}");
        return socket;
    }

    /// SignalR's binary framing: the body length as a base-128 varint.
    private static int LengthPrefix(int length, Span<byte> destination)
    {
        var written = 0;
        do
        {
            var next = (byte)(length & 0x7F);
            length >>= 7;
            destination[written++] = (byte)(length > 0 ? next | 0x80 : next);
        }
        while (length > 0);
        return written;
    }
}
