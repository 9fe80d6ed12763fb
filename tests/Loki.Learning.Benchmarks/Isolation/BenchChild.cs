using System.Diagnostics;
using System.Threading.Channels;

namespace Loki.Learning.Benchmarks.Isolation;

/// Another process of this benchmark program (a load generator), driven by lines on its standard input and heard
/// through lines on its standard output, so the node process measures only itself. The GC settings under test
/// (DOTNET_gc*, DOTNET_GC*) are the node's: they are removed from the child's environment, which runs with the defaults.
internal sealed class BenchChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly string _name;

    private BenchChild(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    public static BenchChild Start(string name, params string[] arguments)
    {
        var process = Process.Start(StartInfo(typeof(BenchChild).Assembly.Location, arguments, standardInput: true))
            ?? throw new InvalidOperationException($"{name} did not start");
        var child = new BenchChild(name, process);
        _ = Task.Run(child.PumpAsync);
        return child;
    }

    /// `dotnet PROGRAM ARGUMENTS` with the standard output (and input) redirected and the node's GC settings removed.
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, bool standardInput)
    {
        var dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardInput = standardInput, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_gc", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }
        return start;
    }

    public int ProcessId => _process.Id;

    /// CPU time the child used so far.
    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }
    }

    public Task SendAsync(string line) => _process.StandardInput.WriteLineAsync(line);

    /// The next line starting with <paramref name="prefix"/>; the child's other lines are echoed.
    public async Task<string> WaitForAsync(string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cancel.Token);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
                Console.WriteLine($"  [{_name}] {line}");
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_name} did not say '{prefix}' within {timeout.TotalSeconds:F0} s");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"{_name} ended before saying '{prefix}'");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await SendAsync("stop");
                _process.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            await _lines.Writer.WriteAsync(line);
        }
        _lines.Writer.TryComplete();
    }
}

/// The child's side: commands from the node, one per line ("mark", "report", "stop"); end of input means stop.
internal static class NodeCommands
{
    public static async Task RunAsync(Action mark, Func<string> report, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && await Console.In.ReadLineAsync(cancellationToken) is { } command)
        {
            switch (command.Trim())
            {
                case "mark":
                    mark();
                    Console.WriteLine("marked");
                    break;
                case "report":
                    Console.WriteLine("report " + report());
                    break;
                case "stop":
                    return;
            }
        }
    }
}
