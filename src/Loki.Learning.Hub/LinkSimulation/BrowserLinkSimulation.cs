using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Hub.LinkSimulation;

/// <summary>What to simulate: one browser participant's audio socket on an impaired TCP path, both directions.</summary>
/// <param name="Profile">The path (the same profiles as the datagram link, turned into TCP by <see cref="TcpImpairmentModel"/>).</param>
/// <param name="Policy">The room's policy for the server's jitter buffer.</param>
/// <param name="Seconds">Length of the run, virtual time.</param>
/// <param name="Seed">Seeds the link (both directions), the clocks' phases and the sender's scheduling jitter.</param>
/// <param name="SendJitterMilliseconds">The browser's own scheduling jitter (worklet → worker → socket), uniform ±.</param>
/// <param name="TightMilliseconds">The tight depth (<see cref="Media.Engine.MediaEngineOptions.TightJitterMilliseconds"/>).</param>
/// <param name="WarmUpSeconds">Figures are taken after this.</param>
/// <param name="ClockOffsetPpm">How much slower the server's mix clock and the browser's audio clock run than the sender's.</param>
/// <param name="HealAtSeconds">From this time on the path is clean (<see cref="ImpairmentProfile.CleanLan"/>); null: impaired throughout.</param>
/// <param name="HiccupEverySeconds">Every this many seconds the sender hiccups (0: never): the blocks of
/// <paramref name="HiccupMilliseconds"/> leave together at its end, as when the browser's audio or worker thread, or the
/// server's receive loop, is held up for a moment (docs/benchmarks.md §7.1: the late blocks of a quiet machine).</param>
/// <param name="HiccupMilliseconds">How long each hiccup holds the blocks back, ms.</param>
public sealed record BrowserLinkOptions(
    ImpairmentProfile Profile,
    JitterPolicy Policy,
    double Seconds = 60,
    int Seed = 1,
    double SendJitterMilliseconds = 0.5,
    double TightMilliseconds = JitterPolicies.DefaultTightMilliseconds,
    double WarmUpSeconds = 3,
    double ClockOffsetPpm = 50,
    double? HealAtSeconds = null,
    double HiccupEverySeconds = 0,
    double HiccupMilliseconds = 0)
{
    public const int SampleRate = 48000;
    public const int PeriodFrames = 128;
}

/// <summary>Figures of one direction after the warm-up.</summary>
/// <param name="Periods">Periods played.</param>
/// <param name="Concealed">Periods concealed (server: lost, late or dry; browser: played short, silence).</param>
/// <param name="Glitches">Audible events: runs of concealed periods, and (browser) runs of dropped blocks.</param>
/// <param name="AddedLatencyP50">The buffer's added latency, median, ms.</param>
/// <param name="AddedLatencyP99">… 99th percentile, ms.</param>
/// <param name="AddedLatencyMax">… largest, ms.</param>
/// <param name="Late">Server: packets that came after their play time; browser: blocks dropped to keep the delay down.</param>
public sealed record LinkDirectionFigures(long Periods, long Concealed, long Glitches, double AddedLatencyP50, double AddedLatencyP99, double AddedLatencyMax, long Late)
{
    public double ConcealedShare => Periods == 0 ? 0 : (double)Concealed / Periods;

    public double GlitchesPerMinute(double seconds) => seconds <= 0 ? 0 : Glitches * 60 / seconds;
}

/// <param name="Up">The browser's audio at the server: the room's jitter buffer (what the policy governs).</param>
/// <param name="Down">The mix at the browser: its playback buffer (the worklet's rules, the same in both policies).</param>
/// <param name="UpLink">The TCP model's count of upstream retransmissions and timeouts.</param>
/// <param name="UpAddedLatency">The server buffer's added latency after every read from the warm-up on, ms (one per period).</param>
public sealed record BrowserLinkResult(BrowserLinkOptions Options, double MeasuredSeconds, LinkDirectionFigures Up, LinkDirectionFigures Down,
    (long Segments, long Losses, long Timeouts) UpLink, (long Segments, long Losses, long Timeouts) DownLink, IReadOnlyList<double> UpAddedLatency)
{
    /// <summary>The largest added latency between <paramref name="fromSeconds"/> and <paramref name="toSeconds"/> of the run, ms.</summary>
    public double MaxUpAddedLatency(double fromSeconds, double toSeconds)
    {
        var period = (double)BrowserLinkOptions.PeriodFrames / BrowserLinkOptions.SampleRate;
        var from = Math.Max(0, (int)((fromSeconds - Options.WarmUpSeconds) / period));
        var to = Math.Min(UpAddedLatency.Count, (int)((toSeconds - Options.WarmUpSeconds) / period));
        var max = 0.0;
        for (var i = from; i < to; i++)
        {
            max = Math.Max(max, UpAddedLatency[i]);
        }
        return max;
    }
}

/// <summary>
/// A browser participant on an impaired path, in virtual time (no sleeps; the same figures for the same options):
/// the browser sends one 128-frame block per period (with its own scheduling jitter) over one TCP connection
/// (<see cref="TcpImpairmentModel"/>); the server stamps each block when the socket hands it over and its mix clock
/// reads one period per period from the real <see cref="JitterBuffer"/> with the options of the room's
/// <see cref="JitterPolicy"/>; the mix comes back one period per message over the same kind of path into a model of the
/// page's playback buffer (<c>room-audio-worklet.js</c>: start at 2 blocks, an underrun plays silence and raises the
/// target by one up to 4, ten seconds without one lower it, above 6 blocks the oldest are dropped to the target).
/// </summary>
public static class BrowserLinkSimulation
{
    private const long TicksPerSecond = 1_000_000_000;
    private const int MinTarget = 2;
    private const int MaxTarget = 4;
    private const int DropAbove = 6;
    private const int StableBlocks = 3750;

    public static BrowserLinkResult Run(BrowserLinkOptions options)
    {
        var period = BrowserLinkOptions.PeriodFrames;
        var periodSeconds = (double)period / BrowserLinkOptions.SampleRate;
        var random = new Random(options.Seed);
        var upLink = new TcpImpairmentModel(options.Profile, unchecked((options.Seed * 7919) + 13));
        var downLink = new TcpImpairmentModel(options.Profile, unchecked((options.Seed * 7919) + 14));
        var upHealed = new TcpImpairmentModel(ImpairmentProfile.CleanLan, options.Seed);
        var downHealed = new TcpImpairmentModel(ImpairmentProfile.CleanLan, options.Seed + 1);
        var healAt = options.HealAtSeconds ?? double.MaxValue;
        var reads = (int)(options.Seconds / periodSeconds);
        var mixPeriod = periodSeconds * (1 + (options.ClockOffsetPpm * 1e-6));
        var warmUpReads = (int)(options.WarmUpSeconds / mixPeriod);

        // Upstream: when each block reaches the server's socket (TCP: in order).
        var arrivals = new double[reads + 1000];
        var lastSent = 0.0;
        for (var k = 0; k < arrivals.Length; k++)
        {
            var sent = Math.Max(lastSent, (k * periodSeconds) + (options.SendJitterMilliseconds / 1000 * ((2 * random.NextDouble()) - 1)));
            if (options.HiccupEverySeconds > 0)
            {
                // Half-way through each interval the sender holds its blocks for the hiccup's length.
                var hiccupAt = (Math.Floor(k * periodSeconds / options.HiccupEverySeconds) + 0.5) * options.HiccupEverySeconds;
                var hiccupEnd = hiccupAt + (options.HiccupMilliseconds / 1000);
                if (k * periodSeconds >= hiccupAt && k * periodSeconds < hiccupEnd)
                {
                    sent = Math.Max(sent, hiccupEnd);
                }
            }
            lastSent = sent;
            // After the heal the clean path delivers, still behind whatever the impaired one was holding back.
            arrivals[k] = sent < healAt || k == 0
                ? upLink.Send(TimeSpan.FromSeconds(sent)).DeliveredAt.TotalSeconds
                : Math.Max(arrivals[k - 1], upHealed.Send(TimeSpan.FromSeconds(sent)).DeliveredAt.TotalSeconds);
        }

        var safe = new JitterBufferOptions { SampleRate = BrowserLinkOptions.SampleRate, TimestampFrequency = TicksPerSecond };
        var buffer = new JitterBuffer(1, period, safe.For(options.Policy, options.TightMilliseconds));
        var audio = new float[period];
        var output = new float[period];
        var phase = random.NextDouble() * periodSeconds;
        var upDelay = new List<double>(reads);
        var upConcealedRun = false;
        long upConcealed = 0, upGlitches = 0;
        var upAtWarmUp = default(JitterBufferStatistics);
        var sendTimes = new double[reads];
        var next = 0;
        for (var read = 0; read < reads; read++)
        {
            var now = phase + (read * mixPeriod);
            var stamp = (long)(now * TicksPerSecond);
            for (; next < arrivals.Length && arrivals[next] <= now; next++)
            {
                buffer.Insert(unchecked((ushort)next), audio, (long)(arrivals[next] * TicksPerSecond));
            }
            if (read == warmUpReads)
            {
                upAtWarmUp = buffer.Statistics;
            }
            var concealedBefore = buffer.Statistics.ConcealedPeriods;
            buffer.Read(output, period, stamp);
            var concealed = buffer.Statistics.ConcealedPeriods > concealedBefore;
            sendTimes[read] = now;
            if (read >= warmUpReads)
            {
                upDelay.Add(buffer.PlayDelayFrames * 1000.0 / BrowserLinkOptions.SampleRate);
                if (concealed)
                {
                    upConcealed++;
                    upGlitches += upConcealedRun ? 0 : 1;
                }
            }
            upConcealedRun = concealed;
        }
        var upEnd = buffer.Statistics;

        // Downstream: the mix period `read` leaves when it was mixed and reaches the page in order.
        var downArrivals = new double[reads];
        for (var read = 0; read < reads; read++)
        {
            downArrivals[read] = sendTimes[read] < healAt || read == 0
                ? downLink.Send(TimeSpan.FromSeconds(sendTimes[read])).DeliveredAt.TotalSeconds
                : Math.Max(downArrivals[read - 1], downHealed.Send(TimeSpan.FromSeconds(sendTimes[read])).DeliveredAt.TotalSeconds);
        }
        var down = PlayInBrowser(downArrivals, periodSeconds * (1 + (options.ClockOffsetPpm * 0.7e-6)), random.NextDouble() * periodSeconds,
            options.WarmUpSeconds, options.Seconds);

        var measured = (reads - warmUpReads) * mixPeriod;
        var upFigures = new LinkDirectionFigures(reads - warmUpReads, upConcealed, upGlitches,
            Percentile(upDelay, 0.50), Percentile(upDelay, 0.99), upDelay.Count == 0 ? 0 : upDelay.Max(), upEnd.Late - upAtWarmUp.Late);
        return new BrowserLinkResult(options, measured, upFigures, down,
            (upLink.Segments, upLink.Losses, upLink.Timeouts), (downLink.Segments, downLink.Losses, downLink.Timeouts), upDelay);
    }

    /// <summary>The page's playback buffer, block by block, as <c>room-audio-worklet.js</c> plays it.</summary>
    private static LinkDirectionFigures PlayInBrowser(double[] arrivals, double renderPeriod, double phase, double warmUpSeconds, double seconds)
    {
        var queued = 0;
        var target = MinTarget;
        var playing = false;
        var stable = 0;
        var next = 0;
        long periods = 0, concealed = 0, glitches = 0, dropped = 0;
        var wasConcealed = false;
        var latency = new List<double>();
        var renders = (int)(seconds / renderPeriod);
        for (var render = 0; render < renders; render++)
        {
            var now = phase + (render * renderPeriod);
            var dropsNow = false;
            for (; next < arrivals.Length && arrivals[next] <= now; next++)
            {
                queued++;
                if (queued > DropAbove)
                {
                    var before = queued;
                    queued = Math.Max(1, Math.Min(queued, target));
                    if (now >= warmUpSeconds)
                    {
                        dropped += before - queued;
                        dropsNow = true;
                    }
                }
            }
            if (!playing && queued >= target)
            {
                playing = true;
            }
            var silent = true;
            if (playing)
            {
                if (queued > 0)
                {
                    queued--;
                    silent = false;
                    if (++stable > StableBlocks && target > MinTarget)
                    {
                        target--;
                        stable = 0;
                    }
                }
                else
                {
                    playing = false;
                    target = Math.Min(MaxTarget, target + 1);
                    stable = 0;
                }
            }
            if (now < warmUpSeconds)
            {
                wasConcealed = silent;
                continue;
            }
            periods++;
            if (silent)
            {
                concealed++;
            }
            if ((silent && !wasConcealed) || dropsNow)
            {
                glitches++;
            }
            wasConcealed = silent;
            // What waits in the buffer after this quantum is what the page adds to the trip.
            latency.Add(queued * renderPeriod * 1000);
        }
        return new LinkDirectionFigures(periods, concealed, glitches, Percentile(latency, 0.50), Percentile(latency, 0.99),
            latency.Count == 0 ? 0 : latency.Max(), dropped);
    }

    private static double Percentile(List<double> values, double quantile)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))];
    }
}
