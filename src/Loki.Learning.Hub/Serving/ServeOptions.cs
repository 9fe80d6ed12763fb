using System.Net;
using Loki.Learning.Hub.CommandLine;

namespace Loki.Learning.Hub.Serving;

/// <summary>What <c>serve</c> was asked to do.</summary>
public sealed record ServeOptions(
    IPAddress Bind,
    int Port,
    int UdpBase,
    IReadOnlyList<string> Admit,
    int Period,
    int Bits,
    int MaxClients,
    string Room,
    TimeSpan StatisticsInterval,
    TimeSpan? RunFor,
    int RealTimePriority,
    int SendThreads = 1,
    int MixThreadCpu = -1)
{
    public const string Usage =
        "serve --port 4464 --bind 127.0.0.1 --admit NAME[,NAME…]|'*' [--period 128] [--udp-base 61002]\n" +
        "      [--bits 16] [--max-clients 128] [--room hub] [--stats-seconds 5] [--seconds S]\n" +
        "      [--rt-priority 20]   (SCHED_FIFO priority of the mix thread; 0 = normal priority)\n" +
        "      [--send-threads 1]   (threads sharing a period's sends; 1 = the mix thread alone)\n" +
        "      [--mix-cpu -1]       (the CPU the mix thread is pinned to; -1 = not pinned)";

    public static ServeOptions From(CommandArguments arguments)
    {
        var admit = arguments.Text("admit", "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (admit.Length == 0)
        {
            throw new UsageException("--admit needs the client names to let in (comma-separated), or '*' for anyone");
        }
        var period = arguments.Integer("period", 128, 32, 256);
        if (period is not (32 or 64 or 128 or 256))
        {
            throw new UsageException("--period must be 32, 64, 128 or 256");
        }
        var bits = arguments.Integer("bits", 16, 8, 32);
        if (bits is not (8 or 16 or 24 or 32))
        {
            throw new UsageException("--bits must be 8, 16, 24 or 32");
        }
        if (!IPAddress.TryParse(arguments.Text("bind", "127.0.0.1"), out var bind))
        {
            throw new UsageException("--bind must be an IP address");
        }
        var seconds = arguments.Number("seconds", 0, 0, 7 * 24 * 3600);
        return new ServeOptions(
            bind,
            arguments.Integer("port", 4464, 1, 65535),
            arguments.Integer("udp-base", 61002, 1024, 65535),
            admit,
            period,
            bits,
            arguments.Integer("max-clients", 128, 1, 4096),
            arguments.Text("room", "hub"),
            TimeSpan.FromSeconds(arguments.Number("stats-seconds", 5, 0.5, 3600)),
            seconds > 0 ? TimeSpan.FromSeconds(seconds) : null,
            arguments.Integer("rt-priority", 20, 0, 99),
            arguments.Integer("send-threads", 1, 1, 8),
            arguments.Integer("mix-cpu", -1, -1, Environment.ProcessorCount - 1));
    }
}
