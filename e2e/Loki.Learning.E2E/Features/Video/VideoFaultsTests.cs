using System.Diagnostics;
using Loki.Learning.E2E.Hosting;
using Loki.Learning.Web.Features.Video;
using Microsoft.Playwright;
using static Loki.Learning.E2E.Features.Video.Cameras;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Video;

/// What goes wrong with video in a live room, and that the room's audio goes on through it: a camera the browser may
/// not use, no camera at all, a camera unplugged during the call, and the node's Janus killed.
public sealed class VideoFaultsTests(BrowserFixture browser, LokiApp app) : CameraTest(browser, app), IClassFixture<LokiApp>
{
    private const string AudioConnected = "Ditt ljud är anslutet.";

    /// Teacher and pupil (with video consent) in the ensemble's room, both with their audio connected.
    /// <param name="teacherWithoutCamera">The teacher's browser has a (fake) microphone and no camera at all.</param>
    /// <param name="pupilGrantOnly">The only devices the pupil's browser may use.</param>
    private async Task<(IPage Teacher, IPage Pupil)> InTheRoomWithAudioAsync(bool teacherWithoutCamera = false, IReadOnlyList<string>? pupilGrantOnly = null)
    {
        await PupilWithVideoConsentAsync();
        var teacher = teacherWithoutCamera
            ? await People.PersonWithoutCameraAsync(App.BaseAddress, 440, DemoAccounts.EnsembleTeacher)
            : await People.PersonAsync(App.BaseAddress, "teacher", Red, 440, DemoAccounts.EnsembleTeacher);
        // Signed in before any audio runs: on two cores a room with sound in it slows every page load after it.
        var pupil = await People.PersonAsync(App.BaseAddress, "pupil", Blue, 660, DemoAccounts.Pupil, grantOnly: pupilGrantOnly);
        var roomPath = await OpenEnsembleRoomAsync(teacher);
        await ToneBrowsers.ConnectAudioAsync(teacher);
        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);
        await ToneBrowsers.ConnectAudioAsync(pupil);
        return (teacher, pupil);
    }

    /// Teacher and pupil in the room with their audio connected, their cameras on and each seeing the other's.
    private async Task<(IPage Teacher, IPage Pupil, string TeacherId, string PupilId)> SeeingEachOtherWithAudioAsync()
    {
        var (teacher, pupil) = await InTheRoomWithAudioAsync();
        var teacherId = await IdOfAsync(DemoAccounts.EnsembleTeacher);
        var pupilId = await IdOfAsync(DemoAccounts.Pupil);
        await StartCameraAsync(teacher);
        await StartCameraAsync(pupil);
        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil's camera");
        await SeesAsync(pupil, teacherId, "camera", "the pupil sees the teacher's camera");
        return (teacher, pupil, teacherId, pupilId);
    }

    [Fact]
    public async Task ACameraTheBrowserMayNotUseOrThatIsNotThereIsSaidPlainlyAndTheAudioGoesOn()
    {
        // The teacher's browser has a (fake) microphone and no camera; the pupil's may use the microphone but was
        // refused the camera, as a person who pressed "Block".
        var (teacher, pupil) = await InTheRoomWithAudioAsync(teacherWithoutCamera: true, pupilGrantOnly: ["microphone"]);

        await StartCameraAsync(teacher);
        await StartCameraAsync(pupil);

        await Expect(teacher.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Ingen kamera hittades" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(pupil.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Webbläsaren fick inte använda kameran" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.Empty(await TilesAsync(teacher));
        Assert.Empty(await TilesAsync(pupil));
        await Expect(teacher.GetByText(AudioConnected)).ToBeVisibleAsync();
        await Expect(pupil.GetByText(AudioConnected)).ToBeVisibleAsync();
        // The camera can be tried again (after the person allowed it, or plugged one in).
        await Expect(pupil.Button("Starta kameran")).ToBeEnabledAsync();
    }

    [Fact]
    public async Task ACameraUnpluggedDuringTheCallEndsWithAMessageForThatPersonAndForTheOthersWhileTheAudioGoesOn()
    {
        var (teacher, pupil, teacherId, pupilId) = await SeeingEachOtherWithAudioAsync();

        // Unplugging a camera ends its track: the browser fires 'ended' on it. A fake camera cannot be pulled out, so
        // the page's own track gets the event the browser would send.
        await pupil.EvaluateAsync("""
            () => document.querySelector('video[data-self=true][data-kind=camera]').srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended'))
            """);

        await Expect(pupil.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Din kamera slutade fungera" })).ToBeVisibleAsync();
        await GoneAsync(teacher, pupilId, "camera", "the unplugged camera is gone from the teacher's page");
        await GoneAsync(pupil, pupilId, "camera", "the pupil's own preview ends");
        await SeesAsync(pupil, teacherId, "camera", "the pupil still sees the teacher");
        await Expect(pupil.GetByText(AudioConnected)).ToBeVisibleAsync();
        await Expect(teacher.GetByText(AudioConnected)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task WhenJanusIsKilledTheNodeStartsItAgainAndThePagesGetTheirVideoBackOnTheirOwnWhileTheAudioGoesOn()
    {
        var (teacher, pupil, teacherId, pupilId) = await SeeingEachOtherWithAudioAsync();

        var supervisor = App.Service<JanusSupervisor>();
        var generation = supervisor.Generation;
        using (var janus = Process.GetProcessById(supervisor.ProcessId!.Value))
        {
            janus.Kill();
        }

        await ToneBrowsers.WaitUntilAsync(() => Task.FromResult(supervisor.Generation > generation && supervisor.Endpoint is not null),
            () => Task.FromResult("the node started Janus again"));
        // Nobody touches anything: each page reconnects and turns its camera back on.
        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil's camera again after Janus restarted");
        await SeesAsync(pupil, teacherId, "camera", "the pupil sees the teacher's camera again after Janus restarted");
        await ShowsColourAsync(teacher, pupilId, "camera", Blue, "the pupil's tile on the teacher's page after the restart");
        // With audio connected each camera tile carries the person's latency badge.
        await Expect(teacher.Locator("figure[data-kind=camera] .latency.badge").First).ToBeVisibleAsync();
        await Screenshots.TakeAsync(teacher, "room-with-video-and-audio-teacher");
        await Expect(teacher.GetByText(AudioConnected)).ToBeVisibleAsync();
        await Expect(pupil.GetByText(AudioConnected)).ToBeVisibleAsync();
    }
}
