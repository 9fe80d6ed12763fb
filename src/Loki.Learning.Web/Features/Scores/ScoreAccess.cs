using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// What a person may do with an owner's scores: leaders (teachers, the workshop's organizer, admins) upload and
/// delete; members (enrolled students, ensemble pupils) read and annotate.
public enum ScoreRole
{
    Leader,
    Member,
}

/// Membership is read from the database on every request, like a room join, so someone who leaves a course
/// loses its scores from then on.
internal static class ScoreAccess
{
    public static async Task<(ScoreOwnerKind Kind, ScoreRole? Role)?> OwnerAsync(this LokiDbContext db, Guid ownerId, Actor actor, CancellationToken cancellationToken)
    {
        var me = actor.PersonId;
        if (await db.Courses.AnyAsync(c => c.Id == ownerId, cancellationToken))
        {
            var role = actor.IsAdmin || await db.CourseTeachers.AnyAsync(t => t.CourseId == ownerId && t.PersonId == me, cancellationToken)
                ? ScoreRole.Leader
                : await db.CourseEnrolments.AnyAsync(e => e.CourseId == ownerId && e.PersonId == me, cancellationToken) ? ScoreRole.Member : (ScoreRole?)null;
            return (ScoreOwnerKind.Course, role);
        }
        if (await db.Ensembles.AnyAsync(e => e.Id == ownerId, cancellationToken))
        {
            var role = await db.RoleInAsync(ownerId, actor, cancellationToken) switch
            {
                EnsembleRole.Teacher => ScoreRole.Leader,
                EnsembleRole.Pupil => ScoreRole.Member,
                _ => (ScoreRole?)null,
            };
            return (ScoreOwnerKind.Ensemble, role);
        }
        if (await db.Workshops.AnyAsync(w => w.Id == ownerId, cancellationToken))
        {
            var leads = actor.IsAdmin || await db.Workshops.AnyAsync(w => w.Id == ownerId && w.OrganizerId == me, cancellationToken);
            return (ScoreOwnerKind.Workshop, leads ? ScoreRole.Leader : null);
        }
        return null;
    }

    /// The actor's role for an owner they belong to; refuses a missing owner or a stranger.
    public static async Task<(ScoreOwnerKind Kind, ScoreRole Role)> EnsureMemberOfOwnerAsync(this LokiDbContext db, Guid ownerId, Actor actor, CancellationToken cancellationToken)
    {
        var owner = await db.OwnerAsync(ownerId, actor, cancellationToken) ?? throw Refusal.NotFound("Scores.Refusal.OwnerNotFound");
        return owner.Role is { } role ? (owner.Kind, role) : throw Refusal.Forbidden("Scores.Refusal.NotMember");
    }

    /// The score and the actor's role for it. A stranger is told the score does not exist, so ids reveal nothing.
    public static async Task<(Score Score, ScoreRole Role)> ScoreForAsync(this LokiDbContext db, Guid scoreId, Actor actor, CancellationToken cancellationToken)
    {
        var score = await db.Scores.SingleOrDefaultAsync(s => s.Id == scoreId, cancellationToken);
        var owner = score is null ? null : await db.OwnerAsync(score.OwnerId, actor, cancellationToken);
        return owner?.Role is { } role ? (score!, role) : throw Refusal.NotFound("Scores.Refusal.NotFound");
    }

    public static async Task<Score> ScoreLedByAsync(this LokiDbContext db, Guid scoreId, Actor actor, CancellationToken cancellationToken)
    {
        var (score, role) = await db.ScoreForAsync(scoreId, actor, cancellationToken);
        return role == ScoreRole.Leader ? score : throw Refusal.Forbidden("Scores.Refusal.NotLeader");
    }
}
