using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// A leader removes a score, its annotations and its file.
public sealed record DeleteScore(Actor Actor, Guid ScoreId) : ICommand;

public sealed class DeleteScoreHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, ScoreStorage storage) : ICommandHandler<DeleteScore>
{
    public async ValueTask<Unit> Handle(DeleteScore command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var score = await db.ScoreLedByAsync(owners, command.ScoreId, command.Actor, cancellationToken);
        db.Scores.Remove(score);
        await db.SaveChangesAsync(cancellationToken);
        // The row goes first: a crash between the two leaves an unreferenced file, never a row without its file.
        storage.Delete(score.StoredFileName);
        return Unit.Value;
    }
}
