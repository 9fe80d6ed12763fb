using System.Threading.Tasks.Sources;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// A reusable awaitable for a transport's wait for output (<see cref="IParticipantTransport.WaitForOutputAsync"/>). The
/// thread that wakes it (the mix thread, or a node's ring poller) never runs the waiter's continuation: it queues this
/// preallocated work item to the thread pool (no allocation), which completes the wait there.
/// </summary>
/// <param name="ready">Whether the wait is over (output ready, or the participant gone); any thread may ask.</param>
internal sealed class OutputSignal(Func<bool> ready) : IValueTaskSource, IThreadPoolWorkItem
{
    private const int Idle = 0;
    private const int Armed = 1;
    private const int Completing = 2;

    private ManualResetValueTaskSourceCore<bool> _core; // continuations run inline on the completing pool thread
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;
    private int _state = Idle;

    /// <summary>A wait is pending (a poller only needs to look at the ring while one is).</summary>
    public bool Waiting => Volatile.Read(ref _state) == Armed;

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (ready())
        {
            return ValueTask.CompletedTask;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        if (Volatile.Read(ref _state) != Idle)
        {
            throw new InvalidOperationException("Only one WaitForOutputAsync may be pending at a time.");
        }
        _core.Reset();
        _token = cancellationToken;
        _registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((OutputSignal)state!).Cancel(), this)
            : default;
        Volatile.Write(ref _state, Armed);
        // Re-check after arming: output published (or a cancellation) between the first check and now must not be missed.
        if ((ready() || cancellationToken.IsCancellationRequested)
            && Interlocked.CompareExchange(ref _state, Idle, Armed) == Armed)
        {
            _registration.Dispose();
            return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken) : ValueTask.CompletedTask;
        }
        return new ValueTask(this, _core.Version);
    }

    /// <summary>Any thread; allocation-free. Completes a pending wait on the thread pool.</summary>
    public void Wake()
    {
        if (Volatile.Read(ref _state) == Armed && Interlocked.CompareExchange(ref _state, Completing, Armed) == Armed)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute() => _core.SetResult(true);

    private void Cancel()
    {
        if (Interlocked.CompareExchange(ref _state, Completing, Armed) == Armed)
        {
            _core.SetException(new OperationCanceledException(_token));
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            _registration.Dispose();
            _registration = default;
            Volatile.Write(ref _state, Idle);
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
