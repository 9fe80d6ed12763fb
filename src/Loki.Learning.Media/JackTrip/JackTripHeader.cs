using System.Buffers.Binary;

namespace Loki.Learning.Media.JackTrip;

/// <summary>
/// The 16-byte little-endian header that starts every JackTrip audio packet.
/// Layout: u64 sender timestamp (µs since the Unix epoch, sender's clock), u16 sequence number,
/// u16 samples per channel, u8 sample-rate code, u8 bits per sample, u8 channels the sender wants to receive,
/// u8 channels in this packet (0 = same as the previous byte, 255 = the packet carries no audio).
/// </summary>
public readonly record struct JackTripHeader(
    ulong TimestampMicroseconds,
    ushort SequenceNumber,
    ushort SamplesPerChannel,
    byte SampleRateCode,
    byte BitsPerSample,
    byte ChannelsWanted,
    byte ChannelsInPacketCode)
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 16;

    /// <summary>Value of <see cref="ChannelsInPacketCode"/> meaning "as many as <see cref="ChannelsWanted"/>".</summary>
    public const byte ChannelsSameAsWanted = 0;

    /// <summary>Value of <see cref="ChannelsInPacketCode"/> meaning the sender transmits no audio.</summary>
    public const byte ChannelsNone = 255;

    /// <summary>
    /// Largest channel count we accept in either channel byte: a concert hall or studio sends up to 16 (the most a
    /// participant can have mixed, <c>MixParticipant.MaxInputChannels</c>). A packet asking for or carrying more is
    /// rejected as <see cref="JackTripError.TooManyChannels"/>, counted, and the stream never joins on it.
    /// </summary>
    public const int MaxChannels = 16;

    /// <summary>Largest samples-per-channel value we accept (JackTrip buffer sizes go up to 2048 frames).</summary>
    public const int MaxSamplesPerChannel = 4096;

    /// <summary>Channels of audio actually carried by the packet after applying the 0 and 255 rules.</summary>
    public int AudioChannels => ChannelsInPacketCode switch
    {
        ChannelsSameAsWanted => ChannelsWanted,
        ChannelsNone => 0,
        _ => ChannelsInPacketCode,
    };

    /// <summary>Sample rate in Hz for <see cref="SampleRateCode"/>, or 0 when the code is unknown.</summary>
    public int SampleRate => SampleRateFromCode(SampleRateCode);

    /// <summary>Bytes per sample for <see cref="BitsPerSample"/>, or 0 when the depth is unsupported.</summary>
    public int BytesPerSample => JackTripSampleCodec.BytesPerSample(BitsPerSample);

    /// <summary>Length in bytes of one whole packet (header plus planar audio) described by this header.</summary>
    public int PacketLength => Size + (SamplesPerChannel * AudioChannels * BytesPerSample);

    /// <summary>Maps a JackTrip sample-rate code (0..6) to Hz; returns 0 for an unknown code.</summary>
    public static int SampleRateFromCode(byte code) => code switch
    {
        0 => 22050,
        1 => 32000,
        2 => 44100,
        3 => 48000,
        4 => 88200,
        5 => 96000,
        6 => 192000,
        _ => 0,
    };

    /// <summary>Maps a sample rate in Hz to its JackTrip code.</summary>
    /// <returns><c>false</c> when JackTrip has no code for the rate.</returns>
    public static bool TryGetSampleRateCode(int sampleRate, out byte code)
    {
        code = sampleRate switch
        {
            22050 => 0,
            32000 => 1,
            44100 => 2,
            48000 => 3,
            88200 => 4,
            96000 => 5,
            192000 => 6,
            _ => byte.MaxValue,
        };
        return code != byte.MaxValue;
    }

    /// <summary>Reads and validates a header from the start of <paramref name="source"/>.</summary>
    /// <param name="source">At least <see cref="Size"/> bytes; extra bytes are ignored.</param>
    /// <param name="header">The decoded header when the result is <see cref="JackTripError.None"/>.</param>
    /// <returns><see cref="JackTripError.None"/> or the first reason the bytes are not a valid header.</returns>
    public static JackTripError TryRead(ReadOnlySpan<byte> source, out JackTripHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return JackTripError.ShorterThanHeader;
        }

        header = new JackTripHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(source),
            BinaryPrimitives.ReadUInt16LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[10..]),
            source[12],
            source[13],
            source[14],
            source[15]);
        return header.Validate();
    }

    /// <summary>Checks every field against the protocol's allowed values.</summary>
    /// <returns><see cref="JackTripError.None"/> or the first problem found.</returns>
    public JackTripError Validate()
    {
        if (SampleRateFromCode(SampleRateCode) == 0)
        {
            return JackTripError.UnknownSampleRateCode;
        }
        if (JackTripSampleCodec.BytesPerSample(BitsPerSample) == 0)
        {
            return JackTripError.UnsupportedBitDepth;
        }
        if (SamplesPerChannel == 0 || SamplesPerChannel > MaxSamplesPerChannel)
        {
            return JackTripError.InvalidSamplesPerChannel;
        }
        if (ChannelsWanted > MaxChannels || (ChannelsInPacketCode != ChannelsNone && ChannelsInPacketCode > MaxChannels))
        {
            return JackTripError.TooManyChannels;
        }
        return JackTripError.None;
    }

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <returns><c>false</c> when the destination is shorter than <see cref="Size"/>.</returns>
    public bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            return false;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(destination, TimestampMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], SequenceNumber);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], SamplesPerChannel);
        destination[12] = SampleRateCode;
        destination[13] = BitsPerSample;
        destination[14] = ChannelsWanted;
        destination[15] = ChannelsInPacketCode;
        return true;
    }
}
