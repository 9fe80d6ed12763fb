using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Loki.Learning.Web.Tests.Hosting;

/// One node of the built platform (the DLL copied beside the tests) in a process of its own, started with `dotnet`
/// and configured by environment variables, as an operator starts a node; so that it can die without saying goodbye
/// (SIGKILL). Its output is kept for failure messages.
public sealed class NodeProcess(string name, int port) : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    public string Name { get; } = name;

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{port}/");

    public HttpClient Http { get; } = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };

    public bool Running => _process is { HasExited: false };

    /// Starts the node listening on <see cref="BaseAddress"/> with <paramref name="environment"/> as its settings.
    public void Start(IReadOnlyDictionary<string, string> environment)
    {
        var start = Platform(["--contentRoot", AppContext.BaseDirectory], environment);
        start.Environment["ASPNETCORE_URLS"] = BaseAddress.GetLeftPart(UriPartial.Authority);
        _process = Process.Start(start)!;
        // Read as it comes, so a chatty node never blocks on a full pipe.
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task WaitHealthyAsync(TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < patience)
        {
            if (!Running)
            {
                throw new InvalidOperationException($"node {Name} exited: {Log}");
            }
            try
            {
                if ((await Http.GetAsync("health")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"node {Name} not healthy within {patience.TotalSeconds} s: {Log}");
    }

    /// Waits for a node that is expected to stop on its own (a refused start) and answers its exit code.
    public async Task<int> ExitCodeAsync(TimeSpan patience)
    {
        await _process!.WaitForExitAsync().WaitAsync(patience);
        // The asynchronous readers may still hold the last lines.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// SIGKILL: the node vanishes as in a power cut, telling nobody.
    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (Running)
        {
            _process!.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        Http.Dispose();
    }

    /// `dotnet Loki.Learning.Web.dll ARGS` as an operator runs it, in the folder of the build (its content root), with
    /// <paramref name="environment"/>.
    private static ProcessStartInfo Platform(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Loki.Learning.Web.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return start;
    }

    /// One of the platform's commands (`certificate …`, `admin create …`), <paramref name="input"/> piped to it.
    public static async Task<(int ExitCode, string Output, string Error)> RunCommandAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, string? input = null)
    {
        var start = Platform(args, environment);
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input ?? "");
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await output, await error);
    }

    /// A TCP port on loopback that was free a moment ago.
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
