namespace Loki.Learning.Web.Features.Rooms;

/// One media engine per node, started and stopped with the host.
public static class RoomsHosting
{
    public static void AddLokiRooms(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RoomMedia>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RoomMedia>());
        builder.Services.AddLokiRoomAudioTokens();
        builder.Services.AddSingleton(new Calendar.SchedulePanel(typeof(LiveNow), Order: 10));
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
