using System.Diagnostics;
using System.Globalization;
using Loki.Learning.Benchmarks.Audience;
using Loki.Learning.Media.Audience;

namespace Loki.Learning.Benchmarks.Isolation;

/// `audience-client URL-PREFIX TOKENS-FILE`: the audience listeners of `mix-isolation` in a process of their own.
/// Opens one WebSocket per token (URL-PREFIX + token), checks every message as <see cref="AudienceListeners"/> does,
/// says "ready" and then answers the node's "mark" / "report" / "stop".
internal static class ListenerProcess
{
    public static async Task<int> RunAsync(string[] args)
    {
        var prefix = args[0];
        var tokens = await File.ReadAllLinesAsync(args[1]);
        using var stop = new CancellationTokenSource();
        var listeners = tokens.Where(t => t.Length > 0).Select(t => new AudienceListeners.Listener(new Uri(prefix + t))).ToList();
        var connecting = Stopwatch.StartNew();
        foreach (var batch in listeners.Chunk(50))
        {
            await Task.WhenAll(batch.Select(l => l.ConnectAsync(stop.Token)));
        }
        var receiving = listeners.Where(l => l.Connected).Select(l => Task.Run(() => l.ReceiveAsync(stop.Token))).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ready {listeners.Count(l => l.Connected)} of {listeners.Count} listeners connected in {connecting.Elapsed.TotalSeconds:F1} s"));

        var since = Stopwatch.StartNew();
        var cpuAtMark = TimeSpan.Zero;
        await NodeCommands.RunAsync(
            () =>
            {
                foreach (var l in listeners)
                {
                    l.Reset();
                }
                cpuAtMark = Process.GetCurrentProcess().TotalProcessorTime;
                since.Restart();
            },
            () => Summary(listeners, since.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpuAtMark),
            stop.Token);
        await stop.CancelAsync();
        await Task.WhenAll(receiving).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }

    private static string Summary(List<AudienceListeners.Listener> listeners, TimeSpan elapsed, TimeSpan cpu)
    {
        var expected = elapsed.TotalSeconds * AudienceFrame.SampleRate / new AudienceTap().BatchFrames;
        var connected = listeners.Where(l => l.Connected).ToList();
        var received = connected.Select(l => l.Received).Sum();
        var silences = connected.Select(l => l.LongestSilence.TotalMilliseconds).Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"listeners {connected.Count - connected.Count(l => l.Closed)} of {listeners.Count} connected, delivered {received / Math.Max(1, expected * listeners.Count):P1}, " +
            $"gaps {connected.Sum(l => l.Gaps)}, malformed {connected.Sum(l => l.Malformed)}, longest silence p99 {AudienceListeners.Percentile(silences, 0.99):F0} ms, " +
            $"client CPU {cpu.TotalSeconds / elapsed.TotalSeconds:F2} cores");
    }
}
