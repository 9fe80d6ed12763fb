using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Media.Tests.SharedMemory;

/// <summary>
/// The node's one waiter for all its browser rings (<see cref="SharedTransportPoller"/>), with the engine's end in another
/// real process: a wait completes when that process publishes, and a pending wait ends when it is killed.
/// </summary>
public sealed class SharedTransportPollerTests : IDisposable
{
    private readonly RingDirectory _files = new();
    private readonly ulong _generation = (ulong)Random.Shared.NextInt64();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task WaitsOnManyRingsCompleteThroughOneThreadWhenTheEngineProcessPublishes()
    {
        using var poller = new SharedTransportPoller();
        var paths = Enumerable.Range(0, 3).Select(i => _files.File($"participant-{i}.ring")).ToArray();
        var engines = new List<RingPeer>();
        try
        {
            foreach (var path in paths)
            {
                engines.Add(await RingPeer.StartAsync("engine", path, _generation));
            }
            var transports = paths.Select(p => SharedParticipantTransport.OpenWithPoller(p, _generation, poller)).ToArray();
            Assert.Equal(3, poller.Count);
            var waits = transports.Select(t => t.WaitForOutputAsync(CancellationToken.None).AsTask()).ToArray();
            Assert.All(waits, w => Assert.False(w.IsCompleted));

            await engines[1].SendAsync("publish 1");
            await waits[1].WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(transports[1].TryReadOutput(new float[256], out var sequence));
            Assert.Equal(0u, sequence);
            // Nothing reached the others (their waits may end anyway once their quiet engines' heartbeats stand still for 2 s).
            Assert.False(transports[0].TryReadOutput(new float[256], out _));
            Assert.False(transports[2].TryReadOutput(new float[256], out _));

            foreach (var transport in transports)
            {
                transport.Dispose(); // ends the pending waits, and takes the transport off the poller
            }
            await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, poller.Count);
        }
        finally
        {
            foreach (var engine in engines)
            {
                await engine.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task APendingWaitEndsWhenTheEngineProcessIsKilledAndTheTransportSaysTheEngineIsGone()
    {
        var path = _files.File("participant.ring");
        using var poller = new SharedTransportPoller();
        await using var engine = await RingPeer.StartAsync("engine", path, _generation);
        using var transport = SharedParticipantTransport.OpenWithPoller(path, _generation, poller);
        await engine.SendAsync("publish 1");
        Assert.True(transport.TryReadOutput(new float[256], out _));
        var waiting = transport.WaitForOutputAsync(CancellationToken.None).AsTask();
        Assert.False(transport.EngineGone);

        await engine.KillAsync(); // SIGKILL: its end is never closed; only its process id and heartbeat tell

        await waiting.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(transport.EngineGone);
        Assert.True(transport.HasLeft);
        Assert.False(transport.WriteInput(1, 0, new float[256]));
    }
}
