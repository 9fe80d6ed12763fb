using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Paces the mix thread at one period using absolute deadlines on the monotonic clock. On Linux it sleeps with
/// clock_nanosleep to the absolute deadline (1 µs timer slack); elsewhere it sleeps in 1 ms steps and spins the last
/// 200 µs. Periods never drift and do not inherit timer jitter. Allocation-free.
/// </summary>
internal sealed partial class PeriodPacer
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int SetTimerSlack = 29; // prctl PR_SET_TIMERSLACK
    private const int SchedulingFifo = 1; // SCHED_FIFO
    private const int OperationNotPermitted = 1; // EPERM
    private const int MaxCatchUpPeriods = 40; // about 100 ms at 128 frames
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // without clock_nanosleep: spin the last 200 µs

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

    /// <summary>
    /// Call once on the pacing thread: Linux delays timer wake-ups by up to 50 µs by default ("timer slack");
    /// one microsecond keeps the wake-up close to the deadline so the final spin can stay short.
    /// </summary>
    public static void TightenTimerSlack()
    {
        if (OperatingSystem.IsLinux())
        {
            prctl(SetTimerSlack, 1000, 0, 0, 0);
        }
    }

    /// <summary>
    /// Call once on the pacing thread: asks Linux to run it first-in-first-out at <paramref name="priority"/> (1–99),
    /// as JACK and JackTrip do for their audio threads, so other work on the core cannot hold a period back. Needs
    /// root, CAP_SYS_NICE or an RLIMIT_RTPRIO of at least <paramref name="priority"/>; returns why not otherwise.
    /// </summary>
    /// <returns><c>null</c> when granted, else the reason it was not.</returns>
    public static string? TryRunInRealTime(int priority)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "real-time scheduling is only requested on Linux";
        }
        var parameters = new SchedulingParameters { Priority = priority };
        // pid 0 is the calling thread on Linux, not the whole process.
        if (sched_setscheduler(0, SchedulingFifo, ref parameters) == 0)
        {
            return null;
        }
        var error = Marshal.GetLastPInvokeError();
        return error == OperationNotPermitted
            ? "not permitted (needs CAP_SYS_NICE or LimitRTPRIO)"
            : $"sched_setscheduler failed with errno {error}";
    }

    /// <summary>
    /// Call once on the pacing thread: pins it to one CPU (Linux sched_setaffinity on the calling thread), so the
    /// scheduler never migrates it and a GC whose heaps are kept off that CPU runs beside it rather than on it.
    /// </summary>
    /// <returns><c>null</c> when pinned, else the reason it was not.</returns>
    public static string? TryPinToCpu(int cpu)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the mix thread is only pinned to a CPU on Linux";
        }
        Span<ulong> mask = stackalloc ulong[16]; // 1,024 CPUs, glibc's cpu_set_t
        if (cpu < 0 || cpu >= mask.Length * 64)
        {
            return $"CPU {cpu} is out of range";
        }
        mask.Clear();
        mask[cpu / 64] = 1UL << (cpu % 64);
        unsafe
        {
            fixed (ulong* bits = mask)
            {
                // pid 0 is the calling thread on Linux, not the whole process.
                if (sched_setaffinity(0, (nuint)(mask.Length * sizeof(ulong)), bits) == 0)
                {
                    return null;
                }
            }
        }
        return $"sched_setaffinity to CPU {cpu} failed with errno {Marshal.GetLastPInvokeError()}";
    }

    /// <summary>
    /// Periods that started more than a whole period after their deadline: each is a gap a client hears unless its
    /// jitter buffer covers it (the engine's own count of dropouts, independent of any client's view).
    /// </summary>
    public long LatePeriods { get; private set; }

    /// <summary>Times the thread fell so far behind that it dropped the missed periods instead of catching up.</summary>
    public long Resynchronisations { get; private set; }

    /// <summary>
    /// Sleeps for <paramref name="pause"/> instead of a period while there is nothing to mix, then starts a fresh
    /// schedule: an idle engine need not wake 375 times a second, and the pause is neither late nor a resynchronisation.
    /// </summary>
    public void Idle(TimeSpan pause)
    {
        Thread.Sleep(pause);
        _deadline = Stopwatch.GetTimestamp() + _periodTicks;
    }

    /// <summary>Waits for the end of the current period and starts the next.</summary>
    public void WaitForNextPeriod()
    {
        var now = Stopwatch.GetTimestamp();
        if (now >= _deadline)
        {
            if (now - _deadline > _periodTicks)
            {
                LatePeriods++;
            }
            // Behind schedule: run the next period at once so the average rate stays exact (clients' buffers absorb
            // the burst) — unless so far behind that catching up would only flood them.
            if (now - _deadline <= MaxCatchUpPeriods * _periodTicks)
            {
                _deadline += _periodTicks;
                return;
            }
            _deadline = now + _periodTicks;
            Resynchronisations++;
            return;
        }

        if (_useNanosleep)
        {
            // An absolute deadline with 1 µs timer slack wakes within tens of microseconds: no spin needed, which keeps
            // an idle or lightly loaded hub near zero CPU.
            var request = new TimeSpec { Seconds = _deadline / 1_000_000_000, Nanoseconds = _deadline % 1_000_000_000 };
            clock_nanosleep(ClockMonotonic, TimerAbsoluteTime, ref request, IntPtr.Zero);
        }
        else
        {
            var sleepUntil = _deadline - SpinTicks;
            while (sleepUntil - Stopwatch.GetTimestamp() > Stopwatch.Frequency / 500)
            {
                Thread.Sleep(1);
            }
            while (Stopwatch.GetTimestamp() < _deadline)
            {
                Thread.SpinWait(20);
            }
        }
        _deadline += _periodTicks;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedulingParameters
    {
        public int Priority;
    }

    [DllImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref SchedulingParameters parameters);

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern unsafe int sched_setaffinity(int pid, nuint size, ulong* mask);

    [DllImport("libc", EntryPoint = "prctl")]
    private static extern int prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [DllImport("libc", EntryPoint = "clock_nanosleep")]
    private static extern int clock_nanosleep(int clockId, int flags, ref TimeSpec request, IntPtr remaining);
}
