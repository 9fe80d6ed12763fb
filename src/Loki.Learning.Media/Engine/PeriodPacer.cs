using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Paces the mix thread at one period using absolute deadlines on the monotonic clock: it sleeps until shortly before
/// the deadline (Linux: clock_nanosleep with an absolute time, elsewhere 1 ms sleeps) and spins the rest, so periods
/// neither drift nor inherit timer jitter. Allocation-free.
/// </summary>
internal sealed partial class PeriodPacer
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // spin the last 200 µs

    private readonly long _periodTicks;
    private readonly bool _useNanosleep;
    private long _deadline;

    public PeriodPacer(int periodFrames, int sampleRate)
    {
        _periodTicks = periodFrames * Stopwatch.Frequency / sampleRate;
        // Stopwatch reads CLOCK_MONOTONIC in nanoseconds on Linux, so its ticks are valid clock_nanosleep deadlines.
        _useNanosleep = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;
        _deadline = Stopwatch.GetTimestamp() + _periodTicks;
    }

    /// <summary>Periods skipped because the thread fell more than four periods behind.</summary>
    public long Resynchronisations { get; private set; }

    /// <summary>Waits for the end of the current period and starts the next.</summary>
    public void WaitForNextPeriod()
    {
        var now = Stopwatch.GetTimestamp();
        if (now - _deadline > 4 * _periodTicks)
        {
            // Far behind (debugger, a stall): start afresh instead of running a burst of catch-up periods.
            _deadline = now + _periodTicks;
            Resynchronisations++;
            return;
        }

        var sleepUntil = _deadline - SpinTicks;
        if (_useNanosleep)
        {
            if (sleepUntil > now)
            {
                var request = new TimeSpec { Seconds = sleepUntil / 1_000_000_000, Nanoseconds = sleepUntil % 1_000_000_000 };
                clock_nanosleep(ClockMonotonic, TimerAbsoluteTime, ref request, IntPtr.Zero);
            }
        }
        else
        {
            while (sleepUntil - Stopwatch.GetTimestamp() > Stopwatch.Frequency / 500)
            {
                Thread.Sleep(1);
            }
        }
        while (Stopwatch.GetTimestamp() < _deadline)
        {
            Thread.SpinWait(20);
        }
        _deadline += _periodTicks;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_nanosleep")]
    private static extern int clock_nanosleep(int clockId, int flags, ref TimeSpec request, IntPtr remaining);
}
