using System.Globalization;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.SharedMemory;
using Microsoft.Extensions.Time.Testing;

namespace Loki.Learning.Media.Tests.SharedMemory;

/// <summary>
/// A browser participant's queues across two real processes: the engine's end in one, the web process's in the other,
/// both mapping one file. Each test drives the other process step by step over its standard input (no clocks).
/// </summary>
public sealed class TwoProcessParticipantRingsTests : IDisposable
{
    private readonly RingDirectory _files = new();
    private readonly ulong _generation = (ulong)Random.Shared.NextInt64();

    private string RingPath => _files.File("participant.ring");

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task InputBlocksReachTheEngineProcessInOrderWithTheirSamplesAcrossManyWrapArounds()
    {
        await using var engine = await RingPeer.StartAsync("engine", RingPath, _generation);
        using var transport = SharedParticipantTransport.Open(RingPath, _generation);
        var sequence = 0u;
        for (var round = 0; round < 40; round++)
        {
            // 40 rounds of 20 blocks of 1..1000 frames: the block ring (128) and the sample ring (16384 frames) wrap many times.
            var written = new List<(uint Sequence, int Frames)>();
            for (var i = 0; i < 20; i++, sequence++)
            {
                var frames = 1 + (int)((sequence * 397) % 1000);
                Assert.True(transport.WriteInput(sequence, 0, Block(sequence, frames)), $"block {sequence} refused");
                written.Add((sequence, frames));
            }

            var drained = await engine.SendAsync("drain");

            Assert.Equal(written.Select(w => $"input {w.Sequence} {w.Frames} {Number(w.Sequence)} {Number(w.Sequence + ((w.Frames - 1) / 1000f))}"), drained);
        }
        Assert.Equal(0, transport.DroppedInputBlocks);
    }

    [Fact]
    public async Task AWebProcessThatFallsBehindGetsOnlyTheNewestFourPeriodsAndLatencyNeverGrows()
    {
        await using var engine = await RingPeer.StartAsync("engine", RingPath, _generation);
        using var transport = SharedParticipantTransport.Open(RingPath, _generation);

        await engine.SendAsync("publish 10");

        Assert.Equal([6u, 7u, 8u, 9u], ReadAll(transport).Select(p => p.Sequence));
        Assert.Equal(6, transport.DroppedOutputBlocks);

        // Hundreds of periods later, still only the newest four are waiting: nothing queues up behind a slow reader.
        await engine.SendAsync("publish 1000");
        var late = ReadAll(transport);
        Assert.Equal([1006u, 1007u, 1008u, 1009u], late.Select(p => p.Sequence));
        Assert.All(late, p => Assert.Equal(p.Sequence, p.Left));
        Assert.All(late, p => Assert.Equal(-(float)p.Sequence, p.Right));

        // A reader that keeps up misses nothing, around the ring (8 slots) many times.
        for (var n = 0; n < 50; n++)
        {
            await engine.SendAsync("publish 3");
            Assert.Equal(Enumerable.Range(1010 + (3 * n), 3).Select(i => (uint)i), ReadAll(transport).Select(p => p.Sequence));
        }
        Assert.Equal(6 + 996, transport.DroppedOutputBlocks);
    }

    [Fact]
    public async Task AWaitInTheWebProcessCompletesWhenTheEngineProcessPublishes()
    {
        await using var engine = await RingPeer.StartAsync("engine", RingPath, _generation);
        using var transport = SharedParticipantTransport.Open(RingPath, _generation);
        var waiting = transport.WaitForOutputAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        await engine.SendAsync("publish 1");

        await waiting.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([0u], ReadAll(transport).Select(p => p.Sequence));
    }

    [Fact]
    public async Task TheWebProcessSeesTheEngineLeaveAndAWaitEnds()
    {
        await using var engine = await RingPeer.StartAsync("engine", RingPath, _generation);
        using var transport = SharedParticipantTransport.Open(RingPath, _generation);
        var watch = transport.WatchEngine(TimeSpan.FromSeconds(1));
        var waiting = transport.WaitForOutputAsync(CancellationToken.None).AsTask();

        await engine.SendAsync("close");

        await waiting.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(transport.HasLeft);
        Assert.Equal(RingPeerState.Closed, watch.Check());
        Assert.False(transport.WriteInput(1, 0, new float[256]));
    }

    [Fact]
    public async Task TheWebProcessSeesAKilledEngineProcessGoneAndAStalledOneByItsSilentHeartbeat()
    {
        await using var engine = await RingPeer.StartAsync("engine", RingPath, _generation);
        using var transport = SharedParticipantTransport.Open(RingPath, _generation);
        var clock = new FakeTimeProvider();
        var watch = transport.WatchEngine(TimeSpan.FromMilliseconds(100), clock);

        await engine.SendAsync("publish 1");
        Assert.Equal(RingPeerState.Alive, watch.Check());
        clock.Advance(TimeSpan.FromMilliseconds(500)); // the engine process lives but publishes nothing: stalled
        Assert.Equal(RingPeerState.Gone, watch.Check());
        await engine.SendAsync("publish 1");
        Assert.Equal(RingPeerState.Alive, watch.Check());

        await engine.KillAsync();

        Assert.Equal(RingPeerState.Gone, watch.Check());
        Assert.False(transport.HasLeft); // a killed engine could not close its end: the watch is what tells
    }

    [Fact]
    public async Task AWaitPendingWhenTheEngineProcessIsKilledEndsWhenTheSupervisorDisposesTheTransport()
    {
        await using var engine = await RingPeer.StartAsync("engine", RingPath, _generation);
        var transport = SharedParticipantTransport.Open(RingPath, _generation);
        var watch = transport.WatchEngine(TimeSpan.FromSeconds(1));
        var waiting = transport.WaitForOutputAsync(CancellationToken.None).AsTask();

        await engine.KillAsync();
        Assert.Equal(RingPeerState.Gone, watch.Check());
        transport.Dispose();

        await waiting.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(transport.HasLeft);
        Assert.False(transport.TryReadOutput(new float[256], out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheEngineGetsTheWebProcessBlocksAndSeesItCloseOrDie(bool killed)
    {
        using var memory = ParticipantRingFile.Create(RingPath, 2, 128, 48000, _generation);
        var participant = new ExternalParticipant(1, ParticipantRingLayout.FromHeader(memory), memory, TimeProvider.System, new InputLevelMeter(1), _ => { });
        var watch = new RingPeerWatch(memory, RingSide.Transport, new FakeTimeProvider(), TimeSpan.FromSeconds(1));
        await using var web = await RingPeer.StartAsync("transport", RingPath, _generation);

        Assert.Equal(["wrote True"], await web.SendAsync("write 5 128"));
        Assert.True(participant.TryPeekInput(out var block, out var planar));
        Assert.Equal((5u, 128, 5f, 5 + (127 / 1000f), -5f), (block.Sequence, block.Frames, planar[0], planar[127], planar[128]));
        participant.ReleaseInput();
        participant.PublishOutput(Enumerable.Repeat(0.25f, 256).ToArray());
        Assert.Equal(["output 0 0.25 0.25"], await web.SendAsync("read"));
        Assert.Equal(RingPeerState.Alive, watch.Check());

        if (killed)
        {
            await web.KillAsync();
            Assert.Equal(RingPeerState.Gone, watch.Check());
        }
        else
        {
            await web.ExitAsync();
            Assert.Equal(RingPeerState.Closed, watch.Check());
        }
    }

    [Fact]
    public async Task AFileOfAnotherGenerationIsRefused()
    {
        await using var engine = await RingPeer.StartAsync("engine", RingPath, _generation);

        var refused = Assert.Throws<RingFormatException>(() => SharedParticipantTransport.Open(RingPath, _generation + 1));

        Assert.Contains("generation", refused.Message, StringComparison.Ordinal);
    }

    private static float[] Block(uint sequence, int frames)
    {
        var block = new float[2 * frames];
        for (var i = 0; i < frames; i++)
        {
            block[2 * i] = sequence + (i / 1000f);
            block[(2 * i) + 1] = -sequence;
        }
        return block;
    }

    private static List<(uint Sequence, float Left, float Right)> ReadAll(SharedParticipantTransport transport)
    {
        var output = new float[2 * transport.PeriodFrames];
        var periods = new List<(uint, float, float)>();
        while (transport.TryReadOutput(output, out var sequence))
        {
            periods.Add((sequence, output[0], output[1]));
        }
        return periods;
    }

    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
