using System.Collections.Concurrent;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Tests.Rooms;

/// A subscriber on the test cluster's silo that keeps every room event it was given, per room, in order.
public sealed class RoomEventLog : IRoomEventSubscriber
{
    private readonly ConcurrentDictionary<Guid, ConcurrentQueue<RoomEvent>> _rooms = new();

    public Task OnRoomEventAsync(RoomEvent roomEvent)
    {
        _rooms.GetOrAdd(roomEvent.RoomId, _ => new()).Enqueue(roomEvent);
        return Task.CompletedTask;
    }

    public IReadOnlyList<RoomEvent> Of(Guid roomId) => _rooms.TryGetValue(roomId, out var events) ? [.. events] : [];
}
