using System.Text.Json;
using Loki.Learning.E2E.Hosting;
using Loki.Learning.Web.Features.Recordings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Loki.Learning.E2E.Features.Video.Cameras;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Video;

/// A take with video plays back in review: a teacher and a pupil (consent to recording and to video) with cameras
/// and sound in the ensemble's room record a take; the node's Janus records both cameras, the node converts them, and
/// the review page plays the teacher's camera in step with the waveforms — its frames advance while the take plays,
/// it stops when the take pauses, it follows a click on the waveform, and its own controls move the take.
public sealed class RecordingWithVideoTests(BrowserFixture browser, LokiApp app) : CameraTest(browser, app), IClassFixture<LokiApp>
{
    private const string TeacherName = "Tove Lärare";

    public sealed record VideoState(string Url, double Start, double CurrentTime, double Duration, bool Paused, long Frames, int Width);

    public sealed record ReviewState(bool Playing, double CurrentTime, double Duration, VideoState? Video);

    private static async Task<ReviewState> StateAsync(IPage page) =>
        JsonSerializer.Deserialize<ReviewState>(await page.EvaluateAsync<string>("() => JSON.stringify(window.loki.review.state())"),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    /// The video is where the take's clock says, give or take what one timeupdate of the waveform lets it drift.
    private static bool InStep(ReviewState state) =>
        state.Video is { } video && Math.Abs(video.CurrentTime - Math.Max(0, state.CurrentTime - video.Start)) < 0.6;

    [Fact]
    public async Task ATakeWithVideoPlaysBackInReview()
    {
        var pupilId = await PupilWithVideoConsentAsync();
        var teacherId = await IdOfAsync(DemoAccounts.EnsembleTeacher);
        var teacher = await People.PersonAsync(App.BaseAddress, "teacher", Red, 440, DemoAccounts.EnsembleTeacher);
        // Signed in before any audio runs: on two cores a room with sound in it slows every page load after it.
        var pupil = await People.PersonAsync(App.BaseAddress, "pupil", Blue, 660, DemoAccounts.Pupil);
        var roomPath = await OpenEnsembleRoomAsync(teacher);
        await ToneBrowsers.ConnectAudioAsync(teacher);
        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);
        await ToneBrowsers.ConnectAudioAsync(pupil);
        await StartCameraAsync(teacher);
        await StartCameraAsync(pupil);
        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil's camera");
        await SeesAsync(pupil, teacherId, "camera", "the pupil sees the teacher's camera");

        await teacher.Button("Starta inspelning").ClickWhenInteractiveAsync();
        await Expect(pupil.Heading("Inspelning pågår", 2)).ToBeVisibleAsync(new() { Timeout = (float)ToneBrowsers.Patience.TotalMilliseconds });
        // Both cameras are being recorded into the take's folder once Janus has written their first frames.
        var recordingId = await App.QueryAsync(db => db.Recordings.Where(r => r.Status == RecordingStatus.Recording).OrderByDescending(r => r.StartedUtc).Select(r => r.Id).FirstAsync());
        await Task.Delay(TimeSpan.FromSeconds(8));
        await teacher.Button("Stoppa inspelning").ClickWhenInteractiveAsync();
        await Expect(pupil.Heading("Inspelning pågår", 2)).ToHaveCountAsync(0, new() { Timeout = (float)ToneBrowsers.Patience.TotalMilliseconds });

        // Conversion runs after the take is stored; the page follows it and offers both cameras when they are ready.
        await teacher.Link("Lyssna på inspelningen").ClickAsync();
        await teacher.WaitUntilInteractiveAsync();
        await teacher.WaitForFunctionAsync(
            "() => { const s = window.loki?.review?.state(); return s && s.lanes.every(l => l.decoded); }",
            null, new() { Timeout = (float)ToneBrowsers.Patience.TotalMilliseconds });
        var choice = teacher.GetByRole(AriaRole.Combobox, new() { Name = "Video", Exact = true });
        await Expect(choice.Locator("option")).ToHaveCountAsync(3, new() { Timeout = (float)ToneBrowsers.Patience.TotalMilliseconds });
        var videos = await App.QueryAsync(db => db.RecordingVideos.Where(v => v.RecordingId == recordingId).ToListAsync());
        Assert.Equal(new[] { pupilId, teacherId }.Order(StringComparer.Ordinal), videos.Select(v => v.PersonId).Order(StringComparer.Ordinal));
        Assert.All(videos, v => Assert.Equal((RecordingVideoStatus.Ready, "camera"), (v.Status, v.Kind)));
        var teacherVideo = videos.Single(v => v.PersonId == teacherId);
        Assert.EndsWith("-camera-1.webm", teacherVideo.File, StringComparison.Ordinal);
        // The cameras were running before the take: each picture starts where its first frame reached Janus once the
        // take took its owner in (a loaded machine makes that a few seconds in), inside the take.
        var duration = await App.QueryAsync(db => db.Recordings.Where(r => r.Id == recordingId).Select(r => r.DurationSeconds).SingleAsync());
        Assert.All(videos, v => Assert.InRange(v.StartSeconds, -1.0, duration - 1));
        await Expect(teacher.GetByRole(AriaRole.Status).Filter(new() { HasText = "kunde inte sparas" })).ToHaveCountAsync(0);

        await choice.SelectOptionAsync(teacherVideo.Id.ToString());
        await teacher.WaitForFunctionAsync("() => window.loki.review.state().video?.width > 0");
        // It is the teacher's picture (red), not the pupil's.
        var colour = await AverageColourAsync(teacher, ".recording-video-player");
        AssertColour(Red, colour, "the teacher's recorded camera on the review page");

        // Play: the take and the video run together, frames advancing.
        await teacher.Button("Spela").ClickWhenInteractiveAsync();
        var before = (await StateAsync(teacher)).Video!;
        await ToneBrowsers.WaitUntilAsync(async () =>
        {
            var state = await StateAsync(teacher);
            return state.Playing && state.Video is { Paused: false } video && video.Frames > before.Frames + 15 && video.CurrentTime > before.CurrentTime + 1 && InStep(state);
        }, async () => $"the video plays in step with the take; state {JsonSerializer.Serialize(await StateAsync(teacher))}");

        // Pause: the video stops with the take.
        await teacher.Button("Pausa").ClickWhenInteractiveAsync();
        await ToneBrowsers.WaitUntilAsync(async () => (await StateAsync(teacher)) is { Playing: false, Video.Paused: true },
            async () => $"the video pauses with the take; state {JsonSerializer.Serialize(await StateAsync(teacher))}");

        // A click on the mix's waveform at three quarters: the video follows to the same moment.
        var wave = teacher.Locator(".recording-lane[data-lane=mix] .wave");
        var box = (await wave.BoundingBoxAsync())!;
        await wave.ClickAsync(new() { Position = new() { X = box.Width * 0.75f, Y = box.Height / 2 } });
        await ToneBrowsers.WaitUntilAsync(async () =>
        {
            var state = await StateAsync(teacher);
            return state.CurrentTime > state.Duration * 0.6 && InStep(state);
        }, async () => $"the video follows the waveform's seek; state {JsonSerializer.Serialize(await StateAsync(teacher))}");

        // The other way: seeking in the video's own controls moves the take; its play button plays the take.
        await teacher.EvaluateAsync("() => { document.querySelector('.recording-video-player').currentTime = 1; }");
        await ToneBrowsers.WaitUntilAsync(async () =>
        {
            var state = await StateAsync(teacher);
            return state.CurrentTime < state.Duration * 0.5 && InStep(state);
        }, async () => $"the take follows a seek in the video; state {JsonSerializer.Serialize(await StateAsync(teacher))}");
        await teacher.EvaluateAsync("() => document.querySelector('.recording-video-player').play()");
        await ToneBrowsers.WaitUntilAsync(async () => (await StateAsync(teacher)).Playing,
            async () => $"the take plays when the video's own play is pressed; state {JsonSerializer.Serialize(await StateAsync(teacher))}");
        await Expect(teacher.Button("Pausa")).ToBeVisibleAsync();
        await teacher.Button("Pausa").ClickWhenInteractiveAsync();

        await Screenshots.TakeAsync(teacher, "recording-review-with-video", async page =>
        {
            await page.Locator(".recording-video-player").ScrollIntoViewIfNeededAsync();
            await Expect(page.Locator(".recording-video-player")).ToBeInViewportAsync();
        });
        await teacher.SetViewportSizeAsync(1366, 768);
        var accessibility = await teacher.SeriousAccessibilityViolationsAsync(".recording-review");
        Assert.True(accessibility.Count == 0, string.Join(Environment.NewLine, accessibility));

        // The pupil, a member, gets the teacher's video (with ranges, for seeking); a stranger gets nothing.
        var videoUrl = $"/recordings/{recordingId}/files/{Uri.EscapeDataString(teacherVideo.File)}";
        Assert.Equal(206, await pupil.EvaluateAsync<int>("url => fetch(url, { headers: { Range: 'bytes=0-99' } }).then(r => r.status)", videoUrl));
        var stranger = await LogInAsync("student@demo.loki.local", "Demo-student-2026");
        Assert.Equal(404, await stranger.EvaluateAsync<int>("url => fetch(url).then(r => r.status)", videoUrl));
    }
}
