using System.Net;
using System.Net.Sockets;
using Loki.Learning.Hub.LinkSimulation;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// The TCP impairment model (loss becomes a retransmission stall, everything behind it waits) and the proxy that
/// applies it to real connections on loopback. Behaviour, not timing: the model in link time, the proxy by its bytes
/// and counts.
/// </summary>
public sealed class TcpImpairmentTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(128.0 / 48000);

    private static List<TcpSegmentFate> Fates(ImpairmentProfile profile, int seed, int count)
    {
        var model = new TcpImpairmentModel(profile, seed);
        return [.. Enumerable.Range(0, count).Select(k => model.Send(k * Interval))];
    }

    [Fact]
    public void TheSameSeedGivesTheSameFatesAndAnotherSeedDoesNot()
    {
        Assert.Equal(Fates(ImpairmentProfile.Wifi, 5, 20_000), Fates(ImpairmentProfile.Wifi, 5, 20_000));
        Assert.NotEqual(Fates(ImpairmentProfile.Wifi, 5, 20_000), Fates(ImpairmentProfile.Wifi, 6, 20_000));
    }

    [Fact]
    public void NothingIsLostOrReorderedAndOnACleanPathNothingWaits()
    {
        var lossy = Fates(ImpairmentProfile.Jitter5MsAndOnePercentLoss, 1, 50_000);
        for (var k = 1; k < lossy.Count; k++)
        {
            Assert.True(lossy[k].DeliveredAt >= lossy[k - 1].DeliveredAt, $"segment {k} overtook segment {k - 1}");
        }

        var clean = Fates(ImpairmentProfile.CleanLan, 1, 50_000);
        Assert.All(clean, f => Assert.Equal(0, f.Retransmissions));
        Assert.All(clean, f => Assert.False(f.HeldBehind));
    }

    [Fact]
    public void ALostSegmentComesAboutARoundTripLateAndHoldsBackTheSegmentsBehindIt()
    {
        var profile = new ImpairmentProfile("2% loss, 20 ms one way", TimeSpan.FromMilliseconds(20), TimeSpan.Zero, 0.02);
        var model = new TcpImpairmentModel(profile, 11);
        var fates = Enumerable.Range(0, 20_000).Select(k => (Sent: k * Interval, Fate: model.Send(k * Interval))).ToList();

        var once = fates.Where(f => f.Fate.Retransmissions == 1).ToList();
        Assert.InRange(once.Count, 300, 500);
        // Lost once: repaired 1.25 round trips (50 ms) after the original would have arrived.
        Assert.All(once, f => Assert.True(f.Fate.DeliveredAt >= f.Sent + profile.BaseDelay + (1.25 * model.RoundTrip), $"{f.Fate}"));
        // The segments sent right after a loss wait for it (head-of-line blocking).
        var k = fates.FindIndex(f => f.Fate.Retransmissions == 1);
        Assert.True(fates[k + 1].Fate.HeldBehind);
        Assert.Equal(fates[k].Fate.DeliveredAt, fates[k + 1].Fate.DeliveredAt);
        // A retransmission lost too waits for the retransmission timeout: at least Linux's 200 ms.
        var twice = fates.Where(f => f.Fate.Retransmissions >= 2).ToList();
        Assert.NotEmpty(twice);
        Assert.All(twice, f => Assert.True(f.Fate.DeliveredAt >= f.Sent + (1.25 * model.RoundTrip) + TcpImpairmentModel.MinimumRto, $"{f.Fate}"));
        Assert.Equal(twice.Count, model.Timeouts);
    }

    [Fact]
    public void ABurstCostsOneRoundOfRetransmissionsNotATimeoutPerSegment()
    {
        var bursty = new ImpairmentProfile("bursts", TimeSpan.FromMilliseconds(5), TimeSpan.Zero, 0, BurstStartProbability: 0.01, BurstEndProbability: 0.25);
        var model = new TcpImpairmentModel(bursty, 3);
        var fates = Enumerable.Range(0, 20_000).Select(k => model.Send(k * Interval)).ToList();

        Assert.True(model.Losses > 200, $"only {model.Losses} losses");
        Assert.Equal(0, model.Timeouts);
        Assert.All(fates, f => Assert.InRange(f.Retransmissions, 0, 1));
    }

    [Fact]
    public async Task TheProxyDeliversEveryByteInOrderWhileItStallsTheStreamForLosses()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var lossy = new ImpairmentProfile("5% loss, 1 ms", TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(0.5), 0.05);
        await using var proxy = TcpImpairmentProxy.Start((IPEndPoint)listener.LocalEndpoint, lossy, seed: 4);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(proxy.EndPoint, timeout.Token);
        using var server = await listener.AcceptTcpClientAsync(timeout.Token);
        var sent = Enumerable.Range(0, 400 * 280).Select(i => (byte)(i * 7 % 251)).ToArray();

        // 400 messages of 280 bytes (a browser's audio frame) up, echoed back down.
        var echo = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            var stream = server.GetStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), timeout.Token);
            }
            server.Client.Shutdown(SocketShutdown.Send);
        });
        var up = client.GetStream();
        for (var m = 0; m < 400; m++)
        {
            await up.WriteAsync(sent.AsMemory(m * 280, 280), timeout.Token);
            if (m % 50 == 0)
            {
                await Task.Delay(1, timeout.Token);
            }
        }
        client.Client.Shutdown(SocketShutdown.Send);
        var received = new MemoryStream();
        await up.CopyToAsync(received, timeout.Token);
        await echo;

        Assert.Equal(sent, received.ToArray());
        Assert.Equal(1, proxy.Connections);
        Assert.True(proxy.Upstream.Retransmissions > 0, proxy.Upstream.ToString());
        Assert.True(proxy.Downstream.Retransmissions > 0, proxy.Downstream.ToString());
        Assert.Equal(sent.Length, proxy.Upstream.Bytes);
        Assert.Equal(sent.Length, proxy.Downstream.Bytes);
    }

    [Fact]
    public void TheProxyRelaysOnlyToLoopback()
    {
        var error = Assert.Throws<ArgumentException>(() => TcpImpairmentProxy.Start(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80), ImpairmentProfile.CleanLan, 1));
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }
}
