using Loki.Learning.Web.Features.Video;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Video;

/// One member cannot multiply what Janus forwards by opening connection after connection: the picture limit is per
/// connection, so the relay holds each person to a few connections per room.
public sealed partial class VideoRelayTests
{
    [Fact]
    public async Task AMemberWhoOpensConnectionAfterConnectionIsRefusedBeyondTheLimitAndOthersAreNot()
    {
        var (teacher, teacherBearer, pupil, pupilBearer, roomId) = await BothInANewRoomAsync();
        var pupilId = await PupilIdAsync();
        var token = (await VideoTokenAsync(pupil, roomId))["token"]!.GetValue<string>();
        var limit = Host.Services.GetRequiredService<VideoOptions>().ConnectionsPerPerson;

        // The attack: the same genuine token, connection after connection, each one attached and serving.
        var open = new List<JanusTestClient>();
        try
        {
            for (var i = 0; i < limit; i++)
            {
                var client = await RelayAsync(pupilBearer, roomId, token);
                open.Add(client);
                Assert.NotEqual(0, await client.AttachAsync());
            }
            await using (var oneTooMany = await RelayAsync(pupilBearer, roomId, token))
            {
                Assert.Equal("Video.Refusal.TooManyConnections", await oneTooMany.ClosedAsync());
            }

            // Someone else in the room is not held to the pupil's count.
            await using (var host = await RelayAsync(teacherBearer, roomId, (await VideoTokenAsync(teacher, roomId))["token"]!.GetValue<string>()))
            {
                Assert.NotEqual(0, await host.AttachAsync());
            }

            // A page that closes gives its place back: the pupil can connect again.
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            var connections = Host.Services.GetRequiredService<RelayConnections>();
            await Eventually(() => Task.FromResult(connections.Held(roomId, pupilId) < limit), "the closed connection is given back");
            var again = await RelayAsync(pupilBearer, roomId, token);
            open.Add(again);
            Assert.NotEqual(0, await again.AttachAsync());
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }
}
