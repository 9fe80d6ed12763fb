using System.Diagnostics;
using System.Net.WebSockets;
using Loki.Learning.Media.Browser;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Metronome;

/// <c>GET /rooms/{roomId}/clock</c>: a WebSocket on which a member's page measures the server clock. It carries only
/// the ping and pong frames of docs/protocol.md §7.1; the pong holds the server's receive time, from which the page
/// estimates its clock offset (wwwroot/js/clock-sync.js) and schedules clicks in its own audio clock.
/// Kept apart from the audio socket so that following the beat needs no microphone.
public static class ClockSocket
{
    /// Pings answered per second; more are ignored (a page sends at most 20).
    private const double PingsPerSecond = 50;

    public static string Path(Guid roomId) => $"/rooms/{roomId:D}/clock";

    public static void MapClockSocket(this IEndpointRouteBuilder app) =>
        app.Map("/rooms/{roomId:guid}/clock", HandleAsync).ExcludeFromDescription();

    private static async Task HandleAsync(HttpContext context, Guid roomId, IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var aborted = context.RequestAborted;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var actor = context.User.Identity?.IsAuthenticated == true ? Actor.From(context.User) : null;
        try
        {
            if (actor is null)
            {
                throw Refusal.Forbidden("Refusal.AudioNotSignedIn");
            }
            await dbFactory.MemberOfRoomAsync(context.RequestServices.GetRequiredService<MeetingOwners>(), roomId, actor, aborted);
        }
        catch (Refusal refusal)
        {
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, refusal.ReasonKey);
            return;
        }

        var buffer = new byte[64];
        var pong = new byte[BrowserFrame.PongLength];
        var tokens = PingsPerSecond;
        var last = Stopwatch.GetTimestamp();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), aborted);
                // The receive time is taken first: everything after it is inside the measured round trip, not in the offset.
                var received = (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "");
                    return;
                }
                if (!result.EndOfMessage || result.MessageType != WebSocketMessageType.Binary
                    || BrowserFrame.TryRead(buffer.AsSpan(0, result.Count), out var frame) != BrowserFrameError.None
                    || frame.Kind != BrowserFrameKind.Ping)
                {
                    await CloseAsync(socket, WebSocketCloseStatus.InvalidPayloadData, "Refusal.ClockFrameInvalid");
                    return;
                }
                var now = Stopwatch.GetTimestamp();
                tokens = Math.Min(PingsPerSecond, tokens + Stopwatch.GetElapsedTime(last, now).TotalSeconds * PingsPerSecond);
                last = now;
                if (tokens < 1)
                {
                    continue;
                }
                tokens -= 1;
                var length = BrowserFrame.WritePong(pong, frame.Sequence, frame.TimestampMicroseconds, received);
                await socket.SendAsync(pong.AsMemory(0, length), WebSocketMessageType.Binary, true, aborted);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // The page went away.
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseAsync(status, reason, timeout.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
        }
    }
}
