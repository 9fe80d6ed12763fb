using System.Globalization;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

/// <param name="JackTripCode">Single-use client name for a native client, bound to this room and person.</param>
/// <param name="JackTripCommand">The exact command a site technician copies.</param>
/// <param name="AudioToken">Single-use signed token for the browser audio WebSocket, valid until <paramref name="AudioTokenExpiresUtc"/>.</param>
/// <param name="AudioUrl">The WebSocket address without the token: a path on this site, or in a cluster the address
/// of the node where the room's audio lives.</param>
public sealed record JoinAnswer(
    Guid RoomId, string Title, RoomRole Role, string JackTripCode, string JackTripCommand, string JackTripHost, int JackTripPort, DateTime ExpiresUtc,
    string AudioToken, string AudioUrl, DateTime AudioTokenExpiresUtc);

/// A member joins an open room. Membership is checked against the database first, then the room decides
/// (locked, full, closed). An admin who is not a member enters as host, shown as such in the roster and kept in the
/// visit log (<see cref="RoomVisit"/>).
public sealed record JoinRoom(Actor Actor, Guid RoomId) : ICommand<JoinAnswer>;

public sealed class JoinRoomHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains, RoomAudioTokens tokens, TimeProvider clock) : ICommandHandler<JoinRoom, JoinAnswer>
{
    public async ValueTask<JoinAnswer> Handle(JoinRoom command, CancellationToken cancellationToken)
    {
        var (room, role, visit) = await dbFactory.EnterRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var person = await db.Users.Where(u => u.Id == command.Actor.PersonId).Select(u => new { u.DisplayName, u.RecordingConsent }).SingleAsync(cancellationToken);

        var consent = RecordingConsent.Given(person.RecordingConsent, role);
        var grant = await grains.GetGrain<IRoomGrain>(command.RoomId).JoinAsync(new RoomMember(command.Actor.PersonId, person.DisplayName, role, consent, visit));
        if (grant.RefusalKey is not null)
        {
            throw Refusal.Conflict(grant.RefusalKey);
        }
        if (visit)
        {
            db.RoomVisits.Add(new RoomVisit
            {
                RoomId = room.RoomId, RoomTitle = room.Title, OwnerTitle = room.OwnerTitle, PersonId = command.Actor.PersonId, DisplayName = person.DisplayName,
                AtUtc = clock.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(cancellationToken);
        }
        // The room's audio is on the node where its grain is active, which need not be the one serving this request.
        var where = grant.Media!;
        var host = where.JackTripHost;
        var port = where.JackTripPort;
        // -q 4: JackTrip's default queue; -n 2: stereo; the code doubles as the JACK client name so ports are recognisable.
        var commandLine = string.Create(CultureInfo.InvariantCulture, $"jacktrip-cli -C {host} -P {port} -K {grant.JackTripCode} -J loki -n 2 -q 4");
        var audioToken = tokens.Issue(room.RoomId, command.Actor.PersonId, role, grant.AudioNonce!, out var audioExpires);
        return new JoinAnswer(room.RoomId, room.Title, role, grant.JackTripCode!, commandLine, host, port, grant.ExpiresUtc,
            audioToken, where.AudioBaseUrl + RoomAudioEndpoint.Path(room.RoomId), audioExpires);
    }
}
