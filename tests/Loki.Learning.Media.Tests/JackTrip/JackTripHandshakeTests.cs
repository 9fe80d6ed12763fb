using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.JackTrip;

public sealed class JackTripHandshakeTests
{
    [Fact]
    public void ARequestWithANameRoundTrips()
    {
        var buffer = new byte[JackTripHandshake.RequestWithNameLength];
        Assert.Equal(JackTripError.None, JackTripHandshake.TryWriteRequest(buffer, 4470, "Östersund studio", out var written));
        Assert.Equal(68, written);

        Assert.Equal(JackTripError.None, JackTripHandshake.TryParseRequest(buffer, out var request));
        Assert.Equal(4470, request.UdpPort);
        Assert.False(request.WantsAuthentication);
        Assert.Equal("Östersund studio", request.GetName());
    }

    [Fact]
    public void AnOldClientSendsOnlyThePort()
    {
        var buffer = new byte[4];
        Assert.Equal(JackTripError.None, JackTripHandshake.TryWriteRequest(buffer, 61002, "", out var written));
        Assert.Equal(4, written);

        Assert.Equal(JackTripError.None, JackTripHandshake.TryParseRequest(buffer, out var request));
        Assert.Equal(61002, request.UdpPort);
        Assert.Equal("", request.GetName());
    }

    [Fact]
    public void TheAuthenticationRequestIsUnderstood()
    {
        var buffer = new byte[4];
        BitConverter.TryWriteBytes(buffer, 65536u);

        Assert.Equal(JackTripError.None, JackTripHandshake.TryParseRequest(buffer, out var request));
        Assert.True(request.WantsAuthentication);
    }

    [Theory]
    [InlineData(131072u)]
    [InlineData(70000u)]
    [InlineData(uint.MaxValue)]
    public void AClientCannotSendAHubCodeOrAPortAbove65535(uint value)
    {
        var buffer = new byte[4];
        BitConverter.TryWriteBytes(buffer, value);

        Assert.Equal(JackTripError.HandshakePortInvalid, JackTripHandshake.TryParseRequest(buffer, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(67)]
    [InlineData(69)]
    public void OnlyFourOrSixtyEightBytesAreARequest(int length)
    {
        Assert.Equal(JackTripError.HandshakeLengthInvalid, JackTripHandshake.TryParseRequest(new byte[length], out _));
    }

    [Fact]
    public void ANameFieldWithoutNulIsRejected()
    {
        var buffer = new byte[68];
        buffer.AsSpan(4).Fill((byte)'a');

        Assert.Equal(JackTripError.HandshakeNameNotTerminated, JackTripHandshake.TryParseRequest(buffer, out _));
    }

    [Fact]
    public void ANameThatIsNotUtf8IsRejected()
    {
        var buffer = new byte[68];
        buffer[4] = 0xC3;
        buffer[5] = 0x28;

        Assert.Equal(JackTripError.HandshakeNameNotUtf8, JackTripHandshake.TryParseRequest(buffer, out _));
    }

    [Fact]
    public void ANameOfSixtyThreeBytesFitsAndSixtyFourDoNot()
    {
        var buffer = new byte[68];
        Assert.Equal(JackTripError.None, JackTripHandshake.TryWriteRequest(buffer, 1, new string('x', 63), out _));
        Assert.Equal(JackTripError.None, JackTripHandshake.TryParseRequest(buffer, out var request));
        Assert.Equal(63, request.NameUtf8.Length);

        Assert.Equal(JackTripError.HandshakeNameTooLong, JackTripHandshake.TryWriteRequest(buffer, 1, new string('x', 64), out _));
    }

    [Fact]
    public void TheResponseIsOneLittleEndianInteger()
    {
        var buffer = new byte[4];
        Assert.True(JackTripHandshake.TryWriteResponse(buffer, JackTripAuthCode.AuthenticationRequired));

        Assert.Equal(new byte[] { 0, 0, 2, 0 }, buffer);
        Assert.True(JackTripHandshake.TryReadResponse(buffer, out var value));
        Assert.True(JackTripAuthCode.IsAuthenticationCode(value));
    }
}
