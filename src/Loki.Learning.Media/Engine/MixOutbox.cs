using System.Collections.Concurrent;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Everything the mix thread publishes for other threads: events, the input level meters of joined participants,
/// the added-latency figures and the latest statistics snapshot. The mix thread alone writes; anyone reads. Nothing
/// here takes a lock the mix thread could wait on (events leave through <see cref="EventOutbox"/>; the meter reads the
/// latest snapshot when it is collected).
/// </summary>
internal sealed class MixOutbox : IDisposable
{
    private readonly EventOutbox _events;
    private readonly MediaMetrics _metrics;
    private readonly ConcurrentDictionary<int, InputLevelMeter> _levels = new();
    private IReadOnlyList<ParticipantSnapshot> _snapshots = [];

    /// <param name="events">The way events leave the mix thread.</param>
    /// <param name="meterScope">The engine, the scope of its meter (<see cref="MediaMetrics"/>).</param>
    /// <param name="clients">Clients holding a slot, for the meter.</param>
    public MixOutbox(EventOutbox events, object meterScope, Func<int> clients)
    {
        _events = events;
        _metrics = new MediaMetrics(meterScope, () => Snapshots, AddedLatency.Snapshot, clients);
    }

    /// <summary>The engine's own datagram-in to datagram-out distribution.</summary>
    public AddedLatencyHistogram AddedLatency { get; } = new();

    /// <summary>The figures of every participant as of the last statistics tick (any thread).</summary>
    public IReadOnlyList<ParticipantSnapshot> Snapshots => Volatile.Read(ref _snapshots);

    /// <summary>Queues an event; never blocks, never takes a lock (mix thread).</summary>
    public void Report(MediaEvent mediaEvent) => _events.Post(mediaEvent);

    /// <summary>Records one period's added latency in the histogram and on the meter (mix thread; no allocation).</summary>
    public void RecordAddedLatency(TimeSpan elapsed)
    {
        AddedLatency.Record((long)elapsed.TotalMicroseconds);
        _metrics.RecordAddedLatency(elapsed.TotalMilliseconds);
    }

    /// <summary>Publishes a new statistics snapshot (mix thread).</summary>
    public void PublishSnapshots(IReadOnlyList<ParticipantSnapshot> snapshots) => Volatile.Write(ref _snapshots, snapshots);

    /// <summary>Makes a joined participant's meter readable by id (mix thread).</summary>
    public void ShowLevel(int participantId, InputLevelMeter level) => _levels[participantId] = level;

    /// <summary>Withdraws a participant's meter when it leaves (mix thread).</summary>
    public void HideLevel(int participantId) => _levels.TryRemove(participantId, out _);

    /// <summary>A joined participant's meter (any thread).</summary>
    public bool TryGetLevel(int participantId, out InputLevelMeter level) => _levels.TryGetValue(participantId, out level!);

    /// <summary>Disposes the meter.</summary>
    public void Dispose() => _metrics.Dispose();
}
