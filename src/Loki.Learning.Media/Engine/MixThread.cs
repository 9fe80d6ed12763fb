using System.Diagnostics;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// The engine's real-time loop, on its own thread, paced at one period: apply commands → receive what every
/// participant's transport brought into its jitter buffer → read one period from each buffer → mix each room → send
/// each personal mix → check timeouts. The rooms and participants (<see cref="MixState"/>) belong to this thread
/// alone, so nothing here takes a lock across I/O; other threads reach it only through the <see cref="MixInbox"/> and
/// hear from it only through the <see cref="MixOutbox"/>.
/// </summary>
/// <remarks>
/// Never on this thread in steady state: allocation, blocking I/O, file I/O, string-formatted logging, waiting on locks.
/// Allocation happens only on rare transitions (a join, a leave, a command, a statistics tick, an error report).
/// </remarks>
internal sealed class MixThread
{
    private const int MaxCommandsPerPeriod = 256;
    private static readonly TimeSpan IdlePause = TimeSpan.FromMilliseconds(20);

    private readonly MediaEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly MixInbox _inbox;
    private readonly MixOutbox _outbox;
    private readonly MixState _state;
    private readonly PeriodPacer _pacer;
    private readonly Thread _thread;
    private readonly long _statisticsTicks;
    private volatile bool _stopRequested;
    private volatile SendCrew? _sendCrew;
    private readonly long[] _allocatedByStage = new long[(int)MixStage.Count];
    private long _stageMark;
    private long _nextStatisticsAt;
    private long _allocatedBytes;
    private long _periods;

    /// <param name="options">The engine's configuration.</param>
    /// <param name="time">Clock for timeouts, statistics and arrival times.</param>
    /// <param name="inbox">What other threads hand to the mix thread (commands, attachments, detachments).</param>
    /// <param name="outbox">What the mix thread publishes (events, meters, figures).</param>
    /// <param name="admissions">Client slots and admissions by command, shared with the handshake path.</param>
    public MixThread(MediaEngineOptions options, TimeProvider time, MixInbox inbox, MixOutbox outbox, Admissions admissions)
    {
        _options = options;
        _time = time;
        _inbox = inbox;
        _outbox = outbox;
        _state = new MixState(options, time, inbox, outbox, admissions);
        _pacer = new PeriodPacer(options.PeriodFrames, options.SampleRate);
        _statisticsTicks = (long)(options.StatisticsInterval.TotalSeconds * time.TimestampFrequency);
        _thread = new Thread(Run) { IsBackground = true, Name = "Loki media mix", Priority = ThreadPriority.Highest };
    }

    /// <summary>Bytes allocated on the mix thread and its send helpers since they started (read from any thread).</summary>
    public long AllocatedBytes => Volatile.Read(ref _allocatedBytes) + (_sendCrew?.AllocatedBytes ?? 0);

    /// <summary>Bytes allocated on the mix thread per stage of the period, to locate an allocation when one appears.</summary>
    public long AllocatedBytesIn(MixStage stage) => Volatile.Read(ref _allocatedByStage[(int)stage]);

    /// <summary>Sends made by the send helpers (<see cref="MediaEngineOptions.SendThreads"/>) since they started.</summary>
    public long HelperSends => _sendCrew?.HelperSends ?? 0;

    /// <summary>Periods run since it started.</summary>
    public long Periods => Volatile.Read(ref _periods);

    /// <summary>Periods skipped because the thread fell far behind.</summary>
    public long Resynchronisations => _pacer.Resynchronisations;

    /// <summary>Periods that started more than a period late.</summary>
    public long LatePeriods => _pacer.LatePeriods;

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stopRequested = true;
        if (_thread.IsAlive)
        {
            _thread.Join();
        }
        _state.DropPendingAttachments();
    }

    private void Run()
    {
        PeriodPacer.TightenTimerSlack();
        if (_options.RealTimePriority > 0)
        {
            var refused = PeriodPacer.TryRunInRealTime(_options.RealTimePriority);
            _outbox.Report(new MixThreadScheduling(_time.GetUtcNow(), refused is null, _options.RealTimePriority,
                refused ?? $"SCHED_FIFO at priority {_options.RealTimePriority}"));
        }
        if (_options.MixThreadCpu >= 0)
        {
            _outbox.Report(new MixThreadPinned(_time.GetUtcNow(), _options.MixThreadCpu, PeriodPacer.TryPinToCpu(_options.MixThreadCpu)));
        }
        var crew = SendCrew.TryCreate(_options.SendThreads - 1, _options.RealTimePriority);
        crew?.Start();
        _sendCrew = crew;
        _nextStatisticsAt = _time.GetTimestamp() + _statisticsTicks;
        while (!_stopRequested)
        {
            try
            {
                RunPeriod();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Keep serving everyone else; the failure is reported, never swallowed silently.
                _outbox.Report(new EngineError(_time.GetUtcNow(), "The mix period failed.", exception));
            }
            Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
            Volatile.Write(ref _periods, _periods + 1);
            if (NothingToMix())
            {
                _pacer.Idle(IdlePause);
            }
            else
            {
                _pacer.WaitForNextPeriod();
            }
        }

        _state.LeaveAll(LeaveReason.EngineStopped);
        foreach (var room in _state.Rooms.All)
        {
            room.RemoveAllTaps();
        }
        _state.DropPendingAttachments();
        _state.Dispose();
        crew?.Dispose();
    }

    /// <summary>
    /// No participant and no tap (recorder, audience stream): the periods would mix silence for nobody. A client that
    /// arrives meanwhile waits at most <see cref="IdlePause"/> longer for its first period.
    /// </summary>
    private bool NothingToMix() => _state.Sessions.Count == 0 && !_inbox.HasAttachments && !_state.Rooms.AnyTapped();

    private void MarkStage(MixStage stage)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        _allocatedByStage[(int)stage] += allocated - _stageMark;
        _stageMark = allocated;
    }

    private void RunPeriod()
    {
        MarkStage(MixStage.Pacing);
        ApplyCommands();
        _state.AttachPending();
        _state.ApplyDetachments();
        MarkStage(MixStage.Commands);

        var sessions = _state.Sessions;
        var firstReceive = 0L;
        _state.Udp?.ReceiveReady(_state, ref firstReceive);
        for (var i = sessions.Count - 1; i >= 0; i--)
        {
            sessions[i].Receive(_state, ref firstReceive); // may leave: walk backwards
        }
        MarkStage(MixStage.Receive);

        _sendCrew?.Wake(sessions.Count); // the helpers wake while the rooms mix
        var period = _options.PeriodFrames;
        var readAt = _time.GetTimestamp(); // the buffers measure how late a missing packet is against this
        foreach (var session in sessions)
        {
            session.ReadInput(period, readAt);
        }
        var periodEpochMs = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds;
        foreach (var room in _state.Rooms.All)
        {
            room.Mix(periodEpochMs);
        }
        MarkStage(MixStage.Mix);

        var wallMicroseconds = JackTripPacketEncoder.TimestampFrom(_time);
        if (_sendCrew is { } crew)
        {
            crew.SendAll(sessions, period, wallMicroseconds);
        }
        else
        {
            foreach (var session in sessions)
            {
                session.Send(period, wallMicroseconds);
            }
        }
        MarkStage(MixStage.Send);

        if (firstReceive != 0)
        {
            _outbox.RecordAddedLatency(Stopwatch.GetElapsedTime(firstReceive));
        }

        var now = _time.GetTimestamp();
        for (var i = sessions.Count - 1; i >= 0; i--)
        {
            sessions[i].CheckTimeout(_state, now); // may leave: walk backwards
        }
        if (now >= _nextStatisticsAt)
        {
            _nextStatisticsAt = now + _statisticsTicks;
            PublishStatistics();
        }
        MarkStage(MixStage.Housekeeping);
    }

    private void ApplyCommands()
    {
        for (var i = 0; i < MaxCommandsPerPeriod && _inbox.Commands.TryTake(out var command); i++)
        {
            var refusal = MixCommands.Apply(_state, command);
            if (refusal != CommandRefusal.None)
            {
                _outbox.Report(new CommandRejected(_time.GetUtcNow(), command, refusal));
            }
        }
    }

    private void PublishStatistics()
    {
        var timestamp = _time.GetUtcNow();
        var added = _outbox.AddedLatency.Snapshot();
        var sessions = _state.Sessions;
        var snapshots = new List<ParticipantSnapshot>(sessions.Count);
        foreach (var session in sessions)
        {
            var snapshot = session.Snapshot(_options.SampleRate, _options.PeriodFrames);
            snapshots.Add(snapshot);
            _outbox.Report(new ParticipantStatistics(timestamp, snapshot));
        }
        foreach (var room in _state.Rooms.All)
        {
            TimeSpan? worst = null;
            var count = 0;
            foreach (var snapshot in snapshots)
            {
                if (snapshot.RoomId != room.RoomId)
                {
                    continue;
                }
                count++;
                if (snapshot.Latency.NetworkOneWay is { } oneWay && (worst is null || oneWay > worst))
                {
                    worst = oneWay;
                }
            }
            _outbox.Report(new RoomStatistics(timestamp, room.RoomId, count, worst, added));
        }
        _outbox.PublishSnapshots(snapshots.ToArray());
    }
}

/// <summary>Stages of a mix period, for allocation accounting.</summary>
internal enum MixStage
{
    Pacing,
    Commands,
    Receive,
    Mix,
    Send,
    Housekeeping,
    Count,
}
