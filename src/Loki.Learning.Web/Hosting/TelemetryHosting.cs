using OpenTelemetry.Metrics;

namespace Loki.Learning.Web.Hosting;

public static class TelemetryHosting
{
    /// Meters from ASP.NET Core, Orleans and our own features. No exporter by default: the platform
    /// must run without outside services; an operator adds one (e.g. OTLP) through configuration.
    public static void AddLokiTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddMeter("Microsoft.Orleans")
            .AddMeter("Loki.Learning.*"));
    }
}
