using System.Diagnostics;
using System.Globalization;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.Recording;
using Xunit.Abstractions;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// A concert hall as an unmodified <c>jacktrip-cli -n 8</c> client of our hub: a distinct tone on each of its eight
/// channels, a stereo listener who hears them folded down by the host's pan/gain, a production site (also
/// <c>-n 8</c>) that receives them unmixed, and a recorder that writes them as eight tracks.
/// </summary>
[Collection(RealPeers.Collection)]
public sealed class OurHubWithAMultichannelJackTripSiteTests(ITestOutputHelper output) : IDisposable
{
    private const int Channels = 8;
    private const double Amplitude = 0.2; // eight of them folded into one side stay below full scale
    private const int Rate = JackServer.SampleRate;
    private static readonly TimeSpan EventLimit = TimeSpan.FromSeconds(15);

    private readonly string _folder = Directory.CreateTempSubdirectory("loki-hall-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// A tone per channel, 200 Hz apart and each a whole number of cycles in the 10 ms windows levels are read in.
    private static double ToneOf(int channel) => 300 + (200 * channel);

    /// The tone's level while it sounds (the metronome beeps 300 ms of every 500).
    private static double Level(float[] samples, int channel) => CapturedAudio.SoundingToneAmplitude(samples, ToneOf(channel), Rate);

    [Fact]
    public async Task EightChannelsFromARealJackTripSiteAreFoldedDownPassedThroughAndRecordedAsEightTracks()
    {
        await using var hub = OurHub.Start(["hall", "studio", "listener"]);
        using var jack = JackServer.Start("hall");
        using var hall = JackTripPeer.Start(jack, "hall", hub.Port, channels: Channels);
        using var studio = JackTripPeer.Start(jack, "studio", hub.Port, channels: Channels);
        using var listener = JackTripPeer.Start(jack, "listener", hub.Port);
        foreach (var peer in new[] { hall, studio, listener })
        {
            Assert.True(peer.WaitUntilConnected(RealPeers.ConnectLimit), $"{peer}\n{hub.Describe()}");
        }
        var joined = new[] { "hall", "studio", "listener" }
            .ToDictionary(name => name, name => hub.WaitFor<ParticipantJoined>(j => j.ClientName == name, EventLimit)
                ?? throw new InvalidOperationException($"{name} did not join:\n{hub.Describe()}"));
        Assert.Equal((Channels, Channels), (joined["hall"].InputChannels, joined["studio"].InputChannels));
        var hallId = joined["hall"].ParticipantId;

        // The host's placement: the first microphone moves from hard left to hard right, the last is silenced, the
        // rest stay where the defaults put them. The studio takes the hall unmixed. A recorder takes the hall.
        Assert.True(hub.Engine.Post(new SetChannelMix(hallId, 0, 1f, 1f)));
        Assert.True(hub.Engine.Post(new SetChannelMix(hallId, 7, 0f, 0f)));
        Assert.True(hub.Engine.Post(new SetPassthrough(joined["studio"].ParticipantId, hallId)));
        var recorder = new RoomRecorder(_folder, JackServer.Period, Rate, maxTracks: Channels + 1);
        recorder.Include(hallId, "hall", 0);
        Assert.True(hub.Engine.Post(new AttachTap(OurHub.Room, recorder)));

        var metronomes = new List<ExternalTool>();
        try
        {
            for (var channel = 0; channel < Channels; channel++)
            {
                var name = $"tone{channel + 1}x{Environment.ProcessId % 1000}";
                metronomes.Add(ExternalTool.Start(name, "jack_metro",
                    ["-n", name, "-b", "120", "-D", "300", "-f", Invariant(ToneOf(channel)), "-A", Invariant(Amplitude)], jack.Environment));
                jack.Connect($"{name}:120_bpm", hall.SendPort(channel + 1));
            }
            // Record once the hub hears the hall's tones, not after a guessed pause.
            Assert.True(WaitUntil(() => hub.Engine.TryGetInputLevel(hallId, out var peak, out _) && peak > Amplitude / 2, EventLimit),
                $"the hub never heard the hall:\n{hub.Describe()}");

            string[] ports = [listener.ReceivePort(1), listener.ReceivePort(2), .. Enumerable.Range(1, Channels).Select(studio.ReceivePort)];
            var file = Path.Combine(_folder, "heard.wav");
            var (exitCode, recordOutput) = ExternalTool.Run("jack_rec", ["-f", file, "-d", "3", "-b", "16", .. ports], jack.Environment, TimeSpan.FromSeconds(20));
            Assert.True(exitCode == 0 && File.Exists(file), $"jack_rec failed ({exitCode}): {recordOutput}");
            var heard = CapturedAudio.ReadWav(file);
            var (left, right, passed) = (heard[0], heard[1], heard[2..]);

            Assert.True(hub.Engine.Post(new DetachTap(OurHub.Room, recorder)));
            var files = await recorder.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var tracks = files.Tracks.Where(t => t.ParticipantId == hallId).ToList();

            for (var channel = 0; channel < Channels; channel++)
            {
                output.WriteLine(Invariant($"channel {channel + 1} ({ToneOf(channel)} Hz): studio {Level(passed[channel], channel):0.0000}, listener L {Level(left, channel):0.0000} R {Level(right, channel):0.0000}"));
            }

            // 1. Eight channels arrive and pass through unmixed: the studio's channel k carries the hall's tone k alone.
            for (var channel = 0; channel < Channels; channel++)
            {
                var own = Level(passed[channel], channel);
                Assert.InRange(own, Amplitude * 0.8, Amplitude * 1.1);
                for (var other = 0; other < Channels; other++)
                {
                    Assert.True(other == channel || Level(passed[channel], other) < own / 20, $"studio channel {channel + 1} carries channel {other + 1}");
                }
            }

            // 2. The stereo listener hears them folded down by the pan/gain: each tone at the level the placement gives
            // it relative to what the studio received of the same channel.
            for (var channel = 0; channel < Channels; channel++)
            {
                (float Pan, float Gain) placed = channel switch
                {
                    0 => (1f, 1f),
                    7 => (0f, 0f),
                    _ => MixParticipant.DefaultChannelMix(channel, Channels),
                };
                var (pan, gain) = placed;
                var angle = (pan + 1) * Math.PI / 4;
                var sent = Level(passed[channel], channel);
                AssertFoldedLevel(Level(left, channel), sent * gain * Math.Cos(angle), $"left, channel {channel + 1}");
                AssertFoldedLevel(Level(right, channel), sent * gain * Math.Sin(angle), $"right, channel {channel + 1}");
            }

            // 3. Recorded as eight tracks, each with the tone sent on its channel.
            Assert.Equal(Enumerable.Range(1, Channels).Select(c => $"hall-ch{c}.wav"), tracks.Select(t => t.FileName));
            for (var channel = 0; channel < Channels; channel++)
            {
                var track = CapturedAudio.ReadWav(Path.Combine(_folder, tracks[channel].FileName));
                Assert.Single(track);
                var own = Level(track[0], channel);
                Assert.InRange(own, Amplitude * 0.8, Amplitude * 1.1);
                for (var other = 0; other < Channels; other++)
                {
                    Assert.True(other == channel || Level(track[0], other) < own / 20, $"track {channel + 1} holds channel {other + 1}");
                }
            }
            Assert.Equal(0, files.DroppedBlocks);
        }
        finally
        {
            metronomes.ForEach(m => m.Dispose());
        }
    }

    private static void AssertFoldedLevel(double heard, double expected, string where)
    {
        if (expected < Amplitude / 20)
        {
            Assert.True(heard < Amplitude / 20, Invariant($"{where}: {heard:0.0000} where nothing was expected"));
        }
        else
        {
            Assert.True(heard > expected * 0.85 && heard < expected * 1.15, Invariant($"{where}: {heard:0.0000}, expected {expected:0.0000}"));
        }
    }

    private static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }
            Thread.Sleep(20);
        }
        return true;
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
