namespace Loki.Learning.Web.Features.Ensembles;

/// Subscribes a teacher's page to its ensemble's grain and calls the page back when something there changed (a pupil
/// asked to join, another teacher decided, a code was issued or revoked), on whichever node the grain runs.
/// Orleans forgets observers that are not renewed, and a grain that started afresh (its node was lost, or it was idle)
/// knows none, so the subscription is renewed every thirty seconds; when the grain did not know it, the page reads
/// again in case it missed a change. Calls back one at a time: changes that arrive while the page reads are folded
/// into one more read. Dispose it with the page.
public sealed class EnsembleWatcher : IEnsembleObserver, IAsyncDisposable
{
    private static readonly TimeSpan RenewalPeriod = TimeSpan.FromSeconds(30);

    private readonly IEnsembleGrain _ensemble;
    private readonly IGrainFactory _grains;
    private readonly Func<Task> _onChange;
    private readonly IEnsembleObserver _reference;
    private readonly PeriodicTimer _renewal = new(RenewalPeriod);
    private readonly Lock _gate = new();
    private readonly Task _renewing;
    private bool _reading;
    private bool _readAgain;

    private EnsembleWatcher(IGrainFactory grains, Guid ensembleId, Func<Task> onChange)
    {
        _grains = grains;
        _ensemble = grains.GetGrain<IEnsembleGrain>(ensembleId);
        _onChange = onChange;
        _reference = grains.CreateObjectReference<IEnsembleObserver>(this);
        _renewing = RenewAsync();
    }

    /// Starts watching; <paramref name="onChange"/> is called on the thread pool, so a page marshals with InvokeAsync.
    public static async Task<EnsembleWatcher> StartAsync(IGrainFactory grains, Guid ensembleId, Func<Task> onChange)
    {
        var watcher = new EnsembleWatcher(grains, ensembleId, onChange);
        await watcher._ensemble.SubscribeAsync(watcher._reference);
        return watcher;
    }

    public Task EnsembleChangedAsync()
    {
        lock (_gate)
        {
            if (_reading)
            {
                _readAgain = true;
                return Task.CompletedTask;
            }
            _reading = true;
        }
        _ = ReadAsync();
        return Task.CompletedTask;
    }

    private async Task ReadAsync()
    {
        while (true)
        {
            try
            {
                await _onChange();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The page shows its last state; the next change or renewal reads again.
            }
            lock (_gate)
            {
                if (!_readAgain)
                {
                    _reading = false;
                    return;
                }
                _readAgain = false;
            }
        }
    }

    private async Task RenewAsync()
    {
        while (await _renewal.WaitForNextTickAsync())
        {
            try
            {
                if (await _ensemble.SubscribeAsync(_reference))
                {
                    await EnsembleChangedAsync();
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The next tick tries again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _renewal.Dispose();
        await _renewing;
        try
        {
            await _ensemble.UnsubscribeAsync(_reference);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The grain forgets an observer that is not renewed within two minutes anyway.
        }
        _grains.DeleteObjectReference<IEnsembleObserver>(_reference);
    }
}
