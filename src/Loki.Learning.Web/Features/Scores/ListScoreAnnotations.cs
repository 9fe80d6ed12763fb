using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

public sealed record AnnotationSummary(Guid Id, int Bar, AnnotationMark Mark, string Text, string AuthorName, DateTime CreatedUtc, bool CanDelete);

/// A score's annotations in bar order, for members of its owner.
public sealed record ListScoreAnnotations(Actor Actor, Guid ScoreId) : IQuery<IReadOnlyList<AnnotationSummary>>;

public sealed class ListScoreAnnotationsHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners) : IQueryHandler<ListScoreAnnotations, IReadOnlyList<AnnotationSummary>>
{
    public async ValueTask<IReadOnlyList<AnnotationSummary>> Handle(ListScoreAnnotations query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (score, role) = await db.ScoreForAsync(owners, query.ScoreId, query.Actor, cancellationToken);
        var me = query.Actor.PersonId;
        var leads = role == OwnerRole.Leader;
        var annotations = await db.ScoreAnnotations.AsNoTracking().Where(a => a.ScoreId == score.Id).ToListAsync(cancellationToken);
        return annotations.OrderBy(a => a.Bar).ThenBy(a => a.CreatedUtc)
            .Select(a => new AnnotationSummary(a.Id, a.Bar, a.Mark, a.Text, a.AuthorName, a.CreatedUtc, leads || a.AuthorId == me))
            .ToList();
    }
}
