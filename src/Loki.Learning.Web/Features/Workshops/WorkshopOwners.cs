using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// Workshops (events) as owners of meetings: the organizer leads; registered performers play, participants and the
/// audience listen (the organizer brings a participant on stage). Only the organizer reads the event's scores.
public sealed class WorkshopOwners : IMeetingOwnerKind
{
    public OwnerKind Kind => OwnerKind.Workshop;

    public Task<MeetingOwner?> FindAsync(LokiDbContext db, Guid ownerId, CancellationToken cancellationToken) =>
        db.Workshops.Where(w => w.Id == ownerId)
            .Select(w => new MeetingOwner(OwnerKind.Workshop, w.Id, w.Title, w.TimeZoneId))
            .SingleOrDefaultAsync(cancellationToken);

    public async Task<OwnerRole?> MembershipAsync(LokiDbContext db, Guid ownerId, string personId, CancellationToken cancellationToken)
    {
        if (await db.Workshops.AnyAsync(w => w.Id == ownerId && w.OrganizerId == personId, cancellationToken))
        {
            return OwnerRole.Leader;
        }
        var category = await db.Registrations
            .Where(r => r.WorkshopId == ownerId && r.PersonId == personId && r.Status == RegistrationStatus.Registered)
            .Select(r => (TicketCategory?)r.Category).FirstOrDefaultAsync(cancellationToken);
        return category switch
        {
            TicketCategory.Performer => OwnerRole.Performer,
            null => null,
            _ => OwnerRole.Listener,
        };
    }

    public IQueryable<Guid> OwnersOf(LokiDbContext db, string personId) =>
        db.Workshops.Where(w => w.OrganizerId == personId
                || db.Registrations.Any(r => r.WorkshopId == w.Id && r.PersonId == personId && r.Status == RegistrationStatus.Registered))
            .Select(w => w.Id);

    /// An event's page offers its own calendar file once published; it has no subscribable feed.
    public IQueryable<OwnerRow> Owners(LokiDbContext db) =>
        db.Workshops.Select(w => new OwnerRow { Id = w.Id, Title = w.Title, PublicCalendar = false });
}
