using System.Globalization;
using System.Text.Json;
using Loki.Learning.E2E.Hosting;
using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Engine;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Video;
using Microsoft.Playwright;
using static Loki.Learning.E2E.Features.Video.Cameras;

namespace Loki.Learning.E2E.Features.Video;

/// A measurement (docs/benchmarks.md §11, §13.4), run on demand:
/// <c>dotnet test e2e/Loki.Learning.E2E -c Release --filter FullyQualifiedName~VideoGlassToGlass --logger "console;verbosity=normal"</c>.
/// The teacher's camera is a canvas that shows the wall-clock millisecond as 24 black or white blocks, redrawn 30 times
/// a second; the pupil's page reads each frame it is about to show (<c>requestVideoFrameCallback</c>) and subtracts.
/// Both Chromium processes share this machine's clock. The teacher's microphone plays a short pulse once a second:
/// the teacher's page notes when each enters our audio path and the pupil's page when each is played (audio-clock frames
/// put on the same wall clock), so the pupil's sound delay and picture delay of the same person come from the same
/// seconds, and their difference is the offset the pupil sees and hears. Meanwhile the room's mix thread is watched
/// with and without video for periods that came late (more than 1.5 periods after the one before). The picture is timed
/// twice in the same run: first with Chromium's own smoothing delay, then with the zero playout delay the page asks
/// Janus for by default, each split at the frame's receive time.
public sealed class VideoGlassToGlassTests(BrowserFixture browser, LokiApp app) : CameraTest(browser, app), IClassFixture<LokiApp>
{
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(20);

    /// The camera a page asks for is a canvas stamped with the time it was drawn.
    private const string ClockCamera = """
        (() => {
            const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
            navigator.mediaDevices.getUserMedia = async constraints => {
                if (!constraints || !constraints.video) { return ask(constraints); }
                const canvas = document.createElement('canvas');
                canvas.width = 640; canvas.height = 360;
                const context = canvas.getContext('2d');
                setInterval(() => {
                    const stamp = Math.round(performance.timeOrigin + performance.now()) % 16777216;
                    context.fillStyle = '#808080';
                    context.fillRect(0, 0, 640, 360);
                    for (let bit = 0; bit < 24; bit++) {
                        context.fillStyle = (stamp >> bit) & 1 ? '#ffffff' : '#000000';
                        context.fillRect((bit % 6) * 100 + 20, Math.floor(bit / 6) * 85 + 10, 80, 70);
                    }
                }, 1000 / 30);
                return canvas.captureStream(30);
            };
        })();
        """;

    /// On the viewer's page: for each frame of the tile about to be shown, its display time minus the stamp it carries.
    private const string WatchStamps = """
        personId => {
            window.glassToGlass = [];
            const reader = document.createElement('canvas');
            reader.width = 96; reader.height = 54;
            const context = reader.getContext('2d', { willReadFrequently: true });
            let watched = null;
            const onFrame = (now, frame) => {
                context.drawImage(watched, 0, 0, 96, 54);
                const pixels = context.getImageData(0, 0, 96, 54).data;
                let stamp = 0;
                for (let bit = 0; bit < 24; bit++) {
                    const x = Math.round(((bit % 6) * 100 + 60) * 96 / 640);
                    const y = Math.round((Math.floor(bit / 6) * 85 + 45) * 54 / 360);
                    if (pixels[(y * 96 + x) * 4] > 128) { stamp |= 1 << bit; }
                }
                const since = at => {
                    const delay = (Math.round(performance.timeOrigin + at) % 16777216) - stamp;
                    return delay < 0 ? delay + 16777216 : delay;
                };
                // Where it went: drawn → last packet received (capture, encode, Janus), then received → shown
                // (jitter buffer, decode, compositor).
                window.glassToGlass.push({
                    phase: window.glassToGlassPhase ?? '',
                    delay: since(frame.expectedDisplayTime),
                    received: frame.receiveTime !== undefined ? since(frame.receiveTime) : null,
                    width: frame.width,
                });
                watched.requestVideoFrameCallback(onFrame);
            };
            const find = () => {
                const video = document.querySelector(`video[data-person="${personId}"][data-kind="camera"]`);
                if (video && video !== watched) { watched = video; video.requestVideoFrameCallback(onFrame); }
            };
            setInterval(find, 500);
            find();
        }
        """;

    private sealed record Sample(string Phase, double Delay, double? Received, int Width);

    /// An audio clock against the page's (<c>window.loki.audio.clock()</c>).
    private sealed record AudioClock(double TimeOrigin, double ContextTime, double PerformanceTime, double SampleRate, double OutputLatencyMs, double BaseLatencyMs)
    {
        /// The wall-clock millisecond (mod nothing: since the epoch) at which audio-clock frame <paramref name="frame"/> is played.
        public double Played(double frame) => TimeOrigin + PerformanceTime + ((frame / SampleRate) - ContextTime) * 1000;

        /// When frame <paramref name="frame"/> was processed: its play time less the output path the browser reports.
        public double Processed(double frame) => Played(frame) - OutputLatencyMs - BaseLatencyMs;
    }

    private sealed record Pulses(double[] Input, double[] Output);

    [Fact]
    public async Task VideoGlassToGlassOnLoopbackAndTheMixThreadWithAndWithoutVideo()
    {
        var pupilId = await PupilWithVideoConsentAsync();
        var teacherId = await IdOfAsync(DemoAccounts.EnsembleTeacher);
        var teacher = await People.PersonWithPulsesAsync(App.BaseAddress, "teacher", Red, DemoAccounts.EnsembleTeacher);
        // Signed in before any audio runs: on two cores a room with sound in it slows every page load after it.
        var pupil = await People.PersonAsync(App.BaseAddress, "pupil", Blue, 660, DemoAccounts.Pupil);
        await teacher.Context.AddInitScriptAsync(ClockCamera);
        var roomPath = await OpenEnsembleRoomAsync(teacher);
        await ToneBrowsers.ConnectAudioAsync(teacher);
        await ToneBrowsers.EnterRoomAsync(pupil, roomPath);
        await ToneBrowsers.ConnectAudioAsync(pupil);

        // The room's mix thread, watched by a tap that only counts period intervals (in this process), or through the
        // engine process's own report (the node's default: the engine in a child process).
        var roomId = Guid.Parse(roomPath.Split('/')[^1]);
        var mix = MixWatch.Start(App.Service<RoomMedia>(), roomId.ToString("N"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        mix.Reset();
        var load = LoadAverage();
        await Task.Delay(Phase);
        var withoutVideo = (mix.Since(), load, LoadAverage());

        // First with the browser's own smoothing delay (the extension, once seen, stays in force: so this phase first).
        await pupil.WaitForFunctionAsync("() => window.loki?.video?.zeroPlayoutDelay !== undefined", null, new() { Timeout = 120_000 });
        await pupil.EvaluateAsync("() => window.loki.video.zeroPlayoutDelay(false)");
        await StartCameraAsync(teacher);
        await StartCameraAsync(pupil);
        await SeesAsync(pupil, teacherId, "camera", "the pupil sees the teacher's clock camera");
        await SeesAsync(teacher, pupilId, "camera", "the teacher sees the pupil's camera");
        await pupil.EvaluateAsync("() => { window.glassToGlassPhase = 'smoothing'; }");
        await pupil.EvaluateAsync(WatchStamps, teacherId);
        var janusPid = App.Service<JanusSupervisor>().ProcessId!.Value;
        var janusBefore = CpuSeconds(janusPid);
        mix.Reset();
        load = LoadAverage();
        await Task.Delay(Phase);
        var withVideo = (mix.Since(), load, LoadAverage());
        var janusCores = (CpuSeconds(janusPid) - janusBefore) / Phase.TotalSeconds;

        // Then as the page shows cameras by default: each frame as soon as it is decoded (zero playout delay).
        await pupil.EvaluateAsync("() => { window.glassToGlassPhase = 'settling'; window.loki.video.zeroPlayoutDelay(true); }");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await pupil.EvaluateAsync("() => { window.glassToGlassPhase = 'zero playout delay'; }");
        var zeroLoad = LoadAverage();
        await Task.Delay(Phase);
        zeroLoad += " → " + LoadAverage();
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var samples = JsonSerializer.Deserialize<Sample[]>(await pupil.EvaluateAsync<string>("() => JSON.stringify(window.glassToGlass)"), web)!;
        const string PulsesAndClock = "async () => JSON.stringify({ pulses: await window.loki.audio.pulseFrames(), clock: window.loki.audio.clock() })";
        var said = JsonSerializer.Deserialize<JsonElement>(await teacher.EvaluateAsync<string>(PulsesAndClock));
        var heard = JsonSerializer.Deserialize<JsonElement>(await pupil.EvaluateAsync<string>(PulsesAndClock));
        var soundDelays = SoundDelays(said.GetProperty("pulses").Deserialize<Pulses>(web)!.Input, said.GetProperty("clock").Deserialize<AudioClock>(web)!,
            heard.GetProperty("pulses").Deserialize<Pulses>(web)!.Output, heard.GetProperty("clock").Deserialize<AudioClock>(web)!);
        mix.Stop();

        // Frames whose blocks did not read back (a decoder's half frame) give nonsense: a bound far above any real delay.
        double[] Readable(string phase, Func<Sample, double?> part) =>
            samples.Where(s => s.Phase == phase && s.Delay < 5000).Select(part).OfType<double>().Where(d => d < 5000).Order().ToArray();
        static double Quantile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Round(p * (sorted.Length - 1)))];
        var delays = Readable("smoothing", s => s.Delay);
        foreach (var (phase, phaseLoad) in new[] { ("smoothing", $"{withVideo.load} → {withVideo.Item3}"), ("zero playout delay", zeroLoad) })
        {
            var total = Readable(phase, s => s.Delay);
            var received = Readable(phase, s => s.Received);
            var shown = Readable(phase, s => s.Received is { } r ? s.Delay - r : null);
            // A measurement, not a timing test: it asks only for enough readable frames to give a figure at all (a
            // loaded machine shows a few frames a second).
            Assert.True(total.Length >= 20, $"{phase}: only {total.Length} readable frames of {samples.Length} in {Phase.TotalSeconds} s");
            var split = received.Length > 0
                ? string.Create(CultureInfo.InvariantCulture,
                    $"drawn → received p50 {Quantile(received, 0.5):F0} ms, p95 {Quantile(received, 0.95):F0} ms; received → shown p50 {Quantile(shown, 0.5):F0} ms, p95 {Quantile(shown, 0.95):F0} ms")
                : "no receiveTime in the frames' metadata";
            var width = samples.Last(s => s.Phase == phase).Width;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"GLASS-TO-GLASS {phase}: {total.Length} frames, width {width}, load average {phaseLoad}: " +
                $"p50 {Quantile(total, 0.5):F0} ms, p95 {Quantile(total, 0.95):F0} ms, min {total[0]:F0} ms, max {total[^1]:F0} ms; {split}"));
        }
        if (soundDelays.Length > 0)
        {
            var soundP50 = soundDelays[soundDelays.Length / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SOUND-TO-PICTURE the teacher as the pupil experiences them, same seconds: sound {soundDelays.Length} of {heard.GetProperty("pulses").GetProperty("output").GetArrayLength()} pulses played p50 {soundP50:F0} ms " +
                $"(min {soundDelays[0]:F0}, max {soundDelays[^1]:F0}), picture p50 {Quantile(delays, 0.5):F0} ms: the picture comes " +
                $"{Quantile(delays, 0.5) - soundP50:F0} ms after the sound"));
        }
        else
        {
            Console.WriteLine("SOUND-TO-PICTURE no pulse was paired (the pupil's page found none of the teacher's pulses in what it played)");
        }
        var forwarded = await pupil.EvaluateAsync<int>("() => window.loki.video.tiles().filter(t => !t.self && t.width > 0).length")
            + await teacher.EvaluateAsync<int>("() => window.loki.video.tiles().filter(t => !t.self && t.width > 0).length");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"JANUS CPU {janusCores:P1} of a core while forwarding {forwarded} streams (2 publishers, 3 simulcast layers each, one subscriber each)"));
        foreach (var (label, (timing, before, after)) in new[] { ("without video", withoutVideo), ("with video", withVideo) })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MIX TIMING {label}: {timing}; load average {before} → {after}"));
        }
    }

    /// The mix thread's timing over a phase. In this process a tap sees every period's interval; an engine in a child
    /// process reports its periods and late periods once a second (its longest interval only through an audience tap,
    /// which an ensemble room has not), so a phase there is read as the difference of two reports.
    private sealed class MixWatch
    {
        private readonly RoomMedia _media;
        private readonly string _room;
        private readonly AudienceTap? _probe;
        private (long Periods, long Late) _start;

        private MixWatch(RoomMedia media, string room, AudienceTap? probe) => (_media, _room, _probe) = (media, room, probe);

        public static MixWatch Start(RoomMedia media, string room)
        {
            if (media.RunsInChild)
            {
                return new MixWatch(media, room, null);
            }
            var probe = new AudienceTap();
            media.Engine!.Post(new AttachTap(room, probe));
            return new MixWatch(media, room, probe);
        }

        public void Reset()
        {
            _probe?.ResetTiming();
            var now = _media.Child?.Timing;
            _start = (now?.Periods ?? 0, now?.Late ?? 0);
        }

        public string Since()
        {
            if (_probe is not null)
            {
                var (max, longIntervals, intervals) = _probe.MixTiming;
                return string.Create(CultureInfo.InvariantCulture,
                    $"{intervals} periods in {Phase.TotalSeconds} s, {longIntervals} more than 1.5 periods after the one before ({(double)longIntervals / Math.Max(1, intervals):P3}), " +
                    $"longest interval {max.TotalMilliseconds:F2} ms (engine in the web process)");
            }
            var timing = _media.Child!.Timing;
            var (periods, latePeriods) = (timing.Periods - _start.Periods, timing.Late - _start.Late);
            return string.Create(CultureInfo.InvariantCulture,
                $"{periods} periods in {Phase.TotalSeconds} s, {latePeriods} started more than a period late ({(double)latePeriods / Math.Max(1, periods):P3}) (engine in its own process, its reports once a second)");
        }

        public void Stop()
        {
            if (_probe is not null)
            {
                _media.Engine!.Post(new DetachTap(_room, _probe));
            }
        }
    }

    /// For each pulse the listener played, the time since the same pulse entered the speaker's audio path: the latest
    /// pulse the speaker sent before it, within the second between pulses. Sorted.
    private static double[] SoundDelays(double[] sent, AudioClock speaker, double[] played, AudioClock listener)
    {
        var entered = sent.Select(speaker.Processed).Order().ToArray();
        return played.Select(listener.Played)
            .Select(at => (At: at, Sent: entered.LastOrDefault(e => e <= at, double.NaN)))
            .Where(p => !double.IsNaN(p.Sent) && p.At - p.Sent < 1000)
            .Select(p => p.At - p.Sent)
            .Order()
            .ToArray();
    }

    /// User and system CPU time of a process so far (/proc/PID/stat, in clock ticks of 1/100 s).
    private static double CpuSeconds(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
