using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

/// Ensembles as owners of meetings: teachers lead, pupils are members.
public sealed class EnsembleOwners : IMeetingOwnerKind
{
    public OwnerKind Kind => OwnerKind.Ensemble;

    public Task<MeetingOwner?> FindAsync(LokiDbContext db, Guid ownerId, CancellationToken cancellationToken) =>
        db.Ensembles.Where(e => e.Id == ownerId)
            .Select(e => new MeetingOwner(OwnerKind.Ensemble, e.Id, e.Name, e.TimeZoneId))
            .SingleOrDefaultAsync(cancellationToken);

    public async Task<OwnerRole?> MembershipAsync(LokiDbContext db, Guid ownerId, string personId, CancellationToken cancellationToken)
    {
        var role = await db.EnsembleMembers.Where(m => m.EnsembleId == ownerId && m.PersonId == personId)
            .Select(m => (EnsembleRole?)m.Role).SingleOrDefaultAsync(cancellationToken);
        return role switch
        {
            EnsembleRole.Teacher => OwnerRole.Leader,
            EnsembleRole.Pupil => OwnerRole.Member,
            _ => null,
        };
    }

    public IQueryable<Guid> OwnersOf(LokiDbContext db, string personId) =>
        db.EnsembleMembers.Where(m => m.PersonId == personId).Select(m => m.EnsembleId);

    public IQueryable<OwnerRow> Owners(LokiDbContext db) =>
        db.Ensembles.Select(e => new OwnerRow { Id = e.Id, Title = e.Name, PublicCalendar = e.PublicCalendar });
}
