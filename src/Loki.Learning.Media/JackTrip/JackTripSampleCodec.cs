using System.Buffers.Binary;

namespace Loki.Learning.Media.JackTrip;

/// <summary>
/// Converts between planar float audio (all frames of channel 0, then channel 1, …; full scale ±1.0)
/// and JackTrip's planar integer or float payload. Allocation-free.
/// </summary>
/// <remarks>
/// Encodings, matching jacktrip 1.7: 8-bit signed = floor(x·128) decoded /128;
/// 16-bit int16 LE = round(x·32767) decoded /32768; 24-bit = int16 LE of floor(x·32768) followed by one byte holding
/// the remaining fraction ×256 (encoding clamps just below +1.0); 32-bit = IEEE float LE.
/// </remarks>
public static class JackTripSampleCodec
{
    /// <summary>Bytes one sample occupies on the wire for <paramref name="bitsPerSample"/>, or 0 when unsupported.</summary>
    public static int BytesPerSample(int bitsPerSample) => bitsPerSample switch
    {
        8 => 1,
        16 => 2,
        24 => 3,
        32 => 4,
        _ => 0,
    };

    /// <summary>Payload length in bytes for the given shape, or 0 when <paramref name="bitsPerSample"/> is unsupported.</summary>
    public static int PayloadLength(int framesPerChannel, int channels, int bitsPerSample) =>
        framesPerChannel * channels * BytesPerSample(bitsPerSample);

    /// <summary>Encodes planar float samples into a JackTrip payload.</summary>
    /// <param name="source">Planar samples; its length is frames × channels, in any planar order the caller chose.</param>
    /// <param name="bitsPerSample">8, 16, 24 or 32.</param>
    /// <param name="destination">Receives exactly <c>source.Length × bytes per sample</c> bytes.</param>
    /// <returns>Bytes written, or -1 when the depth is unsupported or the destination is too small.</returns>
    public static int Encode(ReadOnlySpan<float> source, int bitsPerSample, Span<byte> destination)
    {
        var bytes = BytesPerSample(bitsPerSample);
        var length = source.Length * bytes;
        if (bytes == 0 || destination.Length < length)
        {
            return -1;
        }

        switch (bitsPerSample)
        {
            case 8:
                for (var i = 0; i < source.Length; i++)
                {
                    var scaled = MathF.Floor(Sanitize(source[i]) * 128f);
                    destination[i] = unchecked((byte)(sbyte)Math.Clamp(scaled, -128f, 127f));
                }
                break;
            case 16:
                for (var i = 0; i < source.Length; i++)
                {
                    var scaled = MathF.Round(Sanitize(source[i]) * 32767f, MidpointRounding.AwayFromZero);
                    BinaryPrimitives.WriteInt16LittleEndian(destination[(i * 2)..], (short)Math.Clamp(scaled, -32768f, 32767f));
                }
                break;
            case 24:
                for (var i = 0; i < source.Length; i++)
                {
                    // Work in double: a float cannot hold 32768·x plus an 8-bit fraction near full scale exactly.
                    var scaled = Math.Clamp((double)Sanitize(source[i]) * 32768.0, -32768.0, 32767.0 + (255.0 / 256.0));
                    var whole = Math.Floor(scaled);
                    var fraction = (int)Math.Floor((scaled - whole) * 256.0);
                    var offset = i * 3;
                    BinaryPrimitives.WriteInt16LittleEndian(destination[offset..], (short)whole);
                    destination[offset + 2] = (byte)Math.Clamp(fraction, 0, 255);
                }
                break;
            default:
                for (var i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], source[i]);
                }
                break;
        }
        return length;
    }

    /// <summary>Decodes a JackTrip payload into planar float samples.</summary>
    /// <param name="source">The payload; its length must be a multiple of the sample size.</param>
    /// <param name="bitsPerSample">8, 16, 24 or 32.</param>
    /// <param name="destination">Receives <c>source.Length / bytes per sample</c> samples.</param>
    /// <returns>Samples written, or -1 when the depth is unsupported, the length is ragged or the destination is too small.</returns>
    public static int Decode(ReadOnlySpan<byte> source, int bitsPerSample, Span<float> destination)
    {
        var bytes = BytesPerSample(bitsPerSample);
        if (bytes == 0 || source.Length % bytes != 0)
        {
            return -1;
        }
        var count = source.Length / bytes;
        if (destination.Length < count)
        {
            return -1;
        }

        switch (bitsPerSample)
        {
            case 8:
                for (var i = 0; i < count; i++)
                {
                    destination[i] = unchecked((sbyte)source[i]) / 128f;
                }
                break;
            case 16:
                for (var i = 0; i < count; i++)
                {
                    destination[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(i * 2)..]) / 32768f;
                }
                break;
            case 24:
                for (var i = 0; i < count; i++)
                {
                    var offset = i * 3;
                    var whole = BinaryPrimitives.ReadInt16LittleEndian(source[offset..]);
                    destination[i] = (float)((whole + (source[offset + 2] / 256.0)) / 32768.0);
                }
                break;
            default:
                for (var i = 0; i < count; i++)
                {
                    var value = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
                    // A float payload may carry NaN or infinities from a hostile sender; they must never reach a mix.
                    destination[i] = float.IsFinite(value) ? Math.Clamp(value, -8f, 8f) : 0f;
                }
                break;
        }
        return count;
    }

    private static float Sanitize(float value) => float.IsFinite(value) ? value : 0f;
}
