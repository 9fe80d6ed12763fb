using System.Globalization;
using System.Text.RegularExpressions;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// <c>jack_iodelay</c> plays a known multi-tone signal on its output and reports the delay at which it hears
/// it on its input. Patched as out → client A send, client B receive → in, it measures the audio round trip
/// through the hub (A up, mixed, B down) including both clients' JackTrip queues.
/// </summary>
public sealed partial class RoundTripMeter : IDisposable
{
    private readonly ExternalTool _iodelay;

    private RoundTripMeter(ExternalTool iodelay) => _iodelay = iodelay;

    public static RoundTripMeter Start(JackServer jack, string sendPort, string receivePort)
    {
        var iodelay = ExternalTool.Start("jack_iodelay", "jack_iodelay", [], jack.Environment);
        try
        {
            jack.Connect("jack_delay:out", sendPort);
            jack.Connect(receivePort, "jack_delay:in");
            return new RoundTripMeter(iodelay);
        }
        catch
        {
            iodelay.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Lets the clients' queues settle for <paramref name="settle"/>, then returns the median of the readings
    /// printed during <paramref name="window"/> (ms), or null when jack_iodelay heard nothing.
    /// JackTrip's queues move by a period or two in the first seconds, so early readings are left out.
    /// </summary>
    public RoundTrip? Measure(TimeSpan settle, TimeSpan window)
    {
        Thread.Sleep(settle);
        var before = Readings().Count;
        Thread.Sleep(window);
        var readings = Readings().Skip(before).Order().ToList();
        return readings.Count == 0 ? null : new RoundTrip(readings[readings.Count / 2], readings[0], readings[^1], readings.Count);
    }

    public IReadOnlyList<double> Readings() =>
        [.. _iodelay.Lines.Select(l => RoundTripPattern().Match(l)).Where(m => m.Success)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    public string Output => _iodelay.Output;

    public sealed record RoundTrip(double MedianMs, double MinMs, double MaxMs, int Readings)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{MedianMs:0.0} ms median ({MinMs:0.0}–{MaxMs:0.0} ms over {Readings} readings)");
    }

    public void Dispose() => _iodelay.Dispose();

    [GeneratedRegex(@"([\d.]+) ms total roundtrip latency")]
    private static partial Regex RoundTripPattern();
}
