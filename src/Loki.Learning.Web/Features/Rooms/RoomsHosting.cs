namespace Loki.Learning.Web.Features.Rooms;

/// One media engine per node, started and stopped with the host.
public static class RoomsHosting
{
    public static void AddLokiRooms(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RoomMedia>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RoomMedia>());
    }
}
