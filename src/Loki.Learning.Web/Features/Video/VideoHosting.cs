using Loki.Learning.Web.Features.Rooms;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.Video;

/// Cameras and screens through Janus: the supervised Janus (or an external one), the node's Janus rooms, video tokens,
/// the relay, and the video stage on the room page.
public static class VideoHosting
{
    public static void AddLokiVideo(this WebApplicationBuilder builder)
    {
        // The generated configuration lives beside the database, one folder per node's data (tests run several nodes).
        var database = builder.Configuration["Database:Path"] ?? "App_Data/loki.db";
        var sqliteFile = Path.GetFullPath(Path.IsPathRooted(database) ? database : Path.Combine(builder.Environment.ContentRootPath, database));
        var folder = Path.Combine(Path.GetDirectoryName(sqliteFile)!, Path.GetFileNameWithoutExtension(sqliteFile) + "-janus");
        builder.Services.AddLokiVideoServices(folder);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JanusSupervisor>());
        builder.Services.AddSingleton(new RoomPanel(typeof(VideoStage), Order: 30, RoomPanelPlace.Stage));
        builder.Services.AddSingleton(new RosterBadge(typeof(SendingVideo), Order: 10));
        // Slides go above the cameras: with slides up and no screen shared, they are the stage's large picture.
        builder.Services.AddSingleton(new RoomPanel(typeof(RoomSlides), Order: 25, RoomPanelPlace.Stage));
        builder.Services.AddSingleton(new RosterAction(typeof(ScreenShareGrant), Order: 20));
    }

    /// What the video messages need (the supervisor is started only where <see cref="AddLokiVideo"/> hosts it).
    public static IServiceCollection AddLokiVideoServices(this IServiceCollection services, string janusFolder)
    {
        services.AddOptions<VideoOptions>().BindConfiguration(VideoOptions.Section)
            // Data annotations and VideoOptions.Validate: a wrong value stops the node at start with one clear line.
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new JanusSupervisor(sp.GetRequiredService<IOptions<VideoOptions>>(), janusFolder, sp.GetRequiredService<ILogger<JanusSupervisor>>()));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<VideoOptions>>().Value);
        services.AddSingleton<JanusApi>();
        services.AddSingleton<VideoRooms>();
        services.AddSingleton<VideoTokens>();
        services.AddSingleton<RelayConnections>();
        services.TryAddSingleton<VideoRecordings>();
        return services;
    }
}
