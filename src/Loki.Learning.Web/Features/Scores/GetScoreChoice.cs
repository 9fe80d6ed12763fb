using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// What a room or the score page needs to show a score; members of its owner only.
public sealed record GetScoreChoice(Actor Actor, Guid ScoreId) : IQuery<ScoreChoice>;

public sealed class GetScoreChoiceHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, ScoreStorage storage) : IQueryHandler<GetScoreChoice, ScoreChoice>
{
    public async ValueTask<ScoreChoice> Handle(GetScoreChoice query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (score, _) = await db.ScoreForAsync(owners, query.ScoreId, query.Actor, cancellationToken);
        if (score.Kind == ScoreKind.MusicXml && !ScoreBars.IsCounted(score.Measures()))
        {
            await ReadAgainAsync(db, score, cancellationToken);
        }
        return score.ToChoice();
    }

    /// A score stored before bars were counted and measured (and before alternate time signatures were left out) is
    /// read again from its file the first time it is chosen, so an old upload gets the same beat as a new one.
    /// Should the file be gone or unreadable, the bars stored with it are still shown.
    private async Task ReadAgainAsync(LokiDbContext db, Score score, CancellationToken cancellationToken)
    {
        try
        {
            var content = await File.ReadAllBytesAsync(storage.PathOf(score.StoredFileName), cancellationToken);
            score.MeasuresJson = Score.ToJson(ScoreInspector.Inspect(score.StoredFileName, content).Measures);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or Refusal)
        {
            // Keep the stored bars.
        }
    }
}
