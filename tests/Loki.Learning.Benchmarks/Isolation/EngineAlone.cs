using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Loki.Learning.Benchmarks.Isolation;

/// The same media engine in a process of its own beside the node, as the engine would run if it moved out of the web
/// process: the Hub console's `serve` with one JackTrip client from its `loadgen`. Its mix thread has the same
/// real-time priority as the node's; what differs is that no web, Orleans or EF work (and none of their garbage
/// collections) shares its process. `serve` prints its running totals of periods and late periods every second;
/// <see cref="Mark"/> takes the latest at the start and the end of the node's window.
internal sealed partial class EngineAlone : IAsyncDisposable
{
    private readonly Process _serve;
    private readonly Process _load;
    private readonly Task _reading;
    private (long Periods, long Late) _latest;
    private readonly List<(long Periods, long Late)> _marks = [];

    private EngineAlone(Process serve, Process load)
    {
        _serve = serve;
        _load = load;
        _reading = Task.Run(ReadAsync);
    }

    /// Starts the hub and its client for <paramref name="seconds"/> plus a warm-up; null when the hub did not start.
    public static async Task<EngineAlone?> StartAsync(int seconds)
    {
        var hub = Path.Combine(AppContext.BaseDirectory, "Loki.Learning.Hub.dll");
        var port = LoopbackPorts.Free();
        var udpBase = 50000 + Random.Shared.Next(9000);
        var serve = Start(hub, "serve", "--port", Text(port), "--bind", "127.0.0.1", "--admit", "*", "--udp-base", Text(udpBase),
            "--max-clients", "4", "--stats-seconds", "1", "--seconds", Text(seconds + 10));
        var until = Stopwatch.StartNew();
        while (!await AcceptsAsync(port))
        {
            if (until.Elapsed > TimeSpan.FromSeconds(30) || serve.HasExited)
            {
                serve.Kill();
                serve.Dispose();
                return null;
            }
            await Task.Delay(100);
        }
        var load = Start(hub, "loadgen", "--host", "127.0.0.1", "--port", Text(port), "--clients", "1", "--seconds", Text(seconds + 6));
        var alone = new EngineAlone(serve, load);
        await Task.Delay(3000); // the client's start-up (JIT, first periods) stays out of the window
        return alone;
    }

    /// The running totals now (at most a second old).
    public void Mark() => _marks.Add(Volatile.Read(ref _latest.Periods) == 0 ? default : _latest);

    public string Report()
    {
        if (_marks.Count < 2 || _marks[0].Periods == 0)
        {
            return "engine alone: no figures from the hub";
        }
        var periods = _marks[^1].Periods - _marks[0].Periods;
        var late = _marks[^1].Late - _marks[0].Late;
        return string.Create(CultureInfo.InvariantCulture,
            $"engine alone (Hub serve in its own process, 1 JackTrip client, same window ±1 s): late {late} of {periods} periods ({100.0 * late / Math.Max(1, periods):F3}%)");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _load, _serve })
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            await process.WaitForExitAsync();
            process.Dispose();
        }
        await _reading.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ReadAsync()
    {
        while (await _serve.StandardOutput.ReadLineAsync() is { } line)
        {
            if (Totals().Match(line) is { Success: true } totals)
            {
                _latest = (long.Parse(totals.Groups["periods"].Value, CultureInfo.InvariantCulture), long.Parse(totals.Groups["late"].Value, CultureInfo.InvariantCulture));
            }
        }
    }

    private static Process Start(string dll, params string[] arguments) =>
        Process.Start(BenchChild.StartInfo(dll, arguments, standardInput: false))!;

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"mix thread: (?<periods>\d+) periods, (?<late>\d+) late")]
    private static partial Regex Totals();
}
