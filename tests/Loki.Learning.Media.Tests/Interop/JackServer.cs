using System.Diagnostics;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// A JACK server with the dummy backend (no sound card) under a name unique to one test. It runs with
/// real-time scheduling when it can get it (jackd's default): without it the dummy clock falls well behind
/// real time on a busy machine (measured here: 331 instead of 375 periods/s under load).
/// </summary>
public sealed class JackServer : IDisposable
{
    public const int SampleRate = 48_000;
    public const int Period = 128;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(10);

    private readonly ExternalTool _jackd;

    private JackServer(string name, ExternalTool jackd)
    {
        Name = name;
        _jackd = jackd;
        Environment = new Dictionary<string, string> { ["JACK_DEFAULT_SERVER"] = name, ["JACK_NO_START_SERVER"] = "1" };
    }

    public string Name { get; }

    /// <summary>The environment that makes a JACK client talk to this server.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public static JackServer Start(string purpose)
    {
        try
        {
            return StartOnce(purpose);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("Too many servers already active", StringComparison.Ordinal) && !AnyJackdRunning())
        {
            // JACK keeps at most 8 servers in a shared-memory registry and frees an entry only when a server exits
            // cleanly; servers killed by an earlier aborted run leave stale entries. With no jackd alive the
            // registry holds nothing but stale entries, so it is safe to drop it.
            File.Delete("/dev/shm/jack-shm-registry");
            return StartOnce(purpose);
        }
    }

    private static bool AnyJackdRunning() =>
        Directory.EnumerateDirectories("/proc").Any(d =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(d, "comm")).Trim() == "jackd";
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        });

    private static JackServer StartOnce(string purpose)
    {
        var name = $"loki-{purpose}-{Guid.NewGuid():N}"[..Math.Min(40, purpose.Length + 14)];
        var jackd = ExternalTool.Start($"jackd {name}", "jackd",
            ["-n", name, "-d", "dummy", "-r", SampleRate.ToString(), "-p", Period.ToString()]);
        var server = new JackServer(name, jackd);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartLimit)
        {
            if (jackd.HasExited)
            {
                break;
            }
            var (exitCode, _) = ExternalTool.Run("jack_lsp", [], server.Environment, TimeSpan.FromSeconds(3));
            if (exitCode == 0)
            {
                return server;
            }
            Thread.Sleep(100);
        }
        server.Dispose();
        throw new InvalidOperationException($"JACK server {name} did not come up within {StartLimit.TotalSeconds} s:\n{jackd.Output}");
    }

    public IReadOnlyList<string> Ports()
    {
        var (exitCode, output) = ExternalTool.Run("jack_lsp", [], Environment, TimeSpan.FromSeconds(5));
        return exitCode == 0 ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
    }

    /// <summary>Waits until a port exists (JACK clients register theirs a moment after they start).</summary>
    public void WaitForPort(string port, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Ports().Contains(port))
        {
            if (clock.Elapsed > timeout)
            {
                throw new InvalidOperationException($"JACK port {port} did not appear on {Name}; ports: {string.Join(", ", Ports())}");
            }
            Thread.Sleep(100);
        }
    }

    public void Connect(string source, string destination)
    {
        WaitForPort(source, TimeSpan.FromSeconds(10));
        WaitForPort(destination, TimeSpan.FromSeconds(10));
        var (exitCode, output) = ExternalTool.Run("jack_connect", [source, destination], Environment, TimeSpan.FromSeconds(5));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"jack_connect {source} {destination} failed on {Name}: {output}");
        }
    }

    /// <summary>Stops jackd with SIGTERM so it leaves JACK's server registry (a killed server's entry stays).</summary>
    public void Dispose()
    {
        _jackd.Stop(TimeSpan.FromSeconds(5));
        _jackd.Dispose();
    }
}
