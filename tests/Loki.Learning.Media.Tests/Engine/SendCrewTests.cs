using Loki.Learning.Media.Engine;
using static Loki.Learning.Media.Tests.Engine.EngineTestSupport;

namespace Loki.Learning.Media.Tests.Engine;

[Collection(LoopbackEngineCollection.Name)]
public sealed class SendCrewTests
{
    [Fact]
    public async Task WithASendHelperEveryoneGetsTheirMixAndNeitherThreadAllocates()
    {
        var options = LoopbackOptions with { StatisticsInterval = TimeSpan.FromHours(1), SendThreads = 2 };
        await using var engine = new MediaEngine(options, new AllowListAdmissionPolicy("band", ["*"]));
        engine.Start();
        await using var singer = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "singer");
        await using var listener = await FakeJackTripClient.ConnectAsync(engine.TcpEndPoint, "listener");
        // Enough listening browsers that the period's sends are shared (they send nothing, so the listener hears the singer).
        var browsers = Enumerable.Range(0, SendCrew.MinimumToShare)
            .Select(i => new FakeBrowserParticipant(engine.AttachExternal("band", $"browser{i}", channels: 1)))
            .ToList();
        try
        {
            using var done = new CancellationTokenSource();
            var streaming = Task.WhenAll(
                singer.StreamAsync(30, (frame, _) => Sine(frame, 500, 0.4f), stop: done.Token),
                listener.StreamAsync(30, (frame, _) => 0f, stop: done.Token));

            var heard = await listener.HeardAfterAsync(listener.FramesReceived, settleFrames: 19200);
            // Warm-up first (each thread's first claims, tiering): the steady state is what must allocate nothing, and an
            // allocation per period or per packet shows in any window.
            await Task.Delay(800);
            var before = engine.MixThreadAllocatedBytes;
            var periodsBefore = engine.PeriodsElapsed;
            var blocksBefore = browsers.Select(b => b.BlocksReceived).ToArray();
            await Task.Delay(800);
            var allocated = engine.MixThreadAllocatedBytes - before;
            var periods = engine.PeriodsElapsed - periodsBefore;
            var blocks = browsers.Select((b, i) => b.BlocksReceived - blocksBefore[i]).ToArray();
            var helperSends = engine.HelperSends;
            await done.CancelAsync();
            await streaming;

            Assert.InRange(TypicalRms(heard), 0.4 / Math.Sqrt(2) * 0.9, 0.4 / Math.Sqrt(2) * 1.1);
            Assert.InRange(Frequency(heard), 500 * 0.95, 500 * 1.05);
            Assert.True(periods > 100, $"only {periods} periods ran");
            Assert.All(blocks, count => Assert.True(count > 0, $"a browser got no mix in {periods} periods: {string.Join(", ", blocks)}"));
            Assert.True(helperSends > 0, "the helper sent nothing");
            Assert.True(allocated == 0, $"{allocated} bytes allocated by the mix thread and its helper");
        }
        finally
        {
            foreach (var browser in browsers)
            {
                await browser.DisposeAsync();
            }
        }
    }

    [Fact]
    public void SendThreadsOutsideOneToEightAreRefusedAtTheStart()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => (LoopbackOptions with { SendThreads = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (LoopbackOptions with { SendThreads = 9 }).Validate());
    }
}
