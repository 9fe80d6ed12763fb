using System.Net;
using System.Net.Http.Json;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Hosting;

public sealed class ProductionApp : IAsyncLifetime
{
    // Demo data only when asked for outside Development.
    public RunningApp App { get; } = new() { Environment = "Production", Settings = new Dictionary<string, string?> { ["SeedData:Enabled"] = "true" } };

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

public sealed class ProductionTests(ProductionApp production) : IClassFixture<ProductionApp>
{
    [Fact]
    public async Task DemoPasswordsDoNotWorkOutsideDevelopment()
    {
        var response = await production.App.Client().PostAsJsonAsync("api/auth/login", new { email = "lecturer@demo.loki.local", password = "Demo-lecturer-2026" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TheApiDescriptionAndTheClusterMapAreNotPublic()
    {
        var client = production.App.Client();
        using var healthAsJson = new HttpRequestMessage(HttpMethod.Get, "health");
        healthAsJson.Headers.Accept.ParseAdd("application/json");

        var openApi = await client.GetAsync("openapi/v1.json");
        var cluster = await client.GetAsync("health/cluster");
        var health = await (await client.SendAsync(healthAsJson)).Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();

        Assert.Equal(HttpStatusCode.Redirect, openApi.StatusCode);
        Assert.StartsWith("/account/login", openApi.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, cluster.StatusCode);
        // Probes still read the status; the silo addresses are left out.
        Assert.Equal("Healthy", health!["status"]!.GetValue<string>());
        Assert.Null(health["cluster"]);
    }

    [Fact]
    public async Task LoadingTheDemoDataAgainAddsNothing()
    {
        var dbFactory = production.App.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>();
        async Task<int[]> CountAsync()
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            return [await db.Institutions.CountAsync(), await db.Users.CountAsync(), await db.Courses.CountAsync(), await db.Meetings.CountAsync(m => m.OwnerKind == OwnerKind.Course),
                await db.Ensembles.CountAsync(), await db.Meetings.CountAsync(m => m.OwnerKind == OwnerKind.Ensemble), await db.Workshops.CountAsync(), await db.CourseEnrolments.CountAsync()];
        }
        var before = await CountAsync();

        await production.App.Services.GetRequiredService<SeedLoader>().LoadAsync();

        Assert.Equal(before, await CountAsync());
        Assert.True(before.All(n => n > 0));
    }
}
