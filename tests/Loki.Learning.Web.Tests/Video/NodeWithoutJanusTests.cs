using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.Video;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Video;

/// A node where Janus is not installed runs on: rooms work, and asking for video says it is not available here.
public sealed class NodeWithoutJanusTests(NodeWithoutJanusTests.AppWithoutJanus app) : IClassFixture<NodeWithoutJanusTests.AppWithoutJanus>
{
    public sealed class AppWithoutJanus() : IAsyncLifetime
    {
        public RunningApp App { get; } = new() { Settings = new Dictionary<string, string?> { ["Video:JanusPath"] = "/nonexistent/janus" } };

        public Task InitializeAsync() => App.InitializeAsync();

        public Task DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task TheRoomRunsAndVideoIsRefusedAsNotAvailableOnThisServer()
    {
        var teacher = await app.App.SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026", "en");
        var rooms = (await teacher.GetFromJsonAsync<JsonArray>("api/rooms"))!;
        var roomId = Guid.Parse(rooms[0]!["roomId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await teacher.PostAsync($"api/rooms/{roomId}/join", null)).StatusCode);

        var video = await teacher.PostAsync($"api/rooms/{roomId}/video/token", null);
        var problem = await video.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Conflict, video.StatusCode);
        Assert.Contains("not installed", problem!["detail"]?.GetValue<string>() ?? problem.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(app.App.Services.GetRequiredService<JanusSupervisor>().Endpoint);
        Assert.Equal("Video.NotInstalled", app.App.Services.GetRequiredService<JanusSupervisor>().Unavailable);
    }

    [Fact]
    public void AWrongVideoSettingIsRefusedWithOneClearLine()
    {
        var options = new VideoOptions { Url = "http://janus.example:8088", IceEnforceList = "lo\"; api_secret = \"x" };
        var failures = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(r => r.ErrorMessage).ToList();

        Assert.Contains("Video:Url must be the ws:// or wss:// address of a Janus WebSocket API.", failures);
        Assert.Contains("Video:AdminKey is needed with Video:Url: the node creates each room's video room.", failures);
        Assert.Contains("Video:IceEnforceList may not contain quotes, backslashes or line breaks.", failures);
    }

    [Fact]
    public void LoopbackOnlyWithoutItsShimIsRefusedRatherThanFallingBackToTheMachinesOtherAddresses()
    {
        var options = new VideoOptions { LoopbackOnly = true, LoopbackOnlyShim = "/nonexistent/libloopback-only.so" };
        var failures = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(r => r.ErrorMessage).ToList();

        Assert.Contains("Video:LoopbackOnly needs Video:LoopbackOnlyShim, the compiled loopback-only.c: without it Janus gathers on the machine's other addresses.", failures);
    }
}
