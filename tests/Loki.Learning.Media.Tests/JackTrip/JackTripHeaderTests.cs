using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.JackTrip;

public sealed class JackTripHeaderTests
{
    [Fact]
    public void AHeaderWrittenAndReadBackKeepsEveryFieldInLittleEndianOrder()
    {
        var header = new JackTripHeader(0x0102030405060708, 0xBEEF, 128, 3, 16, 2, 0);
        var bytes = new byte[JackTripHeader.Size];

        Assert.True(header.TryWrite(bytes));
        Assert.Equal(JackTripError.None, JackTripHeader.TryRead(bytes, out var read));

        Assert.Equal(header, read);
        Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1, 0xEF, 0xBE, 128, 0, 3, 16, 2, 0 }, bytes);
        Assert.Equal(48000, read.SampleRate);
    }

    [Theory]
    [InlineData(0, 2, 2)]
    [InlineData(255, 2, 0)]
    [InlineData(1, 2, 1)]
    public void TheChannelsInPacketByteFollowsTheZeroAndTwoHundredFiftyFiveRules(byte code, byte wanted, int expected)
    {
        var header = new JackTripHeader(0, 0, 64, 3, 16, wanted, code);

        Assert.Equal(expected, header.AudioChannels);
        Assert.Equal(16 + (64 * expected * 2), header.PacketLength);
    }

    [Theory]
    [InlineData(7, 16, 128, JackTripError.UnknownSampleRateCode)]
    [InlineData(3, 12, 128, JackTripError.UnsupportedBitDepth)]
    [InlineData(3, 16, 0, JackTripError.InvalidSamplesPerChannel)]
    [InlineData(3, 16, 5000, JackTripError.InvalidSamplesPerChannel)]
    public void AHeaderWithAnInvalidFieldIsRejectedWithItsReason(byte rateCode, byte bits, int samples, JackTripError expected)
    {
        var bytes = new byte[JackTripHeader.Size];
        new JackTripHeader(1, 1, (ushort)samples, rateCode, bits, 2, 0).TryWrite(bytes);

        Assert.Equal(expected, JackTripHeader.TryRead(bytes, out _));
        Assert.NotEqual("unknown error", JackTripDatagram.Describe(expected));
    }

    [Fact]
    public void FewerThanSixteenBytesAreNotAHeader()
    {
        Assert.Equal(JackTripError.ShorterThanHeader, JackTripHeader.TryRead(new byte[15], out _));
    }

    [Theory]
    [InlineData(22050, 0)]
    [InlineData(32000, 1)]
    [InlineData(44100, 2)]
    [InlineData(48000, 3)]
    [InlineData(88200, 4)]
    [InlineData(96000, 5)]
    [InlineData(192000, 6)]
    public void EverySampleRateMapsToItsCodeAndBack(int rate, byte code)
    {
        Assert.True(JackTripHeader.TryGetSampleRateCode(rate, out var mapped));
        Assert.Equal(code, mapped);
        Assert.Equal(rate, JackTripHeader.SampleRateFromCode(code));
    }
}
