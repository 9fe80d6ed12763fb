using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.Recording;
using Loki.Learning.Media.Tests.Interop;

namespace Loki.Learning.Media.Tests.Recording;

/// <summary>A hall's 8 microphones recorded as 8 tracks of a take, and exported as 8 tracks of a DAW project.</summary>
public sealed class MultichannelRecordingTests : IDisposable
{
    private const int Rate = 48000;
    private const int Period = 128;
    private const float Amplitude = 0.3f;

    private readonly string _folder = Directory.CreateTempSubdirectory("loki-multichannel-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// A tone per channel, 200 Hz apart: every one a whole number of cycles in a second, so they do not leak into each other.
    private static double ToneOf(int channel) => 300 + (200 * channel);

    [Fact]
    public async Task EveryChannelOfAHallIsItsOwnTrackWithTheSignalSentOnItAndTheExportListsThemAll()
    {
        var room = new MixingRoom("hall", Period);
        var hall = room.AddParticipant(7, 8, 2)!;
        var pupil = room.AddParticipant(8, 1, 2)!;
        hall.SetChannelMix(0, -1f, 1f);
        var recorder = new RoomRecorder(_folder, Period, Rate, maxTracks: 9);
        recorder.Include(7, "hall", 0);
        recorder.Include(8, "pupil", 0);
        room.AddTap(recorder);
        for (var period = 0; period < Rate / Period; period++)
        {
            for (var channel = 0; channel < 8; channel++)
            {
                var samples = hall.Input.Slice(channel * Period, Period);
                for (var i = 0; i < Period; i++)
                {
                    samples[i] = (float)(Amplitude * Math.Sin(2 * Math.PI * ToneOf(channel) * ((period * Period) + i) / Rate));
                }
            }
            pupil.Input.Fill(0.1f);
            hall.HasInput = pupil.HasInput = true;
            room.Mix(1_000_000 + (period * Period * 1000.0 / Rate));
        }
        room.RemoveTap(recorder);
        var files = await recorder.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var hallTracks = files.Tracks.Where(t => t.ParticipantId == 7).ToList();
        Assert.Equal(Enumerable.Range(1, 8).Select(c => ($"hall-ch{c}.wav", 1, (int?)c)), hallTracks.Select(t => (t.FileName, t.Channels, t.Channel)));
        Assert.Equal(("pupil.wav", 1, (int?)null), files.Tracks.Where(t => t.ParticipantId == 8).Select(t => (t.FileName, t.Channels, t.Channel)).Single());
        for (var channel = 0; channel < 8; channel++)
        {
            var track = hallTracks[channel];
            Assert.Equal(Rate - (Rate % Period), track.Frames);
            var samples = CapturedAudio.ReadWav(Path.Combine(_folder, track.FileName));
            Assert.Single(samples);
            Assert.Equal(Amplitude, CapturedAudio.ToneAmplitude(samples[0], ToneOf(channel), Rate), 2);
            for (var other = 0; other < 8; other++)
            {
                if (other != channel)
                {
                    Assert.True(CapturedAudio.ToneAmplitude(samples[0], ToneOf(other), Rate) < 0.005, $"{track.FileName} holds channel {other + 1}'s tone");
                }
            }
        }

        // The stored mix is the fold-down the room heard: channel 1 hard left at unity, the last channel hard right.
        var mix = CapturedAudio.ReadWav(Path.Combine(_folder, files.MixFileName));
        Assert.Equal(Amplitude, CapturedAudio.ToneAmplitude(mix[0], ToneOf(0), Rate), 2);
        Assert.True(CapturedAudio.ToneAmplitude(mix[1], ToneOf(0), Rate) < 0.005);
        Assert.Equal(Amplitude * hall.ChannelGain(7), CapturedAudio.ToneAmplitude(mix[1], ToneOf(7), Rate), 2);

        var project = new StringWriter();
        DawExport.WriteReaperProject(project, new ReaperProject(
            [.. files.Tracks.Select(t => new DawTrack(t.Channel is { } c ? $"Hall {c}" : "Pupil", t.FileName, 0, t.Frames / (double)Rate))], [], []));
        var exported = project.ToString();
        Assert.Equal(9, exported.Split("<SOURCE WAVE").Length - 1);
        Assert.All(Enumerable.Range(1, 8), c => Assert.Contains($"FILE \"hall-ch{c}.wav\"", exported, StringComparison.Ordinal));
    }
}
