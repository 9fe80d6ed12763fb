namespace Loki.Learning.Web.Features.Rooms;

/// Subscribes a page to a room grain and hands each new view to it. Orleans forgets observers that are not
/// renewed, and a room that moved to another node (its node was lost) knows none of its old observers, so the
/// subscription is renewed every ten seconds, each time with the current view, until disposed.
public sealed class RoomWatcher : IRoomObserver, IAsyncDisposable
{
    private readonly IRoomGrain _room;
    private readonly IGrainFactory _grains;
    private readonly Func<RoomView, Task> _onChange;
    private readonly IRoomObserver _reference;
    private readonly PeriodicTimer _renewal = new(TimeSpan.FromSeconds(10));
    private readonly Task _renewing;

    private RoomWatcher(IGrainFactory grains, Guid roomId, Func<RoomView, Task> onChange)
    {
        _grains = grains;
        _room = grains.GetGrain<IRoomGrain>(roomId);
        _onChange = onChange;
        _reference = grains.CreateObjectReference<IRoomObserver>(this);
        _renewing = RenewAsync();
    }

    public static async Task<RoomWatcher> StartAsync(IGrainFactory grains, Guid roomId, Func<RoomView, Task> onChange)
    {
        var watcher = new RoomWatcher(grains, roomId, onChange);
        await watcher._room.SubscribeAsync(watcher._reference);
        return watcher;
    }

    public Task RoomChangedAsync(RoomView view) => _onChange(view);

    private async Task RenewAsync()
    {
        while (await _renewal.WaitForNextTickAsync())
        {
            try
            {
                await RenewNowAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The next tick tries again; the page keeps its last view meanwhile.
            }
        }
    }

    public async Task RenewNowAsync()
    {
        await _room.SubscribeAsync(_reference);
        await _onChange(await _room.GetViewAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _renewal.Dispose();
        await _renewing;
        await _room.UnsubscribeAsync(_reference);
        _grains.DeleteObjectReference<IRoomObserver>(_reference);
    }
}
