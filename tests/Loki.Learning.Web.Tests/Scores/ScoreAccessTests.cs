using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Tests.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Loki.Learning.Web.Tests.Scores.ScoreFiles;

namespace Loki.Learning.Web.Tests.Scores;

[Collection(nameof(CatalogueCollection))]
public sealed class ScoreAccessTests(Catalogue catalogue)
{
    private ScoreStorage Storage => catalogue.Services.GetRequiredService<ScoreStorage>();

    /// An ensemble with teacher Tove, pupil Elsa, and a 3/4 score of four bars that Tove uploaded.
    private async Task<(Actor Teacher, Actor Pupil, Guid EnsembleId, ScoreSummary Score)> EnsembleWithScoreAsync()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var ensembleId = await db.Meetings.Where(r => r.RoomId == roomId).Select(r => r.OwnerId).SingleAsync();
        var score = await catalogue.Mediator.Send(new UploadScore(teacher, ensembleId, "tutti.musicxml",
            Utf8(Partwise(Time("3", "4") + Rehearsal("A") + Note + Note + Note, Note + Note + Note, Note + Note + Note, Note + Note + Note))));
        return (teacher, pupil, ensembleId, score);
    }

    private static async Task<Refusal> RefusedAsync<T>(ValueTask<T> send) => await Assert.ThrowsAsync<Refusal>(() => send.AsTask());

    [Fact]
    public async Task ATeacherUploadsAScoreThatThePupilCanOpenWithItsBars()
    {
        var (_, pupil, ensembleId, uploaded) = await EnsembleWithScoreAsync();

        var shelf = await catalogue.Mediator.Send(new ListScores(pupil, ensembleId));
        var choice = await catalogue.Mediator.Send(new GetScoreChoice(pupil, uploaded.Id));

        Assert.False(shelf.CanUpload);
        Assert.Equal("Test piece", Assert.Single(shelf.Scores).Title);
        Assert.Equal(ScoreKind.MusicXml, choice.Kind);
        Assert.Equal($"/scores/{uploaded.Id}/file", choice.FileUrl);
        Assert.Equal(new ScoreMeasure(1, 3, 4, "A", 1, 3), choice.Measures[0]);
        Assert.Equal(4, choice.Measures.Count);
        var file = await catalogue.Mediator.Send(new GetScoreFile(pupil, uploaded.Id));
        Assert.StartsWith(Storage.Folder, file.FullPath, StringComparison.Ordinal);
        Assert.Equal("application/vnd.recordare.musicxml+xml", file.ContentType);
    }

    [Fact]
    public async Task AStrangerCanNeitherListNorOpenNorDownloadNorAnnotate()
    {
        var (_, _, ensembleId, score) = await EnsembleWithScoreAsync();
        var stranger = await catalogue.PersonAsync(Roles.Teacher);

        Assert.Equal("Scores.Refusal.NotMember", (await RefusedAsync(catalogue.Mediator.Send(new ListScores(stranger, ensembleId)))).ReasonKey);
        Assert.Equal(RefusalKind.NotFound, (await RefusedAsync(catalogue.Mediator.Send(new GetScoreChoice(stranger, score.Id)))).Kind);
        Assert.Equal(RefusalKind.NotFound, (await RefusedAsync(catalogue.Mediator.Send(new GetScoreFile(stranger, score.Id)))).Kind);
        Assert.Equal(RefusalKind.NotFound, (await RefusedAsync(catalogue.Mediator.Send(new ListScoreAnnotations(stranger, score.Id)))).Kind);
        Assert.Equal(RefusalKind.NotFound, (await RefusedAsync(catalogue.Mediator.Send(new AddScoreAnnotation(stranger, score.Id, 1, AnnotationMark.Text, "mine")))).Kind);
        Assert.Equal(RefusalKind.Forbidden, (await RefusedAsync(catalogue.Mediator.Send(new UploadScore(stranger, ensembleId, "x.musicxml", Utf8(Partwise(Note)))))).Kind);
    }

    [Fact]
    public async Task AScoreStoredBeforeBarsWereCountedIsReadAgainFromItsFileWhenChosen()
    {
        var (teacher, _, ensembleId, _) = await EnsembleWithScoreAsync();
        var pickup = await catalogue.Mediator.Send(new UploadScore(teacher, ensembleId, "upbeat.musicxml",
            Utf8(Partwise(Time("3", "4") + Note, Note + Note + Note, Note + Note + Note))));
        await using (var db = await catalogue.Db.CreateDbContextAsync())
        {
            // As the reader stored it before: every bar a full bar, numbered in written order.
            var row = await db.Scores.SingleAsync(s => s.Id == pickup.Id);
            row.MeasuresJson = "[{\"bar\":1,\"beats\":3,\"beatType\":4},{\"bar\":2,\"beats\":3,\"beatType\":4},{\"bar\":3,\"beats\":3,\"beatType\":4}]";
            await db.SaveChangesAsync();
        }

        var choice = await catalogue.Mediator.Send(new GetScoreChoice(teacher, pickup.Id));

        Assert.Equal([(0, 1.0), (1, 3), (2, 3)], choice.Measures.Select(m => (m.Number!.Value, m.Length!.Value)));
        await using var after = await catalogue.Db.CreateDbContextAsync();
        Assert.True(ScoreBars.IsCounted((await after.Scores.SingleAsync(s => s.Id == pickup.Id)).Measures()));
    }

    [Fact]
    public async Task APupilAnnotatesButCannotUploadOrDeleteScores()
    {
        var (teacher, pupil, ensembleId, score) = await EnsembleWithScoreAsync();

        var id = await catalogue.Mediator.Send(new AddScoreAnnotation(pupil, score.Id, 2, AnnotationMark.Breath, "Breathe before the A"));
        var upload = await RefusedAsync(catalogue.Mediator.Send(new UploadScore(pupil, ensembleId, "mine.musicxml", Utf8(Partwise(Note)))));
        var delete = await RefusedAsync(catalogue.Mediator.Send(new DeleteScore(pupil, score.Id)));

        Assert.Equal("Scores.Refusal.NotLeader", upload.ReasonKey);
        Assert.Equal("Scores.Refusal.NotLeader", delete.ReasonKey);
        var seenByTeacher = Assert.Single(await catalogue.Mediator.Send(new ListScoreAnnotations(teacher, score.Id)));
        Assert.Equal((id, 2, AnnotationMark.Breath, "Elsa", true), (seenByTeacher.Id, seenByTeacher.Bar, seenByTeacher.Mark, seenByTeacher.AuthorName, seenByTeacher.CanDelete));
    }

    [Fact]
    public async Task OnlyTheAuthorOrATeacherDeletesAnAnnotation()
    {
        var (teacher, pupil, _, score) = await EnsembleWithScoreAsync();
        var teachers = await catalogue.Mediator.Send(new AddScoreAnnotation(teacher, score.Id, 1, AnnotationMark.Fermata, null));
        var pupils = await catalogue.Mediator.Send(new AddScoreAnnotation(pupil, score.Id, 3, AnnotationMark.Text, "Slower here"));

        var refused = await RefusedAsync(catalogue.Mediator.Send(new DeleteScoreAnnotation(pupil, score.Id, teachers)));
        await catalogue.Mediator.Send(new DeleteScoreAnnotation(pupil, score.Id, pupils));

        Assert.Equal("Scores.Refusal.NotAuthor", refused.ReasonKey);
        var left = Assert.Single(await catalogue.Mediator.Send(new ListScoreAnnotations(pupil, score.Id)));
        Assert.Equal(teachers, left.Id);
        Assert.False(left.CanDelete);
        await catalogue.Mediator.Send(new DeleteScoreAnnotation(teacher, score.Id, teachers));
        Assert.Empty(await catalogue.Mediator.Send(new ListScoreAnnotations(pupil, score.Id)));
    }

    [Fact]
    public async Task AnAnnotationOutsideTheScoreOrWithoutTextIsRefused()
    {
        var (_, pupil, _, score) = await EnsembleWithScoreAsync();

        var pastTheEnd = await RefusedAsync(catalogue.Mediator.Send(new AddScoreAnnotation(pupil, score.Id, 5, AnnotationMark.Text, "x")));
        var empty = await RefusedAsync(catalogue.Mediator.Send(new AddScoreAnnotation(pupil, score.Id, 1, AnnotationMark.Text, "  ")));
        var tooLong = await Assert.ThrowsAsync<InvalidInput>(() => catalogue.Mediator.Send(new AddScoreAnnotation(pupil, score.Id, 1, AnnotationMark.Text, new string('x', 501))).AsTask());

        Assert.Equal("Scores.Refusal.NoSuchBar", pastTheEnd.ReasonKey);
        Assert.Equal("Text", empty.Field);
        Assert.Contains("Text", tooLong.Errors.Keys);
    }

    [Fact]
    public async Task ARefusedUploadLeavesNoFileAndNoRow()
    {
        var (teacher, _, ensembleId, _) = await EnsembleWithScoreAsync();
        var filesBefore = Directory.GetFiles(Storage.Folder).Length;

        var refusal = await RefusedAsync(catalogue.Mediator.Send(new UploadScore(teacher, ensembleId, "broken.pdf", Utf8("%PDF-1.4 nothing else"))));

        Assert.Equal("Scores.Refusal.NotPdf", refusal.ReasonKey);
        Assert.Equal(filesBefore, Directory.GetFiles(Storage.Folder).Length);
        Assert.Single((await catalogue.Mediator.Send(new ListScores(teacher, ensembleId))).Scores);
    }

    [Fact]
    public async Task DeletingAScoreRemovesItsFileAndAnnotations()
    {
        var (teacher, pupil, ensembleId, score) = await EnsembleWithScoreAsync();
        await catalogue.Mediator.Send(new AddScoreAnnotation(pupil, score.Id, 1, AnnotationMark.Dynamics, "p"));
        var file = await catalogue.Mediator.Send(new GetScoreFile(teacher, score.Id));

        await catalogue.Mediator.Send(new DeleteScore(teacher, score.Id));

        Assert.False(File.Exists(file.FullPath));
        Assert.Empty((await catalogue.Mediator.Send(new ListScores(teacher, ensembleId))).Scores);
        await using var db = await catalogue.Db.CreateDbContextAsync();
        Assert.False(await db.ScoreAnnotations.AnyAsync(a => a.ScoreId == score.Id));
    }

    [Fact]
    public async Task AnEnrolledStudentReadsTheCoursesPdfButAnotherCoursesStudentDoesNot()
    {
        var lecturer = await catalogue.PersonAsync(Roles.Teacher);
        var courseId = await catalogue.Mediator.Send(new CreateCourse(lecturer, "Scores " + Guid.NewGuid().ToString("N")[..6], null, 10, null, "Europe/Stockholm", false));
        var student = await catalogue.PersonAsync(Roles.Student);
        await using (var db = await catalogue.Db.CreateDbContextAsync())
        {
            db.CourseEnrolments.Add(new CourseEnrolment { CourseId = courseId, PersonId = student.PersonId });
            await db.SaveChangesAsync();
        }
        var other = await catalogue.PersonAsync(Roles.Student);

        var score = await catalogue.Mediator.Send(new UploadScore(lecturer, courseId, "parts.pdf", Pdf(pages: 2), "Parts"));
        var choice = await catalogue.Mediator.Send(new GetScoreChoice(student, score.Id));

        Assert.Equal((ScoreKind.Pdf, 2, "Parts"), (choice.Kind, choice.PageCount, choice.Title));
        Assert.Empty(choice.Measures);
        Assert.Equal(RefusalKind.NotFound, (await RefusedAsync(catalogue.Mediator.Send(new GetScoreChoice(other, score.Id)))).Kind);
    }
}
