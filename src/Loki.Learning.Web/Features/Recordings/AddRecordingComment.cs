using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Scores;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// A comment pinned to a time of a take, optionally to one track. Given a bar, the comment goes to that bar's first beat,
/// and only a bar inside the take is accepted; else the bar follows from the time. Teachers start
/// threads; members reply (<paramref name="ParentId"/>). A teacher's comment on a bar of a take that showed a score
/// also becomes a note on that bar of the score, so it is there at the next rehearsal.
public sealed record AddRecordingComment(Actor Actor, Guid RecordingId, double AtSeconds, int? Bar, Guid? TrackId, Guid? ParentId, string? Text) : ICommand<Guid>;

public sealed class AddRecordingCommentHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, TimeProvider clock) : ICommandHandler<AddRecordingComment, Guid>
{
    public async ValueTask<Guid> Handle(AddRecordingComment command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (recording, role) = await db.RecordingForAsync(owners, command.RecordingId, command.Actor, cancellationToken);
        var text = command.Text?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw Refusal.Invalid("Validation.Required", nameof(command.Text));
        }
        if (text.Length > RecordingComment.MaxTextLength)
        {
            throw Refusal.Invalid("Validation.TooLong", nameof(command.Text));
        }
        var events = await db.RecordingEvents.Where(e => e.RecordingId == recording.Id).ToListAsync(cancellationToken);
        var grid = new BarGrid(events);
        var at = command.AtSeconds;
        if (command.Bar is { } wanted && command.ParentId is null)
        {
            // Only a bar the take recorded: one whose bar line it holds, or the one already playing when it started.
            at = grid.Bars(recording.DurationSeconds).FirstOrDefault(b => b.Bar == wanted)?.Seconds
                ?? (grid.BarAt(0) == wanted ? 0 : throw Refusal.Invalid("Recording.Refusal.BarOutsideTake", nameof(command.Bar)));
        }
        RecordingComment? parent = null;
        if (command.ParentId is { } parentId)
        {
            parent = await db.RecordingComments.SingleOrDefaultAsync(c => c.Id == parentId && c.RecordingId == recording.Id, cancellationToken)
                ?? throw Refusal.NotFound("Recording.Refusal.CommentNotFound");
            at = parent.AtSeconds;
        }
        else if (role != OwnerRole.Leader)
        {
            throw Refusal.Forbidden("Recording.Refusal.OnlyTeachersComment");
        }
        if (!double.IsFinite(at) || at < 0 || at > recording.DurationSeconds + 1)
        {
            throw Refusal.Invalid("Recording.Refusal.OutsideTake", nameof(command.AtSeconds));
        }
        var trackId = parent?.TrackId ?? command.TrackId;
        if (trackId is { } track && !await db.RecordingTracks.AnyAsync(t => t.Id == track && t.RecordingId == recording.Id, cancellationToken))
        {
            throw Refusal.Invalid("Recording.Refusal.NoSuchTrack", nameof(command.TrackId));
        }
        var bar = parent is null ? command.Bar ?? grid.BarAt(at) : parent.Bar;
        var author = await db.Users.Where(u => u.Id == command.Actor.PersonId).Select(u => u.DisplayName).SingleOrDefaultAsync(cancellationToken) ?? "";
        var now = clock.GetUtcNow().UtcDateTime;
        var comment = new RecordingComment
        {
            RecordingId = recording.Id,
            ParentId = parent?.Id,
            AtSeconds = at,
            Bar = bar,
            TrackId = trackId,
            AuthorId = command.Actor.PersonId,
            AuthorName = author,
            Text = text,
            CreatedUtc = now,
        };
        db.RecordingComments.Add(comment);
        if (parent is null && bar is { } onBar && recording.ScoreId is { } scoreId)
        {
            await PinToScoreAsync(db, scoreId, onBar, author, text, command.Actor.PersonId, now, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        return comment.Id;
    }

    /// The score's note carries the comment's text; bars outside the score (count-in, a different piece) are skipped.
    private static async Task PinToScoreAsync(LokiDbContext db, Guid scoreId, int bar, string author, string text, string authorId, DateTime now, CancellationToken cancellationToken)
    {
        var score = await db.Scores.SingleOrDefaultAsync(s => s.Id == scoreId, cancellationToken);
        if (score is null || score.Kind == ScoreKind.Pdf || bar < 1 || bar > score.Measures().Count)
        {
            return;
        }
        db.ScoreAnnotations.Add(new ScoreAnnotation
        {
            ScoreId = scoreId,
            Bar = bar,
            Mark = AnnotationMark.Text,
            Text = text.Length <= ScoreAnnotation.MaxTextLength ? text : text[..ScoreAnnotation.MaxTextLength],
            AuthorId = authorId,
            AuthorName = author,
            CreatedUtc = now,
        });
    }
}
