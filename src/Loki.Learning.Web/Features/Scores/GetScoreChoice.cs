using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// What a room or the score page needs to show a score; members of its owner only.
public sealed record GetScoreChoice(Actor Actor, Guid ScoreId) : IQuery<ScoreChoice>;

public sealed class GetScoreChoiceHandler(IDbContextFactory<LokiDbContext> dbFactory) : IQueryHandler<GetScoreChoice, ScoreChoice>
{
    public async ValueTask<ScoreChoice> Handle(GetScoreChoice query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (score, _) = await db.ScoreForAsync(query.ScoreId, query.Actor, cancellationToken);
        return score.ToChoice();
    }
}
