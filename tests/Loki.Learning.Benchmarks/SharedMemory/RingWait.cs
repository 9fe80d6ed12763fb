using System.Diagnostics;
using System.Globalization;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Benchmarks.SharedMemory;

/// <summary>
/// `ring-wait [participants] [seconds] [poll-ms] [timer|poller]`: what the web side's polling wait costs
/// (docs/benchmarks.md §8.2, §8.4). A thread plays the mix thread, publishing every participant's period every 128
/// frames at 48 kHz into shared-memory rings; one reader task per participant waits with
/// <see cref="SharedParticipantTransport.WaitForOutputAsync"/> and reads. With <c>timer</c> (the default) each transport
/// polls on a timer of its own; with <c>poller</c> all of them wait through one <see cref="SharedTransportPoller"/> thread
/// (what the node does). Reports how long periods waited between publish and read (p50/p95 over all participants) and
/// the CPU the process used, against the same publisher with nobody reading, and the CPU of the readers waiting while
/// nothing is published (connections whose engine is quiet).
/// </summary>
internal static class RingWait
{
    public static async Task<int> RunAsync(string[] args)
    {
        var participants = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var poll = TimeSpan.FromMilliseconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1);
        var shared = args.Length > 3 && args[3] == "poller";
        using var poller = shared ? new SharedTransportPoller(poll) : null;
        var directory = MappedRingMemory.PrivateDirectory(Path.Combine(Path.GetTempPath(), "loki-ring-wait-" + Environment.ProcessId));
        try
        {
            var engines = new ExternalParticipant[participants];
            var mappings = new MappedRingMemory[participants];
            var transports = new SharedParticipantTransport[participants];
            for (var i = 0; i < participants; i++)
            {
                var path = Path.Combine(directory, $"{i}.ring");
                var mapping = mappings[i] = ParticipantRingFile.Create(path, 2, 128, 48000, 1);
                engines[i] = new ExternalParticipant(i, ParticipantRingLayout.FromHeader(mapping), mapping, TimeProvider.System, new InputLevelMeter(1), _ => { });
                transports[i] = poller is null ? SharedParticipantTransport.Open(path, 1, pollInterval: poll) : SharedParticipantTransport.OpenWithPoller(path, 1, poller);
            }

            var idle = Measure(engines, TimeSpan.FromSeconds(seconds));
            Console.WriteLine($"publisher alone: {idle:F1}% of one core");

            // What the idle run published nobody read: take it off (counted as dropped) before the readers start.
            var scratch = new float[256];
            foreach (var transport in transports)
            {
                while (transport.TryReadOutput(scratch, out _))
                {
                }
            }
            var droppedBefore = transports.Sum(t => t.DroppedOutputBlocks);
            using var stop = new CancellationTokenSource();
            var readers = transports.Select(t => Task.Run(() => ReadAsync(t, stop.Token))).ToArray();
            var quiet = Measure(engines, TimeSpan.FromSeconds(seconds), mappings);
            var busy = Measure(engines, TimeSpan.FromSeconds(seconds));
            await stop.CancelAsync();
            await Task.WhenAll(readers);
            var p50 = transports.Select(t => t.OutputWait.P50 ?? double.NaN).Order().ToList();
            var p95 = transports.Select(t => t.OutputWait.P95 ?? double.NaN).Order().ToList();
            Console.WriteLine($"{participants} readers waiting, nothing published: {quiet:F1}% of one core");
            Console.WriteLine($"{participants} readers {(shared ? "woken by one poller thread" : "each polling on its own timer")} every {poll.TotalMilliseconds} ms: {busy:F1}% of one core " +
                $"({(busy - idle) / participants:F2}% per reader); publish-to-read wait p50 {p50[participants / 2]:F2} ms " +
                $"(median over readers; worst {p50[^1]:F2}), p95 {p95[participants / 2]:F2} ms (worst {p95[^1]:F2}); " +
                $"dropped {transports.Sum(t => t.DroppedOutputBlocks) - droppedBefore} of {engines.Length * seconds * 375} periods");
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Publishes a period to every participant every 2.667 ms for <paramref name="duration"/> (or, given the
    /// <paramref name="quiet"/> mappings, only beats their engine side); the process's CPU, % of one core.
    /// </summary>
    private static double Measure(ExternalParticipant[] engines, TimeSpan duration, MappedRingMemory[]? quiet = null)
    {
        var beat = 0L;
        var planar = new float[256];
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var period = TimeSpan.FromSeconds(128.0 / 48000);
        var next = period;
        while (clock.Elapsed < duration)
        {
            foreach (var engine in engines)
            {
                if (quiet is null)
                {
                    engine.PublishOutput(planar);
                }
            }
            beat++;
            foreach (var mapping in quiet ?? [])
            {
                RingHeader.Beat(mapping, RingSide.Engine, beat); // a quiet engine still beats: the poller must not take it for gone
            }
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                Thread.Sleep(wait - TimeSpan.FromMilliseconds(1));
            }
            while (clock.Elapsed < next)
            {
                Thread.SpinWait(20);
            }
            next += period;
        }
        process.Refresh();
        return (process.TotalProcessorTime - cpuBefore).TotalSeconds / clock.Elapsed.TotalSeconds * 100;
    }

    private static async Task ReadAsync(SharedParticipantTransport transport, CancellationToken cancellationToken)
    {
        var output = new float[256];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await transport.WaitForOutputAsync(cancellationToken);
                while (transport.TryReadOutput(output, out _))
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
