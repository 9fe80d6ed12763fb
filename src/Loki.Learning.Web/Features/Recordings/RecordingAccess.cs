using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// Recordings belong to the course, ensemble or workshop whose room was recorded: its leaders (teachers, the organizer,
/// admins) and members (enrolled students, pupils) may listen and comment; anyone else is told the recording does not
/// exist. Membership is read from the database on every request, like scores.
internal static class RecordingAccess
{
    public static async Task<(Recording Recording, OwnerRole Role)> RecordingForAsync(this LokiDbContext db, MeetingOwners owners, Guid recordingId, Actor actor, CancellationToken cancellationToken)
    {
        var recording = await db.Recordings.SingleOrDefaultAsync(r => r.Id == recordingId, cancellationToken);
        var access = recording is null ? null : await owners.AccessAsync(db, recording.OwnerId, actor, cancellationToken);
        return access is { MayView: true, Role: { } role } ? (recording!, role) : throw Refusal.NotFound("Recording.Refusal.NotFound");
    }

    /// The room of a take, for its host only: a member who is not the host is refused, a stranger told it does not exist.
    public static async Task<RoomDescription> EnsureHostsAsync(this IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, Guid roomId, Actor actor, CancellationToken cancellationToken)
    {
        var (room, role) = await dbFactory.MemberOfRoomAsync(owners, roomId, actor, cancellationToken);
        return role == RoomRole.Host ? room : throw Refusal.Forbidden("Refusal.NotRoomHost");
    }
}
