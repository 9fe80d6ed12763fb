using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Loki.Learning.Hub.LoadGeneration;

/// <summary>
/// Waits until an absolute <see cref="Stopwatch"/> time with sub-100 µs accuracy and little CPU: on Linux it
/// sleeps with <c>clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)</c> to shortly before the deadline and spins
/// the rest; elsewhere 1 ms sleeps then a spin. The load generator must not steal the hub's cores by spinning.
/// </summary>
public static partial class DeadlineWait
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private static readonly long SpinTicks = Stopwatch.Frequency / 10_000; // the last 100 µs
    private static readonly bool UseNanosleep = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    public static void Until(long deadline)
    {
        var wakeAt = deadline - SpinTicks;
        if (UseNanosleep)
        {
            if (wakeAt > Stopwatch.GetTimestamp())
            {
                var time = new TimeSpec { Seconds = wakeAt / 1_000_000_000, Nanoseconds = wakeAt % 1_000_000_000 };
                // An interrupted sleep (EINTR) just falls through to the spin below.
                clock_nanosleep(ClockMonotonic, TimerAbsoluteTime, in time, IntPtr.Zero);
            }
        }
        else
        {
            while (wakeAt - Stopwatch.GetTimestamp() > Stopwatch.Frequency / 1000)
            {
                Thread.Sleep(1);
            }
        }
        var spin = new SpinWait();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            spin.SpinOnce(-1);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int clock_nanosleep(int clockId, int flags, in TimeSpec request, IntPtr remaining);
}
