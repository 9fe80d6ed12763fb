using Loki.Learning.Web.Features.Rooms;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Loki.Learning.Web.Features.Workshops;

public static class WorkshopsHosting
{
    /// Audience streams live on the node whose media engine mixes the room (the one serving the listener's socket).
    public static void AddLokiEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AudienceStreams>();
        // Registration mails link to the address the visitor's page was opened at (see PublicAddress.LinkBaseFor).
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CircuitLinkBase>();
        builder.Services.AddScoped<CircuitHandler, CircuitLinkBase.Capture>();
        // A room that closes ends its audience stream (the room publishes, the stream subscribes).
        builder.Services.AddSingleton<IRoomEventSubscriber>(sp => sp.GetRequiredService<AudienceStreams>());
        // A workshop room's Q&A and poll beside the mixer, and "bring on stage" beside each listener.
        builder.Services.AddSingleton(new RoomPanel(typeof(LiveStagePanel), Order: 30, RoomPanelPlace.Side));
        builder.Services.AddSingleton(new RosterAction(typeof(StageButton), Order: 10));
    }

    public static void MapLokiEvents(this IEndpointRouteBuilder app)
    {
        app.MapEventsApi();
        app.MapAudienceStream();
    }
}
