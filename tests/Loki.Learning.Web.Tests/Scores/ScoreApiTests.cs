using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Loki.Learning.Web.Tests.Scores.ScoreFiles;

namespace Loki.Learning.Web.Tests.Scores;

public sealed class ScoreApiTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const string Orchestra = "Mittnorden string orchestra";

    private Task<HttpClient> SignedInAsync(string email, string password, string? culture = null) => app.SignedInAsync(email, password, culture);

    private async Task<Guid> OrchestraIdAsync()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        return await db.Ensembles.Where(e => e.Name == Orchestra).Select(e => e.Id).SingleAsync();
    }

    private static MultipartFormDataContent Upload(string fileName, byte[] content, string? title = null)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", fileName } };
        if (title is not null)
        {
            form.Add(new StringContent(title), "title");
        }
        return form;
    }

    [Fact]
    public async Task ATeacherUploadsMusicXmlAndAMemberDownloadsItWhileAStrangerGets404()
    {
        var ensembleId = await OrchestraIdAsync();
        var teacher = await SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var xml = Utf8(Partwise(Time("2", "4") + Note + Note, Rehearsal("A") + Note + Note));

        var created = await teacher.PostAsync($"api/scores?ownerId={ensembleId}", Upload("duet.musicxml", xml, "Duet"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var summary = await created.Content.ReadFromJsonAsync<JsonObject>();
        var id = summary!["id"]!.GetValue<Guid>();
        Assert.Equal(2, summary["bars"]!.GetValue<int>());
        var list = await teacher.GetFromJsonAsync<JsonObject>($"api/scores?ownerId={ensembleId}");
        Assert.Contains(list!["scores"]!.AsArray(), s => s!["title"]!.GetValue<string>() == "Duet");
        var choice = await teacher.GetFromJsonAsync<JsonObject>($"api/scores/{id}");
        Assert.Equal($"/scores/{id}/file", choice!["fileUrl"]!.GetValue<string>());

        var file = await teacher.GetAsync($"scores/{id}/file");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("application/vnd.recordare.musicxml+xml", file.Content.Headers.ContentType!.MediaType);
        Assert.Equal(xml, await file.Content.ReadAsByteArrayAsync());

        var stranger = await SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026");
        var refused = await stranger.GetAsync($"scores/{id}/file");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.DoesNotContain("score-partwise", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Someone not signed in is sent to the login page, as for any page of the site.
        var anonymous = await app.Client().GetAsync($"scores/{id}/file");
        Assert.Equal(HttpStatusCode.Found, anonymous.StatusCode);
        Assert.Contains("login", anonymous.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync($"api/scores/{id}/annotations", new { bar = 1, mark = "Text", text = "hi" })).StatusCode);
    }

    [Fact]
    public async Task ABadUploadIsA400WithATranslatedReasonAndStoresNothing()
    {
        var ensembleId = await OrchestraIdAsync();
        var teacher = await SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026", culture: "sv");
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        var before = await db.Scores.CountAsync();

        var response = await teacher.PostAsync($"api/scores?ownerId={ensembleId}", Upload("fake.pdf", Utf8("%PDF-1.7 but nothing else")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("PDF-filen är skadad eller ofullständig.", problem!["errors"]!["file"]![0]!.GetValue<string>());
        Assert.Equal(before, await db.Scores.CountAsync());
    }

    [Fact]
    public async Task MembersAnnotateThroughTheApi()
    {
        var ensembleId = await OrchestraIdAsync();
        var pupil = await SignedInAsync("pupil@demo.loki.local", "Demo-pupil-2026");
        var shelf = await pupil.GetFromJsonAsync<JsonObject>($"api/scores?ownerId={ensembleId}");
        var polska = shelf!["scores"]!.AsArray().Single(s => s!["title"]!.GetValue<string>() == "Polska from Mittnorden")!["id"]!.GetValue<Guid>();

        var created = await pupil.PostAsJsonAsync($"api/scores/{polska}/annotations", new { bar = 9, mark = "Breath", text = "Before B" });
        var annotations = await pupil.GetFromJsonAsync<JsonArray>($"api/scores/{polska}/annotations");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains(annotations!, a => a!["bar"]!.GetValue<int>() == 9 && a["mark"]!.GetValue<string>() == "Breath");
    }

    [Fact]
    public async Task AnAnnotationCannotBeDeletedThroughAnotherScoresAddress()
    {
        var ensembleId = await OrchestraIdAsync();
        var teacher = await SignedInAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var shelf = await teacher.GetFromJsonAsync<JsonObject>($"api/scores?ownerId={ensembleId}");
        var ids = shelf!["scores"]!.AsArray().Select(s => s!["id"]!.GetValue<Guid>()).ToList();
        var (annotated, other) = (ids[0], ids[1]);
        var created = await teacher.PostAsJsonAsync($"api/scores/{annotated}/annotations", new { bar = 2, mark = "Text", text = "Keep me" });
        var annotationId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        var crossed = await teacher.DeleteAsync($"api/scores/{other}/annotations/{annotationId}");

        Assert.Equal(HttpStatusCode.NotFound, crossed.StatusCode);
        var left = await teacher.GetFromJsonAsync<JsonArray>($"api/scores/{annotated}/annotations");
        Assert.Contains(left!, a => a!["id"]!.GetValue<Guid>() == annotationId);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.DeleteAsync($"api/scores/{annotated}/annotations/{annotationId}")).StatusCode);
    }
}
