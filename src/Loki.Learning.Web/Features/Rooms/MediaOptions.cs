using System.Net;
using Loki.Learning.Web.Features.Rooms.EngineProcess;
using Loki.Learning.Web.Hosting;

namespace Loki.Learning.Web.Features.Rooms;

/// This node's media engine: the <c>Media</c> section (docs/operations.md), checked when the node starts.
public sealed class MediaOptions : ICheckedSettings
{
    public const string Section = "Media";

    /// Highest JackTrip clients one node takes; each gets a UDP port from <see cref="UdpBasePort"/> on.
    private const int UdpPorts = 128;

    public bool Enabled { get; set; } = true;

    /// Where the JackTrip hub listens (TCP handshake and the per-client UDP ports).
    public string BindAddress { get; set; } = "0.0.0.0";

    /// The hub's TCP port; 0 = any free port.
    public int JackTripPort { get; set; } = 4464;

    /// First per-client UDP port, as JackTrip's hub; 0 = any free port per client.
    public int UdpBasePort { get; set; } = 61002;

    /// SCHED_FIFO priority of the mix thread; 0 = normal priority.
    public int RealTimePriority { get; set; } = 20;

    /// The CPU (0-based) the mix thread is pinned to; -1 = not pinned (docs/benchmarks.md §8 says when it helps).
    public int MixThreadCpu { get; set; } = -1;

    /// The host name clients dial (default: the host of <c>Site:PublicUrl</c> when set, else 127.0.0.1).
    public string? PublicHost { get; set; }

    /// This node's address for browser audio in a cluster.
    public string? PublicUrl { get; set; }

    /// Where the engine runs: in a child process the node starts and supervises (the default, docs/decisions/0010),
    /// out of reach of the web process's garbage collections, or in the web process.
    public MediaProcess Process { get; set; } = MediaProcess.Child;

    /// The engine program for <see cref="MediaProcess.Child"/>: the <c>Loki.Learning.Hub</c> executable or its
    /// <c>.dll</c>; default: the one next to the node's own files.
    public string? EnginePath { get; set; }

    /// <see cref="MediaProcess.Child"/>: seconds without any frame from the engine process (it reports its mix timing
    /// every second) after which it counts as hung and is killed and started again (1–600).
    public double EngineSilenceSeconds { get; set; } = 5;

    public IPAddress BindIPAddress => IPAddress.Parse(BindAddress);

    public IEnumerable<string> Problems()
    {
        if (!IPAddress.TryParse(BindAddress, out _))
        {
            yield return SettingsCheck.Problem("Media:BindAddress", "an IP address such as 0.0.0.0 or 127.0.0.1", BindAddress);
        }
        if (!SettingsCheck.IsPort(JackTripPort))
        {
            yield return SettingsCheck.Problem("Media:JackTripPort", "a TCP port from 1 to 65535, or 0 for any free port", JackTripPort);
        }
        if (UdpBasePort != 0 && !SettingsCheck.IsPort(UdpBasePort + UdpPorts - 1, lowest: UdpPorts))
        {
            yield return SettingsCheck.Problem("Media:UdpBasePort", $"a UDP port from 1 to {65536 - UdpPorts} (the next {UdpPorts - 1} are used too), or 0 for any free port", UdpBasePort);
        }
        if (RealTimePriority is < 0 or > 99)
        {
            yield return SettingsCheck.Problem("Media:RealTimePriority", "from 1 to 99, or 0 for normal priority", RealTimePriority);
        }
        if (MixThreadCpu < -1 || MixThreadCpu >= Environment.ProcessorCount)
        {
            yield return SettingsCheck.Problem("Media:MixThreadCpu", $"a CPU from 0 to {Environment.ProcessorCount - 1}, or -1 for none", MixThreadCpu);
        }
        if (PublicHost is { Length: > 0 } host && Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            yield return SettingsCheck.Problem("Media:PublicHost", "a host name or IP address", host);
        }
        if (PublicUrl is { Length: > 0 } url && !SettingsCheck.IsWebAddress(url))
        {
            yield return SettingsCheck.Problem("Media:PublicUrl", "an http:// or https:// address", url);
        }
        if (!double.IsFinite(EngineSilenceSeconds) || EngineSilenceSeconds is < 1 or > 600)
        {
            yield return SettingsCheck.Problem("Media:EngineSilenceSeconds", "from 1 to 600 seconds", EngineSilenceSeconds);
        }
        if (!Enum.IsDefined(Process))
        {
            yield return SettingsCheck.Problem("Media:Process", "InProcess or Child", Process);
        }
        if (Enabled && Process == MediaProcess.Child && EngineProgram.Find(EnginePath) is null)
        {
            yield return SettingsCheck.Problem("Media:EnginePath", "the path of the Loki.Learning.Hub program or its .dll (none was found next to the node)", EnginePath ?? "");
        }
    }
}
