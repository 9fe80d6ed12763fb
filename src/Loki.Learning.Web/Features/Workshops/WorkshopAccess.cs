using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

internal static class WorkshopAccess
{
    /// The workshop, when <paramref name="actor"/> organizes it (or is an admin); otherwise a refusal.
    public static async Task<Workshop> OrganizedByAsync(this LokiDbContext db, Guid eventId, Actor? actor, CancellationToken cancellationToken)
    {
        var workshop = await db.Workshops.AsNoTracking().SingleOrDefaultAsync(w => w.Id == eventId, cancellationToken)
            ?? throw Refusal.NotFound("Refusal.EventNotFound");
        if (actor is null || !(actor.IsAdmin || workshop.OrganizerId == actor.PersonId))
        {
            throw Refusal.Forbidden("Refusal.NotYourEvent");
        }
        return workshop;
    }

    public static bool Organizes(this Workshop workshop, Actor? actor) => actor is not null && (actor.IsAdmin || workshop.OrganizerId == actor.PersonId);
}
