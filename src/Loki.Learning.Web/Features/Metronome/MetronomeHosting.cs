using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Features.Metronome;

/// The metronome's parts of the room page: start, stop and the bar counter in the control bar, its settings in the
/// side panel. The room page renders them without knowing them.
public static class MetronomeHosting
{
    public static IServiceCollection AddLokiMetronome(this IServiceCollection services)
    {
        services.AddSingleton(new RoomPanel(typeof(MetronomeControls), Order: 20, RoomPanelPlace.Controls));
        services.AddSingleton(new RoomPanel(typeof(MetronomePanel), Order: 20, RoomPanelPlace.Side));
        return services;
    }
}
