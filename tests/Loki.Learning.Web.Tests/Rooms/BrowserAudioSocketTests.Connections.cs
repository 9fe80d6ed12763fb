using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Media.Tests.Engine;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Rooms;

/// A person who joins twice (two tabs, two JackTrip codes, a browser and JackTrip) has one live media connection:
/// the newer one replaces the older, and the host's Remove ends what is left. Before, the first connection stayed
/// attached, unseen in the roster, and kept hearing and being heard after Remove.
public sealed partial class BrowserAudioSocketTests
{
    private const double Heard = 0.05;
    private const double Silent = 0.01;

    /// A rehearsal of the demo ensemble of its own, opened by the teacher.
    private static Task<Guid> OpenNewRehearsalAsync(HttpClient teacher, string title) => RoomApi.OpenNewRehearsalAsync(teacher, title);

    private async Task<ToneClient> BrowserAsync(string bearer, JsonObject join, double frequency, CancellationToken stop) =>
        new(await ConnectAsync(bearer, join["audioUrl"]!.GetValue<string>(), join["audioToken"]!.GetValue<string>()), frequency, stop);

    private static async Task<FakeJackTripClient> JackTripAsync(JsonObject join, double frequency, CancellationToken stop)
    {
        var hub = new IPEndPoint(IPAddress.Loopback, join["jackTripPort"]!.GetValue<int>());
        var client = await FakeJackTripClient.ConnectAsync(hub, join["jackTripCode"]!.GetValue<string>());
        Assert.True(client.HandshakeReply <= ushort.MaxValue, $"the hub refused the code ({client.HandshakeReply})");
        _ = client.StreamAsync(240, (frame, _) => 0.5f * (float)Math.Sin(2 * Math.PI * frequency * frame / 48000), stop: stop);
        return client;
    }

    private static Task RemoveAsync(HttpClient teacher, Guid roomId, string personId) =>
        Eventually(async () => (await teacher.PostAsJsonAsync($"api/rooms/{roomId}/actions", new { control = RoomControl.Remove, personId })).StatusCode == HttpStatusCode.NoContent,
            "the host removes the pupil");

    [Fact]
    public async Task ASecondBrowserConnectionOfAPersonEndsTheFirstAndRemoveEndsTheirAudio()
    {
        var (teacher, teacherBearer) = await app.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var (pupil, pupilBearer) = await app.SignedInWithBearerAsync(Pupil, "Demo-pupil-2026");
        var roomId = await OpenNewRehearsalAsync(teacher, "Two tabs");
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var host = await BrowserAsync(teacherBearer, await JoinAsync(teacher, roomId), 440, stop.Token);
        await using var first = await BrowserAsync(pupilBearer, await JoinAsync(pupil, roomId), 660, stop.Token);
        await Eventually(() => Task.FromResult(host.Level(660) > Heard && first.Level(440) > Heard), "the teacher and the pupil's first tab hear each other");
        var pupilId = await PersonIdAsync(teacher, roomId, "Elsa");
        var teacherId = await PersonIdAsync(teacher, roomId, "Tove");
        // Level meters come from the room, for its own people only (the page once read the engine of whichever node served it).
        var room = app.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId);
        await Eventually(async () => (await room.GetLevelsAsync()) is var levels && levels.Count == 2 && levels.Values.All(l => l > 0.05f)
            && levels.ContainsKey(pupilId) && levels.ContainsKey(teacherId), "the room reports both people's input levels");

        await using var second = await BrowserAsync(pupilBearer, await JoinAsync(pupil, roomId), 880, stop.Token);

        await Eventually(() => Task.FromResult(first.CloseReason is not null), "the first tab's socket is closed");
        Assert.Equal("Room.Audio.Replaced", first.CloseReason);
        await Eventually(() => Task.FromResult(host.Level(880) > Heard && host.Level(660) < Silent && second.Level(440) > Heard),
            () => $"the teacher hears the second tab only (880 Hz at {host.Level(880):F3}, 660 Hz at {host.Level(660):F3})");

        await RemoveAsync(teacher, roomId, pupilId);
        await Eventually(() => Task.FromResult(second.CloseReason is not null), "the removed pupil's socket is closed");
        Assert.Equal("Room.Audio.Removed", second.CloseReason);
        await Eventually(() => Task.FromResult(host.Level(880) < Silent && host.Level(660) < Silent),
            () => $"nothing of the removed pupil is heard (880 Hz at {host.Level(880):F3}, 660 Hz at {host.Level(660):F3})");
    }

    [Fact]
    public async Task AJackTripClientOfAPersonEndsTheirBrowserAudioAndRemoveEndsTheClient()
    {
        var (teacher, teacherBearer) = await app.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var (pupil, pupilBearer) = await app.SignedInWithBearerAsync(Pupil, "Demo-pupil-2026");
        var roomId = await OpenNewRehearsalAsync(teacher, "Browser then JackTrip");
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var host = await BrowserAsync(teacherBearer, await JoinAsync(teacher, roomId), 440, stop.Token);
        await using var browser = await BrowserAsync(pupilBearer, await JoinAsync(pupil, roomId), 660, stop.Token);
        await Eventually(() => Task.FromResult(host.Level(660) > Heard), "the teacher hears the pupil's browser");
        var pupilId = await PersonIdAsync(teacher, roomId, "Elsa");

        await using var jackTrip = await JackTripAsync(await JoinAsync(pupil, roomId), 880, stop.Token);

        await Eventually(() => Task.FromResult(browser.CloseReason is not null), "the pupil's browser socket is closed");
        Assert.Equal("Room.Audio.Replaced", browser.CloseReason);
        await Eventually(() => Task.FromResult(host.Level(880) > Heard && host.Level(660) < Silent),
            () => $"the teacher hears the JackTrip client only (880 Hz at {host.Level(880):F3}, 660 Hz at {host.Level(660):F3})");

        await RemoveAsync(teacher, roomId, pupilId);
        Assert.True(await jackTrip.WaitForAsync(c => c.ExitDatagramsReceived > 0, Patience), "the removed client got no exit datagrams");
        await Eventually(() => Task.FromResult(host.Level(880) < Silent), () => $"the removed client is still heard at {host.Level(880):F3}");
    }

    [Fact]
    public async Task ASecondJackTripClientOfAPersonEndsTheFirstWhichNeitherHearsNorIsHeard()
    {
        var (teacher, teacherBearer) = await app.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var (pupil, _) = await app.SignedInWithBearerAsync(Pupil, "Demo-pupil-2026");
        var roomId = await OpenNewRehearsalAsync(teacher, "Two JackTrip codes");
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var host = await BrowserAsync(teacherBearer, await JoinAsync(teacher, roomId), 440, stop.Token);
        await using var first = await JackTripAsync(await JoinAsync(pupil, roomId), 660, stop.Token);
        await Eventually(() => Task.FromResult(host.Level(660) > Heard), "the teacher hears the first client");
        var pupilId = await PersonIdAsync(teacher, roomId, "Elsa");

        await using var second = await JackTripAsync(await JoinAsync(pupil, roomId), 880, stop.Token);

        Assert.True(await first.WaitForAsync(c => c.ExitDatagramsReceived > 0, Patience), "the first client got no exit datagrams");
        await Eventually(() => Task.FromResult(host.Level(880) > Heard && host.Level(660) < Silent),
            () => $"the teacher hears the second client only (880 Hz at {host.Level(880):F3}, 660 Hz at {host.Level(660):F3})");
        var heardByFirst = first.AudioPacketsReceived;
        var heardBySecond = second.AudioPacketsReceived;
        Assert.True(await second.WaitForAsync(c => c.AudioPacketsReceived > heardBySecond + 750, Patience), "the second client hears the room");
        Assert.True(first.AudioPacketsReceived - heardByFirst < 10, $"the replaced client still received {first.AudioPacketsReceived - heardByFirst} datagrams");

        await RemoveAsync(teacher, roomId, pupilId);
        Assert.True(await second.WaitForAsync(c => c.ExitDatagramsReceived > 0, Patience), "the removed client got no exit datagrams");
        await Eventually(() => Task.FromResult(host.Level(880) < Silent), () => $"the removed client is still heard at {host.Level(880):F3}");
    }

    /// Before, every join issued a code and every redeemed code held a hub slot: one member took all 128 in a second.
    [Fact]
    public async Task OneMemberHoldsOneHubSlotInARoomHoweverOftenTheyJoin()
    {
        var (teacher, _) = await app.SignedInWithBearerAsync(Teacher, "Demo-teacher-2026");
        var (pupil, _) = await app.SignedInWithBearerAsync(Pupil, "Demo-pupil-2026");
        var roomId = await OpenNewRehearsalAsync(teacher, "Many codes");
        var engine = app.Services.GetRequiredService<RoomMedia>().Engine!;
        var before = engine.ConnectedClients;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var clients = new List<FakeJackTripClient>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                clients.Add(await JackTripAsync(await JoinAsync(pupil, roomId), 300 + (50 * i), stop.Token));
            }

            await Eventually(() => Task.FromResult(engine.ConnectedClients - before <= 1),
                () => $"{engine.ConnectedClients - before} hub slots are held by one member");
            // The replaced clients hear nothing more (a slot dropped before its first datagram has no peer to say goodbye to).
            var heard = clients.Select(c => c.AudioPacketsReceived).ToList();
            var latest = clients[^1];
            Assert.True(await latest.WaitForAsync(c => c.AudioPacketsReceived > heard[^1] + 750, Patience), "the newest client does not hear the room");
            Assert.All(clients[..^1], (replaced, i) => Assert.True(replaced.AudioPacketsReceived - heard[i] < 10, $"replaced client {i} still hears the room"));
            Assert.Equal(0, latest.ExitDatagramsReceived);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
