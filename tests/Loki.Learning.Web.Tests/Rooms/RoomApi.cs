using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace Loki.Learning.Web.Tests.Rooms;

/// What the room API tests do again and again, over the public API as a program would: find the demo ensemble's
/// rehearsal, join it, read its roster, and wait for a condition.
internal static class RoomApi
{
    /// The demo ensemble (seed-data): its teacher and pupil are members.
    public const string DemoEnsemble = "Mittnorden string orchestra";

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// A rehearsal room of the demo ensemble.
    public static async Task<Guid> RehearsalRoomAsync(HttpClient teacher)
    {
        var rooms = (await teacher.GetFromJsonAsync<JsonArray>("api/rooms"))!;
        return rooms
            .Where(r => r!["ownerTitle"]!.GetValue<string>() == DemoEnsemble)
            .Select(r => Guid.Parse(r!["roomId"]!.GetValue<string>()))
            .First();
    }

    /// A rehearsal of the demo ensemble of its own, opened by the teacher (a test that removes people needs a room of its own).
    public static async Task<Guid> OpenNewRehearsalAsync(HttpClient teacher, string title)
    {
        var ensembles = (await teacher.GetFromJsonAsync<JsonArray>("api/ensembles"))!;
        var ensembleId = ensembles.Single(e => e!["name"]!.GetValue<string>() == DemoEnsemble)!["id"]!.GetValue<Guid>();
        var created = await teacher.PostAsJsonAsync($"api/ensembles/{ensembleId}/rehearsals", new { title, start = DateTime.Today.AddDays(20).AddHours(18), durationMinutes = 60 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var roomId = (await teacher.GetFromJsonAsync<JsonArray>("api/rooms"))!
            .Single(r => r!["title"]!.GetValue<string>() == title)!["roomId"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
        return roomId;
    }

    /// The join answer (tokens, audio URL, JackTrip code); the join must be allowed.
    public static async Task<JsonObject> JoinAsync(HttpClient client, Guid roomId)
    {
        var join = await client.PostAsync($"api/rooms/{roomId}/join", null);
        Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        return (await join.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// A browser on the room's audio socket, as the page opens it after a join (bearer sign-in, the join's token),
    /// sending a tone of <paramref name="frequency"/> Hz.
    public static async Task<ToneClient> BrowserAsync(Hosting.RunningApp app, string bearer, JsonObject join, double frequency, CancellationToken stop)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        var uri = new Uri(new Uri(app.Address.ToString().Replace("http://", "ws://", StringComparison.Ordinal)),
            join["audioUrl"]!.GetValue<string>().TrimStart('/') + "?token=" + Uri.EscapeDataString(join["audioToken"]!.GetValue<string>()));
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(uri, timeout.Token);
        return new ToneClient(socket, frequency, stop);
    }

    public static async Task<List<JsonNode>> RosterAsync(HttpClient client, Guid roomId) =>
        (await client.GetFromJsonAsync<JsonObject>($"api/rooms/{roomId}"))!["view"]!["roster"]!.AsArray().Select(n => n!).ToList();

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < Patience, $"Not within {Patience.TotalSeconds} s: {what}");
            await Task.Delay(100);
        }
    }
}
