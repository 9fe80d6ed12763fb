using System.Text.RegularExpressions;

namespace Loki.Learning.Hub.LinkSimulation;

/// <summary>
/// How one direction of a link misbehaves. Delays are one-way; jitter is uniform in ±<see cref="Jitter"/>
/// around <see cref="BaseDelay"/> and applied per datagram, so a large jitter also reorders (as on paths
/// with several queues). Burst loss follows a two-state Gilbert model: a datagram moves the link into the
/// bad state with <see cref="BurstStartProbability"/>, every datagram in the bad state is lost, and the link
/// leaves it with <see cref="BurstEndProbability"/> (mean burst length = 1 / BurstEndProbability).
/// A link that <see cref="KeepsOrder"/> behaves like one queue: jitter never lets a datagram overtake an
/// earlier one, only <see cref="ReorderProbability"/> does.
/// </summary>
public sealed record ImpairmentProfile(
    string Name,
    TimeSpan BaseDelay,
    TimeSpan Jitter,
    double LossProbability,
    double BurstStartProbability = 0,
    double BurstEndProbability = 1,
    double DuplicateProbability = 0,
    double ReorderProbability = 0,
    TimeSpan ReorderHold = default,
    bool KeepsOrder = false)
{
    /// <summary>Switched LAN: a fraction of a millisecond, nothing lost.</summary>
    public static ImpairmentProfile CleanLan { get; } = new(
        "clean LAN", TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(0.05), 0, KeepsOrder: true);

    /// <summary>Busy 2.4 GHz wifi: retransmission jitter, short bursts of loss, a little reordering and duplication.</summary>
    public static ImpairmentProfile Wifi { get; } = new(
        "wifi", TimeSpan.FromMilliseconds(4), TimeSpan.FromMilliseconds(3), 0.002,
        BurstStartProbability: 0.002, BurstEndProbability: 0.35,
        DuplicateProbability: 0.001, ReorderProbability: 0.005, ReorderHold: TimeSpan.FromMilliseconds(6), KeepsOrder: true);

    /// <summary>A congested wired access line: moderate jitter, rare bursts, duplicates from a flapping path.</summary>
    public static ImpairmentProfile UglyWired { get; } = new(
        "ugly wired", TimeSpan.FromMilliseconds(8), TimeSpan.FromMilliseconds(2), 0.001,
        BurstStartProbability: 0.0005, BurstEndProbability: 0.5,
        DuplicateProbability: 0.005, ReorderProbability: 0.002, ReorderHold: TimeSpan.FromMilliseconds(4), KeepsOrder: true);

    /// <summary>Independent 1% loss and nothing else.</summary>
    public static ImpairmentProfile OnePercentLoss { get; } = new(
        "1% loss", TimeSpan.FromMilliseconds(1), TimeSpan.Zero, 0.01, KeepsOrder: true);

    /// <summary>
    /// The jitter-buffer target link: ±5 ms jitter around 5 ms and 1% independent loss. Each datagram's
    /// delay is independent, so datagrams overtake each other: harder on a jitter buffer than one queue.
    /// </summary>
    public static ImpairmentProfile Jitter5MsAndOnePercentLoss { get; } = new(
        "±5 ms jitter + 1% loss", TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5), 0.01);

    public static IReadOnlyList<ImpairmentProfile> All { get; } =
        [CleanLan, Wifi, UglyWired, OnePercentLoss, Jitter5MsAndOnePercentLoss];

    /// <summary>The name as a command-line word: lower case, runs of other characters as one hyphen ("ugly-wired").</summary>
    public string Key => Regex.Replace(Name.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');

    /// <summary>The profile whose <see cref="Key"/> or name is <paramref name="name"/>, or <c>null</c>.</summary>
    public static ImpairmentProfile? Find(string name) =>
        All.FirstOrDefault(p => p.Key == name || string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Name;
}
