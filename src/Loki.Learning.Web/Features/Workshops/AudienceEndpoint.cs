using System.Net.WebSockets;
using Mediator;

namespace Loki.Learning.Web.Features.Workshops;

/// The audience stream: <c>GET /events/{eventId}/listen?token=…</c> upgraded to a WebSocket that only receives
/// <see cref="Media.Audience.AudienceFrame"/> messages (docs/protocol.md §10). As with the room's audio socket, the socket is
/// accepted first and a refusal is its close reason (the refusal key), which the page localizes.
public static class AudienceEndpoint
{
    public static string Path(Guid eventId, string token) => $"/events/{eventId:D}/listen?token={Uri.EscapeDataString(token)}";

    public static void MapAudienceStream(this IEndpointRouteBuilder app) =>
        app.Map("/events/{eventId:guid}/listen", HandleAsync).ExcludeFromDescription();

    private static async Task HandleAsync(HttpContext context, Guid eventId, IMediator mediator, AudienceStreams streams, Rooms.RoomMedia media, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        AudienceAdmission admission;
        try
        {
            admission = await mediator.Send(new AdmitAudience(eventId, context.Request.Query["token"]), context.RequestAborted);
            if (media.IsElsewhere(admission.Where.Node))
            {
                // The room's audio is mixed on another node: the page asks again and goes there.
                throw Refusal.Conflict(Rooms.RoomAudioEndpoint.MovedReason);
            }
        }
        catch (Refusal refusal)
        {
            loggers.CreateLogger(typeof(AudienceEndpoint)).LogInformation("Audience stream of event {EventId} refused: {Reason}", eventId, refusal.ReasonKey);
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, refusal.ReasonKey, context.RequestAborted);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
            }
            return;
        }
        await streams.ListenAsync(admission.RoomId, socket, context.RequestAborted);
    }
}
