using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// Where a score's file is on disk, for members of its owner only.
public sealed record ScoreFile(string FullPath, string ContentType, string FileName);

public sealed record GetScoreFile(Actor Actor, Guid ScoreId) : IQuery<ScoreFile>;

public sealed class GetScoreFileHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, ScoreStorage storage) : IQueryHandler<GetScoreFile, ScoreFile>
{
    public async ValueTask<ScoreFile> Handle(GetScoreFile query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (score, _) = await db.ScoreForAsync(owners, query.ScoreId, query.Actor, cancellationToken);
        var path = storage.PathOf(score.StoredFileName);
        return File.Exists(path)
            ? new ScoreFile(path, ScoreStorage.ContentTypeOf(score.StoredFileName), score.OriginalFileName)
            : throw Refusal.NotFound("Scores.Refusal.NotFound");
    }
}
