using System.Buffers.Binary;
using Loki.Learning.Media.Audience;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Web.Features.Rooms.EngineProcess;

/// A room's audience stream when the engine runs in a child process (decision 0010, step 2): the child taps the room
/// into a ring file in the node's private folder and this feed reads it (<see cref="SharedAudienceReader"/>). A watch
/// task checks the child's end of the ring ten times a second: when the child is gone (killed, or its mix silent for
/// <see cref="SilenceLimit"/>) the ring is dropped and a new one asked for as soon as a child is ready again, so the
/// listeners stay connected and hear a gap; the message sequence goes on without a jump. When no ring carries sound
/// again within <see cref="LostLimit"/>, the feed ends with <see cref="IAudienceFeed.EngineLostReason"/> and the
/// listeners are told. A ring the child closed on purpose ends the stream when the room is no longer open here.
public sealed class ChildAudienceFeed : IAudienceFeed
{
    /// The child's mix beats every period (2.7 ms); this long without a beat is a hung or stopped engine.
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(2);

    /// How long listeners wait in silence for a ring that carries sound again before they are told.
    public static readonly TimeSpan LostLimit = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);
    private static readonly int DefaultMessageLength = AudienceFrame.Length(16 * 128, 2);

    private readonly EngineChild _child;
    private readonly string _mediaRoom;
    private readonly Func<bool> _roomOpen;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private SharedAudienceReader? _reader;
    private string? _path;
    private int? _madeBy;
    private uint _sequence;
    private volatile string? _ended;

    /// <param name="roomOpen">Whether the room is still open on this node (a ring closed while it is means the engine restarted).</param>
    public ChildAudienceFeed(EngineChild child, string mediaRoom, Func<bool> roomOpen, ILogger logger)
    {
        _child = child;
        _mediaRoom = mediaRoom;
        _roomOpen = roomOpen;
        _logger = logger;
        _watching = Task.Run(WatchAsync, CancellationToken.None);
    }

    /// How many rings this feed has read from (1 after the first attach; more after engine restarts).
    public int Attachments { get; private set; }

    public int MessageLength
    {
        get
        {
            lock (_gate)
            {
                return _reader?.MessageLength ?? DefaultMessageLength;
            }
        }
    }

    public string? Ended => _ended;

    public bool TryEncode(Span<byte> message)
    {
        lock (_gate)
        {
            if (_reader is null || message.Length < _reader.MessageLength || !_reader.TryEncode(message))
            {
                return false;
            }
            // One sequence across rings: a listener's player sees a gap in time, not a stream that started over.
            BinaryPrimitives.WriteUInt32LittleEndian(message[4..], _sequence++);
            return true;
        }
    }

    private async Task WatchAsync()
    {
        RingPeerWatch? watch = null;
        var lostSince = TimeProvider.System.GetTimestamp();
        var lastAttempt = long.MinValue;
        var failures = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(Poll, _stop.Token);
                SharedAudienceReader? reader;
                lock (_gate)
                {
                    reader = _reader;
                }
                if (reader is not null)
                {
                    var state = reader.Fault != RingFault.None ? RingPeerState.Gone : watch!.Check();
                    if (state == RingPeerState.Alive)
                    {
                        if (reader.Periods > 0)
                        {
                            lostSince = 0;
                        }
                        continue;
                    }
                    if (state == RingPeerState.Closed && !_roomOpen())
                    {
                        End(IAudienceFeed.EndedReason);
                        return;
                    }
                    _logger.LogWarning("Audience stream of room {Room}: the media engine's end of ring {Path} is {State} ({Fault}); its listeners stay connected and hear silence until a ring carries the mix again",
                        _mediaRoom, _path, state, reader.Fault);
                    Drop();
                    watch = null;
                    lostSince = lostSince == 0 ? TimeProvider.System.GetTimestamp() : lostSince;
                    continue;
                }
                if (lostSince != 0 && TimeProvider.System.GetElapsedTime(lostSince) > LostLimit)
                {
                    _logger.LogError("Audience stream of room {Room} ends: no media engine carried its mix for {Seconds:0} s; the listeners are told to reload",
                        _mediaRoom, LostLimit.TotalSeconds);
                    End(IAudienceFeed.EngineLostReason);
                    return;
                }
                if (!_child.Ready || (lastAttempt != long.MinValue && TimeProvider.System.GetElapsedTime(lastAttempt) < RetryEvery))
                {
                    continue;
                }
                lastAttempt = TimeProvider.System.GetTimestamp();
                try
                {
                    var (attached, path, madeBy) = await _child.AttachAudienceAsync(_mediaRoom, _stop.Token);
                    watch = attached.WatchEngine(TimeProvider.System, SilenceLimit);
                    lock (_gate)
                    {
                        (_reader, _path, _madeBy) = (attached, path, madeBy);
                        Attachments++;
                    }
                    failures = 0;
                    if (Attachments > 1)
                    {
                        _logger.LogInformation("Audience stream of room {Room} reads the mix again from media engine process {ProcessId}", _mediaRoom, _child.ProcessId);
                    }
                }
                catch (Exception exception) when (exception is InvalidOperationException or RingFormatException or IOException or UnauthorizedAccessException)
                {
                    if (++failures == 1 || failures % 10 == 0)
                    {
                        _logger.LogWarning("Audience stream of room {Room}: no ring from the media engine process yet (attempt {Attempt}): {Reason}", _mediaRoom, failures, exception.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void End(string reason)
    {
        Drop();
        _ended = reason;
    }

    /// Stops reading the current ring and removes its file; the child that made it is told, if it still runs.
    private void Drop()
    {
        SharedAudienceReader? reader;
        string? path;
        int? madeBy;
        lock (_gate)
        {
            (reader, path, madeBy) = (_reader, _path, _madeBy);
            (_reader, _path, _madeBy) = (null, null, null);
        }
        reader?.Dispose();
        if (path is not null)
        {
            _child.DetachAudience(_mediaRoom, path, madeBy);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching.ContinueWith(_ => { }, TaskScheduler.Default);
        Drop();
        _stop.Dispose();
    }
}
