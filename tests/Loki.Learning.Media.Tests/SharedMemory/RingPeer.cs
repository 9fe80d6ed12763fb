using System.Diagnostics;
using System.Globalization;

namespace Loki.Learning.Media.Tests.SharedMemory;

/// <summary>A second process of this test assembly (<see cref="RingPeerProgram"/>) mapping the same ring file.</summary>
internal sealed class RingPeer : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Task<string> _errors;

    private RingPeer(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
    }

    public int ProcessId => _process.Id;

    /// <summary>Starts the peer in <paramref name="role"/> and waits until it has mapped (or created) the file.</summary>
    public static async Task<RingPeer> StartAsync(string role, string path, ulong generation)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { typeof(RingPeerProgram).Assembly.Location, RingPeerProgram.Verb, role, path, generation.ToString("X16", CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        var peer = new RingPeer(Process.Start(start) ?? throw new InvalidOperationException("the ring peer did not start"));
        await peer.ReadUntilOkAsync();
        return peer;
    }

    /// <summary>Sends one command and returns the lines the peer answered before its <c>ok</c>.</summary>
    public async Task<List<string>> SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        return await ReadUntilOkAsync();
    }

    /// <summary>Kills the peer (SIGKILL: no chance to close its end) and reaps it.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Asks the peer to exit (it closes its end on the way) and reaps it.</summary>
    public async Task ExitAsync()
    {
        await _process.StandardInput.WriteLineAsync("exit");
        await _process.StandardInput.FlushAsync();
        using var patience = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(patience.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private async Task<List<string>> ReadUntilOkAsync()
    {
        var lines = new List<string>();
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(patience.Token);
            if (line is null)
            {
                throw new InvalidOperationException($"the ring peer ended: {string.Join('\n', lines)}\n{await _errors}");
            }
            if (line == "ok")
            {
                return lines;
            }
            lines.Add(line);
        }
    }
}
