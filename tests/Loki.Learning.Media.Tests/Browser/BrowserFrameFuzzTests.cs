using System.Buffers.Binary;
using Loki.Learning.Media.Browser;

namespace Loki.Learning.Media.Tests.Browser;

public sealed class BrowserFrameFuzzTests
{
    private enum Kind
    {
        Valid,
        RandomBytes,
        Truncated,
        Oversized,
        WrongField,
        LyingFrameCount,
    }

    [Fact]
    public void TwentyThousandHostileFramesAreEitherRejectedWithAReasonOrReadWithinTheirBounds()
    {
        var random = new Random(20261125);
        var samples = new float[BrowserFrame.MaxFrames * BrowserFrame.MaxChannels];
        var reasons = new Dictionary<BrowserFrameError, int>();
        var kinds = Enum.GetValues<Kind>();
        var validAccepted = 0;

        for (var i = 0; i < 20000; i++)
        {
            var kind = kinds[random.Next(kinds.Length)];
            var message = Make(random, kind);
            // The message sits inside a larger buffer full of noise: nothing past its end may change the outcome.
            var buffer = new byte[message.Length + 64];
            random.NextBytes(buffer);
            message.CopyTo(buffer, 0);
            var span = buffer.AsSpan(0, message.Length);

            var error = BrowserFrame.TryRead(span, out var header);
            reasons[error] = reasons.GetValueOrDefault(error) + 1;
            random.NextBytes(buffer.AsSpan(message.Length));
            Assert.Equal(error, BrowserFrame.TryRead(span, out var again));
            Assert.Equal(header, again);

            if (kind == Kind.Valid)
            {
                Assert.Equal(BrowserFrameError.None, error);
                validAccepted++;
            }
            if (error != BrowserFrameError.None)
            {
                Assert.Equal(default, header);
                Assert.NotEqual("unknown error", BrowserFrame.Describe(error));
                continue;
            }

            // Accepted: every byte is accounted for and the payload decodes exactly within its bounds.
            Assert.Equal(span.Length, header.Length);
            Assert.InRange(header.Channels, 0, 2);
            Assert.InRange(header.Frames, 0, 1024);
            if (header.Kind == BrowserFrameKind.Audio)
            {
                Assert.Equal(header.SampleCount, BrowserFrame.ReadAudio(span, header, samples));
                Assert.All(samples.AsSpan(0, header.SampleCount).ToArray(), s => Assert.InRange(s, -1f, 1f));
            }
        }

        Assert.True(validAccepted > 2000);
        Assert.True(reasons.Count >= 8, string.Join(", ", reasons));
        Assert.True(reasons.GetValueOrDefault(BrowserFrameError.LengthMismatch) > 1000, string.Join(", ", reasons));
    }

    private static byte[] Make(Random random, Kind kind)
    {
        switch (kind)
        {
            case Kind.RandomBytes:
                var noise = new byte[random.Next(0, 200)];
                random.NextBytes(noise);
                if (noise.Length > 1 && random.Next(2) == 0)
                {
                    noise[0] = 1; // get past the version check more often
                }
                return noise;
            case Kind.Truncated:
                var whole = Valid(random);
                return whole.AsSpan(0, random.Next(whole.Length)).ToArray();
            case Kind.Oversized:
                var valid = Valid(random);
                var longer = new byte[valid.Length + random.Next(1, 3000)];
                random.NextBytes(longer);
                valid.CopyTo(longer, 0);
                return longer;
            case Kind.WrongField:
                var corrupt = Valid(random);
                var offset = random.Next(0, 16);
                corrupt[offset] = (byte)random.Next(256);
                return corrupt;
            case Kind.LyingFrameCount:
                var lying = Valid(random);
                BinaryPrimitives.WriteUInt16LittleEndian(lying.AsSpan(4), (ushort)random.Next(65536));
                return lying;
            default:
                return Valid(random);
        }
    }

    private static byte[] Valid(Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                var ping = new byte[BrowserFrame.PingLength];
                BrowserFrame.WritePing(ping, (uint)random.NextInt64(uint.MaxValue), random.NextInt64());
                return ping;
            case 1:
                var pong = new byte[BrowserFrame.PongLength];
                BrowserFrame.WritePong(pong, (uint)random.NextInt64(uint.MaxValue), random.NextInt64(), random.NextInt64());
                return pong;
            default:
                var channels = random.Next(1, 3);
                var frames = random.Next(4) == 0 ? random.Next(1, 1025) : 128;
                var audio = new float[frames * channels];
                for (var i = 0; i < audio.Length; i++)
                {
                    audio[i] = (float)((random.NextDouble() * 2.4) - 1.2);
                }
                var message = new byte[BrowserFrame.AudioLength(frames, channels)];
                BrowserFrame.WriteAudio(message, (uint)random.NextInt64(uint.MaxValue), random.NextInt64(), channels, audio);
                return message;
        }
    }
}
