using System.Globalization;
using Loki.Learning.Hub.LinkSimulation;

namespace Loki.Learning.Bench.DatagramAudio;

/// <summary>
/// One measured stretch: one path ("dc" = data channels through Janus, "ws" = WebSocket through the TCP impairment
/// proxy) on one link profile. Times are milliseconds since the Unix epoch: the page's from
/// <c>performance.timeOrigin + performance.now()</c>, the server's from the system clock, on the same machine.
/// Round trips use the page's clock only; one-way figures compare the two clocks, and the "over the fastest"
/// figures (what a jitter buffer pays) subtract the phase's fastest transit, so a constant offset cancels.
/// </summary>
public sealed class Phase(int id, string path, ImpairmentProfile profile, int seed, int seconds, int redundancy)
{
    public const double PeriodMs = 128 / 48.0;

    public int Id { get; } = id;

    public string Path { get; } = path;

    public ImpairmentProfile Profile { get; } = profile;

    public int Seed { get; } = seed;

    public int Seconds { get; } = seconds;

    public int Redundancy { get; } = redundancy;

    public int Count { get; } = seconds * 375;

    /// <summary>The WebSocket URL of this phase's TCP proxy ("ws" phases).</summary>
    public string? Url { get; set; }

    public TcpImpairmentProxy? TcpProxy { get; set; }

    /// <summary>Server arrival of each block's own message (first copy).</summary>
    public double[] ServerPrimary { get; } = new double[seconds * 375];

    /// <summary>Server arrival of each block in any message (its own, or the next one's redundant copy).</summary>
    public double[] ServerAny { get; } = new double[seconds * 375];

    public double[] PageSent { get; private set; } = [];

    public double[] PagePrimary { get; private set; } = [];

    public double[] PageAny { get; private set; } = [];

    /// <summary>The channel's or socket's <c>bufferedAmount</c> in the page when each block was handed over.</summary>
    public double[] PageBuffered { get; private set; } = [];

    public string LoadAtStart { get; set; } = "";

    public string LoadAtEnd { get; set; } = "";

    public string Transport { get; set; } = "";

    public string PageStats { get; set; } = "";

    /// <summary>Records one message that reached the server; blocks are <paramref name="blockBytes"/> each, newest first.</summary>
    public void ServerReceived(ReadOnlySpan<byte> message, int blockBytes, double at)
    {
        for (var copy = 0; (copy + 1) * blockBytes <= message.Length; copy++)
        {
            var sequence = BitConverter.ToUInt32(message.Slice(copy * blockBytes, 4));
            if (sequence >= Count)
            {
                continue;
            }
            if (copy == 0 && ServerPrimary[sequence] == 0)
            {
                ServerPrimary[sequence] = at;
            }
            if (ServerAny[sequence] == 0)
            {
                ServerAny[sequence] = at;
            }
        }
    }

    /// <summary>The page's four arrays: send times, arrival of each block's own echo, arrival in any echo, bytes buffered.</summary>
    public void PageReported(byte[] body)
    {
        var doubles = new double[body.Length / 8];
        Buffer.BlockCopy(body, 0, doubles, 0, doubles.Length * 8);
        PageSent = doubles[..Count];
        PagePrimary = doubles[Count..(2 * Count)];
        PageAny = doubles[(2 * Count)..(3 * Count)];
        PageBuffered = doubles[(3 * Count)..(4 * Count)];
    }

    /// <summary>The figures of this phase, for one way of counting arrivals (own message only, or with redundancy).</summary>
    public PhaseFigures Figures(bool withRedundancy)
    {
        var server = withRedundancy ? ServerAny : ServerPrimary;
        var page = withRedundancy ? PageAny : PagePrimary;
        // The first second is warm-up: the sender's timer and the paths settle.
        var first = 375;
        var up = new List<double>();
        var roundTrips = new List<double>();
        var down = new List<double>();
        int sent = 0, upLost = 0, roundTripLost = 0;
        for (var i = first; i < Count; i++)
        {
            if (PageSent[i] == 0)
            {
                continue;
            }
            sent++;
            if (server[i] == 0)
            {
                upLost++;
            }
            else
            {
                up.Add(server[i] - PageSent[i]);
            }
            if (page[i] == 0)
            {
                roundTripLost++;
            }
            else
            {
                roundTrips.Add(page[i] - PageSent[i]);
                if (server[i] != 0)
                {
                    down.Add(page[i] - server[i]);
                }
            }
        }
        // How late the page's timer sent each block against its schedule (the fastest block counts as on time): the
        // sender's own jitter, which both paths carry alike.
        var lateness = new List<double>();
        var buffered = new List<double>();
        for (var i = first; i < Count; i++)
        {
            if (PageSent[i] != 0)
            {
                lateness.Add(PageSent[i] - i * PeriodMs);
                buffered.Add(PageBuffered[i]);
            }
        }
        var onTime = lateness.Count == 0 ? 0 : lateness.Min();
        return new PhaseFigures(sent, upLost, roundTripLost, up, down, roundTrips, lateness.Select(l => l - onTime).ToList(), buffered);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"phase {Id}: {Path} on {Profile.Name}, seed {Seed}, {Seconds} s");
}

/// <summary>Percentiles and budgets of one phase.</summary>
public sealed record PhaseFigures(int Sent, int UpLost, int RoundTripLost, List<double> Up, List<double> Down, List<double> RoundTrips, List<double> SenderLate, List<double> Buffered)
{
    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToList();
        var index = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    /// <summary>
    /// The share of blocks a jitter buffer of <paramref name="budgetMs"/> over the fastest transit could not play:
    /// lost, or later than the fastest arrival plus the budget. The "fastest" is the 0.1th percentile, so one
    /// freak early datagram does not set it.
    /// </summary>
    public double MissedShare(List<double> delays, int lost, double budgetMs)
    {
        if (Sent == 0)
        {
            return double.NaN;
        }
        var fastest = Percentile(delays, 0.1);
        var late = delays.Count(d => d - fastest > budgetMs);
        return 100.0 * (late + lost) / Sent;
    }
}
