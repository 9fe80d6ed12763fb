using System.Globalization;
using System.Text.RegularExpressions;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// A real <c>jacktrip-cli</c> hub client (<c>-C</c>) on a JACK server, with its once-a-second statistics
/// (<c>-I 1</c>) parsed from the log. Ports are not auto-connected (<c>-D</c>): tests patch what they need.
/// </summary>
public sealed partial class JackTripPeer : IDisposable
{
    public const string ConnectedLine = "Received Connection from Peer!";

    private readonly ExternalTool _jacktrip;

    private JackTripPeer(string name, JackServer jack, ExternalTool jacktrip, int bindPort)
    {
        BindPort = bindPort;
        Name = name;
        Jack = jack;
        _jacktrip = jacktrip;
    }

    public string Name { get; }

    /// <summary>The client's UDP port (<c>-B</c>): it announces it in the handshake and sends its audio from it.</summary>
    public int BindPort { get; }
    public JackServer Jack { get; }
    public ExternalTool Process => _jacktrip;
    public string SendPort(int channel = 1) => $"{Name}:send_{channel}";
    public string ReceivePort(int channel = 1) => $"{Name}:receive_{channel}";

    /// <summary>Starts a client of the hub on 127.0.0.1:<paramref name="hubPort"/>; <paramref name="queue"/> is JackTrip's <c>-q</c> (null: its default).</summary>
    public static JackTripPeer Start(JackServer jack, string name, int hubPort, int? queue = 4, int redundancy = 1, int bits = 16, int channels = 2)
    {
        var bindPort = FreePorts.One();
        string[] arguments =
        [
            "-C", "127.0.0.1", "-P", Invariant(hubPort), "-B", Invariant(bindPort),
            "-J", name, "-K", name, "-D", "-I", "1",
            "-r", Invariant(redundancy), "-b", Invariant(bits), "-n", Invariant(channels),
            .. queue is { } q ? new[] { "-q", Invariant(q) } : [],
        ];
        var jacktrip = ExternalTool.Start($"jacktrip-cli {name}", "jacktrip-cli", arguments, jack.Environment);
        return new JackTripPeer(name, jack, jacktrip, bindPort);
    }

    public bool WaitUntilConnected(TimeSpan timeout) => _jacktrip.WaitForLine(l => l.Contains(ConnectedLine, StringComparison.Ordinal), timeout);

    /// <summary>The latest <c>tot:</c> figure of the statistics line: packets received from the hub so far.</summary>
    public long? LatestTotal()
    {
        foreach (var line in Enumerable.Reverse(_jacktrip.Lines))
        {
            var match = TotalPattern().Match(line);
            if (match.Success)
            {
                return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    /// <summary>
    /// Packets per second received from the hub, from the client's own once-a-second statistics: the growth of
    /// <c>tot:</c> over <paramref name="intervals"/> consecutive lines divided by that many seconds. Using the
    /// client's interval rather than when its lines reach us keeps output delays on a busy machine out of the figure.
    /// </summary>
    public double ReceiveRate(int intervals = 3)
    {
        var first = TotalLineCount();
        if (!_jacktrip.WaitForLine(_ => TotalLineCount() >= first + intervals + 1, TimeSpan.FromSeconds(intervals + 5)))
        {
            throw new InvalidOperationException($"fewer than {intervals + 1} new statistics lines from {Name}:\n{_jacktrip.Output}");
        }
        var totals = _jacktrip.Lines.Select(l => TotalPattern().Match(l)).Where(m => m.Success)
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Skip(first).Take(intervals + 1).ToList();
        return (totals[^1] - totals[0]) / (double)intervals;
    }

    private int TotalLineCount() => _jacktrip.Lines.Count(l => TotalPattern().IsMatch(l));

    /// <summary>Ends the client the way a user does (SIGTERM), which makes it send its exit datagrams.</summary>
    public bool Quit(TimeSpan timeout)
    {
        _jacktrip.Terminate();
        return _jacktrip.WaitForExit(timeout);
    }

    public void Dispose() => _jacktrip.Dispose();

    public override string ToString() => _jacktrip.ToString();

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\btot:\s*(\d+)")]
    private static partial Regex TotalPattern();
}
