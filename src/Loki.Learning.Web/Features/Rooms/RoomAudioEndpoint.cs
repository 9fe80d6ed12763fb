using System.Diagnostics;
using System.Net.WebSockets;
using Loki.Learning.Media.Browser;
using Loki.Learning.Media.Engine;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms.EngineProcess;
using Mediator;

namespace Loki.Learning.Web.Features.Rooms;

/// Browser audio: <c>GET /rooms/{roomId}/audio?token=…</c> upgraded to a WebSocket that carries binary
/// <see cref="BrowserFrame"/> messages (docs/protocol.md). The socket is accepted first and refused with a close
/// reason (the browser cannot read an HTTP status of a failed upgrade): the reason is the refusal key.
public static class RoomAudioEndpoint
{
    /// The largest message accepted: 1024 stereo frames. Longer ones are skipped and counted.
    public const int MaxMessageBytes = BrowserFrame.MaxLength;

    /// A single message this large closes the connection (1009) instead of being skipped.
    public const int HardMessageLimit = 64 * 1024;

    public static string Path(Guid roomId) => $"/rooms/{roomId:D}/audio";

    /// Close reason telling the page to join again and reconnect: the room's audio is now on another node.
    public const string MovedReason = "Room.Audio.Moved";

    public static void MapRoomAudio(this IEndpointRouteBuilder app) =>
        app.Map("/rooms/{roomId:guid}/audio", HandleAsync).ExcludeFromDescription();

    private static async Task HandleAsync(
        HttpContext context, Guid roomId, IMediator mediator, RoomMedia media, IGrainFactory grains, TimeProvider clock, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(RoomAudioEndpoint));
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var aborted = context.RequestAborted;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var actor = context.User.Identity?.IsAuthenticated == true ? Actor.From(context.User) : null;

        RoomAudioAdmission admission;
        try
        {
            admission = await mediator.Send(new AdmitRoomAudio(actor, roomId, context.Request.Query["token"]), aborted);
        }
        catch (Refusal refusal)
        {
            logger.LogWarning("Browser audio refused for room {RoomId} from {Remote} (person {PersonId}): {Reason}",
                roomId, context.Connection.RemoteIpAddress, actor?.PersonId ?? "anonymous", refusal.ReasonKey);
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.PolicyViolation, refusal.ReasonKey);
            return;
        }

        if (media.Stopping
            || media.IsElsewhere(admission.Node))
        {
            // The room's audio lives on another node (it moved since the join) or is leaving this one (shutdown):
            // the page asks again and goes where the room is.
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, MovedReason);
            return;
        }

        IParticipantTransport participant;
        int participantId;
        try
        {
            (participant, participantId) = await AttachAsync(media, admission, aborted);
        }
        catch (InvalidOperationException exception)
        {
            logger.LogWarning(exception, "Browser audio for room {RoomId} could not attach", roomId);
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.InternalServerError, "Refusal.NoMediaEngine");
            return;
        }
        catch (OperationCanceledException)
        {
            return; // the page went away while a restarting engine process was awaited
        }

        var room = grains.GetGrain<IRoomGrain>(roomId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var connection = new BrowserAudioConnection(socket, participant, clock);
        try
        {
            await room.MediaJoinedAsync(admission.ClientName, participantId, participant.Channels);
            logger.LogInformation("Browser audio connected: person {PersonId} in room {RoomId} as media participant {ParticipantId}{Where}",
                admission.Ticket.PersonId, roomId, participantId, participant is ChildBrowserParticipant ? " of the media engine process" : "");
            var sending = Task.Run(async () =>
            {
                await connection.SendLoopAsync(stop.Token, aborted);
                if (participant.HasLeft && !stop.IsCancellationRequested)
                {
                    // The engine let the participant go: the host removed them or the room closed. Start the close
                    // handshake; the receive loop ends when the client answers.
                    // An engine process that was killed let nobody go, nor did one that dropped this end after a stall
                    // here: the page joins again (a fresh admission) and reaches the engine that runs now.
                    var shared = participant as ChildBrowserParticipant;
                    var rejoin = shared is { ShouldRejoin: true };
                    var reason = media.Stopping || media.IsMovingAway(admission.MediaRoom) || rejoin ? MovedReason
                        : await WhyLeftAsync(room, admission.Ticket.PersonId);
                    if (rejoin)
                    {
                        logger.LogWarning("Browser audio of person {PersonId} in room {RoomId}: {What}; the page is told to join again", admission.Ticket.PersonId, roomId,
                            shared!.EngineGone ? "the media engine process is gone" : "the media engine process let it go after this process stalled for 2 s");
                    }
                    await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason);
                }
            }, CancellationToken.None);
            var (status, reason) = await connection.ReceiveLoopAsync(aborted);
            await stop.CancelAsync();
            await sending;
            await CloseQuietlyAsync(socket, status, reason);
        }
        finally
        {
            participant.Dispose();
            if (!media.Stopping)
            {
                await room.MediaLeftAsync(participantId);
            }
            var c = connection.Counters;
            logger.LogInformation(
                "Browser audio closed: person {PersonId} in room {RoomId}; received {Received}, sent {Sent}, malformed {Malformed}, oversized {Oversized}, rate-limited {Limited}, stale {Stale}",
                admission.Ticket.PersonId, roomId, c.Received, c.Sent, c.Malformed, c.Oversized, c.RateLimited, c.Stale);
        }
    }

    /// The participant in the engine that mixes this node's rooms: in this process, or (<c>Media:Process = Child</c>) in the
    /// child engine, its audio crossing through a ring file (<see cref="ChildBrowserParticipant"/>).
    /// <exception cref="InvalidOperationException">No engine here, it is not running, or the child refused.</exception>
    private static async Task<(IParticipantTransport Participant, int ParticipantId)> AttachAsync(RoomMedia media, RoomAudioAdmission admission, CancellationToken cancellationToken)
    {
        if (media.Child is { } child)
        {
            var shared = await ChildBrowserParticipant.AttachAsync(child, admission.MediaRoom, admission.ClientName, channels: 1, cancellationToken);
            return (shared, shared.ParticipantId);
        }
        var engine = media.Engine ?? throw new InvalidOperationException("This node has no media engine.");
        var external = engine.AttachExternal(admission.MediaRoom, admission.ClientName, channels: 1);
        return (external, external.ParticipantId);
    }

    /// The engine let a browser go while the room stays here: closed, or the person removed, or their audio now
    /// arrives through a newer connection (another tab, or JackTrip) — a page told so does not reconnect on its own.
    private static async Task<string> WhyLeftAsync(IRoomGrain room, string personId)
    {
        var view = await room.GetViewAsync();
        return !view.Open ? "Refusal.RoomClosed"
            : view.Roster.Any(p => p.PersonId == personId) ? "Room.Audio.Replaced"
            : "Room.Audio.Removed";
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync(status, reason, timeout.Token);
            // Wait (briefly) for the client's close, discarding whatever it still sends: closing with unread data
            // resets the connection, and the client would never read the reason.
            var discard = new byte[4096];
            while (socket.State == WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(discard.AsMemory(), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // The client is gone already.
        }
    }
}

/// One browser's socket: a receive loop (frames → the engine) and a send loop (personal mix → frames).
/// Threading: the two loops run concurrently; sends are serialised by a semaphore (pong and audio share the socket).
/// The participant is the engine's own end in this process, or the web side of a ring file the child engine mixes
/// (<see cref="ChildBrowserParticipant"/>): the loops are the same.
internal sealed class BrowserAudioConnection(WebSocket socket, IParticipantTransport participant, TimeProvider clock)
{
    /// Audio messages arrive at 375/s (128 frames at 48 kHz) plus a ping a second; twice that is allowed, with a burst
    /// for a tab that was throttled and catches up. Messages beyond are dropped and counted.
    private const double MessagesPerSecond = 800;
    private const double Burst = 400;

    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ConnectionCounters _counters = new();

    public ConnectionCounters Counters => _counters;

    public sealed class ConnectionCounters
    {
        public long Received;
        public long Sent;
        public long Malformed;
        public long Oversized;
        public long RateLimited;
        public long Stale;
    }

    /// Returns how to close when the client is done or misbehaves beyond skipping.
    public async Task<(WebSocketCloseStatus Status, string Reason)> ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[RoomAudioEndpoint.MaxMessageBytes];
        var samples = new float[1024 * 2];
        var pong = new byte[BrowserFrame.PongLength];
        var tokens = Burst;
        var last = Stopwatch.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var count = 0;
                var total = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        // Too long for a frame: keep reading to find its end, but keep nothing.
                        count = 0;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
                    count += result.Count;
                    total += result.Count;
                    if (total > RoomAudioEndpoint.HardMessageLimit)
                    {
                        Interlocked.Increment(ref _counters.Oversized);
                        return (WebSocketCloseStatus.MessageTooBig, "Refusal.AudioMessageTooBig");
                    }
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (WebSocketCloseStatus.NormalClosure, "");
                }
                Interlocked.Increment(ref _counters.Received);

                var now = Stopwatch.GetTimestamp();
                tokens = Math.Min(Burst, tokens + Stopwatch.GetElapsedTime(last, now).TotalSeconds * MessagesPerSecond);
                last = now;
                if (tokens < 1)
                {
                    Interlocked.Increment(ref _counters.RateLimited);
                    continue;
                }
                tokens -= 1;

                if (total > buffer.Length)
                {
                    Interlocked.Increment(ref _counters.Oversized);
                    continue;
                }
                if (result.MessageType != WebSocketMessageType.Binary
                    || BrowserFrame.TryRead(buffer.AsSpan(0, count), out var frame) != BrowserFrameError.None)
                {
                    Interlocked.Increment(ref _counters.Malformed);
                    continue;
                }
                switch (frame.Kind)
                {
                    case BrowserFrameKind.Audio when frame.Channels == participant.Channels:
                        var interleaved = samples.AsSpan(0, frame.Frames * frame.Channels);
                        BrowserFrame.ReadAudio(buffer.AsSpan(0, count), frame, interleaved);
                        if (!participant.WriteInput(frame.Sequence, frame.TimestampMicroseconds, interleaved))
                        {
                            Interlocked.Increment(ref _counters.Stale);
                        }
                        break;
                    case BrowserFrameKind.Ping:
                        var length = BrowserFrame.WritePong(pong, frame.Sequence, frame.TimestampMicroseconds, NowMicros());
                        await SendAsync(pong.AsMemory(0, length), cancellationToken);
                        break;
                    default:
                        // Well formed but not for us (pong from a client, or a stereo frame on a mono connection).
                        Interlocked.Increment(ref _counters.Malformed);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
            // The client went away without a close handshake.
        }
        return (WebSocketCloseStatus.NormalClosure, "");
    }

    /// Sends each mixed period as soon as it is ready. The participant keeps only a few periods (older ones are
    /// dropped by the engine), so a slow socket never builds a backlog of stale audio here.
    /// <param name="stopping">Ends the wait for output (the receive side is done).</param>
    /// <param name="cancellationToken">The connection is gone: aborts a send in progress.</param>
    public async Task SendLoopAsync(CancellationToken stopping, CancellationToken cancellationToken)
    {
        var output = new float[participant.PeriodFrames * participant.Channels];
        var message = new byte[BrowserFrame.AudioLength(participant.PeriodFrames, participant.Channels)];
        try
        {
            while (!stopping.IsCancellationRequested && !participant.HasLeft)
            {
                await participant.WaitForOutputAsync(stopping);
                while (participant.TryReadOutput(output, out var sequence))
                {
                    var length = BrowserFrame.WriteAudio(message, sequence, NowMicros(), participant.Channels, output);
                    await SendAsync(message.AsMemory(0, length), cancellationToken);
                    Interlocked.Increment(ref _counters.Sent);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
    }

    /// Starts the close handshake from the server side; nothing is sent after it.
    public async Task CloseOutputAsync(WebSocketCloseStatus status, string reason)
    {
        await _sending.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            if (socket.State != WebSocketState.Open)
            {
                return;
            }
            await socket.SendAsync(message, WebSocketMessageType.Binary, true, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    private long NowMicros() => (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
}
