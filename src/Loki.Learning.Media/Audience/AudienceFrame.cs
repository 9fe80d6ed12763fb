using System.Buffers.Binary;

namespace Loki.Learning.Media.Audience;

/// <summary>
/// One message of the listen-only audience stream (docs/protocol.md §10): a 16-byte little-endian header, then the room
/// mix as 16-bit PCM, planar (all frames of the left channel, then the right).
/// </summary>
/// <remarks>
/// Header: <c>u8</c> version (1), <c>u8</c> channels (2), <c>u16</c> frames per channel, <c>u32</c> sequence (one per
/// message, wraps), <c>f64</c> server time of the first frame in ms since the Unix epoch. Samples: int16 LE = round(x·32767).
/// </remarks>
public static class AudienceFrame
{
    /// <summary>Version byte of the current format.</summary>
    public const byte Version = 1;

    /// <summary>Bytes before the samples.</summary>
    public const int HeaderLength = 16;

    /// <summary>Sample rate of the stream (the engine's).</summary>
    public const int SampleRate = 48000;

    /// <summary>Length of a message carrying <paramref name="frames"/> frames of <paramref name="channels"/> channels.</summary>
    public static int Length(int frames, int channels) => HeaderLength + (frames * channels * 2);

    /// <summary>Writes the header into <paramref name="message"/>.</summary>
    public static void WriteHeader(Span<byte> message, int channels, int frames, uint sequence, double firstFrameEpochMs)
    {
        message[0] = Version;
        message[1] = (byte)channels;
        BinaryPrimitives.WriteUInt16LittleEndian(message[2..], (ushort)frames);
        BinaryPrimitives.WriteUInt32LittleEndian(message[4..], sequence);
        BinaryPrimitives.WriteDoubleLittleEndian(message[8..], firstFrameEpochMs);
    }

    /// <summary>Writes <paramref name="samples"/> (floats, clamped to ±1) as int16 LE from <paramref name="offset"/> on.</summary>
    public static void WriteSamples(Span<byte> message, int offset, ReadOnlySpan<float> samples)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            var x = Math.Clamp(samples[i], -1f, 1f);
            BinaryPrimitives.WriteInt16LittleEndian(message[(offset + (2 * i))..], (short)MathF.Round(x * 32767f));
        }
    }

    /// <summary>Reads a header; false when the message is too short, of another version, or its length disagrees.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> message, out int channels, out int frames, out uint sequence, out double firstFrameEpochMs)
    {
        channels = frames = 0;
        sequence = 0;
        firstFrameEpochMs = 0;
        if (message.Length < HeaderLength || message[0] != Version)
        {
            return false;
        }
        channels = message[1];
        frames = BinaryPrimitives.ReadUInt16LittleEndian(message[2..]);
        sequence = BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        firstFrameEpochMs = BinaryPrimitives.ReadDoubleLittleEndian(message[8..]);
        return channels is 1 or 2 && message.Length == Length(frames, channels);
    }
}
