using System.Numerics;
using System.Runtime.InteropServices;

namespace Loki.Learning.Media.Mixing;

/// <summary>Vectorised sample loops used by the mixer. Allocation-free.</summary>
internal static class SampleMath
{
    /// <summary>destination[i] += source[i] × gain.</summary>
    public static void AddScaled(ReadOnlySpan<float> source, Span<float> destination, float gain)
    {
        var length = Math.Min(source.Length, destination.Length);
        var i = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<float>.Count)
        {
            var sourceVectors = MemoryMarshal.Cast<float, Vector<float>>(source[..length]);
            var destinationVectors = MemoryMarshal.Cast<float, Vector<float>>(destination[..length]);
            var gainVector = new Vector<float>(gain);
            for (var v = 0; v < sourceVectors.Length; v++)
            {
                destinationVectors[v] += sourceVectors[v] * gainVector;
            }
            i = sourceVectors.Length * Vector<float>.Count;
        }
        for (; i < length; i++)
        {
            destination[i] += source[i] * gain;
        }
    }

    /// <summary>destination[i] = (a[i] − b[i]) × gain.</summary>
    public static void SubtractScaled(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, float gain)
    {
        var length = Math.Min(Math.Min(a.Length, b.Length), destination.Length);
        for (var i = 0; i < length; i++)
        {
            destination[i] = (a[i] - b[i]) * gain;
        }
    }

    /// <summary>samples[i] ×= gain.</summary>
    public static void Scale(Span<float> samples, float gain)
    {
        if (gain == 1f)
        {
            return;
        }
        var i = 0;
        if (Vector.IsHardwareAccelerated && samples.Length >= Vector<float>.Count)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(samples);
            var gainVector = new Vector<float>(gain);
            for (var v = 0; v < vectors.Length; v++)
            {
                vectors[v] *= gainVector;
            }
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < samples.Length; i++)
        {
            samples[i] *= gain;
        }
    }
}
