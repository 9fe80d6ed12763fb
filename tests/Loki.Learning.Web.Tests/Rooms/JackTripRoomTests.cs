using Loki.Learning.Media.Tests.Interop;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Tests.Rooms;

/// A site technician copies the command from the join answer: the real jacktrip-cli connects to the node's hub,
/// the hub asks the room grain about the code, and the roster shows the participant's audio.
[Collection(nameof(CatalogueCollection))]
public sealed class JackTripRoomTests(Catalogue catalogue)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private async Task<(Actor Teacher, Guid RoomId)> OpenRehearsalAsync()
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher, "Tove");
        var ensembleId = await catalogue.Mediator.Send(new CreateEnsemble(teacher, "Hall " + Guid.NewGuid().ToString("N")[..6], null, "Europe/Stockholm", null));
        var rehearsalId = await catalogue.Mediator.Send(new ScheduleMeeting(teacher, OwnerKind.Ensemble, ensembleId, "Concert run", new DateTime(2026, 12, 10, 18, 0, 0), 90));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var roomId = await db.Meetings.Where(r => r.Id == rehearsalId).Select(r => r.RoomId).SingleAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        return (teacher, roomId);
    }

    [Fact]
    public async Task ARealJackTripClientJoinsWithItsCodeAndShowsAsConnected()
    {
        var (teacher, roomId) = await OpenRehearsalAsync();
        var join = await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));

        using var turn = await JackGate.EnterAsync();
        using var jack = JackServer.Start("room");
        using var client = JackTripPeer.Start(jack, join.JackTripCode, join.JackTripPort);

        Assert.True(client.WaitUntilConnected(Limit), client.ToString());
        var me = await WaitForAsync(roomId, view => view.Roster.SingleOrDefault(p => p.PersonId == teacher.PersonId) is { AudioConnected: true });
        Assert.NotNull(me);
        Assert.True(client.Process.WaitForLine(l => l.Contains("tot:", StringComparison.Ordinal), Limit), "no audio came back from the hub");
    }

    [Fact]
    public async Task AClientWithAnUnknownOrUsedCodeIsTurnedAway()
    {
        var (teacher, roomId) = await OpenRehearsalAsync();
        var join = await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));
        // The grain has already redeemed this code once (as if another client used it first).
        Assert.True((await catalogue.Cluster.Client.GetGrain<IRoomGrain>(roomId).RedeemJackTripCodeAsync(join.JackTripCode)).Admitted);

        using var turn = await JackGate.EnterAsync();
        using var jack = JackServer.Start("room-refused");
        using var reused = JackTripPeer.Start(jack, join.JackTripCode, join.JackTripPort);
        using var forged = JackTripPeer.Start(jack, JackTripCodes.Create(roomId), join.JackTripPort);

        Assert.False(reused.WaitUntilConnected(TimeSpan.FromSeconds(5)), "a used code was admitted");
        Assert.False(forged.WaitUntilConnected(TimeSpan.FromSeconds(1)), "a code the room never issued was admitted");
        var view = await catalogue.Cluster.Client.GetGrain<IRoomGrain>(roomId).GetViewAsync();
        Assert.DoesNotContain(view.Roster, p => p.AudioConnected);
    }

    private async Task<RoomView> WaitForAsync(Guid roomId, Func<RoomView, bool> condition)
    {
        var room = catalogue.Cluster.Client.GetGrain<IRoomGrain>(roomId);
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            var view = await room.GetViewAsync();
            if (condition(view) || DateTime.UtcNow > deadline)
            {
                return view;
            }
            await Task.Delay(100);
        }
    }
}
