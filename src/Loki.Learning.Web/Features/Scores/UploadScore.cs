using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// <param name="Bars">Bars as musicians count them: the number of the last bar (a pickup is bar 0).</param>
public sealed record ScoreSummary(Guid Id, string Title, ScoreKind Kind, string FileName, long Size, int Bars, int PageCount, DateTime UploadedUtc);

/// A leader of the owner adds a MusicXML or PDF score. The file is inspected before anything is written:
/// a refused upload leaves no file and no row.
/// <param name="Title">Empty: the title printed in the MusicXML file, else the file name.</param>
public sealed record UploadScore(
    Actor Actor,
    Guid OwnerId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(260, ErrorMessage = "Validation.TooLong")] string FileName,
    byte[] Content,
    [property: StringLength(200, ErrorMessage = "Validation.TooLong")] string? Title = null) : ICommand<ScoreSummary>;

public sealed class UploadScoreHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, ScoreStorage storage, TimeProvider clock)
    : ICommandHandler<UploadScore, ScoreSummary>
{
    public async ValueTask<ScoreSummary> Handle(UploadScore command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (ownerKind, role) = await owners.EnsureMayViewAsync(db, command.OwnerId, command.Actor, cancellationToken);
        if (role != OwnerRole.Leader)
        {
            throw Refusal.Forbidden("Scores.Refusal.NotLeader");
        }
        var score = await StoreAsync(db, storage, command.OwnerId, ownerKind, command.Actor.PersonId, command.FileName, command.Content, command.Title,
            clock.GetUtcNow().UtcDateTime, cancellationToken);
        return score.ToSummary();
    }

    /// Inspects, writes the file, then the row; the file goes again if the row cannot be written. Shared with the seed loader.
    internal static async Task<Score> StoreAsync(LokiDbContext db, ScoreStorage storage, Guid ownerId, OwnerKind ownerKind, string uploadedById,
        string fileName, byte[] content, string? title, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var inspection = ScoreInspector.Inspect(fileName, content);
        var originalName = Path.GetFileName(fileName.Replace('\\', '/'));
        var score = new Score
        {
            OwnerId = ownerId,
            OwnerKind = ownerKind,
            Title = Truncate(FirstNonBlank(title, inspection.Title, Path.GetFileNameWithoutExtension(originalName), originalName), 200),
            Kind = inspection.Kind,
            OriginalFileName = Truncate(originalName, 260),
            StoredFileName = ScoreStorage.NewFileName(inspection.Extension),
            Size = content.Length,
            UploadedById = uploadedById,
            UploadedUtc = nowUtc,
            MeasuresJson = Score.ToJson(inspection.Measures),
            PageCount = inspection.PageCount,
        };
        db.Scores.Add(score);
        await storage.SaveWithRowAsync(score.StoredFileName, content, () => db.SaveChangesAsync(cancellationToken), cancellationToken);
        return score;
    }

    private static string FirstNonBlank(params string?[] candidates) => candidates.First(c => !string.IsNullOrWhiteSpace(c))!.Trim();

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}

internal static class ScoreSummaries
{
    public static ScoreSummary ToSummary(this Score score) =>
        new(score.Id, score.Title, score.Kind, score.OriginalFileName, score.Size, ScoreBars.CountOf(score.Measures()), score.PageCount, score.UploadedUtc);
}
