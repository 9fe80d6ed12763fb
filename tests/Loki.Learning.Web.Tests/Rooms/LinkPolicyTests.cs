using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.Rooms;

/// The room's policy for a bad link (tight for ensemble playing, safe for lessons): the host's choice, kept in the
/// room's state, told to the engine whenever the room opens, shown to everyone; nobody else may change it.
public sealed class LinkPolicyTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private static readonly DateTime Now = new(2026, 12, 7, 18, 0, 0, DateTimeKind.Utc);
    private static readonly RoomDescription Description = new(Guid.NewGuid(), OwnerKind.Ensemble, "Weekly rehearsal", "Hall", Guid.NewGuid(), Now, Now.AddHours(1), "Europe/Stockholm");
    private static readonly RoomMember Teacher = new("teacher", "Tove", RoomRole.Host);
    private static readonly RoomMember Pupil = new("pupil", "Elsa", RoomRole.Performer);

    private static LiveRoom OpenRoom(RoomState? state = null)
    {
        var room = new LiveRoom(Guid.NewGuid(), state ?? new RoomState());
        room.OpenRoom(Description, 0);
        room.Join(Teacher, Now, out _, out _);
        room.Join(Pupil, Now, out _, out _);
        return room;
    }

    [Fact]
    public void ARoomIsSafeUntilTheHostMakesItTightAndTheEngineIsToldAtOnce()
    {
        var room = OpenRoom();
        Assert.Equal(JitterPolicy.Safe, room.View(1).LinkPolicy);

        var outcome = room.SetLinkPolicy(Teacher.PersonId, JitterPolicy.Tight);

        Assert.False(outcome.Refused);
        Assert.True(outcome.Persist);
        Assert.Equal(new SetJitterPolicy(room.MediaRoom, JitterPolicy.Tight), Assert.Single(outcome.Media));
        Assert.Equal(JitterPolicy.Tight, room.View(2).LinkPolicy);
        Assert.Equal(JitterPolicy.Tight, room.ToState().LinkPolicy);
    }

    [Fact]
    public void APupilCannotChangeThePolicyAndNothingReachesTheEngine()
    {
        var room = OpenRoom();

        var outcome = room.SetLinkPolicy(Pupil.PersonId, JitterPolicy.Tight);

        Assert.Equal(RoomRefusal.NotRoomHost, outcome.Refusal);
        Assert.Empty(outcome.Media);
        Assert.Equal(JitterPolicy.Safe, room.View(2).LinkPolicy);
        Assert.Equal(RoomRefusal.NotRoomHost, room.SetLinkPolicy("stranger", JitterPolicy.Tight).Refusal);
    }

    [Fact]
    public void AnUnknownPolicyIsRefusedAsInvalidInput()
    {
        var room = OpenRoom();

        var outcome = room.SetLinkPolicy(Teacher.PersonId, (JitterPolicy)7);

        Assert.Equal(RoomRefusal.InvalidLinkPolicy, outcome.Refusal);
        Assert.Equal("Validation.LinkPolicy", outcome.Refusal.Key());
        Assert.Equal(JitterPolicy.Safe, room.View(2).LinkPolicy);
    }

    [Fact]
    public void ARoomThatMovesToAnotherNodeKeepsItsPolicyAndTellsThatNodesEngine()
    {
        var room = OpenRoom();
        room.SetLinkPolicy(Teacher.PersonId, JitterPolicy.Tight);

        var elsewhere = new LiveRoom(room.RoomId, room.ToState());
        var resumed = elsewhere.Resume();

        Assert.Equal(JitterPolicy.Tight, elsewhere.LinkPolicy);
        Assert.Contains(new SetJitterPolicy(elsewhere.MediaRoom, JitterPolicy.Tight), resumed.Media);
    }

    [Fact]
    public void TheRoomKeepsItsPolicyWhenItClosesAndOpensAgain()
    {
        var room = OpenRoom();
        room.SetLinkPolicy(Teacher.PersonId, JitterPolicy.Tight);
        room.Close(0);

        var reopened = room.OpenRoom(Description, 0);

        Assert.Contains(new SetJitterPolicy(room.MediaRoom, JitterPolicy.Tight), reopened.Media);
    }

    [Fact]
    public async Task OnlyTheHostChangesThePolicyThroughTheApiAndEveryMemberSeesIt()
    {
        var teacher = await app.SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var pupil = await app.SignedInAsync("pupil@demo.loki.local", "Demo-pupil-2026");
        var stranger = await app.SignedInAsync("student.ntnu@demo.loki.local", "Demo-student-2026");
        var roomId = await RehearsalRoomAsync(teacher);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await teacher.PostAsync($"api/rooms/{roomId}/join", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await pupil.PostAsync($"api/rooms/{roomId}/join", null)).StatusCode);
        Assert.Equal((int)JitterPolicy.Safe, await PolicyAsync(pupil, roomId));

        // A pupil in the room and someone from outside it try to make the room tight: refused, nothing changes.
        foreach (var attacker in new[] { pupil, stranger })
        {
            var attempt = await attacker.PutAsJsonAsync($"api/rooms/{roomId}/link-policy", new { policy = "tight" });
            Assert.Equal(HttpStatusCode.Forbidden, attempt.StatusCode);
        }
        Assert.Equal((int)JitterPolicy.Safe, await PolicyAsync(teacher, roomId));

        // The host's bad input names its field; numbers are not policies.
        foreach (var bad in new[] { "fast", "7", "1", "" })
        {
            var refused = await teacher.PutAsJsonAsync($"api/rooms/{roomId}/link-policy", new { policy = bad });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("Policy", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PutAsJsonAsync($"api/rooms/{roomId}/link-policy", new { policy = "Tight" })).StatusCode);
        Assert.Equal((int)JitterPolicy.Tight, await PolicyAsync(pupil, roomId));

        // The pupil cannot take it back either.
        Assert.Equal(HttpStatusCode.Forbidden, (await pupil.PutAsJsonAsync($"api/rooms/{roomId}/link-policy", new { policy = "safe" })).StatusCode);
        Assert.Equal((int)JitterPolicy.Tight, await PolicyAsync(teacher, roomId));
    }

    private static async Task<int> PolicyAsync(HttpClient client, Guid roomId) =>
        (await client.GetFromJsonAsync<JsonObject>($"api/rooms/{roomId}"))!["view"]!["linkPolicy"]!.GetValue<int>();

    private static async Task<Guid> RehearsalRoomAsync(HttpClient teacher)
    {
        var rooms = (await teacher.GetFromJsonAsync<JsonArray>("api/rooms"))!;
        return rooms
            .Where(r => r!["ownerTitle"]!.GetValue<string>() == Ensemble)
            .Select(r => Guid.Parse(r!["roomId"]!.GetValue<string>()))
            .First();
    }
}
