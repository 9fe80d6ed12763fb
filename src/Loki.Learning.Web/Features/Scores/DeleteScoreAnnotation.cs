using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// Its author or a leader of the score's owner removes an annotation of that score. An annotation of another score
/// is "not found" whatever the asker may do there, so no address reaches an annotation through a score it is not on.
public sealed record DeleteScoreAnnotation(Actor Actor, Guid ScoreId, Guid AnnotationId) : ICommand;

public sealed class DeleteScoreAnnotationHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners) : ICommandHandler<DeleteScoreAnnotation>
{
    public async ValueTask<Unit> Handle(DeleteScoreAnnotation command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var annotation = await db.ScoreAnnotations.SingleOrDefaultAsync(a => a.Id == command.AnnotationId && a.ScoreId == command.ScoreId, cancellationToken)
            ?? throw Refusal.NotFound("Scores.Refusal.AnnotationNotFound");
        var (_, role) = await db.ScoreForAsync(owners, annotation.ScoreId, command.Actor, cancellationToken);
        if (role != OwnerRole.Leader && annotation.AuthorId != command.Actor.PersonId)
        {
            throw Refusal.Forbidden("Scores.Refusal.NotAuthor");
        }
        db.ScoreAnnotations.Remove(annotation);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
