using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.JackTrip;
using Microsoft.Extensions.Time.Testing;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

[Collection(LoopbackEngineCollection.Name)]
public sealed class MediaEngineHandshakeTests
{
    private static async Task<(int Received, byte[] Reply)> SendRawHandshakeAsync(MediaEngine engine, byte[] request)
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(engine.TcpEndPoint);
        await tcp.SendAsync(request);
        var reply = new byte[8];
        var received = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var count = await tcp.ReceiveAsync(reply.AsMemory(received), SocketFlags.None, timeout.Token);
            if (count == 0)
            {
                return (received, reply);
            }
            received += count;
        }
    }

    [Fact]
    public async Task AnOldClientThatSendsOnlyItsPortIsAdmittedWithAnEmptyName()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();

        var (received, reply) = await SendRawHandshakeAsync(engine, BitConverter.GetBytes(61000u));

        Assert.Equal(4, received);
        Assert.InRange(BitConverter.ToUInt32(reply), 1u, 65535u);
        var admitted = await WaitForEventAsync<ParticipantAdmitted>(engine.Events);
        Assert.Equal("", admitted.ClientName);
    }

    [Fact]
    public async Task AClientAskingForTlsAuthenticationIsToldItIsNotRequiredAndClosed()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        var request = new byte[JackTripHandshake.RequestWithNameLength];
        JackTripHandshake.TryWriteRequest(request, JackTripAuthCode.WantsAuthentication, "tls-user", out _);

        var (received, reply) = await SendRawHandshakeAsync(engine, request);

        Assert.Equal(4, received);
        Assert.Equal(JackTripAuthCode.AuthenticationNotRequired, BitConverter.ToUInt32(reply));
        Assert.Equal(0, engine.ConnectedClients);
    }

    [Fact]
    public async Task AMalformedHandshakeIsClosedWithoutAnswerAndReportedWithItsReason()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        var request = new byte[JackTripHandshake.RequestWithNameLength];
        BitConverter.TryWriteBytes(request, 5000u);
        request.AsSpan(4).Fill((byte)'x'); // no NUL

        var (received, _) = await SendRawHandshakeAsync(engine, request);

        Assert.Equal(0, received);
        var refused = await WaitForEventAsync<ParticipantRefused>(engine.Events);
        Assert.Equal(JackTripDatagram.Describe(JackTripError.HandshakeNameNotTerminated), refused.Reason);
    }

    [Fact]
    public async Task AFullHubClosesTheHandshakeWithoutAPort()
    {
        await using var engine = new MediaEngine(LoopbackOptions with { MaxClients = 1 }, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var first = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "first");

        var request = new byte[JackTripHandshake.RequestWithNameLength];
        JackTripHandshake.TryWriteRequest(request, 5000, "second", out _);
        var (received, _) = await SendRawHandshakeAsync(engine, request);

        Assert.Equal(0, received);
        var refused = await WaitForEventAsync<ParticipantRefused>(engine.Events);
        Assert.Equal("second", refused.ClientName);
    }

    [Fact]
    public async Task AnAdmissionPolicyThatThrowsRefusesTheClientAndReportsTheError()
    {
        await using var engine = new MediaEngine(LoopbackOptions, new ThrowingPolicy());
        engine.Start();

        var reply = await FakeJackTripClient.HandshakeAsync(engine.TcpEndPoint, 5000, "anyone");

        Assert.Equal(JackTripAuthCode.AuthenticationRequired, reply);
        var error = await WaitForEventAsync<EngineError>(engine.Events);
        Assert.IsType<InvalidOperationException>(error.Exception);
    }

    [Fact]
    public async Task IdleHandshakesBeyondThePerAddressCapAreClosedOnArrivalAndTheRestAfterTheIdleTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]), time);
        engine.Start();
        var cap = engine.Options.MaxHandshakesPerAddress;

        // Connections that never send a byte, all from one address.
        var idle = await OpenIdleAsync(engine, Enumerable.Repeat(IPAddress.Loopback, cap + 30));
        try
        {
            Assert.True(await WaitUntilAsync(() => idle.Count(IsClosedByTheHub) >= 30), $"{idle.Count(IsClosedByTheHub)} of {idle.Count} closed");
            Assert.Equal(30, idle.Count(IsClosedByTheHub));
            Assert.Equal(cap, engine.OpenHandshakes);
            // Another address is not held up by them.
            Assert.InRange(await FakeJackTripClient.HandshakeAsync(engine.TcpEndPoint, 40000, "other", IPAddress.Parse("127.0.0.2")), 1u, 65535u);

            time.Advance(engine.Options.HandshakeIdleTimeout + TimeSpan.FromMilliseconds(100));

            Assert.True(await WaitUntilAsync(() => idle.All(IsClosedByTheHub)), $"{idle.Count(s => !IsClosedByTheHub(s))} idle connections still open");
            Assert.True(await WaitUntilAsync(() => engine.OpenHandshakes == 0));
            Assert.Equal(30, engine.HandshakesShed);
        }
        finally
        {
            idle.ForEach(s => s?.Dispose());
        }
    }

    [Fact]
    public async Task AHandshakeFloodFromManyAddressesIsCappedAndAClientGetsInOnceTheIdleOnesAreClosed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var engine = new MediaEngine(LoopbackOptions, new AllowListAdmissionPolicy("band", ["*"]), time);
        engine.Start();
        var cap = engine.Options.MaxConcurrentHandshakes;
        var perAddress = engine.Options.MaxHandshakesPerAddress;
        var addresses = Enumerable.Range(0, (cap / perAddress) + 8)
            .SelectMany(i => Enumerable.Repeat(IPAddress.Parse($"127.0.1.{i + 1}"), perAddress))
            .ToList();

        var idle = await OpenIdleAsync(engine, addresses);
        try
        {
            var shed = addresses.Count - cap;
            Assert.True(await WaitUntilAsync(() => idle.Count(IsClosedByTheHub) >= shed), $"{idle.Count(IsClosedByTheHub)} of {idle.Count} closed");
            Assert.Equal(cap, engine.OpenHandshakes);

            time.Advance(engine.Options.HandshakeIdleTimeout + TimeSpan.FromMilliseconds(100));
            Assert.True(await WaitUntilAsync(() => idle.All(IsClosedByTheHub)), $"{idle.Count(s => !IsClosedByTheHub(s))} idle connections still open");

            Assert.InRange(await FakeJackTripClient.HandshakeAsync(engine.TcpEndPoint, 40000, "pupil", IPAddress.Parse("127.0.0.2")), 1u, 65535u);
        }
        finally
        {
            idle.ForEach(s => s?.Dispose());
        }
    }

    /// <returns>One socket per connection; <c>null</c> for one the hub reset so fast that the connect reported it.</returns>
    private static async Task<List<Socket?>> OpenIdleAsync(MediaEngine engine, IEnumerable<IPAddress> from)
    {
        var sockets = new List<Socket?>();
        foreach (var address in from)
        {
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(address, 0));
            try
            {
                await tcp.ConnectAsync(engine.TcpEndPoint);
                sockets.Add(tcp);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                tcp.Dispose();
                sockets.Add(null);
            }
        }
        return sockets;
    }

    /// <summary>The hub closed or reset the connection: it is readable with nothing to read.</summary>
    private static bool IsClosedByTheHub(Socket? socket)
    {
        if (socket is null)
        {
            return true;
        }
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    private sealed class ThrowingPolicy : IAdmissionPolicy
    {
        public ValueTask<AdmissionDecision> DecideAsync(AdmissionRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The control plane is down.");
    }
}
