namespace Loki.Learning.Media.SharedMemory;

/// <summary>What one side of a ring sees of the other.</summary>
public enum RingPeerState
{
    /// <summary>Its heartbeat moved within the limit (or the limit has not passed since watching began).</summary>
    Alive = 0,

    /// <summary>It closed its end on purpose.</summary>
    Closed = 1,

    /// <summary>Its process is gone (no such process id), or its heartbeat has not moved for longer than the limit.</summary>
    Gone = 2,
}

/// <summary>
/// Watches the other side of a ring through its line of the header (<see cref="RingHeader"/>): its closed flag, its
/// process id and its heartbeat. Call <see cref="Check"/> off the real-time path (a supervisor's timer): it may look
/// up the process under /proc. A side beats whenever it moves audio, so a silent limit of several periods (the engine
/// beats every period) or of a second (a transport beats on every block and every poll) tells a stalled or killed peer
/// from a quiet one.
/// </summary>
public sealed class RingPeerWatch(RingMemory memory, RingSide peer, TimeProvider time, TimeSpan silenceLimit)
{
    private long _lastBeat = long.MinValue;
    private long _lastChange;

    /// <summary>The peer's state now.</summary>
    public RingPeerState Check()
    {
        var (processId, closed, beat) = RingHeader.ReadSide(memory, peer);
        if (closed)
        {
            return RingPeerState.Closed;
        }
        if (processId > 0 && OperatingSystem.IsLinux() && !Directory.Exists($"/proc/{processId}"))
        {
            return RingPeerState.Gone;
        }
        var now = time.GetTimestamp();
        if (beat != _lastBeat)
        {
            _lastBeat = beat;
            _lastChange = now;
            return RingPeerState.Alive;
        }
        return time.GetElapsedTime(_lastChange, now) > silenceLimit ? RingPeerState.Gone : RingPeerState.Alive;
    }
}
