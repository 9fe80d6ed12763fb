using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Helper threads that take a share of a period's sends (encode and <c>sendto</c> of every personal mix), so that the
/// last participant's datagram leaves sooner when there are many (<see cref="MediaEngineOptions.SendThreads"/>).
/// </summary>
/// <remarks>
/// <para>Each period the mix thread wakes the helpers with one <c>futex</c> call before it mixes (<see cref="Wake"/>),
/// so that they are running when the mixes are ready; then it opens the period's claims (<see cref="SendAll"/>), and
/// everyone, the mix thread included, claims a few participants at a time from a shared counter until none is left.
/// The mix thread then waits for the sends already claimed. A helper that is not scheduled in time costs nothing but
/// its share: the mix thread simply sends more itself; a helper that waits longer than <see cref="OpenWait"/> for the
/// claims to open goes back to sleep. Each participant is sent by exactly one thread per period, and the mix thread
/// touches nothing a helper might still be using before every claimed send has finished.</para>
/// <para>No locks, no allocation per period. The claim counter carries the period's generation in its upper half, so a
/// helper that runs late for an old period claims nothing of the next one. Linux x64 only (the <c>futex</c> system
/// call number is x64's); <see cref="TryCreate"/> returns <c>null</c> elsewhere and the mix thread sends alone.</para>
/// </remarks>
internal sealed unsafe partial class SendCrew : IDisposable
{
    /// <summary>Below this many participants the mix thread sends alone: waking a helper would cost more than it saves.</summary>
    public const int MinimumToShare = 16;

    /// <summary>Participants taken per claim: fewer atomic operations on the shared counter, still a fair split.</summary>
    private const int ClaimSize = 4;

    private const nint SysFutex = 202; // x86-64
    private const int FutexWaitPrivate = 128;
    private const int FutexWakePrivate = 129;

    /// <summary>How long a woken helper spins for the claims to open before it sleeps again (longer than any mix stage).</summary>
    private static readonly long OpenWait = Stopwatch.Frequency / 1000;

    private readonly Thread[] _helpers;
    private readonly long[] _helperAllocated;
    private readonly long[] _helperSends;
    private readonly int* _generation; // the futex word: native memory, so it never moves
    private readonly int _realTimePriority;
    private List<ParticipantSession> _sessions = [];
    private int _periodFrames;
    private ulong _wallMicroseconds;
    private int _count;
    private long _claim; // generation << 32 | next index
    private int _done;
    private bool _woken;
    private Exception? _failure;
    private volatile bool _stopping;

    private SendCrew(int helpers, int realTimePriority)
    {
        _realTimePriority = realTimePriority;
        _generation = (int*)NativeMemory.AllocZeroed((nuint)sizeof(int));
        _helperAllocated = new long[helpers];
        _helperSends = new long[helpers];
        _helpers = new Thread[helpers];
        for (var i = 0; i < helpers; i++)
        {
            var index = i;
            _helpers[i] = new Thread(() => Help(index)) { IsBackground = true, Name = $"Loki media send {i + 1}", Priority = ThreadPriority.Highest };
        }
    }

    /// <summary>A crew of <paramref name="helpers"/> threads, or <c>null</c> when there are none to make (none asked, or not Linux x64).</summary>
    public static SendCrew? TryCreate(int helpers, int realTimePriority) =>
        helpers > 0 && OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? new SendCrew(helpers, realTimePriority)
            : null;

    /// <summary>Bytes the helpers have allocated since they started (any thread).</summary>
    public long AllocatedBytes => Sum(_helperAllocated);

    /// <summary>Sends the helpers made since they started (any thread; diagnostics and tests).</summary>
    public long HelperSends => Sum(_helperSends);

    public void Start()
    {
        foreach (var helper in _helpers)
        {
            helper.Start();
        }
    }

    /// <summary>
    /// Wakes the helpers for this period's sends when there are enough participants to share (mix thread, before it
    /// mixes, so that a helper's wake-up overlaps the mix).
    /// </summary>
    public void Wake(int participants)
    {
        _woken = participants >= MinimumToShare;
        if (_woken)
        {
            Volatile.Write(ref *_generation, *_generation + 1);
            Futex(_generation, FutexWakePrivate, _helpers.Length);
        }
    }

    /// <summary>Sends every participant's mix of this period, shared with the helpers if woken. Mix thread; returns when all are sent.</summary>
    /// <remarks>A send that throws (on any thread) is rethrown here once every other send of the period has finished.</remarks>
    public void SendAll(List<ParticipantSession> sessions, int periodFrames, ulong wallMicroseconds)
    {
        if (!_woken)
        {
            foreach (var session in sessions)
            {
                session.Send(periodFrames, wallMicroseconds);
            }
            return;
        }
        _woken = false;
        _sessions = sessions;
        _periodFrames = periodFrames;
        _wallMicroseconds = wallMicroseconds;
        _count = sessions.Count;
        _done = 0;
        var generation = *_generation;
        // A full fence: the fields above are published before the claims of this generation open.
        Interlocked.Exchange(ref _claim, (long)generation << 32);
        Work(generation);
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _done) < _count)
        {
            spinner.SpinOnce(sleep1Threshold: -1); // at most the claims the helpers hold are left
        }
        if (Interlocked.Exchange(ref _failure, null) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Claims and sends participants of <paramref name="generation"/> until none is left.</summary>
    /// <returns>How many this thread sent.</returns>
    private int Work(int generation)
    {
        var sent = 0;
        while (true)
        {
            var claim = Volatile.Read(ref _claim);
            if ((int)(claim >> 32) != generation)
            {
                return sent; // another period: its claims are not ours
            }
            var first = (int)claim;
            var end = Math.Min(first + ClaimSize, _count);
            if (first >= end)
            {
                return sent;
            }
            if (Interlocked.CompareExchange(ref _claim, claim + (end - first), claim) != claim)
            {
                continue;
            }
            for (var index = first; index < end; index++)
            {
                try
                {
                    _sessions[index].Send(_periodFrames, _wallMicroseconds);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    // Kept for the mix thread to report; the period must still end with every claim counted.
                    Interlocked.CompareExchange(ref _failure, exception, null);
                }
            }
            sent += end - first;
            Interlocked.Add(ref _done, end - first);
        }
    }

    private void Help(int index)
    {
        PeriodPacer.TightenTimerSlack();
        if (_realTimePriority > 0)
        {
            PeriodPacer.TryRunInRealTime(_realTimePriority); // same priority as the mix thread, or normal if refused
        }
        var seen = Volatile.Read(ref *_generation);
        while (!_stopping)
        {
            Futex(_generation, FutexWaitPrivate, seen); // returns at once when the word moved on already
            var generation = Volatile.Read(ref *_generation);
            if (generation == seen)
            {
                continue; // woken for nothing
            }
            seen = generation;
            if (WaitForClaims(generation))
            {
                var sent = Work(generation);
                Volatile.Write(ref _helperSends[index], _helperSends[index] + sent);
                Volatile.Write(ref _helperAllocated[index], GC.GetAllocatedBytesForCurrentThread());
            }
        }
    }

    /// <summary>Spins until the mix thread opens the claims of <paramref name="generation"/>.</summary>
    /// <returns><c>false</c> when it did not within <see cref="OpenWait"/>, a newer period began, or the crew stops.</returns>
    private bool WaitForClaims(int generation)
    {
        var since = Stopwatch.GetTimestamp();
        while ((int)(Volatile.Read(ref _claim) >> 32) != generation)
        {
            if (_stopping || Volatile.Read(ref *_generation) != generation || Stopwatch.GetTimestamp() - since > OpenWait)
            {
                return false;
            }
            Thread.SpinWait(20);
        }
        return true;
    }

    /// <summary>Stops the helpers (after the mix thread's last period).</summary>
    public void Dispose()
    {
        _stopping = true;
        Interlocked.Increment(ref *_generation);
        Futex(_generation, FutexWakePrivate, _helpers.Length);
        foreach (var helper in _helpers)
        {
            if (helper.IsAlive)
            {
                helper.Join();
            }
        }
        NativeMemory.Free(_generation);
    }

    /// <summary>Adds up figures each helper writes for itself.</summary>
    private static long Sum(long[] perHelper)
    {
        var total = 0L;
        for (var i = 0; i < perHelper.Length; i++)
        {
            total += Volatile.Read(ref perHelper[i]);
        }
        return total;
    }

    private static void Futex(int* word, int operation, int value) => syscall(SysFutex, word, operation, value, null, null, 0);

    [LibraryImport("libc")]
    private static partial nint syscall(nint number, int* word, int operation, int value, void* timeout, int* word2, int value3);
}
