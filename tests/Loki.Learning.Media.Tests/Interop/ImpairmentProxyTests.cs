namespace Loki.Learning.Media.Tests.Interop;

public sealed class ImpairmentProxyTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public void LosesCloseToTheConfiguredShareOfDatagrams()
    {
        var model = new ImpairmentModel(ImpairmentProfile.OnePercentLoss, seed: 7);

        var lost = Enumerable.Range(0, 100_000).Count(_ => model.Next().Lost);

        Assert.InRange(lost / 100_000.0, 0.009, 0.011);
    }

    [Fact]
    public void TheSameSeedGivesTheSameFatesAndAnotherSeedDoesNot()
    {
        static List<DatagramFate> Fates(int seed)
        {
            var model = new ImpairmentModel(ImpairmentProfile.Wifi, seed);
            return [.. Enumerable.Range(0, 5_000).Select(_ => model.Next())];
        }

        Assert.Equal(Fates(42), Fates(42));
        Assert.NotEqual(Fates(42), Fates(43));
    }

    [Fact]
    public void BurstLossLosesRunsOfConsecutiveDatagrams()
    {
        var bursty = new ImpairmentProfile("bursts", TimeSpan.Zero, TimeSpan.Zero, 0,
            BurstStartProbability: 0.01, BurstEndProbability: 0.25);
        var model = new ImpairmentModel(bursty, seed: 3);
        var lost = Enumerable.Range(0, 50_000).Select(_ => model.Next().Lost).ToList();

        var runs = CountRuns(lost);
        var meanRun = lost.Count(l => l) / (double)runs;

        Assert.True(runs > 50, $"only {runs} bursts");
        Assert.InRange(meanRun, 3.0, 5.0);
    }

    [Fact]
    public void JitterKeepsEveryDelayInsideTheConfiguredWindow()
    {
        var profile = ImpairmentProfile.Jitter5MsAndOnePercentLoss;
        var model = new ImpairmentModel(profile, seed: 11);

        var delays = Enumerable.Range(0, 10_000).Select(_ => model.Next()).Where(f => !f.Lost).Select(f => f.Delay).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, profile.BaseDelay + profile.Jitter));
        Assert.True(delays.Min() < TimeSpan.FromMilliseconds(1) && delays.Max() > TimeSpan.FromMilliseconds(9),
            "jitter should span the window");
    }

    [Fact]
    public async Task RelaysBothWaysAndLosesTheConfiguredShareOnTheWire()
    {
        using var target = new UdpProbe(echo: true);
        using var client = new UdpProbe();
        var lossy = new ImpairmentProfile("5% loss", TimeSpan.FromMilliseconds(1), TimeSpan.Zero, 0.05);
        await using var proxy = ImpairmentProxy.Start(target.EndPoint, lossy, seed: 5, Lifetime);

        client.SendNumbered(proxy.ClientFacingEndPoint, 2_000, TimeSpan.Zero);
        client.WaitForArrivals(2_000, Quiet, WaitLimit);

        Assert.Equal(2_000, proxy.Upstream.Received);
        Assert.InRange(proxy.Upstream.Lost, 60, 140);
        Assert.Equal(proxy.Upstream.Delivered, target.Arrivals.Count);
        Assert.Equal(target.Arrivals.Count, proxy.Downstream.Received);
        Assert.Equal(proxy.Downstream.Delivered, client.Arrivals.Count);
        Assert.InRange(client.Arrivals.Count, 1_700, 1_880);
    }

    [Fact]
    public async Task ReorderingDeliversEverythingButNotInTheOrderSent()
    {
        using var target = new UdpProbe();
        using var client = new UdpProbe();
        var reordering = new ImpairmentProfile("reorder", TimeSpan.FromMilliseconds(1), TimeSpan.Zero, 0,
            ReorderProbability: 0.1, ReorderHold: TimeSpan.FromMilliseconds(6));
        await using var proxy = ImpairmentProxy.Start(target.EndPoint, reordering, seed: 9, Lifetime);

        client.SendNumbered(proxy.ClientFacingEndPoint, 300, TimeSpan.FromMilliseconds(1));
        target.WaitForArrivals(300, Quiet, WaitLimit);

        var arrivals = target.Arrivals;
        Assert.Equal(Enumerable.Range(0, 300), arrivals.Order());
        Assert.NotEqual(Enumerable.Range(0, 300), arrivals);
        Assert.True(proxy.Upstream.HeldForReorder > 10);
    }

    [Fact]
    public async Task ACleanLanKeepsTheOrderAndLosesNothing()
    {
        using var target = new UdpProbe();
        using var client = new UdpProbe();
        await using var proxy = ImpairmentProxy.Start(target.EndPoint, ImpairmentProfile.CleanLan, seed: 1, Lifetime);

        client.SendNumbered(proxy.ClientFacingEndPoint, 300, TimeSpan.FromMilliseconds(1));
        target.WaitForArrivals(300, Quiet, WaitLimit);

        Assert.Equal(Enumerable.Range(0, 300), target.Arrivals);
    }

    [Fact]
    public async Task DuplicationDeliversSomeDatagramsTwice()
    {
        using var target = new UdpProbe();
        using var client = new UdpProbe();
        var duplicating = new ImpairmentProfile("duplicates", TimeSpan.FromMilliseconds(1), TimeSpan.Zero, 0,
            DuplicateProbability: 0.05);
        await using var proxy = ImpairmentProxy.Start(target.EndPoint, duplicating, seed: 2, Lifetime);

        client.SendNumbered(proxy.ClientFacingEndPoint, 1_000, TimeSpan.Zero);
        target.WaitForArrivals(1_000 + (int)proxy.Upstream.Duplicated, Quiet, WaitLimit);

        var arrivals = target.Arrivals;
        Assert.Equal(Enumerable.Range(0, 1_000), arrivals.Distinct().Order());
        Assert.Equal(1_000 + proxy.Upstream.Duplicated, arrivals.Count);
        Assert.InRange(proxy.Upstream.Duplicated, 25, 80);
    }

    [Fact]
    public async Task DeliversNothingAfterItIsClosed()
    {
        using var target = new UdpProbe();
        using var client = new UdpProbe();
        var proxy = ImpairmentProxy.Start(target.EndPoint, ImpairmentProfile.CleanLan, seed: 4, Lifetime);
        client.SendNumbered(proxy.ClientFacingEndPoint, 10, TimeSpan.Zero);
        target.WaitForArrivals(10, Quiet, WaitLimit);
        Assert.Equal(10, target.Arrivals.Count);

        await proxy.DisposeAsync();
        client.SendNumbered(proxy.ClientFacingEndPoint, 10, TimeSpan.Zero);
        target.WaitForArrivals(20, Quiet, TimeSpan.FromSeconds(1));

        Assert.True(proxy.IsClosed);
        Assert.Equal(10, target.Arrivals.Count);
    }

    [Fact]
    public async Task ClosesByItselfWhenItsLifetimeEnds()
    {
        using var target = new UdpProbe();
        await using var proxy = ImpairmentProxy.Start(target.EndPoint, ImpairmentProfile.CleanLan, seed: 6, TimeSpan.FromMilliseconds(200));

        var finished = await Task.WhenAny(proxy.Closed, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Same(proxy.Closed, finished);
        Assert.True(proxy.IsClosed);
    }

    [Fact]
    public void RefusesToRelayAnywhereButLoopback()
    {
        var elsewhere = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.1"), 4464);

        Assert.Throws<ArgumentException>(() => ImpairmentProxy.Start(elsewhere, ImpairmentProfile.CleanLan, 1, Lifetime));
    }

    private static int CountRuns(IReadOnlyList<bool> lost)
    {
        var runs = 0;
        for (var i = 0; i < lost.Count; i++)
        {
            if (lost[i] && (i == 0 || !lost[i - 1]))
            {
                runs++;
            }
        }
        return runs;
    }
}
