using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.Video;

/// Browser video signalling: <c>GET /rooms/{roomId}/video?token=…</c> upgraded to a WebSocket speaking Janus' own
/// protocol (<c>janus-protocol</c>), relayed to the node's Janus on loopback. The relay is the only way in: it checks
/// the site sign-in and the video token, lets through only what <see cref="JanusRelayRules"/> allows, adds the API
/// secret and the room's pin, and closes when the person leaves or is removed from the room (docs/decisions/0009).
/// Refusals close the socket with the refusal key as reason (a browser cannot read the status of a failed upgrade).
public static class VideoRelayEndpoint
{
    public static string Path(Guid roomId) => $"/rooms/{roomId:D}/video";

    /// Close reason when the person left the room or the host removed them.
    public const string LeftReason = "Video.Left";

    /// More messages than this in one second from a browser close its relay (a page sends a handful, trickle bursts included).
    public const int MaxMessagesPerSecond = 200;

    public static void MapVideoRelay(this IEndpointRouteBuilder app) =>
        app.Map("/rooms/{roomId:guid}/video", HandleAsync).ExcludeFromDescription();

    private static async Task HandleAsync(
        HttpContext context, Guid roomId, VideoTokens tokens, VideoRooms rooms, JanusSupervisor janus, IGrainFactory grains, RoomMedia media,
        VideoRecordings recordings, RelayConnections connections, IOptions<VideoOptions> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(VideoRelayEndpoint));
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var protocol = context.WebSockets.WebSocketRequestedProtocols.Contains(JanusApi.Subprotocol) ? JanusApi.Subprotocol : null;
        using var browser = await context.WebSockets.AcceptWebSocketAsync(protocol);
        var actor = context.User.Identity?.IsAuthenticated == true ? Actor.From(context.User) : null;
        var refusal = await AdmitAsync(actor, roomId, context.Request.Query["token"], tokens, grains, media);
        if (refusal is not null)
        {
            logger.LogWarning("Video refused for room {RoomId} from {Remote} (person {PersonId}): {Reason}",
                roomId, context.Connection.RemoteIpAddress, actor?.PersonId ?? "anonymous", refusal);
            await CloseQuietlyAsync(browser, WebSocketCloseStatus.PolicyViolation, refusal);
            return;
        }
        tokens.TryRead(context.Request.Query["token"], out var ticket);
        using var lease = connections.TryOpen(roomId, ticket!.PersonId, options.Value.ConnectionsPerPerson);
        if (lease is null)
        {
            logger.LogWarning("Video refused for room {RoomId} from {Remote} (person {PersonId}): {Reason}",
                roomId, context.Connection.RemoteIpAddress, ticket.PersonId, "Video.Refusal.TooManyConnections");
            await CloseQuietlyAsync(browser, WebSocketCloseStatus.PolicyViolation, "Video.Refusal.TooManyConnections");
            return;
        }

        LiveVideoRoom live;
        using var toJanus = new ClientWebSocket();
        try
        {
            live = await rooms.EnsureAsync(roomId, context.RequestAborted);
            var endpoint = janus.Endpoint ?? throw new JanusException("Video.NotAvailable");
            toJanus.Options.AddSubProtocol(JanusApi.Subprotocol);
            await toJanus.ConnectAsync(endpoint.Uri, context.RequestAborted);
            // Screen sharing is asked of the room's view at every screen join and publish: the host may take a grant back
            // while this connection lives. (A "no" from the view this node last saw is asked again of the room itself.)
            var freshGrant = new StrongBox<bool?>();
            var rules = new JanusRelayRules(ticket!, live.JanusRoom, live.Pin, endpoint.ApiSecret,
                () => freshGrant.Value ?? rooms.MayShareScreen(roomId, ticket!.PersonId), options.Value.PicturesPerConnection);
            var toBrowser = new BrowserSide(browser);
            var janusSide = new JanusSide(toJanus);
            var recording = new RelayRecording(recordings, roomId, ticket!.PersonId, live.Secret, endpoint.ApiSecret);
            // A take that starts or stops while this person's picture runs turns Janus' recorder of it on or off.
            using var follow = recordings.Watch(roomId, async () =>
            {
                foreach (var request in recording.Reconcile())
                {
                    await janusSide.SendAsync(request, CancellationToken.None);
                }
            });
            logger.LogInformation("Video relay open: person {PersonId} in room {RoomId}", ticket!.PersonId, roomId);
            // Leaving the room (or removal) starts the close handshake with the reason, then lets Janus go: Janus ends
            // every session made over this connection when it closes. (A pending receive is not cancelled: that
            // would abort the socket without a reason.)
            using var left = rooms.Present(roomId, ticket.PersonId).Register(() => _ = EndAsync(toBrowser, toJanus, LeftReason));
            var fromJanus = PumpFromJanusAsync(toJanus, toBrowser, rules, recording);
            var violation = await PumpFromBrowserAsync(
                browser, toBrowser, janusSide, rules, freshGrant, recording, rooms, roomId, ticket.PersonId, logger, context.RequestAborted);
            await EndAsync(toBrowser, toJanus, violation ?? "");
            await fromJanus;
            logger.LogInformation("Video relay closed: person {PersonId} in room {RoomId} ({Reason})", ticket.PersonId, roomId, toBrowser.Reason ?? "page left");
        }
        catch (Exception exception) when (exception is JanusException or WebSocketException)
        {
            logger.LogWarning("Video for room {RoomId} not available: {Reason}", roomId, exception.Message);
            await CloseQuietlyAsync(browser, WebSocketCloseStatus.InternalServerError, "Video.NotAvailable");
        }
        finally
        {
            toJanus.Abort();
        }
    }

    /// Null when the token is genuine, unexpired, this signed-in person's, for this room and this node, and they are in
    /// the room now, which lives on this node.
    internal static async Task<string?> AdmitAsync(Actor? actor, Guid roomId, string? token, VideoTokens tokens, IGrainFactory grains, RoomMedia media)
    {
        if (actor is null)
        {
            return "Video.Refusal.NotSignedIn";
        }
        if (tokens.TryRead(token, out var ticket) is { } refusal)
        {
            return refusal;
        }
        if (ticket!.RoomId != roomId)
        {
            return "Video.Refusal.TokenOtherRoom";
        }
        if (ticket.PersonId != actor.PersonId)
        {
            return "Video.Refusal.TokenNotYours";
        }
        if (media.IsElsewhere(ticket.Node))
        {
            // Issued for the node hosting the room: a Janus room made here too would split the room's video in two.
            return "Video.Refusal.TokenOtherNode";
        }
        var room = grains.GetGrain<IRoomGrain>(roomId);
        var view = await room.GetViewAsync();
        if (!view.Open || view.Roster.All(p => p.PersonId != ticket.PersonId))
        {
            return "Video.Refusal.NotInRoom";
        }
        // The room moved to another node since the token was issued (this one stops, or died and came back): the page
        // asks for a fresh token, which names the room's new node.
        return media.Stopping || media.IsElsewhere((await room.GetMediaEndpointAsync()).Node) ? "Video.Refusal.RoomMoved" : null;
    }

    /// Returns a close reason when the browser broke the rules, null when it went away or the relay was stopped.
    private static async Task<string?> PumpFromBrowserAsync(
        WebSocket browser, BrowserSide toBrowser, JanusSide toJanus, JanusRelayRules rules, StrongBox<bool?> freshGrant, RelayRecording recording,
        VideoRooms rooms, Guid roomId, string personId, ILogger logger, CancellationToken aborted)
    {
        var second = Environment.TickCount64 / 1000;
        var inSecond = 0;
        try
        {
            while (true)
            {
                string? text;
                try
                {
                    text = await JanusSocket.ReceiveAsync(browser, JanusRelayRules.MaxMessageBytes, aborted);
                }
                catch (InvalidDataException)
                {
                    return "Video.Refusal.MessageTooLarge";
                }
                if (text is null)
                {
                    return null;
                }
                var now = Environment.TickCount64 / 1000;
                inSecond = now == second ? inSecond + 1 : 1;
                second = now;
                if (inSecond > MaxMessagesPerSecond)
                {
                    return "Video.Refusal.TooManyMessages";
                }
                JsonObject? message;
                try
                {
                    message = JsonNode.Parse(text) as JsonObject;
                }
                catch (JsonException)
                {
                    message = null;
                }
                if (message is null)
                {
                    return "Video.Refusal.Malformed";
                }
                var refusal = rules.Check(message, out var publishing);
                if (refusal == "Video.Refusal.OnlyHostShares")
                {
                    freshGrant.Value = await rooms.MayShareScreenNowAsync(roomId, personId);
                    refusal = freshGrant.Value == true ? rules.Check(message, out publishing) : refusal;
                    freshGrant.Value = null;
                }
                if (refusal is not null)
                {
                    var transaction = message["transaction"] is JsonValue t && t.TryGetValue<string>(out var id) ? id : "";
                    await toBrowser.SendAsync(new JsonObject
                    {
                        ["janus"] = "error",
                        ["transaction"] = transaction,
                        ["error"] = new JsonObject { ["code"] = 403, ["reason"] = refusal },
                    }.ToJsonString());
                    continue;
                }
                if (publishing is { } kind)
                {
                    // One camera (and one screen) per person: a second tab takes over from the first.
                    await rooms.KickAsync(roomId, personId, kind, aborted);
                    if (kind == VideoKind.Screen)
                    {
                        try
                        {
                            await rooms.EndOtherScreensAsync(roomId, personId, aborted);
                        }
                        catch (JanusException exception)
                        {
                            logger.LogWarning("Video: could not end the other screens in room {RoomId}: {Reason}", roomId, exception.Message);
                        }
                    }
                }
                recording.Observe(message, rules.KindOf);
                await toJanus.SendAsync(message, aborted);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or JanusException)
        {
            return null;
        }
    }

    private static async Task PumpFromJanusAsync(WebSocket toJanus, BrowserSide toBrowser, JanusRelayRules rules, RelayRecording recording)
    {
        try
        {
            while (true)
            {
                var text = await JanusSocket.ReceiveAsync(toJanus, JanusRelayRules.MaxMessageBytes * 4, CancellationToken.None);
                if (text is null)
                {
                    break;
                }
                if (JsonNode.Parse(text) is JsonObject answer)
                {
                    if (recording.IsOwn(answer))
                    {
                        continue;
                    }
                    rules.Observe(answer);
                }
                await toBrowser.SendAsync(text);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or JsonException or InvalidDataException)
        {
            // Janus went away or the relay is ending.
        }
        // Janus gone (restarted): the page's library sees the socket close and the page reconnects with a fresh token.
        await toBrowser.CloseAsync("Video.NotAvailable");
    }

    private static async Task EndAsync(BrowserSide toBrowser, WebSocket toJanus, string reason)
    {
        await toBrowser.CloseAsync(reason);
        toJanus.Abort();
    }

    /// The socket to Janus as the browser's pump and the relay's own recording requests write to it: one send at a time.
    private sealed class JanusSide(WebSocket socket)
    {
        private readonly SemaphoreSlim _sending = new(1, 1);

        public async Task SendAsync(JsonObject message, CancellationToken cancellationToken)
        {
            await _sending.WaitAsync(cancellationToken);
            try
            {
                // Janus went away or the relay is ending when it is not open; the close handshake is under way.
                if (socket.State == WebSocketState.Open)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
                }
            }
            finally
            {
                _sending.Release();
            }
        }
    }

    /// The browser's socket as both pumps and the leave signal write to it: one send at a time, one close reason.
    private sealed class BrowserSide(WebSocket socket)
    {
        private readonly SemaphoreSlim _sending = new(1, 1);

        public string? Reason { get; private set; }

        public async Task SendAsync(string text)
        {
            await _sending.WaitAsync();
            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
                }
            }
            finally
            {
                _sending.Release();
            }
        }

        /// Starts the close handshake with <paramref name="reason"/> unless it is already closing.
        public async Task CloseAsync(string reason)
        {
            await _sending.WaitAsync();
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    Reason = reason;
                    var status = reason is "" or LeftReason ? WebSocketCloseStatus.NormalClosure
                        : reason == "Video.NotAvailable" ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.PolicyViolation;
                    using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await socket.CloseOutputAsync(status, reason, patience.Token);
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                // The peer is gone already.
            }
            finally
            {
                _sending.Release();
            }
        }
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseAsync(status, reason, patience.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // The peer is gone already.
        }
    }
}
