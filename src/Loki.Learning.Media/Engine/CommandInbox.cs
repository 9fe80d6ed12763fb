using System.Collections.Concurrent;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Commands on their way to the mix thread: a lock-free queue with a capacity, so that neither a poster nor the
/// real-time mix thread ever waits for the other (a channel's lock, held by a poster that the mix thread preempts on the
/// same core, would leave the mix thread spinning; see <see cref="EventOutbox"/>).
/// </summary>
internal sealed class CommandInbox(int capacity)
{
    private readonly ConcurrentQueue<MediaCommand> _queue = new();
    private int _count;
    private volatile bool _closed;

    /// <returns><c>false</c> when the inbox is full or closed.</returns>
    public bool TryPost(MediaCommand command)
    {
        if (_closed)
        {
            return false;
        }
        if (Interlocked.Increment(ref _count) > capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        _queue.Enqueue(command);
        return true;
    }

    public bool TryTake(out MediaCommand command)
    {
        if (_queue.TryDequeue(out command!))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }
        return false;
    }

    /// <summary>Refuses further commands (the engine is stopping).</summary>
    public void Close() => _closed = true;
}
