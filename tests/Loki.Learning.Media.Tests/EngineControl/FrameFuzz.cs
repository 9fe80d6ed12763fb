using Loki.Learning.Media.EngineControl;

namespace Loki.Learning.Media.Tests.EngineControl;

/// What the tests of each group of control frames do with their frames: every whole frame decodes, every frame cut
/// short or with a byte left over is refused, and random bodies of the group's types decode or are refused — with a
/// <see cref="ControlProtocolException"/> only (<paramref name="decodes"/> lets no other exception through).
internal static class FrameFuzz
{
    /// <param name="frames">Whole frames, length prefix included.</param>
    /// <param name="decodes">Decodes a body (type byte first) as the engine host and the node do: true when it decoded,
    /// false when it was refused with a protocol error.</param>
    public static void AssertCutAndRandomBodiesAreRefused(IEnumerable<byte[]> frames, Func<byte[], bool> decodes, byte firstType, byte lastType, int seed, int longest = 160)
    {
        foreach (var frame in frames)
        {
            var body = frame.AsSpan(ControlChannel.HeaderLength).ToArray();
            Assert.True(decodes(body), $"a whole {(ControlMessage)body[0]} did not decode");
            for (var cut = 1; cut < body.Length; cut++)
            {
                Assert.False(decodes(body[..cut]), $"a {(ControlMessage)body[0]} cut to {cut} of {body.Length} bytes decoded");
            }
            Assert.False(decodes([.. body, 0]), $"a {(ControlMessage)body[0]} with a byte left over decoded");
        }
        var random = new Random(seed);
        for (var i = 0; i < 5000; i++)
        {
            var body = new byte[random.Next(1, longest)];
            random.NextBytes(body);
            body[0] = (byte)random.Next(firstType, lastType + 1);
            decodes(body);
        }
    }
}
