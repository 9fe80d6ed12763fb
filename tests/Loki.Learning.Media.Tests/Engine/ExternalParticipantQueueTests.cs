using Loki.Learning.Media.Engine;

namespace Loki.Learning.Media.Tests.Engine;

/// <summary>The two queues of an <see cref="ExternalParticipant"/>, driven directly as the mix thread would (no engine, no clock).</summary>
public sealed class ExternalParticipantQueueTests
{
    private const int Period = 128;

    [Fact]
    public void DuplicateAndStaleInputBlocksAreDroppedAndReorderedOnesKept()
    {
        var participant = Create(channels: 1);
        var block = new float[128];

        Assert.True(participant.WriteInput(100, 0, block));
        Assert.True(participant.WriteInput(102, 0, block));
        Assert.True(participant.WriteInput(101, 0, block)); // late but within the window: the jitter buffer reorders it
        Assert.False(participant.WriteInput(101, 0, block)); // duplicate
        Assert.False(participant.WriteInput(102, 0, block)); // duplicate of the newest
        Assert.False(participant.WriteInput(102 - 64, 0, block)); // too old to matter

        Assert.Equal(3, Drain(participant).Count);
        Assert.Equal(3, participant.DroppedInputBlocks);
    }

    [Fact]
    public void InputSequenceNumbersWrapAndASenderThatRestartsIsFollowed()
    {
        var participant = Create(channels: 1);
        var block = new float[64];

        Assert.True(participant.WriteInput(uint.MaxValue, 0, block));
        Assert.True(participant.WriteInput(0, 0, block));
        Assert.True(participant.WriteInput(1, 0, block));
        Assert.True(participant.WriteInput(5_000_000, 0, block)); // a restarted sender's counter
        Assert.True(participant.WriteInput(5_000_001, 0, block));

        Assert.Equal([uint.MaxValue, 0u, 1u, 5_000_000u, 5_000_001u], Drain(participant).Select(b => b.Sequence));
    }

    [Fact]
    public void AFullInputQueueDropsTheNewestBlockAndTheMixThreadFreesIt()
    {
        var participant = Create(channels: 2);
        var block = new float[2 * 1000];
        var queued = 0u;
        while (participant.WriteInput(queued, 0, block))
        {
            queued++;
        }

        // About 340 ms of audio fit: more than the jitter buffer's deepest, so a burst after a TCP stall is kept.
        Assert.Equal((uint)(ExternalParticipant.InputQueueFrames / 1000), queued);
        Assert.Equal(1, participant.DroppedInputBlocks);
        Assert.True(participant.TryPeekInput(out _, out _));
        participant.ReleaseInput();
        Assert.True(participant.WriteInput(queued + 1, 0, block));
        var blocks = Drain(participant);
        Assert.All(blocks, b => Assert.Equal(1000, b.Frames));
        Assert.True(participant.WriteInput(queued + 2, 0, new float[2 * 128]));
    }

    [Fact]
    public void ManySmallBlocksFillTheQueueUpToItsBlockCount()
    {
        var participant = Create(channels: 1);
        var block = new float[16];
        for (var i = 0u; i < ExternalParticipant.InputQueueBlocks; i++)
        {
            Assert.True(participant.WriteInput(i, 0, block));
        }

        Assert.False(participant.WriteInput(ExternalParticipant.InputQueueBlocks, 0, block));
        Assert.Equal(ExternalParticipant.InputQueueBlocks, Drain(participant).Count);
    }

    [Fact]
    public void BlocksKeepTheirSamplesWhenTheQueueWrapsAround()
    {
        var participant = Create(channels: 1);
        for (var round = 0; round < 100; round++)
        {
            var frames = 1 + ((round * 397) % 1024);
            var samples = Enumerable.Range(0, frames).Select(i => (float)(round + (i * 0.001))).ToArray();
            Assert.True(participant.WriteInput((uint)round, 0, samples));
            Assert.True(participant.TryPeekInput(out var block, out var planar));
            Assert.Equal(frames, block.Frames);
            Assert.Equal(samples, planar.ToArray());
            participant.ReleaseInput();
        }
    }

    [Fact]
    public void InterleavedInputReachesTheMixThreadPlanar()
    {
        var participant = Create(channels: 2);

        participant.WriteInput(7, 1234, [1f, -1f, 2f, -2f, 3f, -3f]);

        Assert.True(participant.TryPeekInput(out var block, out var planar));
        Assert.Equal(3, block.Frames);
        Assert.Equal(7u, block.Sequence);
        Assert.Equal(1234, block.SenderMicroseconds);
        Assert.Equal([1f, 2f, 3f, -1f, -2f, -3f], planar.ToArray());
    }

    [Fact]
    public void BlocksThatAreNotWholeFramesAreAProgrammingError()
    {
        var participant = Create(channels: 2);

        Assert.Throws<ArgumentException>(() => participant.WriteInput(0, 0, new float[3]));
        Assert.Throws<ArgumentException>(() => participant.WriteInput(0, 0, []));
        Assert.Throws<ArgumentException>(() => participant.WriteInput(0, 0, new float[2 * 1025]));
    }

    [Fact]
    public void AReaderThatFallsBehindGetsOnlyTheNewestFourPeriodsInterleaved()
    {
        var participant = Create(channels: 2);
        var planar = new float[2 * Period];
        for (var n = 0; n < 10; n++)
        {
            planar.AsSpan(0, Period).Fill(n);
            planar.AsSpan(Period).Fill(-n);
            participant.PublishOutput(planar);
        }

        var output = new float[2 * Period];
        var sequences = new List<uint>();
        while (participant.TryReadOutput(output, out var sequence))
        {
            sequences.Add(sequence);
            Assert.Equal(sequence, output[0]);
            Assert.Equal(-(float)sequence, output[1]);
        }

        Assert.Equal([6u, 7u, 8u, 9u], sequences);
        Assert.Equal(6, participant.DroppedOutputBlocks);
        Assert.Throws<ArgumentException>(() => participant.TryReadOutput(new float[Period], out _));
    }

    [Fact]
    public async Task AWaitCompletesWhenTheMixThreadPublishesAPeriod()
    {
        var participant = Create(channels: 1);
        var waiting = participant.WaitForOutputAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        participant.PublishOutput(new float[Period]);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(participant.TryReadOutput(new float[Period], out var sequence));
        Assert.Equal(0u, sequence);
        Assert.False(participant.WaitForOutputAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task AWaitCanBeCancelledAndWaitedAgain()
    {
        var participant = Create(channels: 1);
        using var cancellation = new CancellationTokenSource();
        var waiting = participant.WaitForOutputAsync(cancellation.Token).AsTask();

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        var again = participant.WaitForOutputAsync(CancellationToken.None).AsTask();
        participant.MarkLeft();
        await again.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(participant.HasLeft);
    }

    private static ExternalParticipant Create(int channels) =>
        new(1, channels, Period, 48000, TimeProvider.System, new InputLevelMeter(1), _ => { });

    private static List<ExternalInputBlock> Drain(ExternalParticipant participant)
    {
        var blocks = new List<ExternalInputBlock>();
        while (participant.TryPeekInput(out var block, out _))
        {
            blocks.Add(block);
            participant.ReleaseInput();
        }
        return blocks;
    }
}
