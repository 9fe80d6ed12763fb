using Loki.Learning.Media.Audience;
using Loki.Learning.Media.SharedMemory;
using Microsoft.Extensions.Time.Testing;

namespace Loki.Learning.Media.Tests.SharedMemory;

/// <summary>A room's audience ring across two real processes: the engine's tap writes, the web process's broadcaster encodes.</summary>
public sealed class TwoProcessAudienceRingTests : IDisposable
{
    private readonly RingDirectory _files = new();
    private readonly ulong _generation = (ulong)Random.Shared.NextInt64();

    private string RingPath => _files.File("audience.ring");

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task TheBroadcasterEncodesTheEngineProcessPeriodsInOrderAroundTheRing()
    {
        await using var engine = await RingPeer.StartAsync("audience", RingPath, _generation);
        using var reader = SharedAudienceReader.Open(RingPath, _generation);
        var message = new byte[reader.MessageLength];
        var expectedPeriod = 0;
        var expectedSequence = 0u;

        // 1,280 periods in steps of 64: the 256-period ring wraps five times; the reader keeps up and misses nothing.
        for (var step = 0; step < 20; step++)
        {
            await engine.SendAsync("periods 64");
            while (reader.TryEncode(message))
            {
                Assert.True(AudienceFrame.TryReadHeader(message, out var channels, out var frames, out var sequence, out var epochMs));
                Assert.Equal((2, 16 * 128, expectedSequence++), (channels, frames, sequence));
                Assert.Equal(expectedPeriod * 128 / 48.0, epochMs, 6);
                foreach (var period in PeriodsOf(message, frames))
                {
                    Assert.Equal(expectedPeriod++ % 500, period);
                }
            }
        }
        Assert.Equal(1280, expectedPeriod);
        Assert.Equal(0, reader.SkippedPeriods);
    }

    [Fact]
    public async Task ABroadcasterThatFallsBehindSkipsToTheNewestPeriods()
    {
        await using var engine = await RingPeer.StartAsync("audience", RingPath, _generation);
        using var reader = SharedAudienceReader.Open(RingPath, _generation);
        var message = new byte[reader.MessageLength];

        await engine.SendAsync("periods 1000");

        Assert.True(reader.TryEncode(message));
        Assert.True(AudienceFrame.TryReadHeader(message, out _, out var frames, out _, out _));
        Assert.Equal(Enumerable.Range(984, 16).Select(p => p % 500), PeriodsOf(message, frames));
        Assert.Equal(984, reader.SkippedPeriods);
        Assert.False(reader.TryEncode(message));
    }

    [Fact]
    public async Task TheBroadcasterSeesTheRoomCloseAndAKilledEngineGone()
    {
        await using var engine = await RingPeer.StartAsync("audience", RingPath, _generation);
        using var reader = SharedAudienceReader.Open(RingPath, _generation);
        var watch = reader.WatchEngine(new FakeTimeProvider(), TimeSpan.FromSeconds(1));
        Assert.False(reader.Detached);
        Assert.Equal(RingPeerState.Alive, watch.Check());

        await engine.SendAsync("close");
        Assert.True(reader.Detached);
        Assert.Equal(RingPeerState.Closed, watch.Check());

        await using var second = await RingPeer.StartAsync("audience", RingPath + ".2", _generation);
        using var secondReader = SharedAudienceReader.Open(RingPath + ".2", _generation);
        var secondWatch = secondReader.WatchEngine(new FakeTimeProvider(), TimeSpan.FromSeconds(1));
        await second.KillAsync();
        Assert.Equal(RingPeerState.Gone, secondWatch.Check());
    }

    /// <summary>The period index (mod 500) of each period in a message, from its first left sample ((n mod 500) + 1) / 1000.</summary>
    private static List<int> PeriodsOf(byte[] message, int frames)
    {
        var periods = new List<int>();
        for (var p = 0; p < frames / 128; p++)
        {
            var left = BitConverter.ToInt16(message, AudienceFrame.HeaderLength + (2 * p * 128)) / 32767.0;
            var right = BitConverter.ToInt16(message, AudienceFrame.HeaderLength + (2 * (frames + (p * 128)))) / 32767.0;
            Assert.Equal(-left, right, 4);
            periods.Add((int)Math.Round(left * 1000) - 1);
        }
        return periods;
    }
}
