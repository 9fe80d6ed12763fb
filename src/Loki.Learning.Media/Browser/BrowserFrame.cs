using System.Buffers.Binary;

namespace Loki.Learning.Media.Browser;

/// <summary>
/// Reads and writes the binary WebSocket frames a browser participant exchanges with the server: audio (int16 planar),
/// ping (client → server) and pong (server → client). Little-endian, a 24-byte header, then the payload; see
/// docs/protocol.md, "Browser audio over WebSocket". Every length and field is validated before any sample is touched.
/// </summary>
/// <remarks>Allocation-free and thread-safe (no state): everything works on caller-provided spans.</remarks>
public static class BrowserFrame
{
    /// <summary>Value of byte 0.</summary>
    public const byte Version = 1;

    /// <summary>Bytes before the payload.</summary>
    public const int HeaderLength = 24;

    /// <summary>Length of a ping frame.</summary>
    public const int PingLength = HeaderLength;

    /// <summary>Length of a pong frame: the header plus the server's receive time.</summary>
    public const int PongLength = HeaderLength + 8;

    /// <summary>Most frames one audio frame may carry.</summary>
    public const int MaxFrames = 1024;

    /// <summary>Most channels one audio frame may carry.</summary>
    public const int MaxChannels = 2;

    /// <summary>Byte 3 of an audio frame: signed 16-bit samples, round(x × 32767).</summary>
    public const byte SampleFormatInt16 = 1;

    /// <summary>Bytes per sample of the only sample format.</summary>
    public const int BytesPerSample = 2;

    /// <summary>Length of the largest valid frame (1024 stereo frames).</summary>
    public const int MaxLength = HeaderLength + (MaxFrames * MaxChannels * BytesPerSample);

    /// <summary>Length of an audio frame of <paramref name="frames"/> × <paramref name="channels"/> samples.</summary>
    public static int AudioLength(int frames, int channels) => HeaderLength + (frames * channels * BytesPerSample);

    /// <summary>
    /// Validates a frame: version, kind, the fields each kind must carry (channels, sample format, frame count, zero
    /// reserved bytes) and an exact length. Nothing beyond <paramref name="message"/> is read, whatever it contains.
    /// </summary>
    /// <param name="message">One whole binary WebSocket message.</param>
    /// <param name="header">The fields, when the result is <see cref="BrowserFrameError.None"/>; default otherwise.</param>
    /// <returns><see cref="BrowserFrameError.None"/> or the first reason the frame is malformed.</returns>
    public static BrowserFrameError TryRead(ReadOnlySpan<byte> message, out BrowserFrameHeader header)
    {
        header = default;
        if (message.Length < HeaderLength)
        {
            return BrowserFrameError.ShorterThanHeader;
        }
        if (message[0] != Version)
        {
            return BrowserFrameError.UnsupportedVersion;
        }
        var kind = (BrowserFrameKind)message[1];
        if (kind is not (BrowserFrameKind.Audio or BrowserFrameKind.Ping or BrowserFrameKind.Pong))
        {
            return BrowserFrameError.UnknownKind;
        }
        int channels = message[2];
        int format = message[3];
        int frames = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
        var audio = kind == BrowserFrameKind.Audio;
        if (audio ? channels is < 1 or > MaxChannels : channels != 0)
        {
            return BrowserFrameError.InvalidChannels;
        }
        if (audio ? format != SampleFormatInt16 : format != 0)
        {
            return BrowserFrameError.InvalidSampleFormat;
        }
        if (audio ? frames is < 1 or > MaxFrames : frames != 0)
        {
            return BrowserFrameError.InvalidFrameCount;
        }
        if (BinaryPrimitives.ReadUInt16LittleEndian(message[6..]) != 0 || BinaryPrimitives.ReadUInt32LittleEndian(message[12..]) != 0)
        {
            return BrowserFrameError.ReservedNotZero;
        }
        var expected = kind switch
        {
            BrowserFrameKind.Audio => AudioLength(frames, channels),
            BrowserFrameKind.Pong => PongLength,
            _ => PingLength,
        };
        if (message.Length != expected)
        {
            return BrowserFrameError.LengthMismatch;
        }
        header = new BrowserFrameHeader(
            kind,
            channels,
            frames,
            BinaryPrimitives.ReadUInt32LittleEndian(message[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(message[16..]),
            kind == BrowserFrameKind.Pong ? BinaryPrimitives.ReadInt64LittleEndian(message[HeaderLength..]) : 0);
        return BrowserFrameError.None;
    }

    /// <summary>The int16 planar payload of a validated audio frame (empty for ping and pong).</summary>
    /// <param name="message">The message <paramref name="header"/> was read from.</param>
    /// <param name="header">Its header, from <see cref="TryRead"/>.</param>
    public static ReadOnlySpan<byte> AudioPayload(ReadOnlySpan<byte> message, in BrowserFrameHeader header) =>
        header.Kind == BrowserFrameKind.Audio ? message.Slice(HeaderLength, header.SampleCount * BytesPerSample) : [];

    /// <summary>Reads a validated audio frame's samples as interleaved floats (int16 / 32767, clamped to −1..1).</summary>
    /// <param name="message">The message <paramref name="header"/> was read from.</param>
    /// <param name="header">Its header, from <see cref="TryRead"/>.</param>
    /// <param name="interleaved">At least frames × channels floats.</param>
    /// <returns>Samples written (frames × channels), or −1 when <paramref name="interleaved"/> is too short or the header does not describe audio in <paramref name="message"/>.</returns>
    public static int ReadAudio(ReadOnlySpan<byte> message, in BrowserFrameHeader header, Span<float> interleaved)
    {
        if (header.Kind != BrowserFrameKind.Audio || message.Length < header.Length)
        {
            return -1;
        }
        return Int16PlanarToFloatInterleaved(AudioPayload(message, header), header.Channels, interleaved);
    }

    /// <summary>Writes an audio frame from interleaved floats (clamped to −1..1, stored as round(x × 32767), planar).</summary>
    /// <param name="destination">At least <see cref="AudioLength"/> bytes.</param>
    /// <param name="sequence">This direction's sequence number.</param>
    /// <param name="timestampMicroseconds">The sender's clock, µs since the Unix epoch.</param>
    /// <param name="channels">1 or 2.</param>
    /// <param name="interleaved">1..1024 frames of <paramref name="channels"/> interleaved samples.</param>
    /// <returns>Bytes written, or −1 when the arguments describe no valid frame or the destination is too small.</returns>
    public static int WriteAudio(Span<byte> destination, uint sequence, long timestampMicroseconds, int channels, ReadOnlySpan<float> interleaved)
    {
        if (channels is < 1 or > MaxChannels || interleaved.Length % channels != 0)
        {
            return -1;
        }
        var frames = interleaved.Length / channels;
        if (frames is < 1 or > MaxFrames)
        {
            return -1;
        }
        var length = AudioLength(frames, channels);
        if (destination.Length < length)
        {
            return -1;
        }
        WriteHeader(destination, BrowserFrameKind.Audio, (byte)channels, SampleFormatInt16, (ushort)frames, sequence, timestampMicroseconds);
        FloatInterleavedToInt16Planar(interleaved, channels, destination[HeaderLength..length]);
        return length;
    }

    /// <summary>Writes a ping (client → server).</summary>
    /// <param name="destination">At least <see cref="PingLength"/> bytes.</param>
    /// <param name="sequence">The client's ping sequence number.</param>
    /// <param name="timestampMicroseconds">The client's send time, µs since the Unix epoch.</param>
    /// <returns>Bytes written (24), or −1 when the destination is too small.</returns>
    public static int WritePing(Span<byte> destination, uint sequence, long timestampMicroseconds)
    {
        if (destination.Length < PingLength)
        {
            return -1;
        }
        WriteHeader(destination, BrowserFrameKind.Ping, 0, 0, 0, sequence, timestampMicroseconds);
        return PingLength;
    }

    /// <summary>Writes a pong (server → client) answering a ping.</summary>
    /// <param name="destination">At least <see cref="PongLength"/> bytes.</param>
    /// <param name="pingSequence">The ping's sequence, echoed.</param>
    /// <param name="pingTimestampMicroseconds">The ping's timestamp, echoed.</param>
    /// <param name="serverReceiveMicroseconds">The server's clock when the ping arrived, µs since the Unix epoch.</param>
    /// <returns>Bytes written (32), or −1 when the destination is too small.</returns>
    public static int WritePong(Span<byte> destination, uint pingSequence, long pingTimestampMicroseconds, long serverReceiveMicroseconds)
    {
        if (destination.Length < PongLength)
        {
            return -1;
        }
        WriteHeader(destination, BrowserFrameKind.Pong, 0, 0, 0, pingSequence, pingTimestampMicroseconds);
        BinaryPrimitives.WriteInt64LittleEndian(destination[HeaderLength..], serverReceiveMicroseconds);
        return PongLength;
    }

    /// <summary>Converts interleaved floats into little-endian int16 planar samples: round(x × 32767), clamped; NaN becomes 0.</summary>
    /// <param name="interleaved">Frames × <paramref name="channels"/> samples.</param>
    /// <param name="channels">Channels per frame, at least 1.</param>
    /// <param name="planar">At least <paramref name="interleaved"/>.Length × 2 bytes.</param>
    /// <returns>Samples written, or −1 when the lengths do not fit.</returns>
    public static int FloatInterleavedToInt16Planar(ReadOnlySpan<float> interleaved, int channels, Span<byte> planar)
    {
        if (channels < 1 || interleaved.Length % channels != 0 || planar.Length < interleaved.Length * BytesPerSample)
        {
            return -1;
        }
        var frames = interleaved.Length / channels;
        for (var channel = 0; channel < channels; channel++)
        {
            var target = planar.Slice(channel * frames * BytesPerSample, frames * BytesPerSample);
            for (var frame = 0; frame < frames; frame++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(target[(frame * BytesPerSample)..], ToInt16(interleaved[(frame * channels) + channel]));
            }
        }
        return interleaved.Length;
    }

    /// <summary>Converts little-endian int16 planar samples into interleaved floats: x / 32767, clamped to −1..1.</summary>
    /// <param name="planar">Frames × <paramref name="channels"/> × 2 bytes.</param>
    /// <param name="channels">Channels per frame, at least 1.</param>
    /// <param name="interleaved">At least <paramref name="planar"/>.Length / 2 floats.</param>
    /// <returns>Samples written, or −1 when the lengths do not fit.</returns>
    public static int Int16PlanarToFloatInterleaved(ReadOnlySpan<byte> planar, int channels, Span<float> interleaved)
    {
        var samples = planar.Length / BytesPerSample;
        if (channels < 1 || planar.Length % (channels * BytesPerSample) != 0 || interleaved.Length < samples)
        {
            return -1;
        }
        var frames = samples / channels;
        for (var channel = 0; channel < channels; channel++)
        {
            var source = planar.Slice(channel * frames * BytesPerSample, frames * BytesPerSample);
            for (var frame = 0; frame < frames; frame++)
            {
                var value = BinaryPrimitives.ReadInt16LittleEndian(source[(frame * BytesPerSample)..]);
                interleaved[(frame * channels) + channel] = Math.Max(-1f, value / 32767f);
            }
        }
        return samples;
    }

    /// <summary>A constant, human-readable description of <paramref name="error"/> (for logs and close reasons).</summary>
    public static string Describe(BrowserFrameError error) => error switch
    {
        BrowserFrameError.None => "valid",
        BrowserFrameError.ShorterThanHeader => "shorter than the 24-byte header",
        BrowserFrameError.UnsupportedVersion => "unsupported version (byte 0 must be 1)",
        BrowserFrameError.UnknownKind => "unknown kind (byte 1 must be 1 audio, 2 ping or 3 pong)",
        BrowserFrameError.InvalidChannels => "invalid channel count (1 or 2 for audio, 0 otherwise)",
        BrowserFrameError.InvalidSampleFormat => "invalid sample format (1 = int16 for audio, 0 otherwise)",
        BrowserFrameError.InvalidFrameCount => "invalid frame count (1..1024 for audio, 0 otherwise)",
        BrowserFrameError.ReservedNotZero => "a reserved field is not zero",
        BrowserFrameError.LengthMismatch => "length differs from what the header describes",
        _ => "unknown error",
    };

    private static void WriteHeader(Span<byte> destination, BrowserFrameKind kind, byte channels, byte format, ushort frames, uint sequence, long timestampMicroseconds)
    {
        destination[0] = Version;
        destination[1] = (byte)kind;
        destination[2] = channels;
        destination[3] = format;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], frames);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], timestampMicroseconds);
    }

    private static short ToInt16(float sample)
    {
        if (float.IsNaN(sample))
        {
            return 0;
        }
        return (short)MathF.Round(Math.Clamp(sample, -1f, 1f) * 32767f);
    }
}
