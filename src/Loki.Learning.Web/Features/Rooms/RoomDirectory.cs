using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Rooms;

public enum RoomKind
{
    ClassSession,
    Rehearsal,
    Workshop,
}

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
    [property: Id(1)] RoomKind Kind,
    [property: Id(2)] string Title,
    [property: Id(3)] string OwnerTitle,
    [property: Id(4)] Guid OwnerId,
    [property: Id(5)] DateTime StartsUtc,
    [property: Id(6)] DateTime EndsUtc,
    [property: Id(7)] string TimeZoneId);

/// Finds the session, rehearsal or workshop that owns a room, and who belongs in it.
/// Membership is read from the database on every join, so unenrolling someone keeps them out from then on.
internal static class RoomDirectory
{
    public static async Task<RoomDescription?> FindRoomAsync(this LokiDbContext db, Guid roomId, CancellationToken cancellationToken)
    {
        return await db.ClassSessions.Where(s => s.RoomId == roomId)
                .Select(s => new RoomDescription(s.RoomId, RoomKind.ClassSession, s.Title, s.Course!.Title, s.CourseId, s.StartsUtc, s.EndsUtc, s.Course.TimeZoneId))
                .SingleOrDefaultAsync(cancellationToken)
            ?? await db.Rehearsals.Where(r => r.RoomId == roomId)
                .Select(r => new RoomDescription(r.RoomId, RoomKind.Rehearsal, r.Title, r.Ensemble!.Name, r.EnsembleId, r.StartsUtc, r.EndsUtc, r.Ensemble.TimeZoneId))
                .SingleOrDefaultAsync(cancellationToken)
            ?? await db.Workshops.Where(w => w.RoomId == roomId)
                .Select(w => new RoomDescription(w.RoomId, RoomKind.Workshop, w.Title, w.Title, w.Id, w.StartsUtc, w.EndsUtc, w.TimeZoneId))
                .SingleOrDefaultAsync(cancellationToken);
    }

    /// The actor's role in the room, or null when they do not belong there. Admins may enter every room as host.
    public static async Task<RoomRole?> RoleInRoomAsync(this LokiDbContext db, RoomDescription room, Actor actor, CancellationToken cancellationToken) =>
        await MembershipAsync(db, room, actor, cancellationToken) ?? (actor.IsAdmin ? RoomRole.Host : null);

    /// Whether the actor is an admin who enters as host only because they are an admin (everyone in the room sees it).
    public static async Task<bool> IsAdminVisitAsync(this LokiDbContext db, RoomDescription room, Actor actor, CancellationToken cancellationToken) =>
        actor.IsAdmin && await MembershipAsync(db, room, actor, cancellationToken) is null;

    /// The role the actor's own membership gives them (teacher, pupil, enrolled, organizer, registered), or null.
    private static async Task<RoomRole?> MembershipAsync(LokiDbContext db, RoomDescription room, Actor actor, CancellationToken cancellationToken)
    {
        var me = actor.PersonId;
        switch (room.Kind)
        {
            case RoomKind.ClassSession:
                if (await db.CourseTeachers.AnyAsync(t => t.CourseId == room.OwnerId && t.PersonId == me, cancellationToken))
                {
                    return RoomRole.Host;
                }
                return await db.CourseEnrolments.AnyAsync(e => e.CourseId == room.OwnerId && e.PersonId == me, cancellationToken) ? RoomRole.Performer : null;
            case RoomKind.Rehearsal:
                var role = await db.EnsembleMembers.Where(m => m.EnsembleId == room.OwnerId && m.PersonId == me)
                    .Select(m => (Ensembles.EnsembleRole?)m.Role).SingleOrDefaultAsync(cancellationToken);
                return role switch
                {
                    Ensembles.EnsembleRole.Teacher => RoomRole.Host,
                    Ensembles.EnsembleRole.Pupil => RoomRole.Performer,
                    _ => null,
                };
            default:
                if (await db.Workshops.AnyAsync(w => w.Id == room.OwnerId && w.OrganizerId == me, cancellationToken))
                {
                    return RoomRole.Host;
                }
                // Performers play; participants and the audience listen (the organizer brings a participant on stage).
                var category = await db.Registrations
                    .Where(r => r.WorkshopId == room.OwnerId && r.PersonId == me && r.Status == Workshops.RegistrationStatus.Registered)
                    .Select(r => (Workshops.TicketCategory?)r.Category).FirstOrDefaultAsync(cancellationToken);
                return category switch
                {
                    Workshops.TicketCategory.Performer => RoomRole.Performer,
                    null => null,
                    _ => RoomRole.Listener,
                };
        }
    }
}
