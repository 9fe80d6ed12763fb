using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// Scores belong to a course, ensemble or workshop: who may read them (members) and who may upload and delete them
/// (leaders) is the owners' one policy (<see cref="MeetingOwners"/>), read from the database on every request, like a
/// room join, so someone who leaves a course loses its scores from then on.
internal static class ScoreAccess
{
    /// The score and the actor's role for it. A stranger is told the score does not exist, so ids reveal nothing.
    public static async Task<(Score Score, OwnerRole Role)> ScoreForAsync(this LokiDbContext db, MeetingOwners owners, Guid scoreId, Actor actor, CancellationToken cancellationToken)
    {
        var score = await db.Scores.SingleOrDefaultAsync(s => s.Id == scoreId, cancellationToken);
        var access = score is null ? null : await owners.AccessAsync(db, score.OwnerId, actor, cancellationToken);
        return access is { MayView: true, Role: { } role } ? (score!, role) : throw Refusal.NotFound("Scores.Refusal.NotFound");
    }

    public static async Task<Score> ScoreLedByAsync(this LokiDbContext db, MeetingOwners owners, Guid scoreId, Actor actor, CancellationToken cancellationToken)
    {
        var (score, role) = await db.ScoreForAsync(owners, scoreId, actor, cancellationToken);
        return role == OwnerRole.Leader ? score : throw Refusal.Forbidden("Scores.Refusal.NotLeader");
    }
}
