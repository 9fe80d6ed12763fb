using System.Net.WebSockets;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Features.Workshops;

/// This node's audience streams: one <see cref="AudienceBroadcaster"/> per room with listeners, started by the first
/// listener and stopped after the last one leaves or when the room closes (<see cref="LiveRoomClosed"/>: the listeners
/// are told the stream ended).
public sealed class AudienceStreams(RoomMedia media, ILoggerFactory loggers) : IAsyncDisposable, IRoomEventSubscriber
{
    public async Task OnRoomEventAsync(RoomEvent roomEvent)
    {
        if (roomEvent is LiveRoomClosed && Find(roomEvent.RoomId) is { } broadcaster)
        {
            await broadcaster.StopAsync();
        }
    }

    private readonly Dictionary<Guid, AudienceBroadcaster> _rooms = [];
    private readonly Lock _lock = new();

    public AudienceBroadcaster? Find(Guid roomId)
    {
        lock (_lock)
        {
            return _rooms.GetValueOrDefault(roomId);
        }
    }

    /// Serves one listener until it leaves, is dropped for falling behind, or the room closes.
    public async Task ListenAsync(Guid roomId, WebSocket socket, CancellationToken cancellationToken)
    {
        AudienceBroadcaster broadcaster;
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out broadcaster!) || broadcaster.Stopped)
            {
                broadcaster = new AudienceBroadcaster(roomId, media, loggers.CreateLogger<AudienceBroadcaster>(), Forget);
                _rooms[roomId] = broadcaster;
                broadcaster.Start();
            }
        }
        await broadcaster.ServeAsync(socket, cancellationToken);
    }

    private void Forget(AudienceBroadcaster broadcaster)
    {
        lock (_lock)
        {
            if (_rooms.TryGetValue(broadcaster.RoomId, out var current) && current == broadcaster)
            {
                _rooms.Remove(broadcaster.RoomId);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        AudienceBroadcaster[] all;
        lock (_lock)
        {
            all = [.. _rooms.Values];
        }
        foreach (var broadcaster in all)
        {
            await broadcaster.StopAsync();
        }
    }
}

/// One room's audience stream: a feed of the mix (<see cref="RoomMedia.OpenAudience"/>: a tap on the engine here, or the
/// ring a child engine writes), and one sender task that encodes each batch once into a fresh byte
/// array and hands the same array to every listener's socket. A listener whose previous send has not finished misses
/// the batch (a gap it plays as silence); one that misses a second's worth in a row is dropped. Nothing queues.
public sealed class AudienceBroadcaster(Guid roomId, RoomMedia media, ILogger<AudienceBroadcaster> logger, Action<AudienceBroadcaster> forget)
{
    /// Close reason for a listener that sent a message: listeners send nothing (docs/protocol.md §10.1).
    public const string ListenOnlyReason = "Audience.ListenOnly";

    /// Batches a listener may miss in a row before it is dropped (24 × 42.7 ms ≈ 1 s).
    public const int MaxMissedInARow = 24;

    /// How long the stream keeps running with nobody listening (a page reload should not restart it).
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();

    /// Ends the listeners' reads once they were told the stream ended and had a moment to answer the close.
    private readonly CancellationTokenSource _ended = new();
    private Listener[] _listeners = [];
    private Task? _sender;
    private IAudienceFeed? _feed;
    private long _messages;
    private long _missed;
    private long _dropped;

    public Guid RoomId { get; } = roomId;

    public bool Stopped => _stop.IsCancellationRequested;

    public int ListenerCount => Volatile.Read(ref _listeners).Length;

    /// Messages encoded, sends a listener missed, listeners dropped for falling behind.
    public (long Messages, long Missed, long Dropped) Statistics => (Interlocked.Read(ref _messages), Interlocked.Read(ref _missed), Interlocked.Read(ref _dropped));

    private string MediaRoom => RoomId.ToString("N");

    public void Start()
    {
        var feed = media.OpenAudience(MediaRoom);
        _feed = feed;
        _sender = Task.Run(() => SendLoopAsync(feed, _stop.Token));
    }

    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }
        if (_sender is not null)
        {
            await _sender.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async Task ServeAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var listener = new Listener(socket);
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }
        var spoke = false;
        try
        {
            // Listeners send nothing; reading notices their close. Anything else is not the page (which never sends):
            // it is closed at its first message, so nobody can make the node read an endless stream for nothing.
            var buffer = new byte[64];
            // Not the stream's own stop: a cancelled read aborts the socket, and the listener is told why instead.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token, listener.Dropped.Token);
            var received = await socket.ReceiveAsync(buffer, stop.Token);
            spoke = received.MessageType != WebSocketMessageType.Close;
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            Remove(listener);
            if (spoke)
            {
                await CloseAsync(listener, ListenOnlyReason, WebSocketCloseStatus.PolicyViolation);
            }
            else
            {
                await CloseAsync(listener, Stopped ? EndReason : listener.Dropped.IsCancellationRequested ? "Audience.TooSlow" : "");
            }
        }
    }

    private void Remove(Listener listener)
    {
        lock (_lock)
        {
            _listeners = _listeners.Where(l => l != listener).ToArray();
        }
    }

    /// What the listeners are told when the stream ends: the feed's reason (its engine did not come back), else that it ended.
    private string EndReason => _feed?.Ended ?? IAudienceFeed.EndedReason;

    private async Task SendLoopAsync(IAudienceFeed feed, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        var idleSince = DateTime.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (feed.Ended is not null)
                {
                    break;
                }
                var listeners = Volatile.Read(ref _listeners);
                if (listeners.Length > 0)
                {
                    idleSince = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - idleSince > Linger)
                {
                    break;
                }
                while (true)
                {
                    var message = new byte[feed.MessageLength];
                    if (!feed.TryEncode(message))
                    {
                        break;
                    }
                    Interlocked.Increment(ref _messages);
                    Broadcast(listeners, message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Audience stream of room {RoomId} failed", RoomId);
        }
        finally
        {
            forget(this);
            await _stop.CancelAsync();
            await feed.DisposeAsync();
            // Every listener hears that the stream ended (a page then stops waiting for it); one that does not answer
            // the close is cut off shortly after.
            await Task.WhenAll(Volatile.Read(ref _listeners).Select(listener => CloseAsync(listener, EndReason)));
            _ended.CancelAfter(TimeSpan.FromSeconds(2));
        }
    }

    private void Broadcast(Listener[] listeners, byte[] message)
    {
        foreach (var listener in listeners)
        {
            if (listener.Pending is { IsCompleted: false })
            {
                Interlocked.Increment(ref _missed);
                if (++listener.MissedInARow > MaxMissedInARow && !listener.Dropped.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _dropped);
                    listener.Dropped.Cancel();
                }
                continue;
            }
            if (listener.Pending is { IsFaulted: true } || listener.Dropped.IsCancellationRequested || listener.Socket.State != WebSocketState.Open)
            {
                continue;
            }
            listener.MissedInARow = 0;
            try
            {
                listener.Pending = listener.Socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
            }
            catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or InvalidOperationException)
            {
                listener.Dropped.Cancel();
            }
        }
    }

    private static async Task CloseAsync(Listener listener, string reason, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        try
        {
            if (listener.Pending is { } pending)
            {
                await pending.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            if (listener.Socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await listener.Socket.CloseOutputAsync(status, reason, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        finally
        {
            listener.Dropped.Dispose();
        }
    }

    private sealed class Listener(WebSocket socket)
    {
        public WebSocket Socket { get; } = socket;

        public Task? Pending { get; set; }

        public int MissedInARow { get; set; }

        public CancellationTokenSource Dropped { get; } = new();
    }
}
