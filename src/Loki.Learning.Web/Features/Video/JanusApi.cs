using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loki.Learning.Web.Features.Video;

/// The node's own connection to Janus' WebSocket API: one session with one VideoRoom handle, through which the node
/// creates and destroys rooms and kicks publishers (requests that need the room's secret, which only the node holds).
/// Reconnects on the next call after Janus went away.
public sealed class JanusApi(JanusSupervisor janus, ILogger<JanusApi> logger) : IAsyncDisposable
{
    /// Janus' WebSocket subprotocol.
    public const string Subprotocol = "janus-protocol";

    private static readonly TimeSpan AnswerPatience = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _pending = new(StringComparer.Ordinal);
    private Connection? _connection;

    /// Sends a synchronous VideoRoom request (create, destroy, kick, exists, listparticipants) and returns the
    /// plugin's answer (<c>plugindata.data</c>). Throws <see cref="JanusException"/> when Janus refuses it.
    public async Task<JsonObject> VideoRoomAsync(JsonObject body, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var answer = await SendAsync(connection, new JsonObject
        {
            ["janus"] = "message",
            ["session_id"] = connection.SessionId,
            ["handle_id"] = connection.HandleId,
            ["body"] = body,
        }, cancellationToken);
        var data = answer["plugindata"]?["data"] as JsonObject ?? throw new JanusException(answer.ToJsonString());
        if (data["error"] is { } error)
        {
            throw new JanusException(error.GetValue<string>(), data["error_code"]?.GetValue<int>() ?? 0);
        }
        return data;
    }

    /// The Janus generation this connection speaks to: it changes when the supervisor restarts Janus (all rooms gone).
    public long Generation => _connection?.Generation ?? -1;

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } current && current.IsOpen && current.Generation == janus.Generation)
        {
            return current;
        }
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { } again && again.IsOpen && again.Generation == janus.Generation)
            {
                return again;
            }
            if (_connection is { } old)
            {
                await old.DisposeAsync();
                _connection = null;
            }
            var endpoint = janus.Endpoint ?? throw new JanusException("Video.NotAvailable");
            var socket = new ClientWebSocket();
            socket.Options.AddSubProtocol(Subprotocol);
            await socket.ConnectAsync(endpoint.Uri, cancellationToken);
            var connection = new Connection(socket, endpoint, janus.Generation);
            connection.Receiving = ReceiveAsync(connection);
            var created = await SendAsync(connection, new JsonObject { ["janus"] = "create" }, cancellationToken);
            connection.SessionId = created["data"]!["id"]!.GetValue<long>();
            var attached = await SendAsync(connection, new JsonObject { ["janus"] = "attach", ["session_id"] = connection.SessionId, ["plugin"] = JanusRelayRules.VideoRoomPlugin }, cancellationToken);
            connection.HandleId = attached["data"]!["id"]!.GetValue<long>();
            connection.KeepingAlive = KeepAliveAsync(connection);
            _connection = connection;
            return connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task<JsonObject> SendAsync(Connection connection, JsonObject request, CancellationToken cancellationToken)
    {
        var transaction = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        request["transaction"] = transaction;
        request["apisecret"] = connection.Endpoint.ApiSecret;
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[transaction] = answer;
        try
        {
            await connection.SendAsync(request, cancellationToken);
            var reply = await answer.Task.WaitAsync(AnswerPatience, cancellationToken);
            if (reply["janus"]?.GetValue<string>() == "error")
            {
                throw new JanusException(reply["error"]?["reason"]?.GetValue<string>() ?? "error", reply["error"]?["code"]?.GetValue<int>() ?? 0);
            }
            return reply;
        }
        finally
        {
            _pending.TryRemove(transaction, out _);
        }
    }

    private async Task ReceiveAsync(Connection connection)
    {
        try
        {
            while (true)
            {
                var message = await connection.ReceiveAsync();
                if (message is null)
                {
                    break;
                }
                // "ack" only says Janus got the request; the answer follows as "success", "error" or an "event".
                if (message["janus"]?.GetValue<string>() is "success" or "error" or "event"
                    && message["transaction"]?.GetValue<string>() is { } transaction
                    && _pending.TryGetValue(transaction, out var waiting))
                {
                    waiting.TrySetResult(message);
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or JsonException or OperationCanceledException)
        {
            logger.LogDebug(exception, "The node's Janus connection ended");
        }
        foreach (var waiting in _pending.Values)
        {
            waiting.TrySetException(new JanusException("Video.NotAvailable"));
        }
    }

    private async Task KeepAliveAsync(Connection connection)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(20));
        while (connection.IsOpen && await timer.WaitForNextTickAsync())
        {
            try
            {
                await SendAsync(connection, new JsonObject { ["janus"] = "keepalive", ["session_id"] = connection.SessionId }, CancellationToken.None);
            }
            catch (Exception exception) when (exception is JanusException or WebSocketException or TimeoutException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.DisposeAsync();
        }
        _connecting.Dispose();
    }

    private sealed class Connection(ClientWebSocket socket, JanusEndpoint endpoint, long generation) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _sending = new(1, 1);

        public JanusEndpoint Endpoint { get; } = endpoint;

        public long Generation { get; } = generation;

        public long SessionId { get; set; }

        public long HandleId { get; set; }

        public Task Receiving { get; set; } = Task.CompletedTask;

        public Task KeepingAlive { get; set; } = Task.CompletedTask;

        public bool IsOpen => socket.State == WebSocketState.Open;

        public async Task SendAsync(JsonObject message, CancellationToken cancellationToken)
        {
            var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
            await _sending.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(bytes, WebSocketMessageType.Text, true, cancellationToken);
            }
            finally
            {
                _sending.Release();
            }
        }

        public async Task<JsonObject?> ReceiveAsync() =>
            await JanusSocket.ReceiveAsync(socket, JanusRelayRules.MaxMessageBytes * 4, CancellationToken.None) is { } text
                ? JsonNode.Parse(text) as JsonObject ?? new JsonObject()
                : null;

        public async ValueTask DisposeAsync()
        {
            socket.Abort();
            socket.Dispose();
            await Receiving;
            _sending.Dispose();
        }
    }
}

/// Janus refused a request, or cannot be reached.
public sealed class JanusException(string reason, int code = 0) : Exception(reason)
{
    public int Code { get; } = code;
}

/// Where the node's Janus listens and the API secret every request carries.
public sealed record JanusEndpoint(Uri Uri, string ApiSecret, string AdminKey);

/// Reads one whole text message from a Janus WebSocket, up to a size.
public static class JanusSocket
{
    /// The message's text; null when the socket closed. Throws <see cref="InvalidDataException"/> past <paramref name="limit"/> bytes.
    public static async Task<string?> ReceiveAsync(WebSocket socket, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(buffer, 0, result.Count);
            if (message.Length > limit)
            {
                throw new InvalidDataException("Janus message too large");
            }
            if (result.EndOfMessage)
            {
                return result.MessageType == WebSocketMessageType.Text ? Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length) : "";
            }
        }
    }
}
