using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// The engine's OpenTelemetry-compatible instruments (meter <see cref="MediaEngine.MeterName"/>). Per-participant
/// figures are observable gauges/counters read from the latest statistics snapshot, so collecting them never touches
/// the mix thread; the added latency is a histogram recorded once per period.
/// </summary>
internal sealed class MediaMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Histogram<double> _addedLatency;

    /// <param name="scope">The engine, so a listener can tell engines apart (<see cref="Meter.Scope"/>).</param>
    /// <param name="snapshots">Latest per-participant figures.</param>
    /// <param name="addedLatency">The added-latency distribution.</param>
    /// <param name="clients">Clients holding a slot.</param>
    public MediaMetrics(object scope, Func<IReadOnlyList<ParticipantSnapshot>> snapshots, Func<AddedLatencySnapshot> addedLatency, Func<int> clients)
    {
        _meter = new Meter(new MeterOptions(MediaEngine.MeterName) { Version = "1.0", Scope = scope });
        _addedLatency = _meter.CreateHistogram<double>("loki.media.hub.added_latency", "ms", "Datagram read from a socket to the mixed datagrams handed to the kernel, per period.");
        _meter.CreateObservableGauge("loki.media.hub.added_latency.p99", () => addedLatency().P99.TotalMilliseconds, "ms", "99th percentile of the added latency since start or reset.");
        _meter.CreateObservableUpDownCounter("loki.media.hub.clients", clients, "{client}", "Connected JackTrip clients.");

        _meter.CreateObservableGauge("loki.media.room.participants", () => RoomSizes(snapshots()), "{participant}", "Participants per room.");
        _meter.CreateObservableGauge("loki.media.room.worst_one_way_delay", () => WorstOneWay(snapshots()), "ms", "Largest known one-way delay among a room's participants.");
        _meter.CreateObservableGauge("loki.media.participant.one_way_delay", () => Gauge(snapshots(), s => s.Latency.NetworkOneWay), "ms", "Estimated network one-way delay (needs synchronised clocks).");
        _meter.CreateObservableGauge("loki.media.participant.round_trip", () => Gauge(snapshots(), s => s.Latency.RoundTrip), "ms", "Estimated network round trip.");
        _meter.CreateObservableGauge("loki.media.participant.jitter", () => Gauge(snapshots(), s => s.Latency.Jitter), "ms", "Peak arrival-time variation.");
        _meter.CreateObservableGauge("loki.media.participant.buffer_delay", () => Gauge(snapshots(), s => s.Latency.BufferDelay), "ms", "Audio held in the jitter buffer.");
        _meter.CreateObservableCounter("loki.media.participant.concealed_periods", () => Count(snapshots(), s => s.JitterBuffer.ConcealedPeriods), "{period}", "Periods with concealed audio.");
        _meter.CreateObservableCounter("loki.media.participant.lost_packets", () => Count(snapshots(), s => s.JitterBuffer.Lost), "{packet}", "Packets never received in time.");
        _meter.CreateObservableCounter("loki.media.participant.late_packets", () => Count(snapshots(), s => s.JitterBuffer.Late), "{packet}", "Packets that arrived after their play time.");
        _meter.CreateObservableCounter("loki.media.participant.underruns", () => Count(snapshots(), s => s.JitterBuffer.Underruns), "{read}", "Reads that found the jitter buffer dry.");
        _meter.CreateObservableCounter("loki.media.participant.datagrams_rejected", () => Count(snapshots(), s => s.DatagramsRejected), "{datagram}", "Malformed datagrams.");
    }

    /// <summary>Records one period's added latency; called on the mix thread (no tags, no allocation).</summary>
    public void RecordAddedLatency(double milliseconds) => _addedLatency.Record(milliseconds);

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<double>> Gauge(IReadOnlyList<ParticipantSnapshot> snapshots, Func<ParticipantSnapshot, TimeSpan?> value)
    {
        foreach (var snapshot in snapshots)
        {
            if (value(snapshot) is { } time)
            {
                yield return new Measurement<double>(time.TotalMilliseconds, Tags(snapshot));
            }
        }
    }

    private static IEnumerable<Measurement<long>> Count(IReadOnlyList<ParticipantSnapshot> snapshots, Func<ParticipantSnapshot, long> value)
    {
        foreach (var snapshot in snapshots)
        {
            yield return new Measurement<long>(value(snapshot), Tags(snapshot));
        }
    }

    private static IEnumerable<Measurement<int>> RoomSizes(IReadOnlyList<ParticipantSnapshot> snapshots) =>
        snapshots.GroupBy(s => s.RoomId).Select(room => new Measurement<int>(room.Count(), new KeyValuePair<string, object?>("loki.room", room.Key)));

    private static IEnumerable<Measurement<double>> WorstOneWay(IReadOnlyList<ParticipantSnapshot> snapshots) =>
        snapshots
            .Where(s => s.Latency.NetworkOneWay is not null)
            .GroupBy(s => s.RoomId)
            .Select(room => new Measurement<double>(room.Max(s => s.Latency.NetworkOneWay!.Value.TotalMilliseconds), new KeyValuePair<string, object?>("loki.room", room.Key)));

    private static TagList Tags(ParticipantSnapshot snapshot) => new()
    {
        { "loki.room", snapshot.RoomId },
        { "loki.participant", snapshot.ClientName },
        { "loki.participant.id", snapshot.ParticipantId },
    };
}
