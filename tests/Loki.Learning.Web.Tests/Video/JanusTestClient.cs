using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.Video;

namespace Loki.Learning.Web.Tests.Video;

/// Speaks Janus' WebSocket protocol the way janus.js does, to the node's relay (or to Janus itself).
public sealed class JanusTestClient(ClientWebSocket socket) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private int _transactions;

    /// What arrived while an answer was awaited (events of the plugin, other answers), for <see cref="EventAsync"/>.
    private readonly List<JsonObject> _unread = [];

    public WebSocket Socket => socket;

    public long SessionId { get; private set; }

    /// Sends a request and returns Janus' answer to it (skipping "ack"s and unrelated events); null when the socket closed.
    public async Task<JsonObject?> RequestAsync(JsonObject request)
    {
        var transaction = "t" + Interlocked.Increment(ref _transactions);
        request["transaction"] = transaction;
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var text = await JanusSocket.ReceiveAsync(socket, 1 << 20, timeout.Token);
            if (text is null)
            {
                return null;
            }
            var answer = (JsonObject)JsonNode.Parse(text)!;
            if (answer["transaction"]?.GetValue<string>() == transaction && answer["janus"]?.GetValue<string>() != "ack")
            {
                return answer;
            }
            _unread.Add(answer);
        }
    }

    /// Waits for a plugin event on <paramref name="handle"/> whose data satisfies <paramref name="what"/> (one that came
    /// while an answer was awaited counts too); returns its data, or null when the socket closed first.
    public async Task<JsonObject?> EventAsync(long handle, Func<JsonObject, bool> what)
    {
        bool Matches(JsonObject message) =>
            message["janus"]?.GetValue<string>() == "event" && message["sender"]?.GetValue<long>() == handle
            && message["plugindata"]?["data"] is JsonObject data && what(data);

        if (_unread.FirstOrDefault(Matches) is { } seen)
        {
            _unread.Remove(seen);
            return (JsonObject)seen["plugindata"]!["data"]!;
        }
        using var timeout = new CancellationTokenSource(Patience);
        while (await JanusSocket.ReceiveAsync(socket, 1 << 20, timeout.Token) is { } text)
        {
            var message = (JsonObject)JsonNode.Parse(text)!;
            if (Matches(message))
            {
                return (JsonObject)message["plugindata"]!["data"]!;
            }
            _unread.Add(message);
        }
        return null;
    }

    /// Creates a session and attaches a handle to <paramref name="plugin"/>; returns the handle id.
    public async Task<long> AttachAsync(string plugin = JanusRelayRules.VideoRoomPlugin)
    {
        if (SessionId == 0)
        {
            var created = await RequestAsync(new JsonObject { ["janus"] = "create" });
            SessionId = created!["data"]!["id"]!.GetValue<long>();
        }
        var attached = await RequestAsync(new JsonObject { ["janus"] = "attach", ["session_id"] = SessionId, ["plugin"] = plugin });
        return attached!["janus"]!.GetValue<string>() == "success" ? attached["data"]!["id"]!.GetValue<long>() : 0;
    }

    /// A VideoRoom request on a handle: the plugin's data, or the relay's / Janus' error.
    public async Task<JsonObject> VideoRoomAsync(long handle, JsonObject body)
    {
        var answer = await RequestAsync(new JsonObject { ["janus"] = "message", ["session_id"] = SessionId, ["handle_id"] = handle, ["body"] = body });
        return answer is null ? new JsonObject { ["closed"] = true }
            : answer["plugindata"]?["data"] as JsonObject ?? answer;
    }

    /// Waits for the relay to close the socket; returns its reason.
    public async Task<string?> ClosedAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (await JanusSocket.ReceiveAsync(socket, 1 << 20, timeout.Token) is not null)
            {
            }
        }
        catch (WebSocketException)
        {
            return null;
        }
        return socket.CloseStatusDescription;
    }

    public ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
