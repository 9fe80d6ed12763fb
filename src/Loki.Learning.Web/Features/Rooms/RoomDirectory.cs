using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

/// What a person does in a live room: hosts lead it, performers play, listeners only hear.
public enum RoomRole
{
    Host,
    Performer,
    Listener,
}

/// <param name="OwnerId">The course, ensemble or workshop the room belongs to.</param>
[GenerateSerializer, Immutable, Alias("Loki.RoomDescription")]
public sealed record RoomDescription(
    [property: Id(0)] Guid RoomId,
    [property: Id(1)] OwnerKind Kind,
    [property: Id(2)] string Title,
    [property: Id(3)] string OwnerTitle,
    [property: Id(4)] Guid OwnerId,
    [property: Id(5)] DateTime StartsUtc,
    [property: Id(6)] DateTime EndsUtc,
    [property: Id(7)] string TimeZoneId);

/// Finds the meeting (or meetings: a workshop's sittings share its room) held in a room, and who belongs in it.
/// Membership is read from the database on every join, so unenrolling someone keeps them out from then on.
internal static class RoomDirectory
{
    public static async Task<RoomDescription?> FindRoomAsync(this LokiDbContext db, MeetingOwners owners, Guid roomId, CancellationToken cancellationToken)
    {
        var meetings = await db.Meetings.Where(m => m.RoomId == roomId).OrderBy(m => m.StartsUtc).ToListAsync(cancellationToken);
        if (meetings is not [var first, ..] || await owners[first.OwnerKind].FindAsync(db, first.OwnerId, cancellationToken) is not { } owner)
        {
            return null;
        }
        // A room of one meeting is named after it; a room its owner's meetings share (a workshop's) after the owner.
        var title = meetings.Count == 1 ? first.Title : owner.Title;
        return new RoomDescription(roomId, owner.Kind, title, owner.Title, owner.Id, first.StartsUtc, meetings.Max(m => m.EndsUtc), first.TimeZoneId);
    }

    /// The actor's role in the room, from the owners' one policy: leaders host, members and performers play,
    /// listeners listen; strangers get null. Admins may enter every room as host (<see cref="OwnerAccess.AdminVisit"/>).
    public static async Task<(RoomRole? Role, bool AdminVisit)> RoleInRoomAsync(
        this LokiDbContext db, MeetingOwners owners, RoomDescription room, Actor actor, CancellationToken cancellationToken)
    {
        var access = await owners.AccessAsync(db, new MeetingOwner(room.Kind, room.OwnerId, room.OwnerTitle, room.TimeZoneId), actor, cancellationToken);
        RoomRole? role = access.Role switch
        {
            OwnerRole.Leader => RoomRole.Host,
            OwnerRole.Member or OwnerRole.Performer => RoomRole.Performer,
            OwnerRole.Listener => RoomRole.Listener,
            _ => null,
        };
        return (role, access.AdminVisit);
    }
}
