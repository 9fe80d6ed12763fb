using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
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

    /// The join answer (tokens, audio URL, JackTrip code); the join must be allowed.
    public static async Task<JsonObject> JoinAsync(HttpClient client, Guid roomId)
    {
        var join = await client.PostAsync($"api/rooms/{roomId}/join", null);
        Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        return (await join.Content.ReadFromJsonAsync<JsonObject>())!;
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
