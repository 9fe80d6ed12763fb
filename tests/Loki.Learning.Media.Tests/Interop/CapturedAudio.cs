using System.Buffers.Binary;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>Reads what <c>jack_rec</c> wrote and measures a test tone in it.</summary>
public static class CapturedAudio
{
    /// <summary>Reads a PCM 16/24/32-bit or float32 WAV file into one array per channel (samples in ±1).</summary>
    public static float[][] ReadWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || BinaryPrimitives.ReadUInt32BigEndian(bytes) != 0x52494646 /* RIFF */)
        {
            throw new InvalidDataException($"{path} is not a RIFF file");
        }
        int channels = 0, bits = 0, format = 0;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(bytes, offset, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4)), (uint)(bytes.Length - offset - 8));
            var body = bytes.AsSpan(offset + 8, size);
            if (id == "fmt ")
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (format == 0xFFFE && size >= 26)
                {
                    format = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]);
                }
            }
            else if (id == "data")
            {
                return Deinterleave(body, channels, bits, format);
            }
            offset += 8 + size + (size & 1);
        }
        throw new InvalidDataException($"{path} has no data chunk");
    }

    /// <summary>Amplitude of the <paramref name="frequency"/> component (Goertzel), comparable to a sine's peak.</summary>
    public static double ToneAmplitude(ReadOnlySpan<float> samples, double frequency, int sampleRate)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double previous = 0, beforePrevious = 0;
        foreach (var sample in samples)
        {
            var current = sample + coefficient * previous - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }
        var power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
        return 2 * Math.Sqrt(Math.Max(power, 0)) / Math.Max(samples.Length, 1);
    }

    /// <summary>
    /// The tone's level while it sounds: the given percentile of <see cref="ToneAmplitude"/> over 10 ms windows.
    /// Robust to a metronome's gaps and to phase jumps between beats, unlike one transform over the whole file.
    /// </summary>
    public static double SoundingToneAmplitude(ReadOnlySpan<float> samples, double frequency, int sampleRate, double percentile = 90)
    {
        var window = sampleRate / 100;
        var levels = new List<double>();
        for (var start = 0; start + window <= samples.Length; start += window)
        {
            levels.Add(ToneAmplitude(samples.Slice(start, window), frequency, sampleRate));
        }
        if (levels.Count == 0)
        {
            return 0;
        }
        levels.Sort();
        return levels[Math.Clamp((int)Math.Ceiling(percentile / 100 * levels.Count) - 1, 0, levels.Count - 1)];
    }

    public static double Peak(ReadOnlySpan<float> samples)
    {
        var peak = 0f;
        foreach (var sample in samples)
        {
            peak = Math.Max(peak, Math.Abs(sample));
        }
        return peak;
    }

    private static float[][] Deinterleave(ReadOnlySpan<byte> data, int channels, int bits, int format)
    {
        if (channels <= 0 || bits is not (16 or 24 or 32))
        {
            throw new InvalidDataException($"unsupported WAV: {channels} channels, {bits} bits, format {format}");
        }
        var bytesPerSample = bits / 8;
        var frames = data.Length / (bytesPerSample * channels);
        var result = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            result[c] = new float[frames];
        }
        for (var frame = 0; frame < frames; frame++)
        {
            for (var c = 0; c < channels; c++)
            {
                var sample = data.Slice((frame * channels + c) * bytesPerSample, bytesPerSample);
                result[c][frame] = (bits, format) switch
                {
                    (16, _) => BinaryPrimitives.ReadInt16LittleEndian(sample) / 32768f,
                    (24, _) => ((sample[2] << 24 | sample[1] << 16 | sample[0] << 8) >> 8) / 8388608f,
                    (32, 3) => BinaryPrimitives.ReadSingleLittleEndian(sample),
                    _ => BinaryPrimitives.ReadInt32LittleEndian(sample) / 2147483648f,
                };
            }
        }
        return result;
    }
}
