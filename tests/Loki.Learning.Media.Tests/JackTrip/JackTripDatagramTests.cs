using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.JackTrip;

public sealed class JackTripDatagramTests
{
    private static float[] Planar(int frames, int channels, float start)
    {
        var samples = new float[frames * channels];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = start + (i * 0.0001f);
        }
        return samples;
    }

    [Fact]
    public void ASinglePacketDatagramIsRecognisedWithRedundancyOne()
    {
        var encoder = new JackTripPacketEncoder(48000, 16, 128, 2, 2);
        var buffer = new byte[encoder.MaxDatagramLength];
        var length = encoder.Encode(Planar(128, 2, 0.1f), 42, buffer);

        Assert.Equal(16 + (128 * 2 * 2), length);
        Assert.Equal(JackTripError.None, JackTripDatagram.TryParse(buffer.AsSpan(0, length), out var info));
        Assert.Equal(1, info.Redundancy);
        Assert.Equal(42ul, info.Newest.TimestampMicroseconds);
        Assert.Equal(2, info.Newest.AudioChannels);
    }

    [Fact]
    public void RedundancyIsInferredFromTheLengthAndCopiesAreNewestFirst()
    {
        var encoder = new JackTripPacketEncoder(48000, 24, 64, 1, 1, redundancy: 3, firstSequenceNumber: 65534);
        var buffer = new byte[encoder.MaxDatagramLength];
        var length = 0;
        for (var i = 0; i < 4; i++)
        {
            length = encoder.Encode(Planar(64, 1, i * 0.1f), (ulong)i, buffer);
        }

        Assert.Equal(JackTripError.None, JackTripDatagram.TryParse(buffer.AsSpan(0, length), out var info));
        Assert.Equal(3, info.Redundancy);
        Assert.Equal((ushort)1, info.SequenceAt(0));
        Assert.Equal((ushort)0, info.SequenceAt(1));
        Assert.Equal((ushort)65535, info.SequenceAt(2));

        var decoded = new float[64];
        JackTripSampleCodec.Decode(info.PayloadAt(buffer.AsSpan(0, length), 2), 24, decoded);
        Assert.Equal(0.1f, decoded[0], 4);
    }

    [Fact]
    public void TheFirstDatagramsOfARedundantStreamCarryOnlyThePacketsThatExist()
    {
        var encoder = new JackTripPacketEncoder(48000, 16, 32, 1, 1, redundancy: 4);
        var buffer = new byte[encoder.MaxDatagramLength];
        var length = encoder.Encode(Planar(32, 1, 0f), 0, buffer);
        length = encoder.Encode(Planar(32, 1, 0f), 0, buffer);

        Assert.Equal(JackTripError.None, JackTripDatagram.TryParse(buffer.AsSpan(0, length), out var info));
        Assert.Equal(2, info.Redundancy);
    }

    [Fact]
    public void ALengthThatIsNotAWholeNumberOfPacketsIsRejected()
    {
        var encoder = new JackTripPacketEncoder(48000, 16, 128, 2, 2);
        var buffer = new byte[encoder.MaxDatagramLength + 10];
        var length = encoder.Encode(Planar(128, 2, 0f), 0, buffer);

        Assert.Equal(JackTripError.LengthMismatch, JackTripDatagram.TryParse(buffer.AsSpan(0, length - 1), out _));
        Assert.Equal(JackTripError.LengthMismatch, JackTripDatagram.TryParse(buffer.AsSpan(0, length + 10), out _));
    }

    [Fact]
    public void ARedundantCopyWithAWrongSequenceIsALie()
    {
        var encoder = new JackTripPacketEncoder(48000, 16, 32, 1, 1);
        var packet = new byte[encoder.MaxDatagramLength];
        var length = encoder.Encode(Planar(32, 1, 0f), 0, packet);
        var datagram = new byte[length * 2];
        packet.AsSpan(0, length).CopyTo(datagram);
        packet.AsSpan(0, length).CopyTo(datagram.AsSpan(length));

        // Both copies claim the same sequence: not newest-first consecutive.
        Assert.Equal(JackTripError.RedundancyMismatch, JackTripDatagram.TryParse(datagram, out _));
    }

    [Fact]
    public void TheExitDatagramIsSixtyThreeBytesOfFF()
    {
        var buffer = new byte[100];
        Assert.Equal(63, JackTripDatagram.WriteExit(buffer));

        Assert.True(JackTripDatagram.IsExit(buffer.AsSpan(0, 63)));
        Assert.False(JackTripDatagram.IsExit(buffer.AsSpan(0, 62)));
        buffer[10] = 0;
        Assert.False(JackTripDatagram.IsExit(buffer.AsSpan(0, 63)));
    }

    [Fact]
    public void AListenOnlySenderProducesAHeaderOnlyPacket()
    {
        var encoder = new JackTripPacketEncoder(48000, 16, 128, 0, 2);
        var buffer = new byte[encoder.MaxDatagramLength];
        var length = encoder.Encode(ReadOnlySpan<float>.Empty, 0, buffer);

        Assert.Equal(16, length);
        Assert.Equal(JackTripError.None, JackTripDatagram.TryParse(buffer.AsSpan(0, length), out var info));
        Assert.Equal(0, info.Newest.AudioChannels);
        Assert.Equal(JackTripHeader.ChannelsNone, info.Newest.ChannelsInPacketCode);
    }
}
