using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
                for (var i = Encode16Vectorised(source, destination); i < source.Length; i++)
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
                for (var i = Decode16Vectorised(source[..(count * 2)], destination); i < count; i++)
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

    // 16-bit is the hub's default depth and encoding is its most expensive step per listener, so the 16-bit paths
    // work 8 samples at a time; results are bit-identical to the scalar loops (a test compares them).

    /// <returns>How many leading samples were encoded; the caller finishes the rest.</returns>
    private static int Encode16Vectorised(ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (!Vector128.IsHardwareAccelerated || !BitConverter.IsLittleEndian)
        {
            return 0;
        }
        ref var from = ref MemoryMarshal.GetReference(source);
        ref var to = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, short>(destination));
        var done = 0;
        for (; done + 8 <= source.Length; done += 8)
        {
            var low = ScaleTo16(Vector128.LoadUnsafe(ref from, (nuint)done));
            var high = ScaleTo16(Vector128.LoadUnsafe(ref from, (nuint)(done + 4)));
            Vector128.Narrow(low, high).StoreUnsafe(ref to, (nuint)done);
        }
        return done;
    }

    /// <summary>round(x·32767) with halves away from zero, NaN and infinities as 0, clamped to the int16 range.</summary>
    private static Vector128<int> ScaleTo16(Vector128<float> samples)
    {
        var finite = Vector128.LessThan(Vector128.Abs(samples), Vector128.Create(float.PositiveInfinity));
        var scaled = Vector128.ConditionalSelect(finite, samples, Vector128<float>.Zero) * 32767f;
        var whole = Vector128.Truncate(scaled);
        var fraction = scaled - whole; // exact
        // Round to nearest, except that an exact half goes away from zero (as MathF.Round AwayFromZero does).
        var rounded = Vector128.ConditionalSelect(
            Vector128.Equals(Vector128.Abs(fraction), Vector128.Create(0.5f)), whole + fraction + fraction, Vector128.Round(scaled));
        return Vector128.ConvertToInt32(Vector128.Clamp(rounded, Vector128.Create(-32768f), Vector128.Create(32767f)));
    }

    /// <returns>How many leading samples were decoded; the caller finishes the rest.</returns>
    private static int Decode16Vectorised(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (!Vector128.IsHardwareAccelerated || !BitConverter.IsLittleEndian)
        {
            return 0;
        }
        var samples = MemoryMarshal.Cast<byte, short>(source);
        ref var from = ref MemoryMarshal.GetReference(samples);
        ref var to = ref MemoryMarshal.GetReference(destination);
        var scale = Vector128.Create(1f / 32768f); // a power of two: multiplying equals dividing, bit for bit
        var done = 0;
        for (; done + 8 <= samples.Length; done += 8)
        {
            var (low, high) = Vector128.Widen(Vector128.LoadUnsafe(ref from, (nuint)done));
            (Vector128.ConvertToSingle(low) * scale).StoreUnsafe(ref to, (nuint)done);
            (Vector128.ConvertToSingle(high) * scale).StoreUnsafe(ref to, (nuint)(done + 4));
        }
        return done;
    }
}
