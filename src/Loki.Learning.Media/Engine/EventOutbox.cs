using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// The mix thread's way out for events. Writing to the engine's event channel takes a lock its readers also take; a
/// reader holding it when the real-time mix thread wakes on the same core cannot run to release it, and the mix thread
/// spun there for tens of milliseconds at every statistics tick of a 100-client hub. So the mix thread only enqueues
/// to a lock-free queue, and a background thread moves the events into the channel.
/// </summary>
/// <remarks>
/// The mover looks every 2 ms while events flow and backs off to 20 ms when there are none, so an idle engine wakes it
/// 50 times a second and an event waits at most that long.
/// </remarks>
internal sealed class EventOutbox
{
    private const int BusyIntervalMs = 2;
    private const int IdleIntervalMs = 20;

    private readonly ConcurrentQueue<MediaEvent> _queue = new();
    private readonly ChannelWriter<MediaEvent> _events;
    private readonly Thread _mover;
    private volatile bool _stopping;

    public EventOutbox(ChannelWriter<MediaEvent> events)
    {
        _events = events;
        _mover = new Thread(Move) { IsBackground = true, Name = "Loki media events" };
    }

    public void Start() => _mover.Start();

    /// <summary>Queues an event; never blocks, never takes a lock.</summary>
    public void Post(MediaEvent mediaEvent) => _queue.Enqueue(mediaEvent);

    /// <summary>Stops the mover after handing over everything queued so far.</summary>
    public void Stop()
    {
        _stopping = true;
        if (_mover.IsAlive)
        {
            _mover.Join();
        }
        Flush();
    }

    private void Move()
    {
        var interval = IdleIntervalMs;
        while (!_stopping)
        {
            Thread.Sleep(interval);
            interval = Flush() ? BusyIntervalMs : Math.Min(IdleIntervalMs, interval * 2);
        }
    }

    private bool Flush()
    {
        var moved = false;
        while (_queue.TryDequeue(out var mediaEvent))
        {
            _events.TryWrite(mediaEvent);
            moved = true;
        }
        return moved;
    }
}
