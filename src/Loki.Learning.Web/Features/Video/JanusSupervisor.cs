using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.Video;

/// Runs the node's own Janus, like the co-hosted silo: a generated configuration in <see cref="Folder"/>, its WebSocket
/// API on a loopback port, started with the node, started again when it dies (after <see cref="VideoOptions.RestartDelay"/>,
/// doubling up to a minute while it keeps dying), stopped with the node. With <c>Video:Url</c> it supervises nothing
/// and hands out that address. Without Janus installed the node runs on, and <see cref="Endpoint"/> stays null.
public sealed class JanusSupervisor(IOptions<VideoOptions> options, string folder, ILogger<JanusSupervisor> logger) : BackgroundService
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(30);

    private readonly VideoOptions _options = options.Value;
    private volatile JanusEndpoint? _endpoint;
    private long _generation;
    private Process? _process;

    /// Where Janus listens now; null while it is not running (not installed, starting, restarting, or turned off).
    public JanusEndpoint? Endpoint => _endpoint;

    /// Counts Janus starts: rooms made in an earlier generation are gone.
    public long Generation => Interlocked.Read(ref _generation);

    /// Why video is unavailable on this node (a text key), or null when it is available or starting.
    public string? Unavailable { get; private set; }

    /// The folder holding the generated configuration and the pid file.
    public string Folder => folder;

    /// The supervised process' id, for diagnostics and tests; null with an external Janus or none running.
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// Finishes when Janus first answers, or when the node knows it cannot (returns false then).
    public async Task<bool> WaitUntilReadyAsync(TimeSpan patience, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (_endpoint is null && Unavailable is null && clock.Elapsed < patience)
        {
            await Task.Delay(100, cancellationToken);
        }
        return _endpoint is not null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            Unavailable = "Video.Disabled";
            return;
        }
        if (_options.ExternalUri is { } external)
        {
            _endpoint = new JanusEndpoint(external, _options.ApiSecret ?? "", _options.AdminKey!);
            Interlocked.Increment(ref _generation);
            logger.LogInformation("Video goes through the Janus at {Url}", external);
            return;
        }
        if (!File.Exists(_options.JanusPath))
        {
            Unavailable = "Video.NotInstalled";
            logger.LogWarning("Video is not available on this node: {Path} is not installed (apt-get install janus)", _options.JanusPath);
            return;
        }
        StopLeftover();
        var delay = _options.RestartDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = Stopwatch.StartNew();
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Janus could not be started");
            }
            _endpoint = null;
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            // A Janus that ran a good while before dying starts again at once; one that keeps dying backs off.
            delay = started.Elapsed > TimeSpan.FromMinutes(1) ? _options.RestartDelay : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
            logger.LogWarning("Janus stopped; starting it again in {Delay}", delay);
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var port = _options.WebSocketPort != 0 ? _options.WebSocketPort : FreeLoopbackPort();
        var configuration = new JanusConfiguration(folder, port, Secret(), Secret());
        if (!Directory.Exists(folder) && !OperatingSystem.IsWindows())
        {
            // The files hold the API secret and the admin key: the node's own user only.
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Directory.CreateDirectory(folder);
        configuration.Write(_options);

        var start = new ProcessStartInfo(_options.JanusPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (_options.LoopbackOnly)
        {
            start.Environment["LD_PRELOAD"] = Path.GetFullPath(_options.LoopbackOnlyShim!);
        }
        foreach (var argument in new[] { "-F", folder, "-C", configuration.MainFile, "-o" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("janus did not start");
        _process = process;
        await File.WriteAllTextAsync(PidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), stoppingToken);
        process.OutputDataReceived += (_, line) => Log(line.Data);
        process.ErrorDataReceived += (_, line) => Log(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (!await AnswersAsync(process, port, stoppingToken))
            {
                logger.LogError("Janus (pid {Pid}) did not open its WebSocket API on 127.0.0.1:{Port} within {Patience}", process.Id, port, StartPatience);
                return;
            }
            Interlocked.Increment(ref _generation);
            _endpoint = new JanusEndpoint(configuration.WebSocketUri, configuration.ApiSecret, configuration.AdminKey);
            logger.LogInformation("Janus (pid {Pid}) serves video on 127.0.0.1:{Port}", process.Id, port);
            await process.WaitForExitAsync(stoppingToken);
            logger.LogWarning("Janus (pid {Pid}) exited with code {Code}", process.Id, process.ExitCode);
        }
        finally
        {
            _endpoint = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
            _process = null;
            File.Delete(PidFile);
        }
    }

    private async Task<bool> AnswersAsync(Process process, int port, CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartPatience && !process.HasExited)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, stoppingToken);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100, stoppingToken);
            }
        }
        return false;
    }

    private string PidFile => Path.Combine(folder, "janus.pid");

    /// A Janus this folder's node started and left running when it was killed (a child outlives a killed parent):
    /// it holds ports and would take the next one's.
    private void StopLeftover()
    {
        if (!File.Exists(PidFile) || !int.TryParse(File.ReadAllText(PidFile), out var pid))
        {
            return;
        }
        try
        {
            using var leftover = Process.GetProcessById(pid);
            if (Path.GetFileName(leftover.MainModule?.FileName) == Path.GetFileName(_options.JanusPath))
            {
                logger.LogWarning("Stopping Janus (pid {Pid}) left over from an earlier run of this node", pid);
                leftover.Kill(entireProcessTree: true);
                leftover.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already, or another program has the number now.
        }
    }

    private void Log(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        if (line.Contains("[ERR]", StringComparison.Ordinal) || line.Contains("[FATAL]", StringComparison.Ordinal))
        {
            logger.LogWarning("janus: {Line}", line);
        }
        else
        {
            logger.LogDebug("janus: {Line}", line);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
