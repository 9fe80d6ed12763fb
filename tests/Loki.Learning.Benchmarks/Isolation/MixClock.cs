using System.Diagnostics;
using System.Globalization;
using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Engine;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Benchmarks.Isolation;

/// Where <see cref="MixIsolation"/> reads the node's mix thread: the engine in the node's process (its counters and a
/// probe tap), or the node's child engine (the figures it reports once a second; a probe feed keeps a tap on the room in
/// the child while nobody listens, and a Hub `loadgen` client admitted by name plays into the room).
internal sealed class MixClock : IAsyncDisposable
{
    private readonly Func<(long Periods, long Late)> _totals;
    private readonly Func<(TimeSpan Longest, long Over)> _timing;
    private readonly Action _reset;
    private readonly Func<ValueTask> _dispose;

    private MixClock(Func<(long, long)> totals, Func<(TimeSpan, long)> timing, Action reset, Func<ValueTask> dispose)
    {
        _totals = totals;
        _timing = timing;
        _reset = reset;
        _dispose = dispose;
    }

    /// Periods mixed and periods started more than a period late, since the engine started.
    public (long Periods, long Late) Totals() => _totals();

    /// The longest interval between two periods, and the intervals over 1.5 periods, since <see cref="ResetTiming"/>.
    public (TimeSpan Longest, long Over) Timing() => _timing();

    public void ResetTiming() => _reset();

    public static MixClock InProcess(MediaEngine engine, AudienceTap probe) => new(
        () => (engine.PeriodsElapsed, engine.LatePeriods),
        () => (probe.MixTiming.Max, probe.MixTiming.Late),
        probe.ResetTiming,
        () => ValueTask.CompletedTask);

    public static async Task<MixClock> InChildAsync(RoomMedia media, string mediaRoom, CancellationToken cancellationToken)
    {
        var child = media.Child!;
        const string name = "benchtone";
        media.Post(new AdmitParticipant(mediaRoom, name + "0", 2));
        var hub = Path.Combine(AppContext.BaseDirectory, "Loki.Learning.Hub.dll");
        var tone = Process.Start(BenchChild.StartInfo(hub, ["loadgen", "--host", "127.0.0.1", "--port", media.JackTripPort.ToString(CultureInfo.InvariantCulture),
            "--clients", "1", "--seconds", "3600", "--name-prefix", name], standardInput: false))!;
        tone.OutputDataReceived += (_, _) => { };
        tone.BeginOutputReadLine();
        var probe = media.OpenAudience(mediaRoom);
        // The child reports once a second; wait until its probe tap has timed periods.
        var waited = Stopwatch.StartNew();
        while (child.Timing.Longest == TimeSpan.Zero && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200, cancellationToken);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  engine process {child.ProcessId}: probe ring {(child.Timing.Longest > TimeSpan.Zero ? "timing the mix" : "NOT timing the mix after 60 s")}, JackTrip client {(tone.HasExited ? "exited" : "playing")}"));
        return new MixClock(
            () => (child.Timing.Periods, child.Timing.Late),
            () => (child.Timing.Longest, child.Timing.LongIntervals),
            child.ResetTiming,
            async () =>
            {
                await probe.DisposeAsync();
                if (!tone.HasExited)
                {
                    tone.Kill();
                }
                await tone.WaitForExitAsync();
                tone.Dispose();
            });
    }

    public ValueTask DisposeAsync() => _dispose();
}
