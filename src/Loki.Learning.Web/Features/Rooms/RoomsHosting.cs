using Loki.Learning.Web.Hosting;

namespace Loki.Learning.Web.Features.Rooms;

/// One media engine per node, started and stopped with the host, and the node's sink of room events.
public static class RoomsHosting
{
    public static void AddLokiRooms(this WebApplicationBuilder builder)
    {
        builder.Services.AddLokiRoomNode();
        builder.Services.AddLokiRoomAudioTokens();
        builder.Services.AddSingleton(new Calendar.SchedulePanel(typeof(LiveNow), Order: 10));
        builder.Services.AddSingleton(new RoomPanel(typeof(LinkPolicyPanel), Order: 40, RoomPanelPlace.Side));
    }

    /// What a node that hosts room grains needs (the host, and the test cluster's silos). Registered before the silo:
    /// hosted services stop in reverse, so the room grains leave first, then the events they published are delivered,
    /// then the engine stops.
    public static IServiceCollection AddLokiRoomNode(this IServiceCollection services)
    {
        services.AddCheckedSettings<MediaOptions>(MediaOptions.Section);
        services.AddSingleton<RoomMedia>();
        services.AddHostedService(sp => sp.GetRequiredService<RoomMedia>());
        services.AddSingleton<RoomEventSink>();
        services.AddHostedService(sp => sp.GetRequiredService<RoomEventSink>());
        return services;
    }

    /// Browser audio tokens are signed with the node's Data Protection keys (shared by every node of a cluster,
    /// like the sign-in cookies).
    public static IServiceCollection AddLokiRoomAudioTokens(this IServiceCollection services)
    {
        services.AddDataProtection();
        services.AddSingleton<RoomAudioTokens>();
        return services;
    }
}
