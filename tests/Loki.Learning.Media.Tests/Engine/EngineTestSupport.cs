using System.Net;
using System.Threading.Channels;
using Loki.Learning.Media.Engine;

namespace Loki.Learning.Media.Tests.Engine;

internal static class EngineTestSupport
{
    public static MediaEngineOptions LoopbackOptions => new()
    {
        BindAddress = IPAddress.Loopback,
        TcpPort = 0,
        UdpBasePort = 0,
        HandshakeNameWait = TimeSpan.FromMilliseconds(50),
    };

    public static float Sine(long frame, double frequency, float amplitude) =>
        (float)(amplitude * Math.Sin(2 * Math.PI * frequency * frame / 48000));

    public static double Rms(ReadOnlySpan<float> samples)
    {
        var sum = 0.0;
        foreach (var s in samples)
        {
            sum += s * (double)s;
        }
        return samples.Length == 0 ? 0 : Math.Sqrt(sum / samples.Length);
    }

    /// <summary>
    /// Median RMS over 50 ms windows: the level a listener hears, robust to a window or two concealed because a
    /// sender thread stalled on a busy machine.
    /// </summary>
    public static double TypicalRms(ReadOnlySpan<float> samples)
    {
        const int window = 2400;
        var levels = new List<double>();
        for (var start = 0; start + window <= samples.Length; start += window)
        {
            levels.Add(Rms(samples.Slice(start, window)));
        }
        levels.Sort();
        return levels.Count == 0 ? 0 : levels[levels.Count / 2];
    }

    /// <summary>Estimates the dominant frequency by counting rising zero crossings.</summary>
    public static double Frequency(ReadOnlySpan<float> samples)
    {
        var crossings = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                crossings++;
            }
        }
        return crossings * 48000.0 / samples.Length;
    }

    /// <summary>
    /// Streams a 500 Hz tone at 0.4 from <paramref name="singer"/> and silence from <paramref name="listener"/> until
    /// the listener has heard 0.3 s of it, and returns that: a check that the hub still serves both.
    /// </summary>
    public static async Task<float[]> HearTheSingerAsync(FakeJackTripClient singer, FakeJackTripClient listener)
    {
        using var done = new CancellationTokenSource();
        var streaming = Task.WhenAll(
            singer.StreamAsync(30, (frame, _) => Sine(frame, 500, 0.4f), stop: done.Token),
            listener.StreamAsync(30, (frame, _) => 0f, stop: done.Token));
        var heard = await listener.HeardAfterAsync(listener.FramesReceived);
        await done.CancelAsync();
        await streaming;
        return heard;
    }

    /// <summary>The level <see cref="HearTheSingerAsync"/>'s tone arrives at, ±10 %.</summary>
    public static void AssertHeardTheSinger(float[] heard) =>
        Assert.InRange(TypicalRms(heard), 0.4 / Math.Sqrt(2) * 0.9, 0.4 / Math.Sqrt(2) * 1.1);

    /// <summary>Reads events until one matches or the timeout passes.</summary>
    public static async Task<T> WaitForEventAsync<T>(ChannelReader<MediaEvent> events, Func<T, bool>? predicate = null, double seconds = 10) where T : MediaEvent
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            var next = await events.ReadAsync(timeout.Token);
            if (next is T match && (predicate is null || predicate(match)))
            {
                return match;
            }
        }
    }
}
