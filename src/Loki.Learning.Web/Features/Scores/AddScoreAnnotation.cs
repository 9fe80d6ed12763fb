using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Scores;

/// A member pins a note to a bar (for a PDF, to a page). A text note needs text; the other marks may carry some.
public sealed record AddScoreAnnotation(
    Actor Actor,
    Guid ScoreId,
    int Bar,
    AnnotationMark Mark,
    [property: StringLength(ScoreAnnotation.MaxTextLength, ErrorMessage = "Validation.TooLong")] string? Text) : ICommand<Guid>;

public sealed class AddScoreAnnotationHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, TimeProvider clock) : ICommandHandler<AddScoreAnnotation, Guid>
{
    public async ValueTask<Guid> Handle(AddScoreAnnotation command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (score, _) = await db.ScoreForAsync(owners, command.ScoreId, command.Actor, cancellationToken);
        var last = score.Kind == ScoreKind.Pdf ? score.PageCount : score.Measures().Count;
        if (command.Bar < 1 || command.Bar > last)
        {
            throw Refusal.Invalid("Scores.Refusal.NoSuchBar", nameof(command.Bar));
        }
        var text = command.Text?.Trim() ?? "";
        if (command.Mark == AnnotationMark.Text && text.Length == 0)
        {
            throw Refusal.Invalid("Validation.Required", nameof(command.Text));
        }
        if (!Enum.IsDefined(command.Mark))
        {
            throw Refusal.Invalid("Validation.Invalid", nameof(command.Mark));
        }
        var author = await db.Users.Where(u => u.Id == command.Actor.PersonId).Select(u => u.DisplayName).SingleOrDefaultAsync(cancellationToken) ?? "";
        var annotation = new ScoreAnnotation
        {
            ScoreId = score.Id,
            Bar = command.Bar,
            Mark = command.Mark,
            Text = text,
            AuthorId = command.Actor.PersonId,
            AuthorName = author,
            CreatedUtc = clock.GetUtcNow().UtcDateTime,
        };
        db.ScoreAnnotations.Add(annotation);
        await db.SaveChangesAsync(cancellationToken);
        return annotation.Id;
    }
}
