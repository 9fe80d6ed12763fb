using System.Text;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.JackTrip;

public sealed class JackTripParserFuzzTests
{
    [Fact]
    public void TwentyThousandHostileDatagramsAreEitherRejectedWithAReasonOrFullyInBounds()
    {
        var fuzzer = new DatagramFuzzer(seed: 20261125);
        var decoded = new float[70000];
        var reasons = new Dictionary<JackTripError, int>();
        var validKept = 0;

        for (var i = 0; i < 20000; i++)
        {
            var (kind, datagram) = fuzzer.Next(() => fuzzer.Valid());
            var error = JackTripDatagram.TryParse(datagram, out var info);
            reasons[error] = reasons.GetValueOrDefault(error) + 1;

            if (kind == DatagramFuzzer.Kind.Valid)
            {
                Assert.Equal(JackTripError.None, error);
                validKept++;
            }
            if (error != JackTripError.None)
            {
                Assert.NotEqual("unknown error", JackTripDatagram.Describe(error));
                continue;
            }
            // Accepted: every byte is accounted for and every payload decodes within its bounds.
            Assert.Equal(datagram.Length, info.PacketLength * info.Redundancy);
            Assert.InRange(info.Redundancy, 1, JackTripDatagram.MaxRedundancy);
            Assert.Equal(JackTripError.None, info.Newest.Validate());
            for (var copy = 0; copy < info.Redundancy; copy++)
            {
                var payload = info.PayloadAt(datagram, copy);
                var samples = JackTripSampleCodec.Decode(payload, info.Newest.BitsPerSample, decoded);
                Assert.Equal(info.Newest.SamplesPerChannel * info.Newest.AudioChannels, samples);
                Assert.All(decoded.AsSpan(0, samples).ToArray(), s => Assert.True(float.IsFinite(s)));
            }
        }

        Assert.True(validKept > 1000);
        Assert.True(reasons.Count >= 6, string.Join(", ", reasons));
        Assert.True(reasons.GetValueOrDefault(JackTripError.LengthMismatch) > 100);
        Assert.True(reasons.GetValueOrDefault(JackTripError.RedundancyMismatch) > 100);
    }

    [Fact]
    public void DatagramsWithAnyChannelBytesAreAcceptedOnlyWithSixteenChannelsOrFewerAndTheLengthTheyClaim()
    {
        var fuzzer = new DatagramFuzzer(seed: 16);
        var decoded = new float[70000];
        var reasons = new Dictionary<JackTripError, int>();
        for (var i = 0; i < 20000; i++)
        {
            var datagram = fuzzer.ChannelLie();
            var wanted = datagram[14];
            var code = datagram[15];
            var claimed = code == JackTripHeader.ChannelsSameAsWanted ? wanted : code == JackTripHeader.ChannelsNone ? 0 : code;

            var error = JackTripDatagram.TryParse(datagram, out var info);
            reasons[error] = reasons.GetValueOrDefault(error) + 1;

            if (wanted > 16 || (code != JackTripHeader.ChannelsNone && code > 16))
            {
                Assert.Equal(JackTripError.TooManyChannels, error);
                continue;
            }
            if (error != JackTripError.None)
            {
                // Audio for another channel count than the header claims: never one packet of the claimed shape.
                Assert.Contains(error, new[] { JackTripError.LengthMismatch, JackTripError.RedundancyMismatch });
                Assert.NotEqual(JackTripHeader.Size + (32 * claimed * 2), datagram.Length);
                continue;
            }
            Assert.Equal(claimed, info.Newest.AudioChannels);
            Assert.InRange(info.Newest.AudioChannels, 0, 16);
            Assert.Equal(datagram.Length, info.PacketLength * info.Redundancy);
            Assert.Equal(32 * claimed, JackTripSampleCodec.Decode(info.PayloadAt(datagram, 0), 16, decoded));
        }

        Assert.True(reasons.GetValueOrDefault(JackTripError.None) > 1000, string.Join(", ", reasons));
        Assert.True(reasons.GetValueOrDefault(JackTripError.TooManyChannels) > 1000, string.Join(", ", reasons));
        Assert.True(reasons.GetValueOrDefault(JackTripError.LengthMismatch) > 1000, string.Join(", ", reasons));
    }

    [Fact]
    public void TenThousandHostileHandshakesAreEitherRejectedOrWellFormed()
    {
        var random = new Random(4464);
        var valid = 0;
        for (var i = 0; i < 10000; i++)
        {
            byte[] message;
            switch (random.Next(4))
            {
                case 0:
                    message = new byte[random.Next(0, 100)];
                    random.NextBytes(message);
                    break;
                case 1:
                    message = new byte[random.Next(2) == 0 ? 4 : 68];
                    random.NextBytes(message);
                    break;
                case 2:
                    message = new byte[68];
                    JackTripHandshake.TryWriteRequest(message, (uint)random.Next(70000), new string('n', random.Next(1, 63)), out _);
                    message[4 + random.Next(64)] = (byte)random.Next(256);
                    break;
                default:
                    message = new byte[68];
                    JackTripHandshake.TryWriteRequest(message, (uint)random.Next(65536), "client-" + i, out _);
                    break;
            }

            var error = JackTripHandshake.TryParseRequest(message, out var request);
            if (error != JackTripError.None)
            {
                continue;
            }
            valid++;
            Assert.True(message.Length is 4 or 68);
            Assert.True(request.Value <= ushort.MaxValue || request.WantsAuthentication);
            Assert.InRange(request.NameUtf8.Length, 0, JackTripHandshake.MaxNameBytes);
            Assert.Equal(request.NameUtf8.Length, Encoding.UTF8.GetByteCount(request.GetName()));
        }
        Assert.True(valid > 2500);
    }
}
