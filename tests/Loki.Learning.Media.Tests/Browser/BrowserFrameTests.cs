using System.Buffers.Binary;
using Loki.Learning.Media.Browser;

namespace Loki.Learning.Media.Tests.Browser;

public sealed class BrowserFrameTests
{
    [Fact]
    public void AStereoAudioFrameRoundTripsWithItsHeaderAndSamples()
    {
        float[] interleaved = [0.5f, -0.5f, 1f, -1f, 0f, 0.25f];
        var message = new byte[BrowserFrame.AudioLength(3, 2)];

        var length = BrowserFrame.WriteAudio(message, 0xFFFF_FFFE, 1_764_000_000_000_000, 2, interleaved);
        var error = BrowserFrame.TryRead(message, out var header);

        Assert.Equal(24 + (3 * 2 * 2), length);
        Assert.Equal(BrowserFrameError.None, error);
        Assert.Equal(new BrowserFrameHeader(BrowserFrameKind.Audio, 2, 3, 0xFFFF_FFFE, 1_764_000_000_000_000, 0), header);
        var decoded = new float[6];
        Assert.Equal(6, BrowserFrame.ReadAudio(message, header, decoded));
        for (var i = 0; i < interleaved.Length; i++)
        {
            Assert.Equal(interleaved[i], decoded[i], 1f / 32767);
        }
    }

    [Fact]
    public void AudioIsStoredPlanarAsRoundedInt16()
    {
        float[] interleaved = [0.5f, -0.25f, 1f, 2f];
        var message = new byte[BrowserFrame.AudioLength(2, 2)];

        BrowserFrame.WriteAudio(message, 7, 0, 2, interleaved);

        short Sample(int index) => BinaryPrimitives.ReadInt16LittleEndian(message.AsSpan(BrowserFrame.HeaderLength + (index * 2)));
        // Channel 1 (0.5, 1) first, then channel 2 (-0.25, 2 clamped to 1).
        Assert.Equal([16384, 32767, -8192, 32767], new[] { Sample(0), Sample(1), Sample(2), Sample(3) });
        Assert.Equal(1, message[0]);
        Assert.Equal(1, message[1]);
        Assert.Equal(2, message[2]);
        Assert.Equal(1, message[3]);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(4)));
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(8)));
    }

    [Fact]
    public void NaNIsSentAsSilenceAndTheMostNegativeSampleReadsAsMinusOne()
    {
        var planar = new byte[4];
        BrowserFrame.FloatInterleavedToInt16Planar([float.NaN, -5f], 1, planar);
        Assert.Equal(0, BinaryPrimitives.ReadInt16LittleEndian(planar));
        Assert.Equal(-32767, BinaryPrimitives.ReadInt16LittleEndian(planar.AsSpan(2)));

        BinaryPrimitives.WriteInt16LittleEndian(planar, short.MinValue);
        var decoded = new float[2];
        BrowserFrame.Int16PlanarToFloatInterleaved(planar, 1, decoded);
        Assert.Equal(-1f, decoded[0]);
    }

    [Fact]
    public void APingRoundTrips()
    {
        var message = new byte[BrowserFrame.PingLength];

        Assert.Equal(24, BrowserFrame.WritePing(message, 42, 123_456_789));

        Assert.Equal(BrowserFrameError.None, BrowserFrame.TryRead(message, out var header));
        Assert.Equal(new BrowserFrameHeader(BrowserFrameKind.Ping, 0, 0, 42, 123_456_789, 0), header);
        Assert.True(BrowserFrame.AudioPayload(message, header).IsEmpty);
    }

    [Fact]
    public void APongEchoesThePingAndCarriesTheServerReceiveTime()
    {
        var message = new byte[BrowserFrame.PongLength];

        Assert.Equal(32, BrowserFrame.WritePong(message, 42, 123_456_789, 123_460_000));

        Assert.Equal(BrowserFrameError.None, BrowserFrame.TryRead(message, out var header));
        Assert.Equal(new BrowserFrameHeader(BrowserFrameKind.Pong, 0, 0, 42, 123_456_789, 123_460_000), header);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(12)));
    }

    [Fact]
    public void WritersRefuseWhatNoValidFrameCanHold()
    {
        Assert.Equal(-1, BrowserFrame.WriteAudio(new byte[100], 0, 0, 3, new float[3]));
        Assert.Equal(-1, BrowserFrame.WriteAudio(new byte[100], 0, 0, 2, new float[3]));
        Assert.Equal(-1, BrowserFrame.WriteAudio(new byte[100], 0, 0, 1, []));
        Assert.Equal(-1, BrowserFrame.WriteAudio(new byte[BrowserFrame.MaxLength * 2], 0, 0, 1, new float[1025]));
        Assert.Equal(-1, BrowserFrame.WriteAudio(new byte[27], 0, 0, 1, new float[2]));
        Assert.Equal(-1, BrowserFrame.WritePing(new byte[23], 0, 0));
        Assert.Equal(-1, BrowserFrame.WritePong(new byte[31], 0, 0, 0));
    }

    [Fact]
    public void TheLargestAudioFrameIsAccepted()
    {
        var message = new byte[BrowserFrame.MaxLength];

        Assert.Equal(BrowserFrame.MaxLength, BrowserFrame.WriteAudio(message, 1, 1, 2, new float[2048]));

        Assert.Equal(BrowserFrameError.None, BrowserFrame.TryRead(message, out var header));
        Assert.Equal(1024, header.Frames);
    }

    public static TheoryData<string, int, byte, BrowserFrameError> Corruptions => new()
    {
        { "version 0", 0, 0, BrowserFrameError.UnsupportedVersion },
        { "version 2", 0, 2, BrowserFrameError.UnsupportedVersion },
        { "kind 0", 1, 0, BrowserFrameError.UnknownKind },
        { "kind 4", 1, 4, BrowserFrameError.UnknownKind },
        { "0 channels", 2, 0, BrowserFrameError.InvalidChannels },
        { "3 channels", 2, 3, BrowserFrameError.InvalidChannels },
        { "float format", 3, 2, BrowserFrameError.InvalidSampleFormat },
        { "no format", 3, 0, BrowserFrameError.InvalidSampleFormat },
        { "reserved byte 6", 6, 1, BrowserFrameError.ReservedNotZero },
        { "reserved byte 7", 7, 0x80, BrowserFrameError.ReservedNotZero },
        { "reserved byte 12", 12, 1, BrowserFrameError.ReservedNotZero },
        { "reserved byte 15", 15, 1, BrowserFrameError.ReservedNotZero },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void AnAudioFrameWithAWrongFieldIsRejectedWithItsReason(string what, int offset, byte value, BrowserFrameError expected)
    {
        var message = ValidMonoAudio(frames: 4);
        message[offset] = value;

        var error = BrowserFrame.TryRead(message, out var header);

        Assert.True(expected == error, what);
        Assert.Equal(default, header);
        Assert.NotEqual("unknown error", BrowserFrame.Describe(error));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1025)]
    [InlineData(65535)]
    public void AnAudioFrameCountOutside1To1024IsRejected(int frames)
    {
        var message = ValidMonoAudio(frames: 4);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), (ushort)frames);

        Assert.Equal(BrowserFrameError.InvalidFrameCount, BrowserFrame.TryRead(message, out _));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(100)]
    public void AnAudioFrameOfTheWrongLengthIsRejected(int extraBytes)
    {
        var valid = ValidMonoAudio(frames: 4);
        var message = new byte[valid.Length + extraBytes];
        valid.AsSpan(0, Math.Min(valid.Length, message.Length)).CopyTo(message);

        Assert.Equal(BrowserFrameError.LengthMismatch, BrowserFrame.TryRead(message, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(23)]
    public void AMessageShorterThanTheHeaderIsRejected(int length)
    {
        Assert.Equal(BrowserFrameError.ShorterThanHeader, BrowserFrame.TryRead(new byte[length], out _));
    }

    [Fact]
    public void APingWithAudioFieldsOrExtraBytesIsRejected()
    {
        var ping = new byte[BrowserFrame.PingLength];
        BrowserFrame.WritePing(ping, 1, 1);

        var withChannels = (byte[])ping.Clone();
        withChannels[2] = 1;
        var withFrames = (byte[])ping.Clone();
        withFrames[4] = 1;
        var withFormat = (byte[])ping.Clone();
        withFormat[3] = 1;
        var longer = new byte[BrowserFrame.PongLength];
        ping.CopyTo(longer, 0);
        var pongTooShort = (byte[])ping.Clone();
        pongTooShort[1] = (byte)BrowserFrameKind.Pong;

        Assert.Equal(BrowserFrameError.InvalidChannels, BrowserFrame.TryRead(withChannels, out _));
        Assert.Equal(BrowserFrameError.InvalidFrameCount, BrowserFrame.TryRead(withFrames, out _));
        Assert.Equal(BrowserFrameError.InvalidSampleFormat, BrowserFrame.TryRead(withFormat, out _));
        Assert.Equal(BrowserFrameError.LengthMismatch, BrowserFrame.TryRead(longer, out _));
        Assert.Equal(BrowserFrameError.LengthMismatch, BrowserFrame.TryRead(pongTooShort, out _));
    }

    [Fact]
    public void ConvertersRefuseBuffersThatDoNotFit()
    {
        Assert.Equal(-1, BrowserFrame.FloatInterleavedToInt16Planar(new float[4], 2, new byte[7]));
        Assert.Equal(-1, BrowserFrame.FloatInterleavedToInt16Planar(new float[3], 2, new byte[6]));
        Assert.Equal(-1, BrowserFrame.Int16PlanarToFloatInterleaved(new byte[8], 2, new float[3]));
        Assert.Equal(-1, BrowserFrame.Int16PlanarToFloatInterleaved(new byte[6], 2, new float[3]));
        Assert.Equal(-1, BrowserFrame.Int16PlanarToFloatInterleaved(new byte[4], 0, new float[3]));
        var message = ValidMonoAudio(frames: 4);
        BrowserFrame.TryRead(message, out var header);
        Assert.Equal(-1, BrowserFrame.ReadAudio(message, header, new float[3]));
        Assert.Equal(-1, BrowserFrame.ReadAudio(message.AsSpan(0, 24), header, new float[4]));
    }

    private static byte[] ValidMonoAudio(int frames)
    {
        var message = new byte[BrowserFrame.AudioLength(frames, 1)];
        var samples = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            samples[i] = 0.1f * i;
        }
        BrowserFrame.WriteAudio(message, 9, 1000, 1, samples);
        return message;
    }
}
