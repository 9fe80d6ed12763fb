using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.Video;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Video;

/// Screen sharing by grant, through the real relay and Janus: a participant shares only while the host allows it, the
/// relay asks the room at every screen join (not the token, which outlives a grant), taking the grant back ends the
/// running share, and one screen is shared at a time.
public sealed partial class VideoRelayTests
{
    private async Task<IReadOnlyList<string>> JanusParticipantsAsync(JsonObject joined) =>
        (await Host.Services.GetRequiredService<JanusApi>().VideoRoomAsync(new JsonObject
        {
            ["request"] = "listparticipants", ["room"] = joined["room"]!.DeepClone(),
        }, CancellationToken.None))["participants"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();

    private static Task<HttpResponseMessage> GrantAsync(HttpClient client, Guid roomId, string personId, bool allowed) =>
        client.PostAsJsonAsync($"api/rooms/{roomId}/video/share-grant", new { personId, allowed });

    /// A fresh room with the teacher (host, on camera through the relay) and the pupil in it.
    private async Task<(HttpClient Teacher, HttpClient Pupil, string PupilBearer, Guid RoomId, string PupilId, JanusTestClient Host, JsonObject HostJoined)> HostOnCameraWithPupilAsync()
    {
        var (teacher, teacherBearer) = await TeacherAsync();
        var (pupil, pupilBearer) = await PupilAsync();
        var roomId = await OpenRehearsalAsync(teacher);
        await JoinAsync(teacher, roomId);
        await JoinAsync(pupil, roomId);
        var host = await RelayAsync(teacherBearer, roomId, (await VideoTokenAsync(teacher, roomId))["token"]!.GetValue<string>());
        var hostJoined = await host.VideoRoomAsync(await host.AttachAsync(), new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera" });
        return (teacher, pupil, pupilBearer, roomId, await PupilIdAsync(), host, hostJoined);
    }

    private static JsonObject JoinScreen => new() { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "screen" };

    [Fact]
    public async Task APupilWithoutTheHostsGrantIsRefusedAScreenThroughTheRelayAndCannotGrantItThemselves()
    {
        var (teacher, pupil, pupilBearer, roomId, pupilId, host, hostJoined) = await HostOnCameraWithPupilAsync();
        await using var _ = host;
        await using var client = await RelayAsync(pupilBearer, roomId, (await VideoTokenAsync(pupil, roomId))["token"]!.GetValue<string>());

        // Straight at the relay, no page: join the room as a screen publisher, then publish on that handle.
        var handle = await client.AttachAsync();
        var joined = await client.VideoRoomAsync(handle, JoinScreen);
        var published = await client.VideoRoomAsync(handle, new JsonObject { ["request"] = "publish" });
        var selfGranted = await GrantAsync(pupil, roomId, pupilId, true);
        var afterSelfGrant = await client.VideoRoomAsync(await client.AttachAsync(), JoinScreen);

        Assert.Equal("Video.Refusal.OnlyHostShares", joined["error"]?["reason"]?.GetValue<string>());
        Assert.Equal("Video.Refusal.RequestNotAllowed", published["error"]?["reason"]?.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, selfGranted.StatusCode);
        Assert.Equal("Video.Refusal.OnlyHostShares", afterSelfGrant["error"]?["reason"]?.GetValue<string>());
        Assert.DoesNotContain($"screen-{pupilId}", await JanusParticipantsAsync(hostJoined));
    }

    [Fact]
    public async Task APupilTheHostAllowsSharesOnTheConnectionTheyHaveAndTakingItBackEndsTheShareAndRefusesTheNext()
    {
        var (teacher, pupil, pupilBearer, roomId, pupilId, host, hostJoined) = await HostOnCameraWithPupilAsync();
        await using var _ = host;
        var teacherId = await PersonIdAsync("teacher@demo.loki.local");
        // The pupil's token and relay come from before the grant: the grant is the room's, not the token's.
        var before = await VideoTokenAsync(pupil, roomId);
        await using var client = await RelayAsync(pupilBearer, roomId, before["token"]!.GetValue<string>());
        Assert.False(before["mayShareScreen"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.NoContent, (await GrantAsync(teacher, roomId, pupilId, true)).StatusCode);
        var shared = await client.VideoRoomAsync(await client.AttachAsync(), JoinScreen);
        var after = await VideoTokenAsync(pupil, roomId);

        Assert.Equal("joined", shared["videoroom"]?.GetValue<string>());
        Assert.Equal($"screen-{pupilId}", shared["id"]!.GetValue<string>());
        Assert.True(after["mayShareScreen"]!.GetValue<bool>());
        Assert.Contains($"screen-{pupilId}", await JanusParticipantsAsync(hostJoined));

        // Taken back: the running share ends, and the same connection is refused the next one.
        Assert.Equal(HttpStatusCode.NoContent, (await GrantAsync(teacher, roomId, pupilId, false)).StatusCode);
        await Eventually(async () => !(await JanusParticipantsAsync(hostJoined)).Contains($"screen-{pupilId}"), "the pupil's share ended when the grant was taken back");
        var again = await client.VideoRoomAsync(await client.AttachAsync(), JoinScreen);
        Assert.Equal("Video.Refusal.OnlyHostShares", again["error"]?["reason"]?.GetValue<string>());
        Assert.False((await VideoTokenAsync(pupil, roomId))["mayShareScreen"]!.GetValue<bool>());

        // One screen at a time: allowed again and sharing, the pupil's screen ends when the host shares theirs.
        Assert.Equal(HttpStatusCode.NoContent, (await GrantAsync(teacher, roomId, pupilId, true)).StatusCode);
        Assert.Equal("joined", (await client.VideoRoomAsync(await client.AttachAsync(), JoinScreen))["videoroom"]?.GetValue<string>());
        Assert.Equal("joined", (await host.VideoRoomAsync(await host.AttachAsync(), JoinScreen))["videoroom"]?.GetValue<string>());
        await Eventually(async () => await JanusParticipantsAsync(hostJoined) is var ids && ids.Contains($"screen-{teacherId}") && !ids.Contains($"screen-{pupilId}"),
            "the host's new share replaced the pupil's");
    }
}
