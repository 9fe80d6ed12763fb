using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Configuration;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Rooms;
using Orleans.Serialization;
using Orleans.Storage;

namespace Loki.Learning.Web.Hosting;

public static class OrleansHosting
{
    /// A silo in the same process. Configuration: <c>Cluster:SiloPort</c> (default 11111),
    /// <c>Cluster:GatewayPort</c> (default 30000), so several hosts can run side by side, and <c>Cluster:ClusterId</c>.
    public static void AddLokiOrleans(this WebApplicationBuilder builder)
    {
        var siloPort = builder.Configuration.GetValue("Cluster:SiloPort", EndpointOptions.DEFAULT_SILO_PORT);
        var gatewayPort = builder.Configuration.GetValue("Cluster:GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT);
        var clusterId = builder.Configuration["Cluster:ClusterId"] ?? "loki-dev";

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "loki-learning", clusterId: clusterId);
            silo.AddMemoryGrainStorageAsDefault();
            silo.AddRoomStorageInMemory();
        });
    }

    /// Room state kept by this silo alone (one node; tests). Written with Orleans' own serializer, which knows
    /// the state's types by their [GenerateSerializer] contracts and tolerates added fields across versions.
    public static ISiloBuilder AddRoomStorageInMemory(this ISiloBuilder silo)
    {
        silo.AddMemoryGrainStorage(RoomGrain.StorageName);
        silo.Services.AddOptions<MemoryGrainStorageOptions>(RoomGrain.StorageName)
            .Configure<Serializer>((options, serializer) => options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        return silo;
    }

    public static IHealthChecksBuilder AddLokiHealthChecks(this IHealthChecksBuilder checks) =>
        checks.AddDbContextCheck<LokiDbContext>("database").AddCheck<SiloHealthCheck>("silo");

    /// Healthy when the silo answers a management call (it is up and has joined its cluster).
    private sealed class SiloHealthCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return hosts.Count > 0 ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)") : HealthCheckResult.Unhealthy("no active silo");
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("silo not reachable", exception);
            }
        }
    }
}
