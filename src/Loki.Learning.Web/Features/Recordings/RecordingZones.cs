using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// Recordings are shown in the time zone of the meeting whose room they were made in, like the schedule shows that
/// meeting (a workshop's sittings share one room and one zone); a room without a meeting falls back to its owner's zone.
internal static class RecordingZones
{
    public static async Task<Func<Guid, string>> ZonesAsync(this LokiDbContext db, MeetingOwners owners, Guid ownerId, CancellationToken cancellationToken)
    {
        var rooms = await db.Meetings.Where(m => m.OwnerId == ownerId).Select(m => new { m.RoomId, m.TimeZoneId }).ToListAsync(cancellationToken);
        var byRoom = rooms.GroupBy(r => r.RoomId).ToDictionary(g => g.Key, g => g.First().TimeZoneId);
        var fallback = (await owners.FindAsync(db, ownerId, cancellationToken))?.TimeZoneId ?? Schedule.SupportedTimeZones[0];
        return roomId => byRoom.GetValueOrDefault(roomId, fallback);
    }
}
