namespace Loki.Learning.Hub.LinkSimulation;

/// <summary>What happens to one datagram: lost, or delivered once or twice after the given delays.</summary>
public readonly record struct DatagramFate(bool Lost, TimeSpan Delay, bool Duplicated, TimeSpan DuplicateDelay, bool HeldForReorder);

/// <summary>
/// The seeded decision stream of one link direction. The same profile and seed give the same fates for the
/// same datagram order, so a failing run can be replayed; wall-clock timing is the only unseeded part.
/// </summary>
public sealed class ImpairmentModel(ImpairmentProfile profile, int seed)
{
    private readonly Random _random = new(seed);
    private bool _inBurst;

    public ImpairmentProfile Profile { get; } = profile;

    public DatagramFate Next()
    {
        // Draw every random number for every datagram, so one decision never shifts the stream of another.
        var burstRoll = _random.NextDouble();
        var lossRoll = _random.NextDouble();
        var duplicateRoll = _random.NextDouble();
        var reorderRoll = _random.NextDouble();
        var jitterRoll = _random.NextDouble();
        var duplicateJitterRoll = _random.NextDouble();

        _inBurst = _inBurst
            ? burstRoll >= Profile.BurstEndProbability
            : burstRoll < Profile.BurstStartProbability;
        if (_inBurst || lossRoll < Profile.LossProbability)
        {
            return new DatagramFate(true, TimeSpan.Zero, false, TimeSpan.Zero, false);
        }

        var held = reorderRoll < Profile.ReorderProbability;
        var delay = DelayFor(jitterRoll) + (held ? Profile.ReorderHold : TimeSpan.Zero);
        var duplicated = duplicateRoll < Profile.DuplicateProbability;
        return new DatagramFate(false, delay, duplicated, DelayFor(duplicateJitterRoll), held);
    }

    private TimeSpan DelayFor(double roll)
    {
        var offset = Profile.Jitter * (2 * roll - 1);
        var delay = Profile.BaseDelay + offset;
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }
}
