using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Media.Tests.Jitter;

public sealed class JitterBufferTests
{
    private const int Rate = 48000;

    private static JitterBufferOptions Options => new() { SampleRate = Rate, TimestampFrequency = TimeSpan.TicksPerSecond };

    /// <summary>A planar sine per channel starting at phase zero, so a fade-in from silence leaves it unchanged.</summary>
    private static float[] SinePacket(long firstFrame, int frames, int channels, double frequency = 441)
    {
        var samples = new float[frames * channels];
        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < frames; i++)
            {
                samples[(c * frames) + i] = (float)(0.8 * Math.Sin(2 * Math.PI * frequency * (firstFrame + i) / Rate) * (c == 0 ? 1 : -1));
            }
        }
        return samples;
    }

    private static long ArrivalOf(int packetIndex, int framesPerPacket) => (long)packetIndex * framesPerPacket * TimeSpan.TicksPerSecond / Rate;

    private static float[] ReadAll(JitterBuffer buffer, int reads, int frames)
    {
        var output = new float[reads * frames * buffer.Channels];
        var block = new float[frames * buffer.Channels];
        for (var r = 0; r < reads; r++)
        {
            buffer.Read(block, frames);
            for (var c = 0; c < buffer.Channels; c++)
            {
                block.AsSpan(c * frames, frames).CopyTo(output.AsSpan((c * reads * frames) + (r * frames)));
            }
        }
        return output;
    }

    private static float MaxStep(ReadOnlySpan<float> samples)
    {
        var max = 0f;
        for (var i = 1; i < samples.Length; i++)
        {
            max = Math.Max(max, Math.Abs(samples[i] - samples[i - 1]));
        }
        return max;
    }

    [Fact]
    public void PacketsThatArriveOutOfOrderArePlayedInSequence()
    {
        var buffer = new JitterBuffer(1, 128, Options);
        int[] arrivalOrder = [0, 2, 1, 3, 5, 4, 6, 7];
        foreach (var seq in arrivalOrder)
        {
            buffer.Insert((ushort)seq, SinePacket(seq * 128L, 128, 1), ArrivalOf(seq, 128));
        }

        var output = new float[128];
        for (var seq = 0; seq < 6; seq++)
        {
            Assert.True(buffer.Read(output, 128));
            Assert.Equal(SinePacket(seq * 128L, 128, 1), output);
        }
        Assert.Equal(2, buffer.Statistics.Reordered);
        Assert.Equal(0, buffer.Statistics.Lost);
    }

    [Fact]
    public void ADuplicatePacketIsDroppedAndCounted()
    {
        var buffer = new JitterBuffer(1, 64, Options);

        Assert.Equal(JitterInsertResult.Accepted, buffer.Insert(7, SinePacket(0, 64, 1), 0));
        Assert.Equal(JitterInsertResult.Duplicate, buffer.Insert(7, SinePacket(0, 64, 1), 0));

        Assert.Equal(1, buffer.Statistics.Duplicates);
        Assert.Equal(1, buffer.Statistics.Received);
    }

    [Fact]
    public void APacketArrivingAfterItsPlayTimeIsDroppedAsLate()
    {
        var buffer = new JitterBuffer(1, 128, Options);
        buffer.Insert(0, SinePacket(0, 128, 1), 0);
        buffer.Insert(2, SinePacket(256, 128, 1), ArrivalOf(2, 128));
        var output = new float[128];
        buffer.Read(output, 128);
        buffer.Read(output, 128); // conceals the missing packet 1

        Assert.Equal(JitterInsertResult.Late, buffer.Insert(1, SinePacket(128, 128, 1), ArrivalOf(3, 128)));
        Assert.Equal(1, buffer.Statistics.Late);
        Assert.Equal(1, buffer.Statistics.Lost);
    }

    [Fact]
    public void SequenceNumbersWrapAroundWithoutAGlitch()
    {
        var buffer = new JitterBuffer(2, 128, Options);
        for (var i = 0; i < 8; i++)
        {
            buffer.Insert(unchecked((ushort)(65532 + i)), SinePacket(i * 128L, 128, 2), ArrivalOf(i, 128));
        }

        var output = new float[256];
        for (var i = 0; i < 6; i++)
        {
            Assert.True(buffer.Read(output, 128));
            Assert.Equal(SinePacket(i * 128L, 128, 2), output);
        }
        Assert.Equal(0, buffer.Statistics.OutOfOrder);
    }

    [Fact]
    public void AJumpOfMoreThanAThousandIsOutOfOrderUntilTheSenderClearlyRestarted()
    {
        var buffer = new JitterBuffer(1, 32, Options);
        buffer.Insert(100, SinePacket(0, 32, 1), 0);

        Assert.Equal(JitterInsertResult.OutOfOrder, buffer.Insert(1200, SinePacket(0, 32, 1), 1));
        Assert.Equal(JitterInsertResult.OutOfOrder, buffer.Insert(50000, SinePacket(0, 32, 1), 2));

        // A restarted sender: eight consecutive numbers far away make the buffer follow it.
        var results = new List<JitterInsertResult>();
        for (ushort seq = 30000; seq < 30008; seq++)
        {
            results.Add(buffer.Insert(seq, SinePacket(0, 32, 1), 3));
        }
        Assert.Equal(JitterInsertResult.OutOfOrder, results[0]);
        Assert.Equal(JitterInsertResult.Accepted, results[^1]);
        Assert.Equal(JitterInsertResult.Accepted, buffer.Insert(30008, SinePacket(0, 32, 1), 4));
    }

    [Fact]
    public void ALostPacketIsConcealedWithoutAStepInTheOutput()
    {
        var buffer = new JitterBuffer(1, 128, Options);
        const int packets = 40;
        var output = new List<float>();
        var block = new float[128];
        for (var seq = 0; seq < packets; seq++)
        {
            if (seq != 12 && seq != 25 && seq != 26)
            {
                buffer.Insert((ushort)seq, SinePacket(seq * 128L, 128, 1), ArrivalOf(seq, 128));
            }
            if (seq >= 2)
            {
                buffer.Read(block, 128);
                output.AddRange(block);
            }
        }

        var statistics = buffer.Statistics;
        Assert.Equal(3, statistics.Lost);
        Assert.True(statistics.ConcealedPeriods >= 2);
        // The sine's own largest step is 2π·441/48000·0.8 ≈ 0.046; a click would be several times that.
        Assert.InRange(MaxStep(output.ToArray()), 0f, 0.07f);
        // Concealment is audible signal, not silence, right after the loss.
        var concealedStart = (12 - 2 + 1) * 128;
        Assert.Contains(output.Skip(concealedStart - 128).Take(128), s => Math.Abs(s) > 0.1f);
    }

    [Fact]
    public void ALongOutageFadesToSilenceAndCountsUnderruns()
    {
        var options = Options with { ConcealFadeFrames = 256, DeclickFrames = 32 };
        var buffer = new JitterBuffer(1, 128, options);
        for (var seq = 0; seq < 4; seq++)
        {
            buffer.Insert((ushort)seq, SinePacket(seq * 128L, 128, 1), ArrivalOf(seq, 128));
        }

        var output = ReadAll(buffer, 12, 128);

        Assert.InRange(MaxStep(output), 0f, 0.07f);
        Assert.All(output.AsSpan(output.Length - 512).ToArray(), s => Assert.Equal(0f, s));
        Assert.True(buffer.Statistics.Underruns >= 7);
    }

    [Fact]
    public void PacketsLargerThanThePeriodAreReblockedIntoPeriods()
    {
        var buffer = new JitterBuffer(1, 256, Options);
        for (var seq = 0; seq < 4; seq++)
        {
            buffer.Insert((ushort)seq, SinePacket(seq * 256L, 256, 1), ArrivalOf(seq, 256));
        }

        var output = ReadAll(buffer, 6, 128);

        Assert.Equal(SinePacket(0, 768, 1), output);
    }

    [Fact]
    public void PacketsSmallerThanThePeriodAreJoinedIntoPeriods()
    {
        var buffer = new JitterBuffer(2, 32, Options);
        for (var seq = 0; seq < 24; seq++)
        {
            buffer.Insert((ushort)seq, SinePacket(seq * 32L, 32, 2), ArrivalOf(seq, 32));
        }

        var output = ReadAll(buffer, 5, 128);

        Assert.Equal(SinePacket(0, 640, 2), output);
    }

    /// <summary>
    /// Plays a stream through the buffer in simulated time: packet k is sent at k periods and arrives after a random
    /// delay of 0..<paramref name="jitterMilliseconds"/>; the buffer is read once per period. Events run in time order.
    /// Returns the average depth seen just before each read (the latency the buffer holds).
    /// </summary>
    private static double Simulate(JitterBuffer buffer, ref int nextSequence, int packets, double jitterMilliseconds, Random random)
    {
        const int frames = 128;
        var periodTicks = ArrivalOf(1, frames);
        var arrivals = new List<(long Time, int Sequence)>();
        for (var i = 0; i < packets; i++)
        {
            var seq = nextSequence + i;
            var jitter = (long)(random.NextDouble() * jitterMilliseconds * TimeSpan.TicksPerMillisecond);
            arrivals.Add((ArrivalOf(seq, frames) + jitter, seq));
        }
        arrivals.Sort();
        var block = new float[frames * buffer.Channels];
        var next = 0;
        var depthSum = 0L;
        for (var read = 0; read < packets; read++)
        {
            var readTime = ArrivalOf(nextSequence + read, frames) + (periodTicks / 2);
            while (next < arrivals.Count && arrivals[next].Time <= readTime)
            {
                var seq = arrivals[next].Sequence;
                buffer.Insert(unchecked((ushort)seq), SinePacket(seq * (long)frames, frames, buffer.Channels), arrivals[next].Time);
                next++;
            }
            depthSum += buffer.DepthFrames;
            buffer.Read(block, frames, readTime);
        }
        nextSequence += packets;
        return (double)depthSum / packets;
    }

    [Fact]
    public void TheDepthGrowsWithJitterAndShrinksSlowlyAfterCalm()
    {
        var options = Options with { JitterWindowSeconds = 0.25, ShrinkWindowSeconds = 0.25 };
        var buffer = new JitterBuffer(1, 128, options);
        var random = new Random(1234);
        var seq = 0;

        var calmDepth = Simulate(buffer, ref seq, 200, 0, random);
        var calmTarget = buffer.TargetDepthFrames;
        Simulate(buffer, ref seq, 600, 10, random);
        var jitteryTarget = buffer.TargetDepthFrames;
        var jitterMeasured = buffer.Statistics.JitterMicroseconds;
        var underrunsWhileJittery = buffer.Statistics.Underruns;
        var concealedAfterGrowing = buffer.Statistics.ConcealedPeriods;
        var jitteryDepth = Simulate(buffer, ref seq, 600, 10, random);
        var concealedLater = buffer.Statistics.ConcealedPeriods - concealedAfterGrowing;
        Simulate(buffer, ref seq, 1000, 0, random);
        var recoveredDepth = Simulate(buffer, ref seq, 500, 0, random);
        var recoveredTarget = buffer.TargetDepthFrames;

        Assert.InRange(jitterMeasured, 8000, 10000);
        // 10 ms of spread is 480 frames at 48 kHz on top of the calm target (the 99.95th percentile of it, to a third of a ms).
        Assert.True(jitteryTarget >= calmTarget + 400, $"calm {calmTarget}, jittery {jitteryTarget}");
        Assert.True(underrunsWhileJittery > 0);
        // Once grown, the buffer rides out the same jitter with (almost) no concealment.
        Assert.InRange(concealedLater, 0, 3);
        // Depth is counted up to the newest arrival, so packets still in flight (5 ms on average here) are not in it.
        Assert.True(jitteryDepth > calmDepth + 128, $"calm depth {calmDepth}, jittery depth {jitteryDepth}");
        Assert.True(recoveredTarget < jitteryTarget, $"jittery {jitteryTarget}, recovered {recoveredTarget}");
        Assert.True(recoveredDepth < jitteryDepth, $"jittery depth {jitteryDepth}, recovered depth {recoveredDepth}");
        Assert.True(buffer.Statistics.Skipped > 0, buffer.Statistics.ToString());
    }

    [Fact]
    public void ASteadyStreamIsNeverConcealedAfterItStarts()
    {
        var buffer = new JitterBuffer(2, 128, Options);
        var block = new float[256];
        for (var seq = 0; seq < 2000; seq++)
        {
            buffer.Insert(unchecked((ushort)seq), SinePacket(seq * 128L, 128, 2), ArrivalOf(seq, 128));
            buffer.Read(block, 128);
        }

        var statistics = buffer.Statistics;
        Assert.Equal(0, statistics.ConcealedPeriods);
        Assert.Equal(0, statistics.Lost);
        Assert.True(statistics.PeriodsRead > 1990);
    }

    [Fact]
    public void ReadsBeforeTheBufferFillsAreSilent()
    {
        var buffer = new JitterBuffer(1, 128, Options);
        var block = new float[128];
        Array.Fill(block, 1f);

        Assert.False(buffer.Read(block, 128));
        Assert.All(block, s => Assert.Equal(0f, s));
        Assert.False(buffer.IsPlaying);
    }

    [Fact]
    public void ItTellsWhetherARedundantCopyWouldBeADuplicate()
    {
        var buffer = new JitterBuffer(1, 64, Options);
        Assert.False(buffer.Holds(5));
        buffer.Insert(5, SinePacket(0, 64, 1), 0);
        buffer.Insert(6, SinePacket(64, 64, 1), 1);
        buffer.Insert(7, SinePacket(128, 64, 1), 2);
        buffer.Read(new float[64], 64);

        Assert.True(buffer.Holds(5)); // played
        Assert.True(buffer.Holds(7)); // buffered
        Assert.False(buffer.Holds(8));
    }

    [Fact]
    public void AReaderThatFellFarBehindDropsTheOldestAudioAndKeepsPlaying()
    {
        var options = Options with { MaxDepthMilliseconds = 40 };
        var buffer = new JitterBuffer(1, 128, options);
        var block = new float[128];
        var seq = 0;
        for (; seq < 50; seq++)
        {
            buffer.Insert((ushort)seq, SinePacket(seq * 128L, 128, 1), ArrivalOf(seq, 128));
            buffer.Read(block, 128);
        }

        // The reader stalls for 40 packets while the sender goes on.
        for (; seq < 90; seq++)
        {
            buffer.Insert((ushort)seq, SinePacket(seq * 128L, 128, 1), ArrivalOf(seq, 128));
        }
        var output = new List<float>();
        for (; seq < 120; seq++)
        {
            buffer.Insert((ushort)seq, SinePacket(seq * 128L, 128, 1), ArrivalOf(seq, 128));
            buffer.Read(block, 128);
            output.AddRange(block);
        }

        var statistics = buffer.Statistics;
        Assert.True(statistics.Overruns > 0);
        Assert.True(buffer.IsPlaying);
        Assert.True(statistics.DepthFrames <= 40 * 48 + 128, statistics.ToString());
        Assert.InRange(MaxStep(output.ToArray()), 0f, 0.07f);
        // It kept playing the sine (RMS 0.8/√2 ≈ 0.57) instead of going silent to rebuffer.
        var rms = Math.Sqrt(output.Average(s => (double)s * s));
        Assert.InRange(rms, 0.5, 0.62);
    }

    /// <summary>
    /// A seeded link in simulated time: datagram k is sent at k periods, lost with probability <paramref name="loss"/>,
    /// otherwise delayed by 0..<paramref name="jitterMilliseconds"/>; with redundancy 2 it also carries packet k-1.
    /// The buffer is read once per period.
    /// </summary>
    private static void SimulateLink(JitterBuffer buffer, int first, int packets, double jitterMilliseconds, double loss, int redundancy, Random random)
    {
        const int frames = 128;
        var periodTicks = ArrivalOf(1, frames);
        var arrivals = new List<(long Time, int Sequence)>();
        for (var seq = first; seq < first + packets; seq++)
        {
            if (random.NextDouble() < loss)
            {
                continue;
            }
            var jitter = (long)(random.NextDouble() * jitterMilliseconds * TimeSpan.TicksPerMillisecond);
            arrivals.Add((ArrivalOf(seq, frames) + jitter, seq));
        }
        arrivals.Sort();
        var block = new float[frames];
        var next = 0;
        for (var read = first; read < first + packets; read++)
        {
            var readTime = ArrivalOf(read, frames) + (periodTicks / 2);
            while (next < arrivals.Count && arrivals[next].Time <= readTime)
            {
                var (time, seq) = arrivals[next++];
                for (var copy = redundancy - 1; copy >= 0; copy--)
                {
                    var carried = seq - copy;
                    if (carried >= first && (copy == 0 || !buffer.Holds(unchecked((ushort)carried))))
                    {
                        buffer.Insert(unchecked((ushort)carried), SinePacket(carried * (long)frames, frames, 1), time, measureArrival: copy == 0);
                    }
                }
            }
            buffer.Read(block, frames, readTime);
        }
    }

    [Fact]
    public void WithTenMillisecondsOfJitterAndOnePercentLossOnlyLostPacketsAreConcealed()
    {
        var buffer = new JitterBuffer(1, 128, Options);
        SimulateLink(buffer, 0, 750, 10, 0, 1, new Random(5));
        var warm = buffer.Statistics;

        SimulateLink(buffer, 750, 7500, 10, 0.01, 1, new Random(6));
        var statistics = buffer.Statistics;
        var lost = statistics.Lost - warm.Lost;
        var concealed = statistics.ConcealedPeriods - warm.ConcealedPeriods;

        Assert.InRange(lost, 40, 110);
        // Jitter adds (almost) nothing on top of the losses once the depth has adapted.
        Assert.InRange(concealed, lost, lost + 10);
        // The target is the 99.95th percentile of a 0–10 ms lateness (480 frames), within 4 periods.
        Assert.InRange(statistics.TargetDepthFrames, 440, 4 * 128);
    }

    [Fact]
    public void RedundancyTwoRepairsSingleLossesSoAlmostNothingIsConcealed()
    {
        var buffer = new JitterBuffer(1, 128, Options);
        SimulateLink(buffer, 0, 750, 10, 0, 2, new Random(7));
        var warm = buffer.Statistics;

        SimulateLink(buffer, 750, 7500, 10, 0.01, 2, new Random(8));
        var concealed = buffer.Statistics.ConcealedPeriods - warm.ConcealedPeriods;

        // Only two losses in a row can still hide a packet: about 0.01² of 7500.
        Assert.InRange(concealed, 0, 8);
    }

    [Fact]
    public void SmallPacketsArrivingBetweenReadsOfAWholePeriodAreNeverConcealed()
    {
        var buffer = new JitterBuffer(1, 32, Options);
        var block = new float[128];
        var seq = 0;
        for (var period = 0; period < 400; period++)
        {
            // Four 32-frame packets per 128-frame period; the read falls after the third of them.
            for (var i = 0; i < 3; i++, seq++)
            {
                buffer.Insert((ushort)seq, SinePacket(seq * 32L, 32, 1), ArrivalOf(seq, 32));
            }
            buffer.Read(block, 128);
            buffer.Insert((ushort)seq, SinePacket(seq * 32L, 32, 1), ArrivalOf(seq, 32));
            seq++;
        }

        Assert.Equal(0, buffer.Statistics.ConcealedPeriods);
        // The packet that comes after each read is waited for, and nothing more: at most one read of spare audio.
        Assert.InRange(buffer.DepthFrames, 0, 128);
    }
}
