using System.Net;
using System.Net.Sockets;

namespace Loki.Learning.Benchmarks;

internal static class LoopbackPorts
{
    /// A TCP port on loopback that was free a moment ago (for silo and gateway ports of hosts started here).
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
