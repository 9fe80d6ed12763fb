using System.Diagnostics;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Jitter;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

/// <summary>
/// A room's <see cref="SetJitterPolicy"/> reaches its browser participants' buffers: two browsers whose sockets stall
/// the same way (a TCP connection waiting for a retransmission, then handing over its backlog at once), one in a tight
/// room and one in a safe room. Tight drops the backlog at once and keeps its delay; safe takes it in and shrinks back.
/// </summary>
[Collection(LoopbackEngineCollection.Name)]
public sealed class BrowserJitterPolicyEngineTests
{
    private const int Block = 128;
    private const int BacklogBlocks = 56; // 150 ms

    [Fact]
    public async Task ATightRoomDropsAStalledSocketsBacklogAndASafeRoomPlaysItAndShrinksBack()
    {
        await using var engine = new MediaEngine(LoopbackOptions with { StatisticsInterval = TimeSpan.FromMilliseconds(200) }, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        Assert.True(engine.Post(new SetJitterPolicy("tight", JitterPolicy.Tight)));
        Assert.True(engine.Post(new SetJitterPolicy("safe", JitterPolicy.Safe)));
        using var tight = engine.AttachExternal("tight", "tight-browser", channels: 1);
        using var safe = engine.AttachExternal("safe", "safe-browser", channels: 1);

        await Task.WhenAll(
            Task.Factory.StartNew(() => StallingSocket(tight), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default),
            Task.Factory.StartNew(() => StallingSocket(safe), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));

        // The snapshots come every 200 ms; a loaded machine may take a few.
        var figures = "";
        var deadline = Stopwatch.StartNew();
        bool Shown()
        {
            var snapshots = engine.GetParticipantSnapshots();
            var t = snapshots.SingleOrDefault(s => s.ClientName == "tight-browser")?.JitterBuffer;
            var s = snapshots.SingleOrDefault(s => s.ClientName == "safe-browser")?.JitterBuffer;
            figures = $"tight: {t}; safe: {s}";
            return t is { Received: > 3 * BacklogBlocks } && s is { Received: > 3 * BacklogBlocks }
                && t.Value.Overruns > 0 && s.Value.Skipped > 0 && t.Value.Overruns > s.Value.Overruns;
        }
        while (!Shown())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), figures);
            await Task.Delay(50);
        }
        var snapshot = engine.GetParticipantSnapshots();
        var tightBuffer = snapshot.Single(s => s.ClientName == "tight-browser").JitterBuffer;
        // Tight never aims above its four periods; its ring holds two more.
        Assert.True(tightBuffer.TargetDepthFrames <= 4 * Block, figures);
        Assert.True(tightBuffer.DepthFrames <= 6 * Block, figures);
    }

    /// <summary>Three times: one second of blocks in real time, then 150 ms of nothing, then the 56 blocks at once.</summary>
    private static void StallingSocket(ExternalParticipant participant)
    {
        var block = new float[Block];
        var clock = Stopwatch.StartNew();
        uint sequence = 0;
        long sentFrames = 0;
        for (var round = 0; round < 3; round++)
        {
            var until = clock.Elapsed + TimeSpan.FromSeconds(1);
            while (clock.Elapsed < until)
            {
                var due = (long)(clock.Elapsed.TotalSeconds * 48000) / Block;
                for (; sentFrames < due; sentFrames++)
                {
                    for (var i = 0; i < Block; i++)
                    {
                        block[i] = Sine((sentFrames * Block) + i, 440, 0.3f);
                    }
                    participant.WriteInput(sequence++, 0, block);
                }
                Thread.Sleep(1);
            }
            // The socket stalls behind a lost segment; the blocks sent meanwhile arrive together.
            Thread.Sleep(150);
            var backlogUntil = (long)(clock.Elapsed.TotalSeconds * 48000) / Block;
            for (; sentFrames < backlogUntil; sentFrames++)
            {
                participant.WriteInput(sequence++, 0, block);
            }
        }
    }
}
