using System.Globalization;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// JackTrip's own hub (<c>jacktrip-cli -S -p 2</c>: every client hears every other, not itself) on its own
/// JACK server: the reference our hub is measured against.
/// </summary>
public sealed class JackTripReferenceHub : IDisposable
{
    private readonly JackServer _jack;
    private readonly ExternalTool _hub;

    private JackTripReferenceHub(JackServer jack, ExternalTool hub, int port)
    {
        _jack = jack;
        _hub = hub;
        Port = port;
    }

    public int Port { get; }
    public ExternalTool Process => _hub;

    public static JackTripReferenceHub Start(int maxClients = 4)
    {
        var jack = JackServer.Start("ref");
        try
        {
            var port = FreePorts.One();
            var udpBase = FreePorts.Range(maxClients);
            var hub = ExternalTool.Start("jacktrip-cli -S", "jacktrip-cli",
                ["-S", "-p", "2", "-B", port.ToString(CultureInfo.InvariantCulture), "-U", udpBase.ToString(CultureInfo.InvariantCulture)],
                jack.Environment);
            if (!hub.WaitForLine(l => l.Contains("Waiting for Peer", StringComparison.Ordinal) || l.Contains("JackTrip HUB SERVER", StringComparison.Ordinal), TimeSpan.FromSeconds(10)))
            {
                hub.Dispose();
                throw new InvalidOperationException($"JackTrip's hub did not start:\n{hub.Output}");
            }
            return new JackTripReferenceHub(jack, hub, port);
        }
        catch
        {
            jack.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        // The hub ignores SIGTERM while workers run; Stop escalates to SIGKILL after the grace period.
        _hub.Stop(TimeSpan.FromSeconds(1));
        _hub.Dispose();
        _jack.Dispose();
    }
}
