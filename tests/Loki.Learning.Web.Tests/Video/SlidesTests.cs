using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Materials;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Loki.Learning.Web.Tests.Materials.MaterialFiles;
using static Loki.Learning.Web.Tests.Scores.ScoreFiles;

namespace Loki.Learning.Web.Tests.Video;

/// Slides through the real host: the lecturer presents a PDF of the room's course materials and turns its pages; the
/// room's members read the file, nobody else gets it; a file of another course, a picture or a participant's request
/// is refused.
public sealed class SlidesTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const string Course = "Ensemble pedagogy at a distance";

    private async Task<T> Db<T>(Func<LokiDbContext, Task<T>> query)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    private static MultipartFormDataContent Upload(string fileName, byte[] content) => new() { { new ByteArrayContent(content), "file", fileName } };

    private static async Task<Guid> AddFileAsync(HttpClient lecturer, Guid courseId, string fileName, byte[] content)
    {
        var created = await lecturer.PostAsync($"api/courses/{courseId}/materials/files", Upload(fileName, content));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    /// A fresh class session of the course, opened by the lecturer, with the lecturer in it.
    private async Task<Guid> OpenLectureAsync(HttpClient lecturer, Guid courseId)
    {
        var lecture = await Db(async db =>
        {
            var made = new Meeting { OwnerKind = OwnerKind.Course, OwnerId = courseId, Title = "Slides", StartsUtc = DateTime.UtcNow, EndsUtc = DateTime.UtcNow.AddHours(1) };
            db.Meetings.Add(made);
            await db.SaveChangesAsync();
            return made;
        });
        Assert.Equal(HttpStatusCode.NoContent, (await lecturer.PostAsync($"api/rooms/{lecture.RoomId}/open", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lecturer.PostAsync($"api/rooms/{lecture.RoomId}/join", null)).StatusCode);
        return lecture.RoomId;
    }

    private Task<RoomView> ViewAsync(Guid roomId) => app.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId).GetViewAsync();

    [Fact]
    public async Task TheLecturerPresentsACoursePdfTurnsToPageThreeAndOnlyTheCoursesMembersGetTheFile()
    {
        var courseId = await Db(db => db.Courses.Where(c => c.Title == Course).Select(c => c.Id).SingleAsync());
        var lecturer = await app.SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026");
        var pdfId = await AddFileAsync(lecturer, courseId, "week3.pdf", Pdf(pages: 4));
        var roomId = await OpenLectureAsync(lecturer, courseId);

        Assert.Equal(HttpStatusCode.NoContent, (await lecturer.PostAsJsonAsync($"api/rooms/{roomId}/slides", new { materialId = pdfId })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await lecturer.PostAsJsonAsync($"api/rooms/{roomId}/slides/page", new { page = 3 })).StatusCode);
        var view = await ViewAsync(roomId);

        Assert.Equal(pdfId, view.Slides!.ScoreId);
        Assert.Equal(4, view.Slides.PageCount);
        Assert.Equal(3, view.SlidePage);
        // An enrolled student reads the slides' file; a student of another course and a stranger get nothing of it.
        var student = await app.SignedInWithCookieAsync("student@demo.loki.local", "Demo-student-2026");
        var file = await student.GetAsync(view.Slides.FileUrl.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal(Pdf(pages: 4).Length, (await file.Content.ReadAsByteArrayAsync()).Length);
        var outsider = await app.SignedInWithCookieAsync("student.ntnu@demo.loki.local", "Demo-student-2026");
        var refused = await outsider.GetAsync(view.Slides.FileUrl.TrimStart('/'));
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.False((await refused.Content.ReadAsByteArrayAsync()).AsSpan().StartsWith("%PDF-"u8));
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostAsync($"api/rooms/{roomId}/join", null)).StatusCode);
        var anonymous = await app.Client().GetAsync(view.Slides.FileUrl.TrimStart('/'));
        Assert.Empty(await anonymous.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await lecturer.PostAsJsonAsync($"api/rooms/{roomId}/slides", new { materialId = (Guid?)null })).StatusCode);
        Assert.Null((await ViewAsync(roomId)).Slides);
    }

    [Fact]
    public async Task AnotherCoursesFileAPictureAndAStudentsRequestAreRefusedAndTheSlidesStayAsTheyWere()
    {
        var courseId = await Db(db => db.Courses.Where(c => c.Title == Course).Select(c => c.Id).SingleAsync());
        var lecturer = await app.SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026");
        var pdfId = await AddFileAsync(lecturer, courseId, "week4.pdf", Pdf(pages: 3));
        var pictureId = await AddFileAsync(lecturer, courseId, "seating.png", Png());
        // The same PDF as a material of another course: its students could not open it in this room.
        var stored = MaterialStorage.NewFileName(".pdf");
        await app.Services.GetRequiredService<MaterialStorage>().SaveAsync(stored, Pdf(pages: 3), CancellationToken.None);
        var elsewhere = await Db(async db =>
        {
            var other = await db.Courses.Where(c => c.Id != courseId).Select(c => c.Id).FirstAsync();
            var copy = new CourseMaterial
            {
                CourseId = other, Title = "Elsewhere", FileName = "week4.pdf", StoredFileName = stored, ContentType = "application/pdf", Size = Pdf(pages: 3).Length,
            };
            db.CourseMaterials.Add(copy);
            await db.SaveChangesAsync();
            return copy.Id;
        });
        var roomId = await OpenLectureAsync(lecturer, courseId);
        Assert.Equal(HttpStatusCode.NoContent, (await lecturer.PostAsJsonAsync($"api/rooms/{roomId}/slides", new { materialId = pdfId })).StatusCode);
        var student = await app.SignedInAsync("student@demo.loki.local", "Demo-student-2026");
        Assert.Equal(HttpStatusCode.OK, (await student.PostAsync($"api/rooms/{roomId}/join", null)).StatusCode);

        var otherCourses = await lecturer.PostAsJsonAsync($"api/rooms/{roomId}/slides", new { materialId = elsewhere });
        var picture = await lecturer.PostAsJsonAsync($"api/rooms/{roomId}/slides", new { materialId = pictureId });
        var byStudent = await student.PostAsJsonAsync($"api/rooms/{roomId}/slides", new { materialId = pdfId });
        var turnedByStudent = await student.PostAsJsonAsync($"api/rooms/{roomId}/slides/page", new { page = 2 });
        var grantedByStudent = await student.PostAsJsonAsync($"api/rooms/{roomId}/video/share-grant", new { personId = "anyone", allowed = true });

        Assert.Equal(HttpStatusCode.NotFound, otherCourses.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, picture.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byStudent.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, turnedByStudent.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, grantedByStudent.StatusCode);
        var view = await ViewAsync(roomId);
        Assert.Equal(pdfId, view.Slides!.ScoreId);
        Assert.Equal(1, view.SlidePage);
    }
}
