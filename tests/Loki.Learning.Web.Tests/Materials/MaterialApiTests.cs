using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Loki.Learning.Web.Tests.Materials.MaterialFiles;
using static Loki.Learning.Web.Tests.Scores.ScoreFiles;

namespace Loki.Learning.Web.Tests.Materials;

/// The material file address through the real host, as a browser or a script would ask for it.
public sealed class MaterialApiTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const string Course = "Ensemble pedagogy at a distance";

    private async Task<Guid> CourseIdAsync()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        return await db.Courses.Where(c => c.Title == Course).Select(c => c.Id).SingleAsync();
    }

    private static MultipartFormDataContent Upload(string fileName, byte[] content) => new() { { new ByteArrayContent(content), "file", fileName } };

    [Fact]
    public async Task TheEnrolledStudentGetsTheFileWhileAStrangerAndAnUnenrolledStudentGetNothing()
    {
        var courseId = await CourseIdAsync();
        var lecturer = await app.SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026");
        var created = await lecturer.PostAsync($"api/courses/{courseId}/materials/files", Upload("seating.png", Png()));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        var student = await app.SignedInWithCookieAsync("student@demo.loki.local", "Demo-student-2026");
        var file = await student.GetAsync($"materials/{id}/file");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("image/png", file.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Png(), await file.Content.ReadAsByteArrayAsync());
        Assert.Equal("sandbox", file.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", file.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("inline", file.Content.Headers.ContentDisposition!.DispositionType);

        // Signed in, but enrolled in the other course only.
        var unenrolled = await app.SignedInWithCookieAsync("student.ntnu@demo.loki.local", "Demo-student-2026");
        var refused = await unenrolled.GetAsync($"materials/{id}/file");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.NotEqual("image/png", refused.Content.Headers.ContentType?.MediaType);
        Assert.False((await refused.Content.ReadAsByteArrayAsync()).AsSpan().StartsWith(Png().AsSpan(0, 8)));
        Assert.Equal(HttpStatusCode.Forbidden, (await unenrolled.GetAsync($"api/courses/{courseId}/materials")).StatusCode);

        // Nobody signed in: sent to the login page, with nothing of the file.
        var stranger = await app.Client().GetAsync($"materials/{id}/file");
        Assert.Equal(HttpStatusCode.Found, stranger.StatusCode);
        Assert.Contains("login", stranger.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await stranger.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await lecturer.DeleteAsync($"api/materials/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await student.GetAsync($"materials/{id}/file")).StatusCode);
    }

    [Fact]
    public async Task AJavascriptLinkIsA400WithATranslatedReasonAndAddsNothing()
    {
        var courseId = await CourseIdAsync();
        var lecturer = await app.SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026", culture: "nb");

        var response = await lecturer.PostAsJsonAsync($"api/courses/{courseId}/materials/links", new { title = "Read this", url = "javascript:alert(document.cookie)" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("En lenke må være en nettadresse som begynner med https:// eller http://.", problem!["errors"]!["url"]![0]!.GetValue<string>());
        var shelf = await lecturer.GetFromJsonAsync<JsonObject>($"api/courses/{courseId}/materials");
        Assert.DoesNotContain(shelf!["materials"]!.AsArray(), m => m!["title"]!.GetValue<string>() == "Read this");
    }

    [Fact]
    public async Task AnHtmlPageNamedLikeAPictureIsRefused()
    {
        var courseId = await CourseIdAsync();
        var lecturer = await app.SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026", culture: "en");

        var response = await lecturer.PostAsync($"api/courses/{courseId}/materials/files", Upload("photo.png", Utf8("<html><script>alert(1)</script></html>")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("The file is not the image its name says, or it is damaged.", problem!["errors"]!["file"]![0]!.GetValue<string>());
    }

}
