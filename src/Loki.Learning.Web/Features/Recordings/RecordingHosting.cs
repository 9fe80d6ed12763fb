using Loki.Learning.Web.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Loki.Learning.Web.Features.Recordings;

/// Configuration: <c>Recording:Path</c> (default a "recordings" folder beside the SQLite file, like <c>Scores:Path</c>) and
/// <c>Recording:DefaultRetentionDays</c> (<see cref="RecordingOptions"/>).
public static class RecordingHosting
{
    public static void AddLokiRecording(this WebApplicationBuilder builder)
    {
        var database = builder.Configuration["Database:Path"] ?? "App_Data/loki.db";
        var sqliteFile = Path.IsPathRooted(database) ? database : Path.Combine(builder.Environment.ContentRootPath, database);
        var configured = builder.Configuration["Recording:Path"];
        var folder = configured is { Length: > 0 }
            ? Path.IsPathRooted(configured) ? configured : Path.Combine(builder.Environment.ContentRootPath, configured)
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sqliteFile))!, "recordings");
        builder.Services.AddLokiRecordingNode(folder);
        // Repair first (a take cut off by a crash), then the retention sweep.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RecordingRecovery>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RecordingRetention>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RecordingVideoConversion>());
    }

    /// What a node that hosts room grains needs to record them (the host, and the test cluster's silos).
    public static IServiceCollection AddLokiRecordingNode(this IServiceCollection services, string folder)
    {
        var storage = new RecordingStorage(folder);
        services.AddSingleton(storage);
        // A child engine records only into folders directly in this one (decision 0010, step 4).
        services.AddSingleton(new Rooms.EngineProcess.EngineRecordingsFolder(storage.Folder));
        services.AddSingleton<RoomRecorders>();
        services.AddSingleton<RecordingRecovery>();
        services.AddSingleton<RecordingVideoConversion>();
        services.TryAddSingleton<Video.VideoRecordings>();
        services.AddSingleton<Rooms.IRoomEventSubscriber, RoomTakes>();
        services.AddSingleton(new Rooms.RoomPanel(typeof(RecordingPanel), Order: 10));
        services.AddSingleton(new Meetings.OwnerSection(typeof(RecordingsSection), Order: 20));
        services.AddSingleton(new Rooms.RoomPanel(typeof(RecordingControls), Order: 30, Rooms.RoomPanelPlace.Controls));
        services.AddSingleton<RecordingRetention>();
        services.AddCheckedSettings<RecordingOptions>(RecordingOptions.Section);
        services.AddSingleton(new Notices.InfoSection(typeof(RecordingPrivacy), Order: 10));
        return services;
    }
}
