using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Materials;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;
using Loki.Learning.Web.Tests.Rooms;
using Microsoft.Extensions.DependencyInjection;
using static Loki.Learning.Web.Tests.Materials.MaterialFiles;
using static Loki.Learning.Web.Tests.Scores.ScoreFiles;

namespace Loki.Learning.Web.Tests.Materials;

[Collection(nameof(CatalogueCollection))]
public sealed class CourseMaterialTests(Catalogue catalogue)
{
    private MaterialStorage Storage => catalogue.Services.GetRequiredService<MaterialStorage>();

    /// A course with its lecturer and one enrolled student.
    private async Task<(Actor Lecturer, Actor Student, Guid CourseId)> CourseAsync()
    {
        var lecturer = await catalogue.PersonAsync(Roles.Teacher);
        var courseId = await catalogue.Mediator.Send(new CreateCourse(lecturer, "Listening at a distance " + Guid.NewGuid().ToString("N")[..6], "", 20, null, "Europe/Stockholm", false));
        var student = await catalogue.PersonAsync(Roles.Student);
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var email = await db.Users.Where(u => u.Id == student.PersonId).Select(u => u.Email!).SingleAsync();
        await catalogue.Mediator.Send(new EnrollInCourse(lecturer, courseId, email));
        return (lecturer, student, courseId);
    }

    private static async Task<Refusal> RefusedAsync<T>(ValueTask<T> send) => await Assert.ThrowsAsync<Refusal>(() => send.AsTask());

    [Fact]
    public async Task ALecturerAddsAFileAndALinkThatAnEnrolledStudentOpens()
    {
        var (lecturer, student, courseId) = await CourseAsync();

        var fileId = await catalogue.Mediator.Send(new UploadCourseMaterial(lecturer, courseId, "seating plan.png", Png(), Notes: "Where everyone sits"));
        var linkId = await catalogue.Mediator.Send(new AddCourseMaterial(lecturer, courseId, "Chafe et al. 2010", null, " https://ccrma.stanford.edu/groups/soundwire/ "));

        var shelf = await catalogue.Mediator.Send(new ListCourseMaterials(student, courseId));
        Assert.False(shelf.CanManage);
        Assert.Equal([fileId, linkId], shelf.Materials.Select(m => m.Id));
        var file = shelf.Materials[0];
        Assert.Equal(("seating plan", "seating plan.png", MaterialFileKind.Image, $"/materials/{fileId}/file", "Where everyone sits"), (file.Title, file.FileName, file.Kind, file.FileUrl, file.Notes));
        Assert.Equal("https://ccrma.stanford.edu/groups/soundwire/", shelf.Materials[1].Url);
        Assert.Null(shelf.Materials[1].FileUrl);

        var served = await catalogue.Mediator.Send(new GetCourseMaterialFile(student, fileId));
        Assert.Equal(("image/png", "seating plan.png", true), (served.ContentType, served.FileName, served.Inline));
        Assert.StartsWith(Storage.Folder, served.FullPath, StringComparison.Ordinal);
        Assert.Equal(Png(), await File.ReadAllBytesAsync(served.FullPath));
        Assert.DoesNotContain("seating", Path.GetFileName(served.FullPath), StringComparison.Ordinal);
        Assert.True((await catalogue.Mediator.Send(new ListCourseMaterials(lecturer, courseId))).CanManage);
    }

    [Fact]
    public async Task AStrangerAndASignedInStudentWhoIsNotEnrolledGetNothing()
    {
        var (lecturer, _, courseId) = await CourseAsync();
        var fileId = await catalogue.Mediator.Send(new UploadCourseMaterial(lecturer, courseId, "reading.wav", Wav()));
        var otherStudent = await catalogue.PersonAsync(Roles.Student);
        var otherTeacher = await catalogue.PersonAsync(Roles.Teacher);

        foreach (var outsider in new[] { otherStudent, otherTeacher })
        {
            Assert.Equal(RefusalKind.NotFound, (await RefusedAsync(catalogue.Mediator.Send(new GetCourseMaterialFile(outsider, fileId)))).Kind);
            Assert.Equal("Refusal.NotCourseMember", (await RefusedAsync(catalogue.Mediator.Send(new ListCourseMaterials(outsider, courseId)))).ReasonKey);
            Assert.Equal(RefusalKind.NotFound, (await RefusedAsync(catalogue.Mediator.Send(new RemoveCourseMaterial(outsider, fileId)))).Kind);
            Assert.Equal(RefusalKind.Forbidden, (await RefusedAsync(catalogue.Mediator.Send(new UploadCourseMaterial(outsider, courseId, "mine.png", Png())))).Kind);
            Assert.Equal(RefusalKind.Forbidden, (await RefusedAsync(catalogue.Mediator.Send(new AddCourseMaterial(outsider, courseId, "Mine", null, "https://example.org/")))).Kind);
        }
        Assert.Single((await catalogue.Mediator.Send(new ListCourseMaterials(lecturer, courseId))).Materials);
    }

    [Fact]
    public async Task AStudentWhoLeavesTheCourseLosesItsFilesAtOnce()
    {
        var (lecturer, student, courseId) = await CourseAsync();
        var fileId = await catalogue.Mediator.Send(new UploadCourseMaterial(lecturer, courseId, "reading.pdf", Pdf(1)));
        Assert.Equal("application/pdf", (await catalogue.Mediator.Send(new GetCourseMaterialFile(student, fileId))).ContentType);

        await catalogue.Mediator.Send(new UnenrollFromCourse(student, courseId, student.PersonId));

        Assert.Equal(RefusalKind.NotFound, (await RefusedAsync(catalogue.Mediator.Send(new GetCourseMaterialFile(student, fileId)))).Kind);
    }

    [Fact]
    public async Task OnlyTheLecturerRemovesAMaterialAndItsFileGoesWithIt()
    {
        var (lecturer, student, courseId) = await CourseAsync();
        var fileId = await catalogue.Mediator.Send(new UploadCourseMaterial(lecturer, courseId, "a440.wav", Wav(), Title: "Tuning note"));
        var path = (await catalogue.Mediator.Send(new GetCourseMaterialFile(lecturer, fileId))).FullPath;

        Assert.Equal(RefusalKind.Forbidden, (await RefusedAsync(catalogue.Mediator.Send(new RemoveCourseMaterial(student, fileId)))).Kind);
        Assert.True(File.Exists(path));

        await catalogue.Mediator.Send(new RemoveCourseMaterial(lecturer, fileId));

        Assert.False(File.Exists(path));
        Assert.Empty((await catalogue.Mediator.Send(new ListCourseMaterials(student, courseId))).Materials);
        Assert.Equal(RefusalKind.NotFound, (await RefusedAsync(catalogue.Mediator.Send(new GetCourseMaterialFile(lecturer, fileId)))).Kind);
    }

    [Fact]
    public async Task ARefusedFileLeavesNoFileAndNoRow()
    {
        var (lecturer, _, courseId) = await CourseAsync();
        var before = Directory.Exists(Storage.Folder) ? Directory.GetFiles(Storage.Folder).Length : 0;

        var refusal = await RefusedAsync(catalogue.Mediator.Send(new UploadCourseMaterial(lecturer, courseId, "photo.png", Utf8("<html><script>alert(1)</script></html>"))));

        Assert.Equal(("Materials.Refusal.NotImage", "File"), (refusal.ReasonKey, refusal.Field));
        Assert.Equal(before, Directory.Exists(Storage.Folder) ? Directory.GetFiles(Storage.Folder).Length : 0);
        Assert.Empty((await catalogue.Mediator.Send(new ListCourseMaterials(lecturer, courseId))).Materials);
    }

    [Theory]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData(" JAVASCRIPT:fetch('/api/me')")]
    [InlineData("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")]
    [InlineData("vbscript:msgbox(1)")]
    public async Task AScriptLinkIsRefusedAndNothingIsAdded(string url)
    {
        var (lecturer, _, courseId) = await CourseAsync();

        var refusal = await RefusedAsync(catalogue.Mediator.Send(new AddCourseMaterial(lecturer, courseId, "Click me", null, url)));

        Assert.Equal((RefusalKind.Invalid, "Materials.Refusal.Link", "Url"), (refusal.Kind, refusal.ReasonKey, refusal.Field));
        Assert.Empty((await catalogue.Mediator.Send(new ListCourseMaterials(lecturer, courseId))).Materials);
    }

    [Fact]
    public async Task AScriptLinkWrittenIntoTheDatabaseByOtherMeansIsNeverHandedOutAsALink()
    {
        var (_, student, courseId) = await CourseAsync();
        await using (var db = await catalogue.Db.CreateDbContextAsync())
        {
            db.CourseMaterials.Add(new CourseMaterial { CourseId = courseId, Title = "Old row", Url = "javascript:alert(1)" });
            await db.SaveChangesAsync();
        }

        var shelf = await catalogue.Mediator.Send(new ListCourseMaterials(student, courseId));

        Assert.Null(Assert.Single(shelf.Materials).Url);
    }

    [Fact]
    public async Task AnEnsembleHasNoCourseMaterials()
    {
        var (teacher, _, roomId) = await catalogue.WithTeacherAndPupilAsync();
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var ensembleId = await db.Meetings.Where(m => m.RoomId == roomId).Select(m => m.OwnerId).SingleAsync();

        Assert.Equal("Refusal.CourseNotFound", (await RefusedAsync(catalogue.Mediator.Send(new ListCourseMaterials(teacher, ensembleId)))).ReasonKey);
        Assert.Equal("Refusal.CourseNotFound", (await RefusedAsync(catalogue.Mediator.Send(new UploadCourseMaterial(teacher, ensembleId, "x.png", Png())))).ReasonKey);
    }
}
