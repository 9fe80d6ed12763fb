using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Features.Scores;

/// The score on the room's stage; the room page renders it without knowing it.
public static class ScoresHosting
{
    public static IServiceCollection AddLokiRoomScore(this IServiceCollection services)
    {
        services.AddSingleton(new RoomPanel(typeof(RoomScorePanel), Order: 20, RoomPanelPlace.Stage));
        return services;
    }
}
