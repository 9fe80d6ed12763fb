using System.Globalization;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// Plays a metronome tone into one client's send port and records every listed receive port with
/// <c>jack_rec</c>, so a test can tell who heard the tone and who heard silence.
/// </summary>
public static class HearingCheck
{
    public const double ToneHz = 1000;
    public const double OffToneHz = 1700;
    private const int Bpm = 240;

    public sealed record Heard(string Port, double ToneAmplitude, double OffToneAmplitude, double Peak)
    {
        /// <summary>The metronome plays 0.5 full scale; heard at least at a fifth of that, and far above a nearby frequency.</summary>
        public bool HearsTheTone => ToneAmplitude > 0.1 && ToneAmplitude > 10 * OffToneAmplitude;
        public bool HearsSilence => Peak < 0.001;
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Port}: {ToneHz} Hz {ToneAmplitude:0.0000}, {OffToneHz} Hz {OffToneAmplitude:0.0000}, peak {Peak:0.0000}");
    }

    public static IReadOnlyList<Heard> PlayToneAndRecord(JackServer jack, string sendPort, IReadOnlyList<string> receivePorts, TimeSpan length)
    {
        var metroName = $"metro{Environment.ProcessId % 1000}{Random.Shared.Next(1000, 9999)}";
        using var metronome = ExternalTool.Start("jack_metro", "jack_metro",
            ["-n", metroName, "-b", Bpm.ToString(CultureInfo.InvariantCulture), "-f", ToneHz.ToString(CultureInfo.InvariantCulture), "-A", "0.5", "-D", "100"],
            jack.Environment);
        jack.Connect($"{metroName}:{Bpm}_bpm", sendPort);
        // Let the tone travel to the far side and through its queue before recording starts.
        Thread.Sleep(TimeSpan.FromMilliseconds(500));

        var file = Path.Combine(Path.GetTempPath(), $"loki-heard-{Guid.NewGuid():N}.wav");
        try
        {
            var seconds = Math.Max(1, (int)Math.Round(length.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            var (exitCode, output) = ExternalTool.Run("jack_rec", ["-f", file, "-d", seconds, "-b", "16", .. receivePorts],
                jack.Environment, length + TimeSpan.FromSeconds(10));
            if (exitCode != 0 || !File.Exists(file))
            {
                throw new InvalidOperationException($"jack_rec failed ({exitCode}): {output}");
            }
            var channels = CapturedAudio.ReadWav(file);
            return [.. receivePorts.Select((port, i) => new Heard(port,
                CapturedAudio.SoundingToneAmplitude(channels[i], ToneHz, JackServer.SampleRate),
                CapturedAudio.SoundingToneAmplitude(channels[i], OffToneHz, JackServer.SampleRate),
                CapturedAudio.Peak(channels[i])))];
        }
        finally
        {
            File.Delete(file);
        }
    }
}
