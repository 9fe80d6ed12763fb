using Microsoft.AspNetCore.Diagnostics;
using Loki.Learning.Web.Components;
using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Institutions;
using Loki.Learning.Web.Features.Localization;
using Loki.Learning.Web.Features.Materials;
using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Features.Video;
using Loki.Learning.Web.Features.Workshops;

namespace Loki.Learning.Web.Hosting;

/// The single composition root. Tests build the same host with their own configuration.
public static class LokiHost
{
    /// Settings may also be given under a <c>Loki</c> section — the documented form for environment variables,
    /// <c>Loki__Database__Provider</c>, <c>Loki__Cluster__SiloPort</c>, … (docs/operations.md). Such a setting
    /// wins over the same key given without the prefix. Connection strings keep their usual place
    /// (<c>ConnectionStrings__Loki</c>).
    public static void UseLokiSection(this WebApplicationBuilder builder)
    {
        var prefixed = builder.Configuration.GetSection("Loki").AsEnumerable(makePathsRelative: true)
            .Where(setting => setting.Value is not null)
            .ToList();
        if (prefixed.Count > 0)
        {
            builder.Configuration.AddInMemoryCollection(prefixed);
        }
    }

    /// Largest message a Blazor circuit accepts from a browser, in bytes (SignalR's own default, stated so it stays).
    public const int CircuitMaximumReceiveMessageSize = 32 * 1024;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Named after this assembly, not the entry point, so a test runner finds the static asset manifest too.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(LokiHost).Assembly.GetName().Name });
        configure?.Invoke(builder);
        builder.UseLokiSection();

        builder.AddLokiHttps();
        builder.AddLokiData();
        builder.AddLokiIdentity();
        builder.AddLokiAbuseLimits();
        // The media engine before the silo: hosted services stop in reverse, so on shutdown the room grains leave
        // (their browsers reconnect to where the rooms go next) while this node's audio still runs.
        builder.AddLokiRooms();
        builder.AddLokiOrleans();
        builder.AddLokiLocalization();
        builder.AddLokiMessaging();
        builder.AddLokiTelemetry();
        builder.AddLokiRecording();
        builder.AddLokiEvents();
        builder.Services.AddLokiMetronome();
        builder.Services.AddLokiRoomScore();
        builder.AddLokiVideo();
        // A circuit's messages are small (events, JS interop results; file uploads come in chunks sized to this):
        // anything larger closes that circuit before it is buffered, and the node goes on (docs/security-media.md).
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(hub => hub.MaximumReceiveMessageSize = CircuitMaximumReceiveMessageSize);
        builder.Services.AddOpenApi();
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddLokiHealthChecks();

        var app = builder.Build();
        app.UseLokiHttps();
        // Culture first, so problem details written by the exception handler speak the caller's language.
        app.UseLokiLocalization();
        app.UseExceptionHandler();
        // A response without a body gets ProblemDetails; outside the API, an address that leads nowhere gets the
        // not-found page in the reader's language instead. The page's re-execution is the inner of the two, so it
        // answers first, and routing comes after it, so that the re-executed request finds the page.
        app.UseStatusCodePages();
        app.UseWhen(context => !IsApi(context), pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseRouting();
        app.Use((context, next) =>
        {
            // An address that leads somewhere answers for itself (a 401 stays a 401): the re-execution is for nowhere.
            if (context.GetEndpoint() is not null && !IsApi(context) && context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }
            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseLokiAbuseLimits();
        app.UseAntiforgery();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });

        app.MapStaticAssets();
        app.MapOpenApi().RequireAdminOutsideDevelopment(app.Environment);
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = OrleansHosting.WriteHealthAsync });
        app.MapLokiCluster();
        app.MapLokiAuth();
        app.MapPeopleApi();
        app.MapCultureSwitch();
        app.MapCalendarFeeds();
        app.MapCoursesApi();
        app.MapEnsemblesApi();
        app.MapInstitutionsApi();
        app.MapLokiEvents();
        app.MapRoomsApi();
        app.MapScoresApi();
        app.MapMaterialsApi();
        app.MapRecordingsApi();
        app.MapRoomAudio();
        app.MapVideoRelay();
        app.MapVideoApi();
        app.MapMetronomeApi();
        app.Map("/api/{**rest}", () => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound)).ExcludeFromDescription();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");
}
