namespace Loki.Learning.Web.Features.Rooms;

/// A feature that reacts to what happens in rooms (see <see cref="RoomEvent"/>). Called off the room grain's turn,
/// on the node that hosts the room, one event at a time per room and in the room's order. It may take its time
/// (file work): that room's later events wait for it, other rooms' events do not.
public interface IRoomEventSubscriber
{
    Task OnRoomEventAsync(RoomEvent roomEvent);
}

/// This node's room events: room grains active here publish after they have persisted; every
/// <see cref="IRoomEventSubscriber"/> registered on the node gets them on the thread pool, never on the grain's turn.
/// One lane per room keeps its events in order; a subscriber that throws is logged and the others still get the event
/// (a subscriber reports its own failures back to the room). Node-local on purpose: whoever reacts must act on the node
/// whose media engine carries the room's audio (docs/decisions/0008-room-events.md).
/// Registered before the silo, so on shutdown it stops after the room grains have left, and waits for what they
/// published while this node's audio still runs.
public sealed class RoomEventSink(IServiceProvider services, ILogger<RoomEventSink> logger) : IHostedService
{
    private readonly Dictionary<Guid, Task> _lanes = [];
    private readonly Lock _lock = new();
    private IRoomEventSubscriber[]? _subscribers;

    /// Queues <paramref name="events"/> (all of one room) behind what that room published before. Never blocks.
    public void Publish(IReadOnlyList<RoomEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        var roomId = events[0].RoomId;
        lock (_lock)
        {
            var previous = _lanes.GetValueOrDefault(roomId) ?? Task.CompletedTask;
            // TaskScheduler.Default: the work runs on the thread pool, not on the grain's scheduler.
            var next = previous.ContinueWith(_ => DeliverAsync(events), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            _lanes[roomId] = next;
            next.ContinueWith(_ => Forget(roomId, next), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// Completes when everything published for the room so far has been delivered.
    public Task DeliveredAsync(Guid roomId)
    {
        lock (_lock)
        {
            return _lanes.GetValueOrDefault(roomId) ?? Task.CompletedTask;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// Waits for what the rooms published (a take stopped as the silo left is stored before the node ends).
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] lanes;
        lock (_lock)
        {
            lanes = [.. _lanes.Values];
        }
        await Task.WhenAll(lanes).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task DeliverAsync(IReadOnlyList<RoomEvent> events)
    {
        _subscribers ??= [.. services.GetServices<IRoomEventSubscriber>()];
        foreach (var roomEvent in events)
        {
            foreach (var subscriber in _subscribers)
            {
                try
                {
                    await subscriber.OnRoomEventAsync(roomEvent);
                }
                catch (Exception exception)
                {
                    logger.LogError(exception, "{Subscriber} failed on {Event} of room {Room}", subscriber.GetType().Name, roomEvent.GetType().Name, roomEvent.RoomId);
                }
            }
        }
    }

    private void Forget(Guid roomId, Task lane)
    {
        lock (_lock)
        {
            if (_lanes.TryGetValue(roomId, out var current) && current == lane)
            {
                _lanes.Remove(roomId);
            }
        }
    }
}
