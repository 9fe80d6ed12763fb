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

    private JackTripPeer(string name, JackServer jack, ExternalTool jacktrip)
    {
        Name = name;
        Jack = jack;
        _jacktrip = jacktrip;
    }

    public string Name { get; }
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
        return new JackTripPeer(name, jack, jacktrip);
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

    /// <summary>Samples <see cref="LatestTotal"/> twice and returns packets per second in between.</summary>
    public double ReceiveRate(TimeSpan window)
    {
        var first = WaitForTotal(TimeSpan.FromSeconds(5));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Thread.Sleep(window);
        var second = WaitForTotal(TimeSpan.FromSeconds(5));
        return (second - first) / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Ends the client the way a user does (SIGTERM), which makes it send its exit datagrams.</summary>
    public bool Quit(TimeSpan timeout)
    {
        _jacktrip.Terminate();
        return _jacktrip.WaitForExit(timeout);
    }

    public void Dispose() => _jacktrip.Dispose();

    public override string ToString() => _jacktrip.ToString();

    private long WaitForTotal(TimeSpan timeout)
    {
        var previous = LatestTotal();
        if (!_jacktrip.WaitForLine(l => TotalPattern().IsMatch(l) && LatestTotal() != previous, timeout))
        {
            throw new InvalidOperationException($"no new statistics line from {Name}:\n{_jacktrip.Output}");
        }
        return LatestTotal() ?? 0;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\btot:\s*(\d+)")]
    private static partial Regex TotalPattern();
}
