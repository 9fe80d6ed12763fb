using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// An owner's scores and what the asker may do with them.
public sealed record ScoreShelf(bool CanUpload, IReadOnlyList<ScoreSummary> Scores);

public sealed record ListScores(Actor Actor, Guid OwnerId) : IQuery<ScoreShelf>;

public sealed class ListScoresHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners) : IQueryHandler<ListScores, ScoreShelf>
{
    public async ValueTask<ScoreShelf> Handle(ListScores query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (_, role) = await owners.EnsureMayViewAsync(db, query.OwnerId, query.Actor, cancellationToken);
        var scores = await db.Scores.AsNoTracking().Where(s => s.OwnerId == query.OwnerId).ToListAsync(cancellationToken);
        return new ScoreShelf(role == OwnerRole.Leader, scores.OrderBy(s => s.Title, StringComparer.CurrentCulture).Select(s => s.ToSummary()).ToList());
    }
}
