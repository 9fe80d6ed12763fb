using System.Net.Sockets;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.JackTrip;
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

    private sealed class ThrowingPolicy : IAdmissionPolicy
    {
        public ValueTask<AdmissionDecision> DecideAsync(AdmissionRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The control plane is down.");
    }
}
