using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Loki.Learning.Media.Engine;

namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// Our <see cref="MediaEngine"/> as a hub on 127.0.0.1 for real JackTrip clients: free ports, one room that
/// admits the listed names, and every event kept so tests can wait for joins, leaves and statistics.
/// </summary>
public sealed class OurHub : IAsyncDisposable
{
    public const string Room = "rehearsal";
    public const int DefaultMaxClients = 4;

    private readonly ConcurrentQueue<MediaEvent> _events = new();
    private readonly Task _reading;

    private OurHub(MediaEngine engine, int udpBase)
    {
        Engine = engine;
        UdpBase = udpBase;
        _reading = Task.Run(async () =>
        {
            await foreach (var mediaEvent in engine.Events.ReadAllAsync())
            {
                _events.Enqueue(mediaEvent);
            }
        });
    }

    public MediaEngine Engine { get; }
    public int Port => Engine.TcpEndPoint.Port;
    public int UdpBase { get; }
    public IReadOnlyList<MediaEvent> Events => [.. _events];

    public static OurHub Start(IEnumerable<string> admit, int maxClients = DefaultMaxClients, TimeSpan? statisticsInterval = null)
    {
        var udpBase = FreePorts.Range(maxClients);
        var engine = new MediaEngine(
            new MediaEngineOptions
            {
                BindAddress = IPAddress.Loopback,
                TcpPort = FreePorts.One(),
                UdpBasePort = udpBase,
                MaxClients = maxClients,
                StatisticsInterval = statisticsInterval ?? TimeSpan.FromSeconds(1),
            },
            new AllowListAdmissionPolicy(Room, admit));
        engine.Start();
        return new OurHub(engine, udpBase);
    }

    public T? WaitFor<T>(Func<T, bool> matches, TimeSpan timeout) where T : MediaEvent
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var found = _events.OfType<T>().FirstOrDefault(matches);
            if (found is not null)
            {
                return found;
            }
            Thread.Sleep(50);
        }
        return null;
    }

    /// <summary>The newest statistics of the named client, from the engine's last interval.</summary>
    public ParticipantSnapshot? Snapshot(string clientName) =>
        Engine.GetParticipantSnapshots().FirstOrDefault(s => s.ClientName == clientName);

    public string Describe() => string.Join('\n', _events.Select(e => e.ToString()));

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        await _reading.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
