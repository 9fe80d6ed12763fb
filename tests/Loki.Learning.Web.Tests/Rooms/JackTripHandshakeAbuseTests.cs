using System.Net;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Tests.Engine;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Tests.Rooms;

/// Strangers on the JackTrip handshake port: names that claim a room which is not open on this node are turned away
/// before any grain is asked, so made-up room ids cannot fill the silo with activations.
[Collection(nameof(CatalogueCollection))]
public sealed class JackTripHandshakeAbuseTests(Catalogue catalogue)
{
    [Fact]
    public async Task AnonymousHandshakesForRoomsThatAreNotOpenHereActivateNoRoomGrain()
    {
        var hub = new IPEndPoint(IPAddress.Loopback, catalogue.Media.JackTripPort);
        var madeUp = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToList();

        foreach (var roomId in madeUp)
        {
            Assert.Equal(JackTripAuthCode.AuthenticationRequired, await JackTripHandshakeClient.HandshakeAsync(hub, 40000, JackTripCodes.Create(roomId)));
        }

        // A room someone really asked about, so that the census below is seen to list room grains.
        var asked = Guid.NewGuid();
        await catalogue.Cluster.Client.GetGrain<IRoomGrain>(asked).GetViewAsync();

        var active = await catalogue.Cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var keys = active.Select(a => a.GrainId.ToString()).ToList();
        Assert.Contains(keys, k => k.Contains(asked.ToString("N"), StringComparison.OrdinalIgnoreCase));
        var activated = madeUp.Where(id => keys.Any(k => k.Contains(id.ToString("N"), StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(activated.Count == 0, $"{activated.Count} of {madeUp.Count} made-up rooms got a grain activation");
    }
}
