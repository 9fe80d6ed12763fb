using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.People;

/// Adults answer for themselves about recording and video (<c>/api/me/consent</c>); a pupil's consent is their
/// guardian's, recorded by their teacher, and the pupil cannot change it.
public sealed class OwnConsentTests(RunningApp app) : IClassFixture<RunningApp>
{
    [Fact]
    public async Task AnAdultStudentGivesRecordingConsentThenVideoConsentAndEachChangeKeepsTheOther()
    {
        var student = await app.SignedInAsync("student.ntnu@demo.loki.local", "Demo-student-2026");
        var before = await student.GetFromJsonAsync<JsonObject>("api/me/consent");
        Assert.False(before!["recording"]!.GetValue<bool>());
        Assert.True(before["ownToGive"]!.GetValue<bool>());

        var recording = await student.PutAsJsonAsync("api/me/consent", new { recording = true });
        var video = await student.PutAsJsonAsync("api/me/consent", new { video = true });
        var after = await student.GetFromJsonAsync<JsonObject>("api/me/consent");

        Assert.Equal(HttpStatusCode.OK, recording.StatusCode);
        Assert.Equal(HttpStatusCode.OK, video.StatusCode);
        Assert.True(after!["recording"]!.GetValue<bool>());
        Assert.True(after["video"]!.GetValue<bool>());

        var withdrawn = await student.PutAsJsonAsync("api/me/consent", new { recording = false });
        var last = await withdrawn.Content.ReadFromJsonAsync<JsonObject>();
        Assert.False(last!["recording"]!.GetValue<bool>());
        Assert.True(last["video"]!.GetValue<bool>());
    }

    [Fact]
    public async Task APupilCannotChangeTheGuardiansConsent()
    {
        var pupil = await app.SignedInAsync("pupil@demo.loki.local", "Demo-pupil-2026");

        var attempt = await pupil.PutAsJsonAsync("api/me/consent", new { recording = false, video = true });
        var onFile = await pupil.GetFromJsonAsync<JsonObject>("api/me/consent");

        Assert.Equal(HttpStatusCode.Forbidden, attempt.StatusCode);
        Assert.True(onFile!["recording"]!.GetValue<bool>());
        Assert.False(onFile["video"]!.GetValue<bool>());
        Assert.False(onFile["ownToGive"]!.GetValue<bool>());
    }

    [Fact]
    public async Task NobodySignedOutReadsOrSetsConsent()
    {
        var anonymous = app.Client();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/me/consent")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync("api/me/consent", new { recording = true })).StatusCode);
    }
}
