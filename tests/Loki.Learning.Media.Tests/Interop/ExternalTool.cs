using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// A program from the machine (jackd, jacktrip-cli, jack_iodelay…) run in its own process group, so that
/// stopping it also stops whatever it spawned. Output is kept line by line for assertions and failure messages.
/// Every started tool is remembered and killed at process exit, so an aborted test run leaves nothing behind.
/// </summary>
public sealed partial class ExternalTool : IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private static readonly Lock AllLock = new();
    private static readonly HashSet<ExternalTool> All = [];

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _linesLock = new();
    private readonly SemaphoreSlim _lineArrived = new(0);
    private int _stopped;
    private int _streamsEnded;

    static ExternalTool()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
    }

    private ExternalTool(string label, Process process)
    {
        Label = label;
        _process = process;
    }

    public string Label { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_linesLock)
            {
                return [.. _lines];
            }
        }
    }

    public string Output => string.Join('\n', Lines);

    /// <summary>Starts <paramref name="tool"/> with line-buffered output in a new session (process group).</summary>
    public static ExternalTool Start(string label, string tool, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(RequiredTools.Find("setsid"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // setsid execs in place (the child is not a group leader), so the pid is also the process group id;
        // stdbuf makes the tool flush each line, which matters for jack_iodelay and jacktrip's statistics.
        info.ArgumentList.Add(RequiredTools.Find("stdbuf"));
        info.ArgumentList.Add("-oL");
        info.ArgumentList.Add("-eL");
        info.ArgumentList.Add(RequiredTools.Find(tool));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["JACK_NO_START_SERVER"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var started = new ExternalTool(label, process);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (AllLock)
        {
            All.Add(started);
        }
        return started;
    }

    /// <summary>Runs a short command to completion (or kills it at the timeout) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string tool, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        using var running = Start(tool, tool, arguments, environment);
        if (!running.WaitForExit(timeout))
        {
            running.Stop();
            return (-1, running.Output + $"\n({tool} killed after {timeout.TotalSeconds:0.#} s)");
        }
        return (running._process.ExitCode, running.Output);
    }

    /// <summary>Waits for a line that matches; false when the time is up or the tool exited first.</summary>
    public bool WaitForLine(Func<string, bool> matches, TimeSpan timeout) => WaitForLine(matches, timeout, out _);

    public bool WaitForLine(Func<string, bool> matches, TimeSpan timeout, out string line)
    {
        var deadline = Stopwatch.StartNew();
        var seen = 0;
        while (true)
        {
            var lines = Lines;
            for (; seen < lines.Count; seen++)
            {
                if (matches(lines[seen]))
                {
                    line = lines[seen];
                    return true;
                }
            }
            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || (HasExitedAndPrintedAll() && Lines.Count == seen))
            {
                line = "";
                return false;
            }
            _lineArrived.Wait(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits for the tool to exit; when it did, <see cref="Lines"/> holds everything it printed.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        // The timed wait does not wait for the redirected output to be read. Both streams' ends, bounded: a child the
        // tool left behind may hold them open.
        var drained = Stopwatch.StartNew();
        while (Volatile.Read(ref _streamsEnded) < 2 && drained.Elapsed < TimeSpan.FromSeconds(2))
        {
            _lineArrived.Wait(TimeSpan.FromMilliseconds(50));
        }
        return true;
    }

    private bool HasExitedAndPrintedAll() => _process.HasExited && WaitForExit(TimeSpan.Zero);

    /// <summary>Asks the whole process group to end, then kills it if it is still there after <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan? grace = null)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        Signal(SigTerm);
        if (!_process.WaitForExit(grace ?? TimeSpan.FromSeconds(2)))
        {
            Signal(SigKill);
            _process.WaitForExit(TimeSpan.FromSeconds(2));
        }
        // The leader may be gone while a child it spawned lingers in the group.
        Signal(SigKill);
        lock (AllLock)
        {
            All.Remove(this);
        }
    }

    /// <summary>Sends SIGTERM to the group without waiting (to watch how a tool says goodbye).</summary>
    public void Terminate() => Signal(SigTerm);

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }

    public override string ToString() => $"{Label} (pid {ProcessId}):\n{Output}";

    private void Append(string? line)
    {
        if (line is null)
        {
            // One of the two streams ended: everything it printed is in the lines.
            Interlocked.Increment(ref _streamsEnded);
            _lineArrived.Release();
            return;
        }
        lock (_linesLock)
        {
            _lines.Add(line);
        }
        _lineArrived.Release();
    }

    private void Signal(int signal)
    {
        try
        {
            kill(-_process.Id, signal);
            kill(_process.Id, signal);
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
    }

    private static void StopAll()
    {
        ExternalTool[] remaining;
        lock (AllLock)
        {
            remaining = [.. All];
        }
        foreach (var tool in remaining)
        {
            tool.Stop(TimeSpan.FromMilliseconds(200));
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
