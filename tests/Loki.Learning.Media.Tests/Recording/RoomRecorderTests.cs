using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.Recording;
using NAudio.Wave;

namespace Loki.Learning.Media.Tests.Recording;

public sealed class RoomRecorderTests : IDisposable
{
    private const int Rate = 48000;
    private const int Period = 128;
    private const double PeriodMs = Period * 1000.0 / Rate;
    private const double StartMs = 1_000_000;

    private readonly string _folder = Directory.CreateTempSubdirectory("loki-recorder-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static float[] ReadMono(string path)
    {
        using var reader = new WaveFileReader(path);
        Assert.Equal((Rate, 24), (reader.WaveFormat.SampleRate, reader.WaveFormat.BitsPerSample));
        var samples = reader.ToSampleProvider();
        var all = new float[reader.SampleCount];
        var read = samples.Read(all.AsSpan());
        return all[..read];
    }

    /// Indices of isolated impulses (samples above half scale, at least 100 samples apart).
    private static List<int> Impulses(float[] samples)
    {
        var found = new List<int>();
        for (var i = 0; i < samples.Length; i++)
        {
            if (Math.Abs(samples[i]) > 0.5f && (found.Count == 0 || i - found[^1] > 100))
            {
                found.Add(i);
            }
        }
        return found;
    }

    /// Drives a room by hand: <paramref name="fill"/> writes each participant's input for the period starting at the given time.
    private static void Run(MixingRoom room, IRoomTap tap, int periods, Action<MixParticipant, double> fill)
    {
        room.AddTap(tap);
        for (var p = 0; p < periods; p++)
        {
            var epochMs = StartMs + (p * PeriodMs);
            foreach (var participant in room.Participants)
            {
                participant.Input.Clear();
                fill(participant, epochMs);
                participant.HasInput = true;
            }
            room.Mix(epochMs);
        }
        room.RemoveTap(tap);
    }

    [Fact]
    public async Task APupilPlayingOnTheirClickIsOnTheBeatGridOnceTheirUpstreamDelayIsTakenOff()
    {
        // The pupil plays an impulse on every beat at 120 BPM (every 500 ms from the start); it reaches the hub
        // 37.3 ms later. Their track, aligned by that delay, has the impulses on the grid.
        const double upstreamMs = 37.3;
        var room = new MixingRoom("room", Period);
        var pupil = room.AddParticipant(7, 1, 1)!;
        var recorder = new RoomRecorder(_folder, Period, Rate);
        recorder.Include(7, "pupil", alignOffsetMs: upstreamMs);

        Run(room, recorder, periods: 1200, (participant, epochMs) =>
        {
            for (var i = 0; i < Period; i++)
            {
                var played = epochMs + (i * 1000.0 / Rate) - upstreamMs - StartMs;
                // The sample at which each beat's impulse arrives.
                if (played >= 0 && played % 500 < 1000.0 / Rate)
                {
                    participant.Input[i] = 0.9f;
                }
            }
        });
        var files = await recorder.CompleteAsync();

        var track = Assert.Single(files.Tracks);
        Assert.Equal((7, "pupil.wav", upstreamMs, StartMs), (track.ParticipantId, track.FileName, track.AlignOffsetMs, track.StartEpochMs));
        var onsets = Impulses(ReadMono(Path.Combine(_folder, "pupil.wav")));
        Assert.True(onsets.Count >= 5, $"{onsets.Count} impulses");
        foreach (var (onset, beat) in onsets.Select((o, i) => (o, i)))
        {
            Assert.InRange((onset * 1000.0 / Rate) - (beat * 500.0), -1.0, 1.0);
        }
        Assert.Equal(0, files.DroppedBlocks);
    }

    [Fact]
    public async Task SomeoneLeftOutIsInNeitherATrackNorTheStoredMix()
    {
        var room = new MixingRoom("room", Period);
        room.AddParticipant(1, 1, 1);
        room.AddParticipant(2, 1, 1);
        var recorder = new RoomRecorder(_folder, Period, Rate);
        recorder.Include(1, "consenting", 0);

        Run(room, recorder, periods: 400, (participant, _) => participant.Input.Fill(participant.Id == 1 ? 0.25f : 0.5f));
        var files = await recorder.CompleteAsync();

        Assert.Equal(["consenting.wav"], files.Tracks.Select(t => t.FileName));
        Assert.False(File.Exists(Path.Combine(_folder, "2.wav")));
        using var mix = new WaveFileReader(Path.Combine(_folder, "mix.wav"));
        Assert.Equal(2, mix.WaveFormat.Channels);
        var frames = new float[2 * 1000];
        mix.ToSampleProvider().Read(frames.AsSpan());
        Assert.All(frames, s => Assert.Equal(0.25f, s, 3));
        Assert.Equal(400L * Period, files.MixFrames);
    }

    [Fact]
    public async Task AnExcludedParticipantStopsAtOnceAndKeepsWhatWasRecorded()
    {
        var room = new MixingRoom("room", Period);
        room.AddParticipant(1, 2, 2);
        var recorder = new RoomRecorder(_folder, Period, Rate);
        recorder.Include(1, "stereo", 0);
        room.AddTap(recorder);
        for (var p = 0; p < 300; p++)
        {
            if (p == 100)
            {
                recorder.Exclude(1);
            }
            room.Participants[0].Input.Fill(0.1f);
            room.Participants[0].HasInput = true;
            room.Mix(StartMs + (p * PeriodMs));
        }
        room.RemoveTap(recorder);
        var files = await recorder.CompleteAsync();

        var track = Assert.Single(files.Tracks);
        Assert.Equal((2, 100L * Period), (track.Channels, track.Frames));
    }

    [Fact]
    public async Task BlocksTheWriterCouldNotTakeBecomeSilenceSoTheTrackStaysInTimeAndAreCounted()
    {
        // A tiny pool (one track, two seconds) and periods far faster than real time: the writer falls behind.
        var room = new MixingRoom("room", Period);
        room.AddParticipant(1, 1, 1);
        var recorder = new RoomRecorder(_folder, Period, Rate, maxTracks: 1);
        recorder.Include(1, "fast", 0);

        Run(room, recorder, periods: 30_000, (participant, _) => participant.Input.Fill(0.2f));
        var files = await recorder.CompleteAsync();

        Assert.True(files.DroppedBlocks > 0, "the pool never ran dry: the test did not overload the writer");
        var track = Assert.Single(files.Tracks);
        // Every period is in the file, dropped ones as silence, except any dropped at the very end.
        Assert.InRange(track.Frames, (30_000L * Period) - (files.DroppedBlocks * Period), 30_000L * Period);
    }

    [Fact]
    public void CopyingAPeriodOnTheMixThreadAllocatesNothing()
    {
        var room = new MixingRoom("room", Period);
        for (var id = 1; id <= 8; id++)
        {
            room.AddParticipant(id, 1, 1);
        }
        var recorder = new RoomRecorder(_folder, Period, Rate, maxTracks: 8);
        for (var id = 1; id <= 8; id++)
        {
            recorder.Include(id, $"p{id}", 0);
        }
        room.AddTap(recorder);
        for (var p = 0; p < 50; p++)
        {
            room.Mix(StartMs + (p * PeriodMs));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var p = 50; p < 1000; p++)
        {
            room.Mix(StartMs + (p * PeriodMs));
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        room.RemoveTap(recorder);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void AFileNameThatClimbsOutOfTheFolderIsRefused()
    {
        var recorder = new RoomRecorder(_folder, Period, Rate);

        Assert.Throws<ArgumentException>(() => recorder.Include(1, "../evil", 0));
        Assert.Throws<ArgumentException>(() => recorder.Include(1, "a/b", 0));
        recorder.OnDetached();
    }
}
