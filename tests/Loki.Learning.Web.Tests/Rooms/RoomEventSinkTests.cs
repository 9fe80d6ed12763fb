using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Loki.Learning.Web.Tests.Rooms;

/// The node's sink of room events on its own: one room's events in order, rooms independent, subscribers independent.
public sealed class RoomEventSinkTests
{
    [Fact]
    public async Task ARoomsEventsArriveInOrderAndAHeldUpRoomDoesNotHoldUpAnother()
    {
        var held = Guid.NewGuid();
        var free = Guid.NewGuid();
        var gate = new TaskCompletionSource();
        var subscriber = new Recorder(e => e.RoomId == held && e is LiveRoomOpened ? gate.Task : Task.CompletedTask);
        var sink = Sink(subscriber);

        sink.Publish([new LiveRoomOpened(held, Description()), new PersonJoined(held, "a", "A", RoomRole.Host)]);
        sink.Publish([new PersonLeft(held, "a")]);
        sink.Publish([new LiveRoomOpened(free, Description()), new LiveRoomClosed(free)]);
        await sink.DeliveredAsync(free);

        Assert.Equal([typeof(LiveRoomOpened), typeof(LiveRoomClosed)], subscriber.Of(free));
        Assert.Equal([typeof(LiveRoomOpened)], subscriber.Of(held));
        gate.SetResult();
        await sink.DeliveredAsync(held);
        Assert.Equal([typeof(LiveRoomOpened), typeof(PersonJoined), typeof(PersonLeft)], subscriber.Of(held));
    }

    [Fact]
    public async Task ASubscriberThatFailsDoesNotKeepTheEventFromTheOthersNorTheNextEvents()
    {
        var room = Guid.NewGuid();
        var failing = new Recorder(_ => throw new IOException("disk full"));
        var healthy = new Recorder(_ => Task.CompletedTask);
        var sink = Sink(failing, healthy);

        sink.Publish([new LiveRoomOpened(room, Description())]);
        sink.Publish([new LiveRoomClosed(room)]);
        await sink.DeliveredAsync(room);

        Assert.Equal([typeof(LiveRoomOpened), typeof(LiveRoomClosed)], failing.Of(room));
        Assert.Equal([typeof(LiveRoomOpened), typeof(LiveRoomClosed)], healthy.Of(room));
    }

    [Fact]
    public async Task StoppingTheNodeWaitsForWhatTheRoomsPublished()
    {
        var room = Guid.NewGuid();
        var gate = new TaskCompletionSource();
        var subscriber = new Recorder(_ => gate.Task);
        var sink = Sink(subscriber);
        sink.Publish([new TakeStopped(room, Guid.NewGuid())]);

        var stopping = sink.StopAsync(CancellationToken.None);
        Assert.False(stopping.IsCompleted);
        gate.SetResult();
        await stopping;

        Assert.Equal([typeof(TakeStopped)], subscriber.Of(room));
    }

    private static RoomEventSink Sink(params IRoomEventSubscriber[] subscribers)
    {
        var services = new ServiceCollection();
        foreach (var subscriber in subscribers)
        {
            services.AddSingleton(subscriber);
        }
        return new RoomEventSink(services.BuildServiceProvider(), LoggerFactory.Create(_ => { }).CreateLogger<RoomEventSink>());
    }

    private static RoomDescription Description() =>
        new(Guid.NewGuid(), OwnerKind.Ensemble, "Rehearsal", "Strings", Guid.NewGuid(), DateTime.UtcNow, DateTime.UtcNow.AddHours(1), "Europe/Stockholm");

    /// Notes each event it is given (before doing what it was told to), per room.
    private sealed class Recorder(Func<RoomEvent, Task> then) : IRoomEventSubscriber
    {
        private readonly Lock _lock = new();
        private readonly List<RoomEvent> _events = [];

        public Task OnRoomEventAsync(RoomEvent roomEvent)
        {
            lock (_lock)
            {
                _events.Add(roomEvent);
            }
            return then(roomEvent);
        }

        public List<Type> Of(Guid roomId)
        {
            lock (_lock)
            {
                return _events.Where(e => e.RoomId == roomId).Select(e => e.GetType()).ToList();
            }
        }
    }
}
