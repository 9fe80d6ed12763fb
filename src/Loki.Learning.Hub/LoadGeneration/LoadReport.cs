using System.Globalization;

namespace Loki.Learning.Hub.LoadGeneration;

/// <summary>What a <c>loadgen</c> run saw, printed for people and as one <c>RESULT</c> line for scripts.</summary>
public sealed record LoadReport(
    LoadOptions Options,
    int Admitted,
    long Refused,
    double SendSeconds,
    long Sent,
    long Received,
    long Lost,
    long OutOfOrder,
    long Duplicates,
    long Stalls,
    long SteadyStalls,
    long Malformed,
    long ExitsReceived,
    int ClientsThatHeardNothing,
    long LateSends,
    int MarkerRounds,
    LatencyRecorder Latency)
{
    public void WriteTo(TextWriter writer)
    {
        var c = CultureInfo.InvariantCulture;
        writer.WriteLine(string.Create(c, $"loadgen: {Admitted} clients for {SendSeconds:0.0} s"));
        writer.WriteLine(string.Create(c, $"  sent      {Sent} datagrams ({Sent / Math.Max(SendSeconds, 1e-9) / Math.Max(Admitted, 1):0.0}/s per client), late sends {LateSends}"));
        writer.WriteLine(string.Create(c, $"  received  {Received} datagrams ({Received / Math.Max(SendSeconds, 1e-9) / Math.Max(Admitted, 1):0.0}/s per client), exit datagrams {ExitsReceived}"));
        writer.WriteLine(string.Create(c, $"  gaps      lost {Lost}, out of order {OutOfOrder}, duplicates {Duplicates}, stalls (> 4 periods) {Stalls}, of them after the first {LoadGenerator.WarmUp.TotalSeconds:0} s {SteadyStalls}, malformed {Malformed}, silent clients {ClientsThatHeardNothing}"));
        writer.WriteLine(string.Create(c, $"  reply latency (marker sent → mixed datagram carrying it received): {Latency.Summary()}, marker rounds {MarkerRounds}"));
        writer.WriteLine(string.Create(c,
            $"RESULT clients={Admitted} refused={Refused} seconds={SendSeconds:0.000} sent={Sent} received={Received} lost={Lost} out_of_order={OutOfOrder} duplicates={Duplicates} stalls={Stalls} steady_stalls={SteadyStalls} malformed={Malformed} exits={ExitsReceived} late_sends={LateSends} latency_samples={Latency.Count} p50_ms={Latency.Percentile(50):0.000} p90_ms={Latency.Percentile(90):0.000} p99_ms={Latency.Percentile(99):0.000} max_ms={Latency.Percentile(100):0.000}"));
    }
}
