using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Media.Tests.Engine;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.Rooms;

/// A hall joins a rehearsal on the real host as a JackTrip client sending 8 channels (a tone of its own on each:
/// 300, 500, … 1700 Hz); the teacher's studio client asks for 8 channels back. Through the API, the teacher moves the
/// hall's first channel from left to right and takes the hall unmixed; a pupil who tries either is refused and changes
/// nothing that anyone hears.
public sealed class MultichannelSiteApiTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const int Channels = 8;
    private static readonly TimeSpan Patience = RoomApi.Patience;

    private static double ToneOf(int channel) => 300 + (200 * channel);

    [Fact]
    public async Task OnlyTheHostPlacesTheHallsChannelsAndTakesThemUnmixed()
    {
        var teacher = await app.SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var pupil = await app.SignedInAsync("pupil@demo.loki.local", "Demo-pupil-2026");
        var stranger = await app.SignedInAsync("student.ntnu@demo.loki.local", "Demo-student-2026");
        var roomId = await RoomApi.RehearsalRoomAsync(teacher);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);

        // The pupil's connection is the hall: 8 channels. The teacher's studio sends stereo silence and wants 8 back.
        var hallJoin = await RoomApi.JoinAsync(pupil, roomId);
        var studioJoin = await RoomApi.JoinAsync(teacher, roomId);
        var hub = new IPEndPoint(IPAddress.Loopback, hallJoin["jackTripPort"]!.GetValue<int>());
        await using var hall = await FakeJackTripClient.ConnectAsync(hub, hallJoin["jackTripCode"]!.GetValue<string>(), channels: Channels, channelsWanted: 2);
        await using var studio = await FakeJackTripClient.ConnectAsync(hub, studioJoin["jackTripCode"]!.GetValue<string>(), channels: 2, channelsWanted: Channels);
        using var done = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var streaming = Task.WhenAll(
            hall.StreamAsync(240, (frame, channel) => (float)(0.2 * Math.Sin(2 * Math.PI * ToneOf(channel) * frame / 48000)), stop: done.Token),
            studio.StreamAsync(240, (_, _) => 0f, stop: done.Token));
        var pupilId = "";
        var teacherId = "";
        await RoomApi.EventuallyAsync(async () =>
        {
            var roster = await RoomApi.RosterAsync(teacher, roomId);
            var site = roster.FirstOrDefault(p => p["channels"]!.GetValue<int>() == Channels && p["channelMix"] is JsonArray);
            pupilId = site?["personId"]!.GetValue<string>() ?? "";
            teacherId = roster.FirstOrDefault(p => p["personId"]!.GetValue<string>() != pupilId && p["audioConnected"]!.GetValue<bool>())?["personId"]!.GetValue<string>() ?? "";
            return site is not null && roster.Count(p => p["audioConnected"]!.GetValue<bool>()) == 2;
        }, "the hall shows with its 8 channels");

        // By default channel 1 (300 Hz) is hard left: the studio hears it in its mix's left channel only.
        var heard = await HeardAsync(studio, 2);
        Assert.True(ToneLevel(heard[0], 0) > 4 * ToneLevel(heard[1], 0), Describe("default: channel 1 left", heard, 2));

        // The pupil (no host) and a stranger try to move the hall's channel 1, reset it, or take the hall unmixed.
        var mixBefore = (await RoomApi.RosterAsync(teacher, roomId)).Single(p => p["personId"]!.GetValue<string>() == pupilId)["channelMix"]!.ToJsonString();
        var place = new { personId = pupilId, channel = 0, pan = 1f, gain = 2f };
        foreach (var attacker in new[] { pupil, stranger })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await attacker.PutAsJsonAsync($"api/rooms/{roomId}/channel-mix", place)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await attacker.DeleteAsync($"api/rooms/{roomId}/channel-mix/{pupilId}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await attacker.PutAsJsonAsync($"api/rooms/{roomId}/passthrough", new { listenerId = teacherId, sourceId = pupilId })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await attacker.PutAsJsonAsync($"api/rooms/{roomId}/passthrough", new { listenerId = pupilId, sourceId = teacherId })).StatusCode);
        }
        var roster = await RoomApi.RosterAsync(teacher, roomId);
        Assert.Equal(mixBefore, roster.Single(p => p["personId"]!.GetValue<string>() == pupilId)["channelMix"]!.ToJsonString());
        Assert.All(roster, p => Assert.Null(p["passthroughFrom"]?.GetValue<string>()));
        heard = await HeardAsync(studio, 2);
        Assert.True(ToneLevel(heard[0], 0) > 4 * ToneLevel(heard[1], 0), Describe("after the attempts: channel 1 still left", heard, 2));

        // Bad input from the host is refused with its field and changes nothing.
        Assert.Equal(HttpStatusCode.BadRequest, (await teacher.PutAsJsonAsync($"api/rooms/{roomId}/channel-mix", place with { pan = 2f })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await teacher.PutAsJsonAsync($"api/rooms/{roomId}/channel-mix", place with { channel = Channels })).StatusCode);

        // The host moves channel 1 hard right.
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PutAsJsonAsync($"api/rooms/{roomId}/channel-mix", place with { gain = 1f })).StatusCode);
        heard = await HeardAsync(studio, 2);
        Assert.True(ToneLevel(heard[1], 0) > 4 * ToneLevel(heard[0], 0), Describe("placed: channel 1 right", heard, 2));

        // The host takes the hall unmixed into their own studio: channel k carries tone k alone.
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PutAsJsonAsync($"api/rooms/{roomId}/passthrough", new { listenerId = teacherId, sourceId = pupilId })).StatusCode);
        // Sent at 0.2. A loaded machine's gaps lower the level of a short window (0.037 once), so up to five windows are
        // heard and the first without gaps is judged; gaps never brought another tone in.
        for (var window = 0; window < 5; window++)
        {
            heard = await HeardAsync(studio, Channels);
            if (Enumerable.Range(0, Channels).All(channel => ToneLevel(heard[channel], channel) > 0.05))
            {
                break;
            }
        }
        for (var channel = 0; channel < Channels; channel++)
        {
            var own = ToneLevel(heard[channel], channel);
            Assert.True(own > 0.05, Describe($"passthrough: channel {channel + 1} carries its tone", heard, Channels));
            Assert.True(ToneLevel(heard[channel], (channel + 1) % Channels) < own / 10, Describe($"passthrough: channel {channel + 1} carries no other tone", heard, Channels));
        }
        var studioEntry = (await RoomApi.RosterAsync(pupil, roomId)).Single(p => p["personId"]!.GetValue<string>() == teacherId);
        Assert.Equal(pupilId, studioEntry["passthroughFrom"]!.GetValue<string>());

        // A take: each of the hall's channels is a track named by the site and its number, in the export too.
        var started = await teacher.PostAsync($"api/rooms/{roomId}/recordings", null);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var takeId = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await studio.ReceivedAfterAsync(studio.FramesReceived, 0, 48000, Patience); // a second of the take
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/recordings/{takeId}/stop", null)).StatusCode);
        var take = (await teacher.GetFromJsonAsync<JsonObject>($"api/recordings/{takeId}"))!;
        var hallName = (await RoomApi.RosterAsync(teacher, roomId)).Single(p => p["personId"]!.GetValue<string>() == pupilId)["displayName"]!.GetValue<string>();
        var names = take["tracks"]!.AsArray().Select(t => t!["displayName"]!.GetValue<string>()).ToList();
        var channelNames = Enumerable.Range(1, Channels).Select(c => $"{hallName} ch {c}").ToList();
        Assert.All(channelNames, name => Assert.Contains(name, names));
        var export = await teacher.GetAsync($"api/recordings/{takeId}/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        using var zip = new ZipArchive(await export.Content.ReadAsStreamAsync());
        using var reader = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".rpp", StringComparison.Ordinal)).Open());
        var project = await reader.ReadToEndAsync();
        var positions = channelNames.Select(name => project.IndexOf($"NAME \"{name}\"", StringComparison.Ordinal)).ToList();
        Assert.All(positions, at => Assert.True(at >= 0, project));
        Assert.Equal(positions.Order(), positions); // the DAW lists them ch 1 … ch 8

        await done.CancelAsync();
        await streaming;
    }

    private static async Task<float[][]> HeardAsync(FakeJackTripClient client, int channels) =>
        await client.ReceivedChannelsAfterAsync(client.FramesReceived, 9600, 14400, channels, Patience);

    private static double ToneLevel(float[] samples, int channel) => ToneClient.Amplitude(samples, ToneOf(channel));

    private static string Describe(string what, float[][] heard, int channels) =>
        what + ": " + string.Join("; ", Enumerable.Range(0, Math.Min(channels, heard.Length)).Select(c =>
            $"ch{c + 1} " + string.Join(" ", Enumerable.Range(0, Channels).Select(t => ToneLevel(heard[c], t).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))));
}
