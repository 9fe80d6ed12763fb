using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Loki.Learning.Media.Engine;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

[Collection(LoopbackEngineCollection.Name)]
public sealed class MediaMetricsTests
{
    [Fact]
    public async Task TheEnginePublishesAddedLatencyAndPerParticipantFiguresOnItsMeter()
    {
        var options = LoopbackOptions with { StatisticsInterval = TimeSpan.FromMilliseconds(200) };
        await using var engine = new MediaEngine(options, new AllowListAdmissionPolicy("band", ["*"]));
        var measurements = new ConcurrentDictionary<string, ConcurrentBag<(double Value, string? Participant)>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this engine's meter: other tests run engines in parallel.
            if (instrument.Meter.Name == MediaEngine.MeterName && ReferenceEquals(instrument.Meter.Scope, engine))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? participant = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "loki.participant")
                {
                    participant = tag.Value as string;
                }
            }
            measurements.GetOrAdd(instrument.Name, _ => []).Add((value, participant));
        }
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();

        engine.Start();
        await using var client = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "metered");
        await client.StreamAsync(0.8, (frame, _) => Sine(frame, 200, 0.1f));
        await WaitForEventAsync<ParticipantStatistics>(engine.Events, s => s.Snapshot.DatagramsReceived > 100);
        listener.RecordObservableInstruments();

        Assert.NotEmpty(measurements["loki.media.hub.added_latency"]);
        Assert.All(measurements["loki.media.hub.added_latency"], m => Assert.True(m.Value >= 0));
        Assert.Contains(measurements["loki.media.participant.one_way_delay"], m => m.Participant == "metered");
        Assert.Contains(measurements["loki.media.participant.jitter"], m => m.Participant == "metered");
        Assert.Contains(measurements["loki.media.participant.concealed_periods"], m => m.Participant == "metered");
        Assert.Contains(measurements["loki.media.hub.clients"], m => m.Value == 1);
        Assert.Contains(measurements["loki.media.room.participants"], m => m.Value == 1);
    }
}
