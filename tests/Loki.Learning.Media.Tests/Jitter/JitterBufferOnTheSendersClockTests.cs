using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Media.Tests.Jitter;

/// A browser's stream through the jitter buffer, scheduled on the sender's audio-clock timestamps
/// (<see cref="JitterBuffer.Insert(ushort, ReadOnlySpan{float}, long, long)"/>). The browser renders its 128-frame blocks in
/// bursts (four at a time, about every 10.7 ms, as headless Chromium does), stamps each with the audio-clock time of its
/// first frame and sends them together; the server reads one period every 2.67 ms on its own clock. Everything runs in
/// simulated time, so the figures are exact, not timing measurements.
public sealed class JitterBufferOnTheSendersClockTests
{
    private const int Rate = 48000;
    private const int Frames = 128;
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private const double PeriodSeconds = (double)Frames / Rate;
    private const long SenderEpochMicros = 1_765_000_000_000_000; // the sender's clock reads the Unix epoch, more or less

    private static JitterBufferOptions Options => new() { SampleRate = Rate, TimestampFrequency = TicksPerSecond };

    /// <param name="Burst">Blocks the sender renders and sends at once.</param>
    /// <param name="SenderPpm">How much faster the sender's audio clock runs than the server's, parts per million.</param>
    /// <param name="JitterMs">Extra network delay per block, uniform 0..JitterMs, independent (blocks may overtake).</param>
    /// <param name="Loss">Share of blocks lost.</param>
    /// <param name="Reverse">Each burst's blocks arrive newest first.</param>
    /// <param name="PauseAt">Block index at which the sender stops sending for <paramref name="PauseSeconds"/> (its microphone muted:
    /// the audio clock runs on, the sequence does not).</param>
    /// <param name="StampShiftAt">Block index from which every stamp is moved by <paramref name="StampShiftMs"/> (the sender re-anchored its clock).</param>
    /// <param name="StampsWhenSent">Stamps are the time the burst was sent (one for the whole burst), not the audio clock.</param>
    private sealed record Link(
        int Burst = 4, double SenderPpm = 0, double JitterMs = 0, double Loss = 0, bool Reverse = false,
        int PauseAt = -1, double PauseSeconds = 0, int StampShiftAt = -1, double StampShiftMs = 0, bool StampsWhenSent = false, int Seed = 7);

    /// <param name="Concealed">Periods concealed after the warm-up (while the buffer first sizes itself it conceals a few).</param>
    private sealed record Run(JitterBufferStatistics Statistics, int[] PlayDelays, int[] Targets, long SenderJumps, long LostBlocks, long Concealed);

    /// <summary>
    /// Sends <paramref name="seconds"/> of audio over <paramref name="link"/> and reads it on the server's clock. Figures
    /// (play delay and target after each read) are taken after <paramref name="warmUpSeconds"/>.
    /// </summary>
    private static Run Simulate(JitterBuffer buffer, Link link, double seconds, double warmUpSeconds = 3)
    {
        var random = new Random(link.Seed);
        var senderPeriod = PeriodSeconds / (1 + (link.SenderPpm / 1e6)); // server seconds per sender block
        var blocks = (int)((seconds + 0.5) / senderPeriod); // the sender goes on past the last read: no dry end
        var arrivals = new List<(double At, int Index, long Stamp)>(blocks);
        var lost = 0L;
        for (var k = 0; k < blocks; k++)
        {
            var paused = link.PauseAt >= 0 && k >= link.PauseAt;
            var senderIndex = paused ? k + (int)(link.PauseSeconds / PeriodSeconds) : k; // audio-clock position
            var burst = senderIndex / link.Burst;
            var sentAt = (burst + 1) * link.Burst * senderPeriod;
            var stampMicros = link.StampsWhenSent
                ? SenderEpochMicros + (long)Math.Round(sentAt * (1 + (link.SenderPpm / 1e6)) * 1e6 / 1000) * 1000 // ms resolution
                : SenderEpochMicros + (long)Math.Round(senderIndex * PeriodSeconds * 1e6);
            if (link.StampShiftAt >= 0 && k >= link.StampShiftAt)
            {
                stampMicros += (long)(link.StampShiftMs * 1000);
            }
            if (random.NextDouble() < link.Loss)
            {
                lost += sentAt < seconds - 0.05 ? 1 : 0; // those after the last read were never due
                continue;
            }
            var order = link.Reverse ? link.Burst - 1 - (senderIndex % link.Burst) : senderIndex % link.Burst;
            var at = sentAt + 0.001 + (random.NextDouble() * link.JitterMs / 1000) + (order * 1e-6);
            arrivals.Add((at, k, stampMicros));
        }
        arrivals.Sort((a, b) => a.At.CompareTo(b.At));

        var samples = new float[Frames];
        var output = new float[Frames];
        var delays = new List<int>();
        var targets = new List<int>();
        var next = 0;
        var phase = 0.37 * PeriodSeconds;
        long? concealedAtWarmUp = null;
        for (var read = 0; ; read++)
        {
            var now = phase + (read * PeriodSeconds);
            if (now > seconds)
            {
                break;
            }
            while (next < arrivals.Count && arrivals[next].At <= now)
            {
                var (at, index, stamp) = arrivals[next++];
                Array.Fill(samples, 0.25f);
                buffer.Insert(unchecked((ushort)index), samples, (long)(at * TicksPerSecond), stamp);
            }
            buffer.Read(output, Frames, (long)(now * TicksPerSecond));
            if (now >= warmUpSeconds)
            {
                concealedAtWarmUp ??= buffer.Statistics.ConcealedPeriods;
                delays.Add(buffer.PlayDelayFrames);
                targets.Add(buffer.TargetDepthFrames);
            }
        }
        return new Run(buffer.Statistics, [.. delays], [.. targets], buffer.SenderClockJumps, lost, buffer.Statistics.ConcealedPeriods - (concealedAtWarmUp ?? 0));
    }

    private static int Percentile(int[] values, double fraction)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static double Ms(int frames) => frames * 1000.0 / Rate;

    [Fact]
    public void BurstsOfFourBlocksPlayWithoutConcealmentAtAboutOneBurstOfDelay()
    {
        var run = Simulate(new JitterBuffer(1, Frames, Options), new Link(), seconds: 20);

        // The first block of a burst arrives three blocks (8 ms) after its audio-clock time compared with the last: the
        // buffer must hold that, and needs no more on a clean link.
        Assert.Equal(0, run.Statistics.Lost);
        Assert.Equal(0, run.Statistics.Late);
        Assert.InRange(run.Concealed, 0, 2);
        Assert.InRange(Ms(Percentile(run.Targets, 0.5)), 7.5, 11);
        Assert.InRange(Ms(Percentile(run.PlayDelays, 0.99)), 7.5, 11);
    }

    [Fact]
    public void BlocksOfABurstThatArriveNewestFirstArePlayedInOrder()
    {
        var run = Simulate(new JitterBuffer(1, Frames, Options), new Link(Reverse: true), seconds: 10);

        Assert.True(run.Statistics.Reordered > 0, run.Statistics.ToString());
        Assert.Equal(0, run.Statistics.Lost);
        // Only the first burst's three older blocks: the stream started at the newest, which came first.
        Assert.InRange(run.Statistics.Late, 0, 3);
        Assert.InRange(run.Concealed, 0, 2);
        Assert.InRange(Ms(Percentile(run.PlayDelays, 0.99)), 7.5, 11);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(-300)]
    public void ASenderWhoseAudioClockDriftsFromTheServersIsFollowedWithoutBuildingUpDelay(double ppm)
    {
        // 300 ppm over 60 s is 18 ms: far more than the buffer holds, so it must follow the drift, not absorb it.
        var run = Simulate(new JitterBuffer(1, Frames, Options), new Link(SenderPpm: ppm), seconds: 60);

        Assert.Equal(0, run.SenderJumps);
        Assert.Equal(0, run.Statistics.Lost);
        // A slower sender leaves the buffer a packet short every 8.9 s (concealed once each); a faster one makes it
        // drop a packet as often (skipped). Either way the delay stays where the bursts need it.
        Assert.InRange(run.Concealed, 0, 16);
        Assert.InRange(Ms(Percentile(run.PlayDelays, 0.99)), 7.5, 14);
        if (ppm > 0)
        {
            Assert.True(run.Statistics.Skipped > 0, run.Statistics.ToString());
        }
    }

    [Fact]
    public void LostBlocksAreConcealedOneByOneAndNothingElse()
    {
        var run = Simulate(new JitterBuffer(1, Frames, Options), new Link(Loss: 0.01, Seed: 3), seconds: 30);

        Assert.True(run.LostBlocks > 50, $"lost {run.LostBlocks}");
        // Every block the link lost is concealed (its period, sometimes split over two reads), nothing more.
        Assert.True(run.Statistics.Lost >= run.LostBlocks - 12 && run.Statistics.Lost <= run.LostBlocks, $"lost {run.LostBlocks}, {run.Statistics}");
        var concealed = run.Statistics.ConcealedPeriods; // the whole run, as the losses
        Assert.True(concealed >= run.Statistics.Lost - 12 && concealed <= (2 * run.LostBlocks) + 4, $"lost {run.LostBlocks}, {run.Statistics}");
        Assert.InRange(Ms(Percentile(run.PlayDelays, 0.99)), 7.5, 14);
    }

    [Fact]
    public void ASenderThatPausesAndResumesKeepsItsScheduleOnItsOwnClock()
    {
        // Muted for two seconds: no blocks, its sequence stands still while its audio clock runs on.
        var run = Simulate(new JitterBuffer(1, Frames, Options), new Link(PauseAt: 2000, PauseSeconds: 2), seconds: 20);

        Assert.Equal(1, run.SenderJumps);
        Assert.Equal(0, run.Statistics.Lost);
        Assert.Equal(0, run.Statistics.Late);
        // After the pause the delay is what the bursts need again, not two seconds (nor the wait it took to notice).
        Assert.InRange(Ms(run.PlayDelays[^1]), 7.5, 14);
        Assert.InRange(Ms(Percentile(run.Targets, 0.99)), 7.5, 14);
    }

    [Fact]
    public void ASenderThatReanchorsItsClockLosesNothing()
    {
        // The browser's audio clock wandered 20 ms from the system clock, so it re-anchors: every later stamp 20 ms less.
        var run = Simulate(new JitterBuffer(1, Frames, Options), new Link(StampShiftAt: 3000, StampShiftMs: -20), seconds: 20);

        Assert.Equal(1, run.SenderJumps);
        Assert.Equal(0, run.Statistics.Lost);
        Assert.InRange(run.Concealed, 0, 2);
        Assert.InRange(Ms(run.PlayDelays[^1]), 7.5, 11);
    }

    [Fact]
    public void StampsTakenWhenABurstIsSentAreNotMistakenForJumps()
    {
        // An older page stamped each block with the time it was sent: one time for the whole burst, in whole ms. The
        // buffer keeps the sequence's schedule then (no jump ever agrees three times), as before stamps were used.
        var run = Simulate(new JitterBuffer(1, Frames, Options), new Link(StampsWhenSent: true), seconds: 20);

        Assert.Equal(0, run.SenderJumps);
        Assert.Equal(0, run.Statistics.Lost);
        Assert.InRange(run.Concealed, 0, 2);
        Assert.InRange(Ms(Percentile(run.PlayDelays, 0.99)), 7.5, 11);
    }

    [Fact]
    public void AMaximumTargetKeepsTheDelayDownAndConcealsWhatComesLater()
    {
        var link = new Link(JitterMs: 10, Seed: 5);
        var free = Simulate(new JitterBuffer(1, Frames, Options), link, seconds: 20);
        var capped = Simulate(new JitterBuffer(1, Frames, Options with { MaxTargetMilliseconds = 8 }), link, seconds: 20);

        Assert.True(Ms(Percentile(free.Targets, 0.5)) > 12, $"free target {Ms(Percentile(free.Targets, 0.5))} ms");
        Assert.InRange(Ms(Percentile(capped.Targets, 0.99)), 0, 8);
        Assert.True(Percentile(capped.PlayDelays, 0.5) < Percentile(free.PlayDelays, 0.5));
        Assert.True(capped.Concealed > free.Concealed, $"capped {capped.Statistics}, free {free.Statistics}");
    }

    [Fact]
    public void AMinimumTargetHoldsTheDelayUpOnACleanLink()
    {
        var run = Simulate(new JitterBuffer(1, Frames, Options with { MinTargetMilliseconds = 20 }), new Link(), seconds: 10);

        Assert.InRange(Ms(Percentile(run.Targets, 0.01)), 20, 21);
        Assert.InRange(Ms(Percentile(run.PlayDelays, 0.5)), 19, 24);
        Assert.InRange(run.Concealed, 0, 2);
    }
}
