using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Video;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Video;

/// The same person on two pages (a second tab, a laptop and a phone), through the real relay and Janus: each page
/// hears the room through a watcher of its own, under an id the relay makes from the person's own id whatever the page
/// asks for, that can never send; the person's camera keeps one id, so the newest page's camera takes it over; the
/// host's stop and Remove end the person's video on every page.
public sealed partial class VideoRelayTests
{
    private static JsonObject JoinAs(string display, string? id = null)
    {
        var body = new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = display };
        if (id is not null)
        {
            body["id"] = id;
        }
        return body;
    }

    /// A browser-made offer is not needed to be refused: any "jsep" on a request a watcher may not make.
    private static JsonObject Offer => new() { ["type"] = "offer", ["sdp"] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" };

    private static async Task<string?> RefusalWithOfferAsync(JanusTestClient client, long handle, JsonObject body)
    {
        var answer = await client.RequestAsync(new JsonObject
        {
            ["janus"] = "message", ["session_id"] = client.SessionId, ["handle_id"] = handle, ["body"] = body, ["jsep"] = Offer,
        });
        return RefusalOf(answer?["plugindata"]?["data"] as JsonObject ?? answer);
    }

    /// The relay's refusal key; Janus' own error (the request reached Janus) or nothing as text, so a failure says which.
    private static string? RefusalOf(JsonObject? answer) => answer?["error"] switch
    {
        JsonObject relay => relay["reason"]?.GetValue<string>(),
        JsonValue janus => "Janus said: " + janus.ToJsonString(),
        _ => answer?.ToJsonString(),
    };

    private async Task<List<(string Id, bool Publisher)>> JanusPublishersAsync(JsonObject joined) =>
        (await Host.Services.GetRequiredService<JanusApi>().VideoRoomAsync(new JsonObject
        {
            ["request"] = "listparticipants", ["room"] = joined["room"]!.DeepClone(),
        }, CancellationToken.None))["participants"]!.AsArray()
            .Select(p => (p!["id"]!.GetValue<string>(), p["publisher"]?.GetValue<bool>() == true)).ToList();

    /// A fresh room with the teacher (host, watching through the relay) and the pupil, with video consent, signed in
    /// on two devices, each with a relay of its own.
    private async Task<(HttpClient Teacher, Guid RoomId, string PupilId, string TeacherId, JanusTestClient Host, JsonObject HostJoined, JanusTestClient First, JanusTestClient Second)>
        PupilOnTwoPagesAsync()
    {
        var (teacher, teacherBearer) = await TeacherAsync();
        var (laptop, laptopBearer) = await PupilAsync();
        var (phone, phoneBearer) = await PupilAsync();
        var roomId = await OpenRehearsalAsync(teacher);
        var pupilId = await PupilIdAsync();
        await GiveVideoConsentAsync(pupilId, true);
        await JoinAsync(teacher, roomId);
        await JoinAsync(laptop, roomId);
        await JoinAsync(phone, roomId);
        var host = await RelayAsync(teacherBearer, roomId, (await VideoTokenAsync(teacher, roomId))["token"]!.GetValue<string>());
        var hostJoined = await host.VideoRoomAsync(await host.AttachAsync(), JoinAs(JanusRelayRules.WatchDisplay));
        var first = await RelayAsync(laptopBearer, roomId, (await VideoTokenAsync(laptop, roomId))["token"]!.GetValue<string>());
        var second = await RelayAsync(phoneBearer, roomId, (await VideoTokenAsync(phone, roomId))["token"]!.GetValue<string>());
        return (teacher, roomId, pupilId, await PersonIdAsync("teacher@demo.loki.local"), host, hostJoined, first, second);
    }

    [Fact]
    public async Task EachPageOfAPersonWatchesUnderAnIdOfTheirOwnThatTheRelayMakesAndThatNeverSends()
    {
        var (_, _, pupilId, teacherId, host, hostJoined, first, second) = await PupilOnTwoPagesAsync();
        await using var _ = host;
        await using var __ = first;
        await using var ___ = second;

        // Each page asks to watch under someone else's ids: the teacher's camera, the teacher's watcher, a camera id
        // that starts like the teacher's.
        var firstHandle = await first.AttachAsync();
        var firstWatch = await first.VideoRoomAsync(firstHandle, JoinAs(JanusRelayRules.WatchDisplay, $"camera-{teacherId}"));
        var secondHandle = await second.AttachAsync();
        var secondWatch = await second.VideoRoomAsync(secondHandle, JoinAs(JanusRelayRules.WatchDisplay, $"watch-{teacherId}-0"));
        var thirdWatch = await second.VideoRoomAsync(await second.AttachAsync(), JoinAs(JanusRelayRules.WatchDisplay, $"camera-{teacherId}-{pupilId}"));

        // A watcher sends nothing, however it asks.
        var refused = new Dictionary<string, string?>
        {
            ["publish"] = RefusalOf(await first.VideoRoomAsync(firstHandle, new JsonObject { ["request"] = "publish" })),
            ["configure"] = RefusalOf(await first.VideoRoomAsync(firstHandle, new JsonObject { ["request"] = "configure", ["bitrate"] = 100000 })),
            ["configure with an offer"] = await RefusalWithOfferAsync(first, firstHandle, new JsonObject { ["request"] = "configure" }),
            ["publish with an offer"] = await RefusalWithOfferAsync(first, firstHandle, new JsonObject { ["request"] = "publish" }),
            ["join again as a camera"] = RefusalOf(await first.VideoRoomAsync(firstHandle, JoinAs("camera"))),
            ["joinandconfigure"] = RefusalOf(await first.VideoRoomAsync(firstHandle, new JsonObject { ["request"] = "joinandconfigure", ["ptype"] = "publisher" })),
            // Nor does any join carry an offer: an offer rides only on publish or configure, where consent is checked.
            ["a watcher's join with an offer"] = await RefusalWithOfferAsync(second, await second.AttachAsync(), JoinAs(JanusRelayRules.WatchDisplay)),
            ["a camera's join with an offer"] = await RefusalWithOfferAsync(second, await second.AttachAsync(), JoinAs("camera")),
        };
        var inJanus = await JanusPublishersAsync(hostJoined);

        Assert.Equal("joined", firstWatch["videoroom"]?.GetValue<string>());
        Assert.Equal("joined", secondWatch["videoroom"]?.GetValue<string>());
        Assert.Equal("joined", thirdWatch["videoroom"]?.GetValue<string>());
        var watchers = new[] { firstWatch, secondWatch, thirdWatch }.Select(j => j["id"]!.GetValue<string>()).ToList();
        Assert.All(watchers, id => Assert.StartsWith($"watch-{pupilId}-", id, StringComparison.Ordinal));
        Assert.Equal(3, watchers.Distinct().Count());
        Assert.All(refused, r => Assert.True(r.Value == "Video.Refusal.RequestNotAllowed", $"{r.Key}: {r.Value ?? "let through"}"));
        // Janus holds the teacher's watcher and the pupil's three, none of them publishing; nothing under the teacher's
        // ids is the pupil's.
        Assert.Equivalent(watchers.Append(hostJoined["id"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray(),
            inJanus.Select(p => p.Id).Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain(inJanus, p => p.Publisher);
        Assert.DoesNotContain(inJanus, p => p.Id.Contains(teacherId, StringComparison.Ordinal) && p.Id != hostJoined["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task APersonsNewestPageTakesTheirCameraOverWhileTheOtherKeepsWatchingAndTheHostsStopAndRemoveEndItEverywhere()
    {
        var (teacher, roomId, pupilId, _, host, hostJoined, first, second) = await PupilOnTwoPagesAsync();
        await using var _ = host;
        await using var __ = first;
        await using var ___ = second;
        var firstWatch = await first.VideoRoomAsync(await first.AttachAsync(), JoinAs(JanusRelayRules.WatchDisplay));
        var firstCameraHandle = await first.AttachAsync();
        var firstCamera = await first.VideoRoomAsync(firstCameraHandle, JoinAs("camera"));
        var secondWatch = await second.VideoRoomAsync(await second.AttachAsync(), JoinAs(JanusRelayRules.WatchDisplay));

        // The phone starts its camera: the laptop's camera is ended (Janus tells its handle), its watcher stays.
        var secondCameraHandle = await second.AttachAsync();
        var secondCamera = await second.VideoRoomAsync(secondCameraHandle, JoinAs("camera"));
        var firstCameraEnded = await first.EventAsync(firstCameraHandle, data => data["leaving"]?.GetValue<string>() == "ok");
        var afterTakeOver = await JanusPublishersAsync(hostJoined);

        Assert.Equal($"camera-{pupilId}", firstCamera["id"]?.GetValue<string>());
        Assert.Equal($"camera-{pupilId}", secondCamera["id"]?.GetValue<string>());
        Assert.NotNull(firstCameraEnded);
        Assert.Single(afterTakeOver, p => p.Id == $"camera-{pupilId}");
        Assert.Contains(afterTakeOver, p => p.Id == firstWatch["id"]!.GetValue<string>());
        Assert.Contains(afterTakeOver, p => p.Id == secondWatch["id"]!.GetValue<string>());

        // The host stops the pupil's camera: the page that sends it is told; both pages still watch.
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsJsonAsync($"api/rooms/{roomId}/video/stop", new { personId = pupilId })).StatusCode);
        Assert.NotNull(await second.EventAsync(secondCameraHandle, data => data["leaving"]?.GetValue<string>() == "ok"));
        var afterStop = await JanusPublishersAsync(hostJoined);
        Assert.DoesNotContain(afterStop, p => p.Id == $"camera-{pupilId}");
        Assert.Contains(afterStop, p => p.Id == firstWatch["id"]!.GetValue<string>());
        Assert.Contains(afterStop, p => p.Id == secondWatch["id"]!.GetValue<string>());

        // Removed from the room: both pages' relays close, and nothing of the pupil's is left in Janus.
        Assert.Equal(HttpStatusCode.NoContent,
            (await teacher.PostAsJsonAsync($"api/rooms/{roomId}/actions", new { control = RoomControl.Remove, personId = pupilId })).StatusCode);
        Assert.Equal(VideoRelayEndpoint.LeftReason, await first.ClosedAsync());
        Assert.Equal(VideoRelayEndpoint.LeftReason, await second.ClosedAsync());
        await Eventually(async () => (await JanusPublishersAsync(hostJoined)).All(p => !p.Id.Contains(pupilId, StringComparison.Ordinal)),
            "none of the removed pupil's pages is in the Janus room");
    }
}
