using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Ensembles;

internal static class EnsembleAccess
{
    public static async Task<EnsembleRole?> RoleInAsync(this LokiDbContext db, Guid ensembleId, Actor actor, CancellationToken cancellationToken)
    {
        var role = await db.EnsembleMembers
            .Where(m => m.EnsembleId == ensembleId && m.PersonId == actor.PersonId)
            .Select(m => (EnsembleRole?)m.Role)
            .SingleOrDefaultAsync(cancellationToken);
        return actor.IsAdmin ? EnsembleRole.Teacher : role;
    }

    /// Refuses unless the ensemble exists and the actor is one of its teachers (or an admin).
    public static async Task EnsureLeadsAsync(this LokiDbContext db, Guid ensembleId, Actor actor, CancellationToken cancellationToken)
    {
        if (!await db.Ensembles.AnyAsync(e => e.Id == ensembleId, cancellationToken))
        {
            throw Refusal.NotFound("Refusal.EnsembleNotFound");
        }
        if (await db.RoleInAsync(ensembleId, actor, cancellationToken) != EnsembleRole.Teacher)
        {
            throw Refusal.Forbidden("Refusal.NotEnsembleTeacher");
        }
    }
}
