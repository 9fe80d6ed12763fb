using System.Diagnostics;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>A JACK server with the dummy backend (no sound card) under a name unique to one test.</summary>
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
        var name = $"loki-{purpose}-{Guid.NewGuid():N}"[..Math.Min(40, purpose.Length + 14)];
        var jackd = ExternalTool.Start($"jackd {name}", "jackd",
            ["--no-realtime", "-n", name, "-d", "dummy", "-r", SampleRate.ToString(), "-p", Period.ToString()]);
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

    public void Dispose() => _jackd.Dispose();
}
