using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

public sealed record EnsembleSummary(Guid Id, string Name, EnsembleRole Role, int Pupils, int Sites, DateTime? NextRehearsalUtc, string TimeZoneId);

/// Ensembles the person leads or plays in; pupils never see other ensembles.
public sealed record ListEnsembles(Actor Actor) : IQuery<IReadOnlyList<EnsembleSummary>>;

public sealed class ListEnsemblesHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : IQueryHandler<ListEnsembles, IReadOnlyList<EnsembleSummary>>
{
    public async ValueTask<IReadOnlyList<EnsembleSummary>> Handle(ListEnsembles query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var me = query.Actor.PersonId;
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await db.Ensembles
            .Where(e => query.Actor.IsAdmin || e.Members.Any(m => m.PersonId == me))
            .Select(e => new
            {
                e.Id,
                e.Name,
                e.TimeZoneId,
                Role = e.Members.Where(m => m.PersonId == me).Select(m => (EnsembleRole?)m.Role).FirstOrDefault(),
                Pupils = e.Members.Count(m => m.Role == EnsembleRole.Pupil),
                Sites = e.Members.Where(m => m.InstitutionId != null).Select(m => m.InstitutionId).Distinct().Count(),
                Next = db.Meetings.Where(r => r.OwnerId == e.Id && r.EndsUtc > now).OrderBy(r => r.StartsUtc).Select(r => (DateTime?)r.StartsUtc).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return rows
            .Select(r => new EnsembleSummary(r.Id, r.Name, r.Role ?? EnsembleRole.Teacher, r.Pupils, r.Sites, r.Next, r.TimeZoneId))
            .OrderBy(r => r.Name, StringComparer.CurrentCulture)
            .ToList();
    }
}
