using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// Puts an <see cref="ImpairmentProxy"/> between unmodified JackTrip clients and a hub. It answers the TCP
/// handshake in the hub's place: forwards the client's request, and when the hub assigns a UDP port, starts a
/// proxy in front of that port and tells the client the proxy's port instead. Authentication codes pass through.
/// </summary>
public sealed class ImpairedHubGateway : IAsyncDisposable
{
    private const int RequestWithName = 68;

    private readonly TcpListener _listener;
    private readonly IPEndPoint _hub;
    private readonly ImpairmentProfile _upstream;
    private readonly ImpairmentProfile _downstream;
    private readonly int _seed;
    private readonly TimeSpan _lifetime;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ImpairmentProxy> _proxies = new();
    private readonly Task _accepting;
    private int _clients;

    public ImpairedHubGateway(int hubPort, ImpairmentProfile upstream, ImpairmentProfile downstream, int seed, TimeSpan lifetime)
    {
        _hub = new IPEndPoint(IPAddress.Loopback, hubPort);
        _upstream = upstream;
        _downstream = downstream;
        _seed = seed;
        _lifetime = lifetime;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _stop.CancelAfter(lifetime);
        _accepting = AcceptAsync();
    }

    /// <summary>The port clients give as the hub's (<c>jacktrip-cli -P</c>).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<ImpairmentProxy> Proxies => [.. _proxies];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            using (client)
            {
                try
                {
                    await RelayHandshakeAsync(client);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    // A failed handshake closes that client's connection, as the hub would.
                }
            }
        }
    }

    private async Task RelayHandshakeAsync(TcpClient client)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var clientStream = client.GetStream();
        var request = new byte[RequestWithName];
        var read = await clientStream.ReadAsync(request, timeout.Token);
        // JackTrip writes port and name in one write; an old client sends only the port.
        while (read < RequestWithName && read != 4)
        {
            var more = await clientStream.ReadAsync(request.AsMemory(read), timeout.Token);
            if (more == 0)
            {
                return;
            }
            read += more;
        }

        using var hub = new TcpClient();
        await hub.ConnectAsync(_hub, timeout.Token);
        var hubStream = hub.GetStream();
        await hubStream.WriteAsync(request.AsMemory(0, read), timeout.Token);
        var answer = new byte[4];
        await hubStream.ReadExactlyAsync(answer, timeout.Token);

        var portOrCode = BinaryPrimitives.ReadUInt32LittleEndian(answer);
        if (portOrCode is > 0 and < 65536)
        {
            var index = Interlocked.Increment(ref _clients);
            var proxy = ImpairmentProxy.Start(new IPEndPoint(IPAddress.Loopback, (int)portOrCode), _upstream, _downstream, _seed + index, _lifetime);
            _proxies.Enqueue(proxy);
            BinaryPrimitives.WriteUInt32LittleEndian(answer, (uint)proxy.ClientFacingEndPoint.Port);
        }
        await clientStream.WriteAsync(answer, timeout.Token);
    }
}
