using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Ensembles;

/// Attacks on class codes through the API of the running app, as a script would make them: the forms' choices are
/// not what guards the server.
public sealed class ClassCodeApiAttackTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const string Teacher = "teacher@demo.loki.local";
    private const string TeacherPassword = "Demo-teacher-2026";

    private async Task<(HttpClient Client, Guid EnsembleId)> TeacherWithEnsembleAsync(string culture)
    {
        var client = await app.SignedInAsync(Teacher, TeacherPassword, culture);
        var created = await client.PostAsJsonAsync("api/ensembles", new { name = "Attack test " + Guid.NewGuid().ToString("N")[..6] });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (client, (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>());
    }

    private async Task<int> SchoolIdAsync(HttpClient client, string name)
    {
        var all = await client.GetFromJsonAsync<JsonArray>("api/institutions");
        return all!.Single(i => i!["name"]!.GetValue<string>() == name)!["id"]!.GetValue<int>();
    }

    private async Task<T> QueryAsync<T>(Func<LokiDbContext, Task<T>> query)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    [Theory]
    [InlineData("Mittuniversitetet")]
    [InlineData("Gamla Tingshuset")]
    public async Task ACodeForAnInstitutionThatIsNoKulturskolaIsRefusedAndNothingIsWritten(string institution)
    {
        var (client, ensembleId) = await TeacherWithEnsembleAsync("en");
        var notASchool = await SchoolIdAsync(client, institution);

        var response = await client.PostAsJsonAsync($"api/ensembles/{ensembleId}/class-codes", new { institutionId = notASchool });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Class codes are only for kulturskolor: choose a kulturskola.", problem!["errors"]!["institutionId"]![0]!.GetValue<string>());
        Assert.Equal(0, await QueryAsync(db => db.ClassCodes.CountAsync(c => c.EnsembleId == ensembleId)));
    }

    [Fact]
    public async Task ACodeWithoutASchoolIsRefusedInTheTeachersLanguage()
    {
        var (client, ensembleId) = await TeacherWithEnsembleAsync("sv");

        var response = await client.PostAsJsonAsync($"api/ensembles/{ensembleId}/class-codes", new { validDays = 7 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Välj vilken kulturskola koden gäller.", problem!["errors"]!["institutionId"]![0]!.GetValue<string>());
        Assert.Equal(0, await QueryAsync(db => db.ClassCodes.CountAsync(c => c.EnsembleId == ensembleId)));
    }

    [Theory]
    [InlineData("sv", "Din lärare har dragit tillbaka klasskoden. Be hen om en ny.")]
    [InlineData("nb", "Læreren din har trukket tilbake klassekoden. Be om en ny.")]
    [InlineData("en", "Your teacher has withdrawn that class code. Ask them for a new one.")]
    public async Task ARevokedCodeIsRefusedInTheReadersLanguageAndFilesNothing(string culture, string message)
    {
        var (client, ensembleId) = await TeacherWithEnsembleAsync("en");
        var issued = await client.PostAsJsonAsync($"api/ensembles/{ensembleId}/class-codes", new { institutionId = await SchoolIdAsync(client, "Härnösands kulturskola") });
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>();
        var revoked = await client.PostAsync($"api/ensembles/{ensembleId}/class-codes/{code}/revoke", null);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        var response = await app.Client(culture).PostAsJsonAsync("api/join-requests", new { code, displayName = "Mallory", guardianConsentForRecording = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(message, problem!["errors"]!["code"]![0]!.GetValue<string>());
        Assert.Equal(0, await QueryAsync(db => db.JoinRequests.CountAsync(r => r.EnsembleId == ensembleId)));
    }

    [Fact]
    public async Task AnotherTeacherCannotRevokeACodeOfAnEnsembleTheyDoNotLead()
    {
        var (client, ensembleId) = await TeacherWithEnsembleAsync("en");
        var issued = await client.PostAsJsonAsync($"api/ensembles/{ensembleId}/class-codes", new { institutionId = await SchoolIdAsync(client, "Härnösands kulturskola") });
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>();
        var stranger = await app.SignedInAsync("lecturer@demo.loki.local", "Demo-lecturer-2026", "en");

        var response = await stranger.PostAsync($"api/ensembles/{ensembleId}/class-codes/{code}/revoke", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(await QueryAsync(db => db.ClassCodes.Where(c => c.Code == code).Select(c => c.Revoked).SingleAsync()));
    }
}
