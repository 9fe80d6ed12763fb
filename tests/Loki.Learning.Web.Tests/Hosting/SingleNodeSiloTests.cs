using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace Loki.Learning.Web.Tests.Hosting;

/// One node (Cluster:Mode=Localhost, the default): its silo is reachable from this machine only, and it opens no
/// Orleans client gateway, whatever an old setting asks for.
public sealed class SingleNodeSiloTests
{
    [Fact]
    public async Task ASingleNodesSiloListensOnLoopbackOnlyAndOpensNoGateway()
    {
        var siloPort = NodeProcess.FreePort();
        var gatewayPort = NodeProcess.FreePort();
        var node = new RunningApp
        {
            Settings = new Dictionary<string, string?>
            {
                ["Cluster:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
                ["Cluster:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            },
        };
        await node.InitializeAsync();
        try
        {
            Assert.Null(node.Services.GetRequiredService<ILocalSiloDetails>().GatewayAddress);
            // Nothing listens where the gateway used to be.
            using var gateway = new TcpClient();
            var refused = await Assert.ThrowsAsync<SocketException>(() => gateway.ConnectAsync(IPAddress.Loopback, gatewayPort));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
            // The silo's listening socket, as the kernel lists it: bound to 127.0.0.1, not to every interface.
            Assert.Equal(["127.0.0.1"], ListeningAddresses(siloPort));
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    /// The local addresses of TCP sockets listening on <paramref name="port"/> (/proc/net/tcp and tcp6).
    private static List<string> ListeningAddresses(int port)
    {
        const string listen = "0A";
        var addresses = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] == listen && int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    // The kernel writes the address as 32-bit words in host (little-endian) order.
                    var bytes = Convert.FromHexString(local[0]);
                    for (var word = 0; word < bytes.Length; word += 4)
                    {
                        Array.Reverse(bytes, word, 4);
                    }
                    addresses.Add(new IPAddress(bytes).ToString());
                }
            }
        }
        return addresses;
    }
}
