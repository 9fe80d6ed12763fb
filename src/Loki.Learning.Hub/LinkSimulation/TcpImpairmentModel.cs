namespace Loki.Learning.Hub.LinkSimulation;

/// <summary>What happened to one TCP segment on the way: when it reached the receiving application, and why then.</summary>
/// <param name="DeliveredAt">When the receiving socket could hand it to the application (link time, see <see cref="TcpImpairmentModel"/>).</param>
/// <param name="Retransmissions">How many times the sender had to send it again (0: the first copy arrived).</param>
/// <param name="HeldBehind">It arrived in time but waited for an earlier segment (head-of-line blocking).</param>
public readonly record struct TcpSegmentFate(TimeSpan DeliveredAt, int Retransmissions, bool HeldBehind);

/// <summary>
/// One direction of a TCP connection over an impaired path, as the application on the receiving end sees it. TCP
/// loses nothing and keeps order, so a link's loss becomes time: a lost segment is sent again, and everything behind
/// it waits (head-of-line blocking) until the copy arrives.
/// </summary>
/// <remarks>
/// <para>The model (docs/benchmarks.md §3.2), per segment, with the datagram profile's own loss, burst and jitter:</para>
/// <list type="bullet">
/// <item>Each transmission crosses the path in <see cref="ImpairmentProfile.BaseDelay"/> ± <see cref="ImpairmentProfile.Jitter"/>
/// (uniform) and is lost with the profile's independent loss; a segment sent during one of the profile's loss bursts
/// (Gilbert model, stepped once per segment sent) is lost too. A retransmission leaves a round trip or more later,
/// after the burst: it meets only the independent loss.</item>
/// <item>The first retransmission of a lost segment leaves <see cref="FastRetransmitRtts"/> × RTT after the original
/// (fast retransmit / RACK: the receiver's duplicate or selective acknowledgements reach the sender about one round trip
/// after the loss, plus RACK's reordering window of a quarter RTT), RTT being 2 × the base delay of a symmetric path.</item>
/// <item>A retransmission that is lost again is repaired by the retransmission timeout: <see cref="MinimumRto"/> (Linux's
/// <c>TCP_RTO_MIN</c>, 200 ms) or RTT + 4 × jitter if longer, doubling with every further loss (exponential backoff).</item>
/// <item>The receiver releases segments in order: a segment is delivered at the later of its own arrival and the
/// delivery of the segment before it.</item>
/// </list>
/// <para>Not modelled: congestion-window reduction after a loss (an audio stream of 375 small segments a second sends far
/// below any window), Nagle (browsers and Kestrel set <c>TCP_NODELAY</c>), and delayed ACKs. Seeded: the same profile,
/// seed and segment order give the same fates; the send times are the caller's.</para>
/// </remarks>
public sealed class TcpImpairmentModel(ImpairmentProfile profile, int seed)
{
    /// <summary>Linux's minimum retransmission timeout.</summary>
    public static readonly TimeSpan MinimumRto = TimeSpan.FromMilliseconds(200);

    /// <summary>Most transmissions of one segment before the model stops drawing (a real connection would be reset long before).</summary>
    private const int MaxTransmissions = 8;

    private readonly Random _random = new(seed);
    private bool _inBurst;
    private TimeSpan _lastDelivery = TimeSpan.MinValue;

    public ImpairmentProfile Profile { get; } = profile;

    /// <summary>When the sender retransmits a segment lost once, in round trips after the original (RACK: 1 + ¼).</summary>
    public double FastRetransmitRtts { get; init; } = 1.25;

    /// <summary>The path's round trip: twice the one-way base delay.</summary>
    public TimeSpan RoundTrip => 2 * Profile.BaseDelay;

    /// <summary>The retransmission timeout after a retransmission was lost too.</summary>
    public TimeSpan RetransmissionTimeout
    {
        get
        {
            var estimate = RoundTrip + (4 * Profile.Jitter);
            return estimate > MinimumRto ? estimate : MinimumRto;
        }
    }

    /// <summary>Segments sent so far.</summary>
    public long Segments { get; private set; }

    /// <summary>Transmissions lost so far (each costs a retransmission).</summary>
    public long Losses { get; private set; }

    /// <summary>Segments that needed the retransmission timeout (a retransmission was lost too).</summary>
    public long Timeouts { get; private set; }

    /// <summary>The fate of the next segment, sent at <paramref name="sentAt"/> (segments in the order they were sent).</summary>
    public TcpSegmentFate Send(TimeSpan sentAt)
    {
        Segments++;
        var transmittedAt = sentAt;
        var retransmissions = 0;
        TimeSpan arrival;
        while (true)
        {
            // Draw every number for every transmission, so one decision never shifts the stream of another.
            var burstRoll = _random.NextDouble();
            var lossRoll = _random.NextDouble();
            var jitterRoll = _random.NextDouble();
            // A burst is a stretch of time on the path: it moves on with the segments sent, and a retransmission, which
            // leaves at least a round trip later, meets only the independent loss.
            if (retransmissions == 0)
            {
                _inBurst = _inBurst ? burstRoll >= Profile.BurstEndProbability : burstRoll < Profile.BurstStartProbability;
            }
            var lost = ((retransmissions == 0 && _inBurst) || lossRoll < Profile.LossProbability) && retransmissions + 1 < MaxTransmissions;
            if (!lost)
            {
                arrival = transmittedAt + OneWay(jitterRoll);
                break;
            }
            Losses++;
            if (retransmissions == 1)
            {
                Timeouts++;
            }
            transmittedAt += retransmissions == 0
                ? RoundTrip * FastRetransmitRtts
                : RetransmissionTimeout * (1 << (retransmissions - 1));
            retransmissions++;
        }
        var held = arrival < _lastDelivery;
        var delivered = held ? _lastDelivery : arrival;
        _lastDelivery = delivered;
        return new TcpSegmentFate(delivered, retransmissions, held);
    }

    private TimeSpan OneWay(double roll)
    {
        var delay = Profile.BaseDelay + (Profile.Jitter * ((2 * roll) - 1));
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }
}
