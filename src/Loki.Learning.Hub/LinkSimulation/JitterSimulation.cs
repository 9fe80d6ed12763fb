using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Hub.LinkSimulation;

/// <summary>
/// The jitter buffer on a link, in virtual time: no sleeps, no wall clock, the same figures for the same options.
/// A sender produces one packet per period (with its own small scheduling jitter, and optionally one stall after which
/// it sends its backlog at once) in JackTrip datagrams carrying <see cref="JitterSimulationOptions.Redundancy"/> packets;
/// the seeded <see cref="ImpairmentModel"/> loses, delays, duplicates and reorders them; a mix clock whose period
/// differs by <see cref="JitterSimulationOptions.ClockOffsetPpm"/> then does what the engine's mix thread does each
/// period: takes every datagram that has arrived, stamped with the period's time, offers the redundant copies of
/// packets it does not hold oldest first, and reads one period from the real <see cref="JitterBuffer"/>.
/// </summary>
public static class JitterSimulation
{
    private const long TicksPerSecond = 1_000_000_000; // nanoseconds, like Stopwatch on Linux

    public static JitterSimulationResult Run(JitterSimulationOptions options)
    {
        var period = options.PeriodFrames;
        var periodSeconds = (double)period / options.SampleRate;
        var packets = (int)Math.Ceiling(options.Seconds / periodSeconds) + 1;
        var random = new Random(options.Seed);
        var link = new ImpairmentModel(options.Profile, unchecked((options.Seed * 7919) + 13));

        var arrivals = Deliver(options, packets, periodSeconds, random, link, out var linkLost);
        arrivals.Sort();

        var buffer = new JitterBuffer(1, period, new JitterBufferOptions { SampleRate = options.SampleRate, TimestampFrequency = TicksPerSecond, LateShare = options.LateShare, JitterWindowSeconds = options.JitterWindowSeconds });
        var audio = new float[period];
        var output = new float[period];
        var reads = (int)(options.Seconds / periodSeconds);
        var mixPeriod = periodSeconds * (1 + (options.ClockOffsetPpm * 1e-6));
        var phase = random.NextDouble() * periodSeconds;
        var warmUpReads = (int)(options.WarmUpSeconds / mixPeriod);
        var target = new int[reads];
        var depth = new int[reads];
        var delay = new int[reads];
        var next = 0;
        var atWarmUp = default(JitterBufferStatistics);
        for (var read = 0; read < reads; read++)
        {
            var now = phase + (read * mixPeriod);
            var stamp = (long)(now * TicksPerSecond);
            for (; next < arrivals.Count && arrivals[next].Time <= now; next++)
            {
                var newest = arrivals[next].Sequence;
                for (var copy = Math.Min(options.Redundancy - 1, newest); copy >= 0; copy--)
                {
                    var sequence = unchecked((ushort)(newest - copy));
                    if (copy > 0 && buffer.Holds(sequence))
                    {
                        continue;
                    }
                    buffer.Insert(sequence, audio, stamp, measureArrival: copy == 0);
                }
            }
            if (read == warmUpReads)
            {
                atWarmUp = buffer.Statistics;
            }
            buffer.Read(output, period, stamp);
            target[read] = buffer.TargetDepthFrames;
            depth[read] = buffer.DepthFrames;
            delay[read] = buffer.PlayDelayFrames;
        }
        return new JitterSimulationResult(options, mixPeriod, warmUpReads, atWarmUp, buffer.Statistics, linkLost, target, depth, delay);
    }

    /// <summary>When each datagram arrives (duplicates twice, losses never), in seconds, with its newest sequence.</summary>
    private static List<(double Time, int Sequence)> Deliver(JitterSimulationOptions options, int packets, double periodSeconds, Random random, ImpairmentModel link, out long lost)
    {
        var arrivals = new List<(double Time, int Sequence)>(packets + (packets / 50));
        var stallFrom = options.StallAtSeconds ?? double.MaxValue;
        var stallUntil = stallFrom + (options.StallMilliseconds / 1000);
        var lastSent = 0.0;
        var lastDue = 0.0;
        lost = 0;
        for (var k = 0; k < packets; k++)
        {
            var sent = (k * periodSeconds) + (options.SendJitterMilliseconds / 1000 * ((2 * random.NextDouble()) - 1));
            if (!options.StallSendsBacklog && k * periodSeconds >= stallFrom)
            {
                sent += stallUntil - stallFrom; // the sender goes on from where it stopped: everything after is late
            }
            else if (sent >= stallFrom && sent < stallUntil)
            {
                sent = stallUntil; // the sender stood still; its backlog goes out at once when it resumes
            }
            sent = Math.Max(sent, lastSent); // one socket: datagrams leave in order
            lastSent = sent;
            var fate = link.Next();
            if (fate.Lost)
            {
                lost++;
                continue;
            }
            var due = sent + fate.Delay.TotalSeconds;
            if (link.Profile.KeepsOrder && !fate.HeldForReorder)
            {
                due = Math.Max(due, lastDue);
                lastDue = due;
            }
            arrivals.Add((due, k));
            if (fate.Duplicated)
            {
                arrivals.Add((Math.Max(due, sent + fate.DuplicateDelay.TotalSeconds), k));
            }
        }
        return arrivals;
    }
}
