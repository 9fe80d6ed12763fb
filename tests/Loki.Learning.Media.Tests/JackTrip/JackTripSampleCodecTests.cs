using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.JackTrip;

public sealed class JackTripSampleCodecTests
{
    private static float[] Ramp(int count)
    {
        var samples = new float[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = -1f + (2f * i / (count - 1));
        }
        return samples;
    }

    [Theory]
    [InlineData(8, 1f / 128f)]
    [InlineData(16, 2f / 32767f)]
    [InlineData(24, 1f / (32768f * 256f) * 1.5f)]
    [InlineData(32, 0f)]
    public void EveryBitDepthRoundTripsWithinItsQuantisationStep(int bits, float tolerance)
    {
        var source = Ramp(1001);
        var bytes = new byte[source.Length * JackTripSampleCodec.BytesPerSample(bits)];
        var decoded = new float[source.Length];

        Assert.Equal(bytes.Length, JackTripSampleCodec.Encode(source, bits, bytes));
        Assert.Equal(source.Length, JackTripSampleCodec.Decode(bytes, bits, decoded));

        for (var i = 0; i < source.Length; i++)
        {
            // 16-bit encodes ×32767 but decodes /32768 (JackTrip), so near full scale the error approaches two steps;
            // +1.0 is clamped just below full scale at 8 and 24 bits.
            var allowed = source[i] >= 1f ? Math.Max(tolerance, 1f / 128f) : tolerance;
            Assert.InRange(decoded[i] - source[i], -allowed - 1e-7f, allowed + 1e-7f);
        }
    }

    [Fact]
    public void SixteenBitCodingIsBitIdenticalToTheOneSampleAtATimeDefinition()
    {
        // The codec works 8 samples at a time; every value must come out exactly as the scalar definition says,
        // including exact halves, values beyond full scale, NaN and infinities, and a ragged tail.
        var random = new Random(1604);
        var edges = new List<float> { 0f, -0f, 1f, -1f, 1.5f, -1.5f, 1e10f, -1e10f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon };
        for (var k = -40; k <= 40; k++)
        {
            // Samples whose scaled value is an exact half, and the floats either side of it.
            var half = (k + 0.5f) / 32767f;
            edges.AddRange([half, MathF.BitDecrement(half), MathF.BitIncrement(half), (k + 0.5f) * 1000f / 32767f]);
        }
        var source = edges.Concat(Enumerable.Range(0, 5000).Select(_ => (float)((random.NextDouble() * 2.4) - 1.2))).Append(0.3f).ToArray();
        var encoded = new byte[source.Length * 2];
        JackTripSampleCodec.Encode(source, 16, encoded);

        for (var i = 0; i < source.Length; i++)
        {
            var sample = float.IsFinite(source[i]) ? source[i] : 0f;
            var expected = (short)Math.Clamp(MathF.Round(sample * 32767f, MidpointRounding.AwayFromZero), -32768f, 32767f);
            Assert.True(expected == BitConverter.ToInt16(encoded, i * 2), $"sample {i}: {source[i]:R} encoded {BitConverter.ToInt16(encoded, i * 2)}, expected {expected}");
        }

        var every = Enumerable.Range(short.MinValue, 65536).SelectMany(v => BitConverter.GetBytes((short)v)).Append((byte)0).Append((byte)0).Append((byte)7).Append((byte)1).ToArray();
        var decoded = new float[every.Length / 2];
        JackTripSampleCodec.Decode(every, 16, decoded);
        for (var i = 0; i < decoded.Length; i++)
        {
            Assert.Equal(BitConverter.ToInt16(every, i * 2) / 32768f, decoded[i]);
        }
    }

    [Fact]
    public void SixteenBitSamplesAreRoundedTimes32767AndDecodedOver32768()
    {
        var bytes = new byte[6];
        JackTripSampleCodec.Encode([0.5f, -0.5f, 1f], 16, bytes);

        Assert.Equal(16384, BitConverter.ToInt16(bytes, 0));
        Assert.Equal(-16384, BitConverter.ToInt16(bytes, 2));
        Assert.Equal(32767, BitConverter.ToInt16(bytes, 4));

        var decoded = new float[3];
        JackTripSampleCodec.Decode(bytes, 16, decoded);
        Assert.Equal(0.5f, decoded[0]);
    }

    [Fact]
    public void TwentyFourBitSamplesUseJackTripsSixteenBitsPlusFractionLayout()
    {
        // 0.25·32768 + 0.5/32768·32768 → whole part 8192, fraction 0.5 → byte 128.
        var x = (8192.5f) / 32768f;
        var bytes = new byte[3];
        JackTripSampleCodec.Encode([x], 24, bytes);

        Assert.Equal(8192, BitConverter.ToInt16(bytes, 0));
        Assert.Equal(128, bytes[2]);

        var decoded = new float[1];
        JackTripSampleCodec.Decode(bytes, 24, decoded);
        Assert.Equal(x, decoded[0]);
    }

    [Fact]
    public void TwentyFourBitNegativeSamplesFloorTheWholePartAndKeepAPositiveFraction()
    {
        // -0.25 - a quarter step: floor gives -8193 with fraction 0.75 → byte 192.
        var x = -8192.25f / 32768f;
        var bytes = new byte[3];
        JackTripSampleCodec.Encode([x], 24, bytes);

        Assert.Equal(-8193, BitConverter.ToInt16(bytes, 0));
        Assert.Equal(192, bytes[2]);
    }

    [Fact]
    public void TwentyFourBitEncodingClampsFullScaleInsteadOfWrapping()
    {
        var bytes = new byte[6];
        JackTripSampleCodec.Encode([1f, 3f], 24, bytes);

        Assert.Equal(32767, BitConverter.ToInt16(bytes, 0));
        Assert.Equal(255, bytes[2]);
        Assert.Equal(32767, BitConverter.ToInt16(bytes, 3));
    }

    [Fact]
    public void FloatPayloadsNeverLetNaNOrInfinityThrough()
    {
        var bytes = new byte[12];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), float.NaN);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), float.PositiveInfinity);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), 0.25f);
        var decoded = new float[3];

        JackTripSampleCodec.Decode(bytes, 32, decoded);

        Assert.Equal([0f, 0f, 0.25f], decoded);
    }

    [Fact]
    public void ARaggedPayloadOrUnsupportedDepthIsRefused()
    {
        Assert.Equal(-1, JackTripSampleCodec.Decode(new byte[5], 16, new float[4]));
        Assert.Equal(-1, JackTripSampleCodec.Decode(new byte[4], 12, new float[4]));
        Assert.Equal(-1, JackTripSampleCodec.Encode(new float[4], 16, new byte[7]));
    }
}
