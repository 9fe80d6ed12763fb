using System.Net;
using Loki.Learning.Hub.CommandLine;

namespace Loki.Learning.Hub.EngineHost;

/// <summary>What <c>engine</c> was asked to do: the node passes these when it starts its engine process.</summary>
public sealed record EngineHostOptions(
    string ControlPath,
    IPAddress Bind,
    int Port,
    int UdpBase,
    int MaxPerRoom,
    int RealTimePriority,
    int MixThreadCpu,
    int ParticipantIdBase,
    TimeSpan AdmissionTimeout,
    TimeSpan OrphanTimeout)
{
    /// <summary>The node's recordings folder (<c>--recordings</c>): the only place a take may be written; null: no recording.</summary>
    public string? RecordingsRoot { get; init; }

    public const string Usage =
        "engine --control PATH [--bind 0.0.0.0] [--port 4464] [--udp-base 61002] [--max-per-room 64]\n" +
        "      [--rt-priority 20] [--mix-cpu -1] [--first-participant-id 1]\n" +
        "      [--admission-timeout-ms 3000]   (an admission the node does not answer in time is refused)\n" +
        "      [--orphan-seconds 10]           (the engine stops when no node is connected for this long)\n" +
        "      [--recordings FOLDER]           (takes are recorded only into folders directly in FOLDER; without it none)\n" +
        "      The node's media engine in a process of its own, driven over the Unix socket PATH (docs/protocol.md §11).";

    public static EngineHostOptions From(CommandArguments arguments)
    {
        var control = arguments.Text("control", "");
        if (control.Length == 0)
        {
            throw new UsageException("--control needs the path of the Unix socket to serve");
        }
        if (!IPAddress.TryParse(arguments.Text("bind", "0.0.0.0"), out var bind))
        {
            throw new UsageException("--bind must be an IP address");
        }
        return new EngineHostOptions(
            Path.GetFullPath(control),
            bind,
            arguments.Integer("port", 4464, 0, 65535),
            arguments.Integer("udp-base", 61002, 0, 65535),
            arguments.Integer("max-per-room", 64, 1, 4096),
            arguments.Integer("rt-priority", 20, 0, 99),
            arguments.Integer("mix-cpu", -1, -1, Environment.ProcessorCount - 1),
            arguments.Integer("first-participant-id", 1, 1, int.MaxValue / 2) - 1,
            TimeSpan.FromMilliseconds(arguments.Integer("admission-timeout-ms", 3000, 10, 60_000)),
            TimeSpan.FromSeconds(arguments.Number("orphan-seconds", 10, 0.1, 3600)))
        {
            RecordingsRoot = arguments.Text("recordings", "") is { Length: > 0 } recordings ? Path.GetFullPath(recordings) : null,
        };
    }
}
