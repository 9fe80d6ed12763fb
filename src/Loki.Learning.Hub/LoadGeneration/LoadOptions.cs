using System.Net;
using Loki.Learning.Hub.CommandLine;

namespace Loki.Learning.Hub.LoadGeneration;

/// <summary>What <c>loadgen</c> was asked to do.</summary>
public sealed record LoadOptions(
    IPAddress Host,
    int Port,
    int Clients,
    TimeSpan Duration,
    int Channels,
    int Bits,
    int Period,
    int SampleRate,
    int Redundancy,
    int MarkerEveryPeriods,
    string NamePrefix,
    TimeSpan HandshakeTimeout,
    int RealTimePriority = 10)
{
    public const string Usage =
        "loadgen --host 127.0.0.1 --port 4464 --clients N --seconds S [--channels 2] [--bits 16] [--period 128]\n" +
        "        [--redundancy 1] [--marker-every 32] [--name-prefix lg]\n" +
        "        [--rt-priority 10]   (SCHED_FIFO priority of the pacing and receiving threads; 0 = normal priority)";

    public double PacketsPerSecond => (double)SampleRate / Period;

    public static LoadOptions From(CommandArguments arguments)
    {
        var host = IPAddress.Parse(arguments.Text("host", "127.0.0.1"));
        if (!IPAddress.IsLoopback(host))
        {
            // A load generator aimed at someone else's network is an attack, not a test.
            throw new UsageException("--host must be a loopback address (127.0.0.0/8 or ::1)");
        }
        var options = new LoadOptions(
            host,
            arguments.Integer("port", 4464, 1, 65535),
            arguments.Integer("clients", 2, 1, 1000),
            TimeSpan.FromSeconds(arguments.Number("seconds", 10, 0.1, 3600)),
            arguments.Integer("channels", 2, 2, 64),
            arguments.Integer("bits", 16, 8, 32),
            arguments.Integer("period", 128, 16, 2048),
            arguments.Integer("rate", 48000, 22050, 192000),
            arguments.Integer("redundancy", 1, 1, 16),
            arguments.Integer("marker-every", 32, 4, 100_000),
            arguments.Text("name-prefix", "lg"),
            TimeSpan.FromSeconds(arguments.Number("handshake-timeout", 5, 0.1, 60)),
            arguments.Integer("rt-priority", 10, 0, 99));
        if (options.Bits is not (8 or 16 or 24 or 32))
        {
            throw new UsageException("--bits must be 8, 16, 24 or 32");
        }
        return options;
    }
}
