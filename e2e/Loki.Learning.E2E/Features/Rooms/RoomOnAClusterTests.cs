using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loki.Learning.E2E.Hosting;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Rooms;

/// Three node processes on one PostgreSQL (<see cref="LokiCluster"/>). The teacher opens the rehearsal room on node C,
/// so the room and its audio live there; the teacher's page is served by node A and the pupil's by node B, and their
/// browsers send audio to node C. Node C is killed: the room comes back on a surviving node with its tempo and score,
/// and both browsers reconnect on their own and hear each other again.
[Collection(BrowserCollection.Name)]
public sealed class RoomOnAClusterTests(LokiCluster cluster) : IClassFixture<LokiCluster>, IAsyncLifetime
{
    private const string Ensemble = "Mittnorden string orchestra";
    private const string March = "March in two and three";
    private const double TeacherTone = 440;
    private const double PupilTone = 660;
    private const double Hears = 0.02;

    private ToneBrowsers _tones = default!;

    public async Task InitializeAsync() => _tones = await ToneBrowsers.StartAsync();

    public async Task DisposeAsync() => await _tones.DisposeAsync();

    private static Task<double> HeardAsync(IPage page, double frequency) =>
        page.EvaluateAsync<double>("f => window.loki.audio.recentOutputLevel(f)", frequency);

    private static Task<JsonElement> BeatAsync(IPage page, Guid roomId) =>
        page.EvaluateAsync<JsonElement>("async id => (await fetch('/api/rooms/' + id + '/beat')).json()", roomId.ToString());

    [Fact]
    public async Task BrowsersOnTwoNodesHearEachOtherThroughTheThirdAndReconnectWhenItDies()
    {
        var (nodeA, nodeB, nodeC) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        var teacherLogin = DemoAccounts.EnsembleTeacher;
        var (roomId, hostApi) = await OpenRoomOnAsync(nodeC, teacherLogin);
        using var _ = hostApi;

        var teacher = await _tones.PersonWithToneAsync(nodeA.BaseAddress, TeacherTone, teacherLogin, DemoAccounts.PasswordOf(teacherLogin));
        // Signed in before any audio runs: on two cores a room with sound in it slows every page load after it.
        var pupil = await _tones.PersonWithToneAsync(nodeB.BaseAddress, PupilTone, DemoAccounts.Pupil, DemoAccounts.PasswordOf(DemoAccounts.Pupil));
        await ToneBrowsers.EnterRoomAsync(teacher, $"rooms/{roomId}");
        await (await teacher.GetByLabel("Noter för rummet").WhenInteractiveAsync()).SelectOptionAsync(new SelectOptionValue { Label = March });
        await teacher.Button("Visa för alla").ClickWhenInteractiveAsync();
        await teacher.GetByLabel("Tempo (slag/min)").FillAsync("84");
        await teacher.Button("Ändra tempo").ClickWhenInteractiveAsync();
        await teacher.GetByLabel("Inräkningstakter").SelectOptionAsync("0");
        await teacher.Button("Starta med inräkning").ClickWhenInteractiveAsync();
        await ToneBrowsers.ConnectAudioAsync(teacher);

        await ToneBrowsers.EnterRoomAsync(pupil, $"rooms/{roomId}");
        await ToneBrowsers.ConnectAudioAsync(pupil);
        await BothHearEachOtherAsync(teacher, pupil, "before node C died");

        // Whichever node is asked, the join answer sends audio to node C, where the room lives.
        Assert.StartsWith(nodeC.BaseAddress.GetLeftPart(UriPartial.Authority), await AudioUrlAsync(hostApi, nodeA, roomId));
        Assert.StartsWith(nodeC.BaseAddress.GetLeftPart(UriPartial.Authority), await AudioUrlAsync(hostApi, nodeB, roomId));
        var beatBefore = await BeatAsync(pupil, roomId);
        Assert.True(beatBefore.GetProperty("running").GetBoolean());
        Assert.Equal(84, beatBefore.GetProperty("bpm").GetDouble());

        var clock = Stopwatch.StartNew();
        nodeC.Kill();

        // Each page sees its socket break, joins again and connects to wherever the room is now.
        await Expect(teacher.GetByText("Ditt ljud är anslutet.")).Not.ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(teacher.GetByText("Ditt ljud är anslutet.")).ToBeVisibleAsync(new() { Timeout = 90_000 });
        await Expect(pupil.GetByText("Ditt ljud är anslutet.")).ToBeVisibleAsync(new() { Timeout = 90_000 });
        var reconnected = clock.Elapsed;
        await BothHearEachOtherAsync(teacher, pupil, "after node C died");
        var hearingAgain = clock.Elapsed;
        Console.WriteLine($"FAILOVER node C killed: both browsers reconnected after {reconnected.TotalSeconds:F1} s, hear each other after {hearingAgain.TotalSeconds:F1} s");

        // The room kept its beat (the same timeline, still running at 84) and its score with the score's metres.
        var beatAfter = await BeatAsync(pupil, roomId);
        Assert.Equal(beatBefore.GetProperty("segments").GetRawText(), beatAfter.GetProperty("segments").GetRawText());
        Assert.Equal(beatBefore.GetProperty("version").GetInt64(), beatAfter.GetProperty("version").GetInt64());
        Assert.True(beatAfter.GetProperty("running").GetBoolean());
        await Expect(pupil.Locator("#room-score svg").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(teacher.Locator("#room-score svg").First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // The room now lives on a surviving node, and the cluster knows node C is gone.
        var nowAt = await AudioUrlAsync(hostApi, nodeA, roomId);
        Assert.True(nowAt.StartsWith(nodeA.BaseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal)
            || nowAt.StartsWith(nodeB.BaseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal), nowAt);
        await LokiCluster.WaitForMembersAsync(nodeA, LokiCluster.NodeCount - 1, TimeSpan.FromSeconds(60));
        Assert.True(nodeA.Running && nodeB.Running);
    }

    private static async Task BothHearEachOtherAsync(IPage teacher, IPage pupil, string when)
    {
        await ToneBrowsers.WaitUntilAsync(async () => await HeardAsync(teacher, PupilTone) > Hears,
            async () => $"{when}: the teacher (node A) hears the pupil's {PupilTone} Hz (level {await HeardAsync(teacher, PupilTone):F3})");
        await ToneBrowsers.WaitUntilAsync(async () => await HeardAsync(pupil, TeacherTone) > Hears,
            async () => $"{when}: the pupil (node B) hears the teacher's {TeacherTone} Hz (level {await HeardAsync(pupil, TeacherTone):F3})");
    }

    /// The audio address a join answer names, asked through <paramref name="node"/> (the token is the same everywhere).
    private static async Task<string> AudioUrlAsync(HttpClient api, NodeProcess node, Guid roomId)
    {
        var answer = await api.PostAsync(new Uri(node.BaseAddress, $"api/rooms/{roomId}/join"), null);
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<JsonObject>())!["audioUrl"]!.GetValue<string>();
    }

    /// The teacher opens the ensemble's next rehearsal room through node C's API: the room grain is placed there.
    /// Returns the room and the teacher's signed-in API client.
    private static async Task<(Guid RoomId, HttpClient Api)> OpenRoomOnAsync(NodeProcess node, string login)
    {
        var http = new HttpClient { BaseAddress = node.BaseAddress };
        var signIn = await http.PostAsJsonAsync("api/auth/login", new { email = login, password = DemoAccounts.PasswordOf(login) });
        signIn.EnsureSuccessStatusCode();
        var token = (await signIn.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var rooms = await http.GetFromJsonAsync<JsonArray>("api/rooms");
        var room = rooms!.Select(r => r!.AsObject())
            .Where(r => r["ownerTitle"]!.GetValue<string>() == Ensemble)
            .OrderBy(r => r["startsUtc"]!.GetValue<DateTime>())
            .First();
        var roomId = room["roomId"]!.GetValue<Guid>();
        (await http.PostAsync($"api/rooms/{roomId}/open", null)).EnsureSuccessStatusCode();
        return (roomId, http);
    }
}
