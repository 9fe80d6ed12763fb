using System.Net.Sockets;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Reads the JackTrip clients' sockets that have datagrams waiting, found with one <c>epoll</c> query per round
/// (<see cref="ReadySockets"/>), and hands each datagram to its session. Mix thread alone; allocation-free.
/// </summary>
internal sealed class UdpReceiver : IDisposable
{
    private const int MaxDatagramsPerClientPerPeriod = 32;
    private const string ReceiveFailed = "Receiving from a client's port failed.";

    private readonly ReadySockets _ready;
    private readonly JackTripSession?[] _bySlot;

    private UdpReceiver(ReadySockets ready, int maxClients)
    {
        _ready = ready;
        _bySlot = new JackTripSession?[maxClients];
    }

    /// <summary>A receiver for up to <paramref name="maxClients"/> sockets, or <c>null</c> where <c>epoll</c> is unavailable.</summary>
    public static UdpReceiver? TryCreate(int maxClients) =>
        ReadySockets.TryCreate(maxClients) is { } ready ? new UdpReceiver(ready, maxClients) : null;

    /// <summary>Starts watching a new session's socket (the session's own receive then skips it).</summary>
    public void Watch(JackTripSession session)
    {
        _bySlot[session.Slot] = session;
        session.WatchedDescriptor = _ready.Watch(session.Socket, session.Slot);
    }

    /// <summary>Forgets a session that left (closing its socket already stopped the watch).</summary>
    public void Forget(JackTripSession session)
    {
        if (_bySlot[session.Slot] == session)
        {
            _bySlot[session.Slot] = null;
        }
    }

    /// <summary>
    /// Reads one datagram from each socket the poller reports readable, and asks again until none is (or a flooding
    /// client has had its share): one system call per datagram, none to find out that nothing is there.
    /// </summary>
    public void ReceiveReady(MixState state, ref long firstReceive)
    {
        for (var round = 0; round < MaxDatagramsPerClientPerPeriod; round++)
        {
            var ready = _ready.Poll();
            if (ready == 0)
            {
                return;
            }
            for (var i = 0; i < ready; i++)
            {
                var session = _bySlot[_ready.KeyAt(i)];
                if (session is null || session.WatchedDescriptor < 0)
                {
                    continue; // left earlier in this round; its closed socket is no longer watched
                }
                var outcome = ReadySockets.TryReceive(session.WatchedDescriptor, session.ReceiveBuffer, session.ReceiveAddress, out var result);
                if (outcome == ReadySockets.Received.Nothing)
                {
                    continue;
                }
                if (outcome == ReadySockets.Received.Failure)
                {
                    state.Report(new EngineError(state.Time.GetUtcNow(), ReceiveFailed, new SocketException(result)));
                    continue;
                }
                session.Arrived(state, result, ref firstReceive);
            }
        }
    }

    public void Dispose() => _ready.Dispose();
}
