using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// The engine's real-time loop, on its own thread, paced at one period: apply commands → receive every pending
/// datagram into its jitter buffer → read one period from each buffer → mix each room → re-block and send → check
/// timeouts. Sockets, rooms and sessions belong to this thread alone, so nothing here takes a lock across I/O.
/// </summary>
/// <remarks>
/// Never on this thread in steady state: allocation, blocking I/O, file I/O, string-formatted logging, waiting on locks.
/// Allocation happens only on rare transitions (a join, a leave, a command, a statistics tick, an error report).
/// </remarks>
internal sealed class MixThread
{
    private const int MaxCommandsPerPeriod = 256;
    private const int MaxDatagramsPerClientPerPeriod = 32;
    private const string ReceiveFailed = "Receiving from a client's port failed.";
    private static readonly TimeSpan IdlePause = TimeSpan.FromMilliseconds(20);

    private readonly MediaEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly CommandInbox _commands;
    private readonly ConcurrentQueue<ClientSession> _attachments;
    private readonly ConcurrentQueue<int> _detachments;
    private readonly ConcurrentDictionary<int, InputLevelMeter> _levels;
    private readonly EventOutbox _events;
    private readonly SlotTable _slots;
    private readonly ConcurrentDictionary<string, AdmissionDecision> _postedAdmissions;
    private readonly AddedLatencyHistogram _addedLatency;
    private readonly Action<IReadOnlyList<ParticipantSnapshot>> _publishSnapshots;
    private readonly Action<double> _recordAddedLatency;
    private readonly JitterBufferOptions _jitterOptions;
    private readonly List<ClientSession> _sessions = new(64);
    private readonly Dictionary<string, MixingRoom> _rooms = new(StringComparer.Ordinal);
    private readonly List<MixingRoom> _roomList = new(16);
    private readonly PeriodPacer _pacer;
    private readonly ReadySockets? _ready;
    private readonly ClientSession?[] _bySlot;
    private readonly Thread _thread;
    private readonly long _statisticsTicks;
    private readonly long _rejectionReportTicks;
    private volatile bool _stopRequested;
    private readonly long[] _allocatedByStage = new long[(int)MixStage.Count];
    private long _stageMark;
    private long _nextStatisticsAt;
    private long _allocatedBytes;
    private long _periods;

    public MixThread(
        MediaEngineOptions options,
        TimeProvider time,
        CommandInbox commands,
        ConcurrentQueue<ClientSession> attachments,
        ConcurrentQueue<int> detachments,
        ConcurrentDictionary<int, InputLevelMeter> levels,
        EventOutbox events,
        SlotTable slots,
        ConcurrentDictionary<string, AdmissionDecision> postedAdmissions,
        AddedLatencyHistogram addedLatency,
        Action<IReadOnlyList<ParticipantSnapshot>> publishSnapshots,
        Action<double> recordAddedLatency)
    {
        _options = options;
        _time = time;
        _commands = commands;
        _attachments = attachments;
        _detachments = detachments;
        _levels = levels;
        _events = events;
        _slots = slots;
        _postedAdmissions = postedAdmissions;
        _addedLatency = addedLatency;
        _publishSnapshots = publishSnapshots;
        _recordAddedLatency = recordAddedLatency;
        _jitterOptions = options.JitterBuffer with { SampleRate = options.SampleRate, TimestampFrequency = time.TimestampFrequency };
        _pacer = new PeriodPacer(options.PeriodFrames, options.SampleRate);
        _ready = options.PortableReceive ? null : ReadySockets.TryCreate(options.MaxClients);
        _bySlot = new ClientSession?[options.MaxClients];
        _statisticsTicks = (long)(options.StatisticsInterval.TotalSeconds * time.TimestampFrequency);
        _rejectionReportTicks = (long)(options.RejectionReportInterval.TotalSeconds * time.TimestampFrequency);
        _thread = new Thread(Run) { IsBackground = true, Name = "Loki media mix", Priority = ThreadPriority.Highest };
    }

    /// <summary>Bytes allocated on the mix thread since it started (read from any thread).</summary>
    public long AllocatedBytes => Volatile.Read(ref _allocatedBytes);

    /// <summary>Bytes allocated on the mix thread per stage of the period, to locate an allocation when one appears.</summary>
    public long AllocatedBytesIn(MixStage stage) => Volatile.Read(ref _allocatedByStage[(int)stage]);

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
        DropPendingAttachments();
    }

    /// <summary>Attachments that never reached the mix thread: free their slots, tell external transports they are gone.</summary>
    private void DropPendingAttachments()
    {
        while (_attachments.TryDequeue(out var pending))
        {
            pending.Socket?.Dispose();
            if (pending.Slot >= 0)
            {
                _slots.Release(pending.Slot);
            }
            pending.External?.MarkLeft();
        }
    }

    private void Run()
    {
        PeriodPacer.TightenTimerSlack();
        if (_options.RealTimePriority > 0)
        {
            var refused = PeriodPacer.TryRunInRealTime(_options.RealTimePriority);
            Report(new MixThreadScheduling(_time.GetUtcNow(), refused is null, _options.RealTimePriority,
                refused ?? $"SCHED_FIFO at priority {_options.RealTimePriority}"));
        }
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
                Report(new EngineError(_time.GetUtcNow(), "The mix period failed.", exception));
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

        for (var i = _sessions.Count - 1; i >= 0; i--)
        {
            Leave(_sessions[i], LeaveReason.EngineStopped, sendExit: true);
        }
        foreach (var room in _roomList)
        {
            room.RemoveAllTaps();
        }
        DropPendingAttachments();
        _ready?.Dispose();
    }

    /// <summary>
    /// No participant and no tap (recorder, audience stream): the periods would mix silence for nobody. A client that
    /// arrives meanwhile waits at most <see cref="IdlePause"/> longer for its first period.
    /// </summary>
    private bool NothingToMix()
    {
        if (_sessions.Count > 0 || !_attachments.IsEmpty)
        {
            return false;
        }
        foreach (var room in _roomList)
        {
            if (room.Taps.Length > 0)
            {
                return false;
            }
        }
        return true;
    }

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
        AttachPending();
        while (_detachments.TryDequeue(out var detached))
        {
            if (FindSession(detached) is { External: not null } leaving)
            {
                Leave(leaving, LeaveReason.Exited, sendExit: false);
            }
        }
        MarkStage(MixStage.Commands);

        var firstReceive = 0L;
        ReceiveFromReadySockets(ref firstReceive);
        for (var i = _sessions.Count - 1; i >= 0; i--)
        {
            var session = _sessions[i];
            if (session.External is { } external)
            {
                ReceiveExternal(session, external, ref firstReceive);
            }
            else if (session.WatchedDescriptor < 0)
            {
                Receive(session, ref firstReceive);
            }
        }
        MarkStage(MixStage.Receive);

        var period = _options.PeriodFrames;
        var readAt = _time.GetTimestamp(); // the buffers measure how late a missing packet is against this
        foreach (var session in _sessions)
        {
            var participant = session.Participant;
            if (participant is null)
            {
                continue;
            }
            var buffer = session.Buffer;
            if (buffer is null)
            {
                participant.HasInput = false;
                continue;
            }
            if (session.WideInput is { } wide)
            {
                buffer.Read(wide, period, readAt);
                wide.AsSpan(0, participant.Input.Length).CopyTo(participant.Input);
            }
            else
            {
                buffer.Read(participant.Input, period, readAt);
            }
            // Concealment and the silence before playing are part of the input too (they fade, never click).
            participant.HasInput = true;
            session.Level.Add(participant.Input);
        }

        var periodEpochMs = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds;
        foreach (var room in _roomList)
        {
            room.Mix(periodEpochMs);
        }
        MarkStage(MixStage.Mix);

        var wallMicroseconds = JackTripPacketEncoder.TimestampFrom(_time);
        foreach (var session in _sessions)
        {
            Send(session, wallMicroseconds);
        }
        MarkStage(MixStage.Send);

        if (firstReceive != 0)
        {
            var elapsed = Stopwatch.GetElapsedTime(firstReceive);
            _addedLatency.Record((long)elapsed.TotalMicroseconds);
            _recordAddedLatency(elapsed.TotalMilliseconds);
        }

        var now = _time.GetTimestamp();
        CheckTimeouts(now);
        if (now >= _nextStatisticsAt)
        {
            _nextStatisticsAt = now + _statisticsTicks;
            PublishStatistics();
        }
        MarkStage(MixStage.Housekeeping);
    }

    /// <summary>
    /// Moves an external participant's queued blocks into its jitter buffer. Their arrival time is when the transport
    /// handed them over (<see cref="ExternalParticipant.WriteInput"/>), not now, so the jitter measure is the network's.
    /// </summary>
    private void ReceiveExternal(ClientSession session, ExternalParticipant external, ref long firstReceive)
    {
        if (session.Participant is null)
        {
            return; // not joined (the room was full): nothing to feed
        }
        while (external.TryPeekInput(out var block, out var planar))
        {
            if (firstReceive == 0)
            {
                firstReceive = Stopwatch.GetTimestamp();
            }
            if (session.Buffer is null || block.Frames != session.FramesPerPacket)
            {
                // The first block, or the sender changed its block size: a new buffer (allocates, like a join).
                session.StartExternalStream(block.Frames, _jitterOptions);
            }
            session.LastHeardAt = block.ArrivalTimestamp;
            session.DatagramsReceived++;
            session.OneWay.Add((ulong)block.SenderMicroseconds, block.WallMicroseconds);
            session.Buffer!.Insert((ushort)block.Sequence, planar, block.ArrivalTimestamp);
            external.ReleaseInput();
        }
    }

    /// <summary>
    /// Reads one datagram from each socket the poller reports readable, and asks again until none is (or a flooding
    /// client has had its share): one system call per datagram, none to find out that nothing is there.
    /// </summary>
    private void ReceiveFromReadySockets(ref long firstReceive)
    {
        if (_ready is null)
        {
            return;
        }
        for (var round = 0; round < MaxDatagramsPerClientPerPeriod; round++)
        {
            var ready = _ready.Poll();
            if (ready == 0)
            {
                return;
            }
            for (var i = 0; i < ready; i++)
            {
                var session = _bySlot[_ready.KeyAt(i)];
                if (session is null || session.WatchedDescriptor < 0)
                {
                    continue; // left earlier in this round; its closed socket is no longer watched
                }
                var outcome = ReadySockets.TryReceive(session.WatchedDescriptor, session.ReceiveBuffer, session.ReceiveAddress, out var result);
                if (outcome == ReadySockets.Received.Nothing)
                {
                    continue;
                }
                if (outcome == ReadySockets.Received.Failure)
                {
                    Report(new EngineError(_time.GetUtcNow(), ReceiveFailed, new SocketException(result)));
                    continue;
                }
                Arrived(session, result, ref firstReceive);
            }
        }
    }

    private void Receive(ClientSession session, ref long firstReceive)
    {
        var socket = session.Socket!;
        for (var count = 0; count < MaxDatagramsPerClientPerPeriod; count++)
        {
            int length;
            try
            {
                // Poll, not Available: a zero-length datagram is readable but has nothing "available", and would
                // otherwise sit at the head of the queue for ever.
                if (!socket.Poll(0, SelectMode.SelectRead))
                {
                    return;
                }
                length = socket.ReceiveFrom(session.ReceiveBuffer, SocketFlags.None, session.ReceiveAddress);
            }
            catch (SocketException exception)
            {
                Report(new EngineError(_time.GetUtcNow(), ReceiveFailed, exception));
                return;
            }
            if (!Arrived(session, length, ref firstReceive))
            {
                return; // the session left
            }
        }
    }

    /// <summary>Handles the datagram just read into the session's receive buffer.</summary>
    /// <returns><c>false</c> when the session left.</returns>
    private bool Arrived(ClientSession session, int length, ref long firstReceive)
    {
        if (firstReceive == 0)
        {
            firstReceive = Stopwatch.GetTimestamp();
        }
        // Read the clocks per datagram: a preempted period must not distort arrival times or the one-way delay.
        var now = _time.GetTimestamp();
        var wallMicroseconds = (long)JackTripPacketEncoder.TimestampFrom(_time);
        return HandleDatagram(session, session.ReceiveBuffer.AsSpan(0, length), now, wallMicroseconds);
    }

    /// <returns><c>false</c> when the session left.</returns>
    private bool HandleDatagram(ClientSession session, ReadOnlySpan<byte> datagram, long now, long wallMicroseconds)
    {
        var fromPeer = session.Peer is null ? TryBindSource(session, now) : session.ReceiveAddress.Equals(session.Peer);
        if (!fromPeer)
        {
            // Not the client that made the handshake: dropped before any parsing, counted, never answered.
            session.DatagramsFromStrangers++;
            Reject(session, JackTripError.UnknownSource, now);
            return true;
        }
        if (JackTripDatagram.IsExit(datagram))
        {
            Leave(session, LeaveReason.Exited, sendExit: true);
            return false;
        }

        var error = JackTripDatagram.TryParse(datagram, out var info);
        if (error != JackTripError.None)
        {
            Reject(session, error, now);
            return true;
        }
        var header = info.Newest;
        if (header.SampleRate != _options.SampleRate || header.BitsPerSample != _options.BitsPerSample)
        {
            Reject(session, JackTripError.FormatMismatch, now);
            Leave(session, LeaveReason.FormatMismatch, sendExit: true);
            return false;
        }

        if (!session.Joined)
        {
            if (!TryJoin(session, header))
            {
                return false;
            }
        }
        else if (header.SamplesPerChannel != session.FramesPerPacket || header.AudioChannels != session.WireChannels)
        {
            Reject(session, JackTripError.StreamShapeChanged, now);
            return true;
        }

        session.LastHeardAt = now;
        session.DatagramsReceived++;
        session.OneWay.Add(header.TimestampMicroseconds, wallMicroseconds);
        var buffer = session.Buffer;
        if (buffer is not null)
        {
            // Oldest copy first so a recovered packet fills its gap before the newest one arrives.
            for (var copy = info.Redundancy - 1; copy >= 0; copy--)
            {
                if (copy > 0 && buffer.Holds(info.SequenceAt(copy)))
                {
                    continue; // a redundant copy of a packet already buffered: skip the decode
                }
                JackTripSampleCodec.Decode(info.PayloadAt(datagram, copy), header.BitsPerSample, session.Decoded);
                buffer.Insert(info.SequenceAt(copy), session.Decoded, now, measureArrival: copy == 0);
            }
        }
        return true;
    }

    /// <summary>
    /// Decides whether the datagram just received may become the session's source (its <see cref="ClientSession.Peer"/>),
    /// and binds the session to it if so. The session belongs to whoever made its handshake:
    /// <list type="bullet">
    /// <item>The handshake's IP address with the UDP port the client announced there is bound at once.</item>
    /// <item>The same IP address from another port is a client behind NAT (its router picked the port). The first
    /// such source is held as a candidate and bound only when it speaks again at least
    /// <see cref="MediaEngineOptions.NatAdoptionDelay"/> after it was first heard and nothing came from the announced
    /// port meanwhile. When a second such port speaks before that, nobody is adopted this way: the hub cannot tell the
    /// client from someone else on that address.</item>
    /// <item>Any other IP address is a stranger.</item>
    /// </list>
    /// Compares raw address bytes; allocates only when it binds (once per session).
    /// </summary>
    /// <returns><c>true</c> when the datagram comes from the (now bound) source.</returns>
    private bool TryBindSource(ClientSession session, long now)
    {
        var received = session.ReceiveAddress;
        if (ClientSession.SameEndPoint(received, session.Announced))
        {
            session.Peer = ClientSession.Copy(received);
            return true;
        }
        if (!ClientSession.SameHost(received, session.Announced))
        {
            return false;
        }
        if (session.NatCandidateSince == 0)
        {
            ClientSession.CopyInto(received, session.NatCandidate);
            session.NatCandidateSince = now;
            return false;
        }
        if (!received.Equals(session.NatCandidate))
        {
            session.NatAmbiguous = true;
            return false;
        }
        if (session.NatAmbiguous || _time.GetElapsedTime(session.NatCandidateSince, now) < _options.NatAdoptionDelay)
        {
            return false;
        }
        session.Peer = ClientSession.Copy(received);
        return true;
    }

    private bool TryJoin(ClientSession session, in JackTripHeader header)
    {
        var room = OpenRoom(session.RoomId);
        var wire = header.AudioChannels;
        var mixedChannels = Math.Min(session.ChannelsOverride ?? 2, 2);
        var inputChannels = wire == 0 ? 0 : Math.Min(wire, mixedChannels);
        var outputChannels = Math.Clamp((int)header.ChannelsWanted, 1, 2);
        var participant = room.AddParticipant(session.ParticipantId, inputChannels, outputChannels);
        if (participant is null)
        {
            Leave(session, LeaveReason.RoomFull, sendExit: true);
            return false;
        }
        session.Join(header, room, participant, _options.PeriodFrames, _jitterOptions, _options.SampleRate, _options.BitsPerSample);
        _levels[session.ParticipantId] = session.Level;
        Report(new ParticipantJoined(_time.GetUtcNow(), session.ParticipantId, session.RoomId, session.ClientName,
            session.PeerEndPoint()!, wire, header.ChannelsWanted, header.SamplesPerChannel));
        return true;
    }

    /// <summary>Joins an external participant at the start of the period after its attachment; room capacity applies.</summary>
    private void TryJoinExternal(ClientSession session)
    {
        var external = session.External!;
        var room = OpenRoom(session.RoomId);
        var participant = room.AddParticipant(session.ParticipantId, external.Channels, external.Channels);
        if (participant is null)
        {
            Leave(session, LeaveReason.RoomFull, sendExit: false);
            return;
        }
        session.JoinExternal(room, participant);
        _levels[session.ParticipantId] = session.Level;
        Report(new ParticipantJoined(_time.GetUtcNow(), session.ParticipantId, session.RoomId, session.ClientName,
            session.PeerEndPoint()!, external.Channels, external.Channels, _options.PeriodFrames));
    }

    private void Send(ClientSession session, ulong wallMicroseconds)
    {
        var participant = session.Participant;
        if (session.External is { } external)
        {
            if (participant is not null)
            {
                external.PublishOutput(participant.Output);
                session.DatagramsSent++;
            }
            return;
        }
        var output = session.Output;
        var encoder = session.Encoder;
        if (participant is null || output is null)
        {
            return;
        }
        output.TryWrite(participant.Output, _options.PeriodFrames);
        if (encoder is null)
        {
            output.Clear(); // a send-only client wants nothing back
            return;
        }
        var frames = session.FramesPerPacket;
        while (output.TryRead(session.PacketAudio, frames))
        {
            var length = encoder.Encode(session.PacketAudio, wallMicroseconds, session.SendBuffer);
            try
            {
                session.Socket!.SendTo(session.SendBuffer.AsSpan(0, length), SocketFlags.None, session.Peer!);
                session.DatagramsSent++;
            }
            catch (SocketException)
            {
                // A full send buffer or an unreachable peer: drop this packet; the silence timeout handles a dead peer.
            }
        }
    }

    private void CheckTimeouts(long now)
    {
        for (var i = _sessions.Count - 1; i >= 0; i--)
        {
            var session = _sessions[i];
            if (session.External is not null)
            {
                continue; // its transport owns its lifetime (Dispose), and a quiet browser may still be listening
            }
            if (!session.Joined && session.Peer is null)
            {
                if (_time.GetElapsedTime(session.AdmittedAt, now) > _options.FirstPacketTimeout)
                {
                    Leave(session, LeaveReason.FirstPacketTimeout, sendExit: false);
                }
            }
            else if (_time.GetElapsedTime(session.LastHeardAt, now) > _options.SilenceTimeout)
            {
                Leave(session, LeaveReason.SilenceTimeout, sendExit: true);
            }
        }
    }

    private void Reject(ClientSession session, JackTripError error, long now)
    {
        session.DatagramsRejected++;
        session.RejectedSinceReport++;
        session.LastRejection = error;
        if (session.LastRejectionReportAt == 0 || now - session.LastRejectionReportAt >= _rejectionReportTicks)
        {
            session.LastRejectionReportAt = now;
            Report(new DatagramRejected(_time.GetUtcNow(), session.ParticipantId, error, JackTripDatagram.Describe(error), session.RejectedSinceReport));
            session.RejectedSinceReport = 0;
        }
    }

    private void Leave(ClientSession session, LeaveReason reason, bool sendExit)
    {
        if (sendExit && session.Peer is not null && session.Socket is not null)
        {
            // The protocol sends the exit datagram twice, in case one is lost.
            for (var i = 0; i < 2; i++)
            {
                try
                {
                    session.Socket.SendTo(session.ExitDatagram, SocketFlags.None, session.Peer);
                }
                catch (SocketException)
                {
                    break;
                }
            }
        }
        session.Room?.RemoveParticipant(session.ParticipantId);
        session.WatchedDescriptor = -1;
        session.Socket?.Dispose();
        _sessions.Remove(session);
        if (session.Slot >= 0)
        {
            if (_bySlot[session.Slot] == session)
            {
                _bySlot[session.Slot] = null;
            }
            _slots.Release(session.Slot);
        }
        _levels.TryRemove(session.ParticipantId, out _);
        session.External?.MarkLeft();
        Report(new ParticipantLeft(_time.GetUtcNow(), session.ParticipantId, session.RoomId, session.ClientName, reason));
    }

    private MixingRoom OpenRoom(string roomId)
    {
        if (!_rooms.TryGetValue(roomId, out var room))
        {
            room = new MixingRoom(roomId, _options.PeriodFrames, _options.MaxParticipantsPerRoom);
            _rooms.Add(roomId, room);
            _roomList.Add(room);
            Report(new RoomOpened(_time.GetUtcNow(), roomId));
        }
        return room;
    }

    private void AttachPending()
    {
        while (_attachments.TryDequeue(out var session))
        {
            session.LastHeardAt = session.AdmittedAt;
            _sessions.Add(session);
            if (session.External is not null)
            {
                TryJoinExternal(session);
            }
            else if (_ready is not null && session.Socket is not null)
            {
                _bySlot[session.Slot] = session;
                session.WatchedDescriptor = _ready.Watch(session.Socket, session.Slot);
            }
        }
    }

    /// A command may name a participant whose attachment is still queued (the control plane heard of its admission
    /// before this period took it in): the queue is taken in first, so a removal is never lost.
    private ClientSession? FindCommanded(int participantId)
    {
        if (FindSession(participantId) is { } session)
        {
            return session;
        }
        AttachPending();
        return FindSession(participantId);
    }

    private ClientSession? FindSession(int participantId)
    {
        foreach (var session in _sessions)
        {
            if (session.ParticipantId == participantId)
            {
                return session;
            }
        }
        return null;
    }

    private void ApplyCommands()
    {
        for (var i = 0; i < MaxCommandsPerPeriod && _commands.TryTake(out var command); i++)
        {
            var problem = Apply(command);
            if (problem is not null)
            {
                Report(new CommandRejected(_time.GetUtcNow(), command, problem));
            }
        }
    }

    /// <returns>Why the command was not applied, or <c>null</c>.</returns>
    private string? Apply(MediaCommand command)
    {
        switch (command)
        {
            case OpenRoom open:
                if (string.IsNullOrEmpty(open.RoomId))
                {
                    return "A room needs an id.";
                }
                OpenRoom(open.RoomId);
                return null;

            case CloseRoom close:
                if (!_rooms.Remove(close.RoomId, out var closing))
                {
                    return "The room is not open.";
                }
                closing.RemoveAllTaps();
                for (var i = _sessions.Count - 1; i >= 0; i--)
                {
                    if (_sessions[i].RoomId == close.RoomId)
                    {
                        Leave(_sessions[i], LeaveReason.RoomClosed, sendExit: true);
                    }
                }
                _roomList.Remove(closing);
                Report(new RoomClosed(_time.GetUtcNow(), close.RoomId));
                return null;

            case AdmitParticipant admit:
                if (string.IsNullOrEmpty(admit.RoomId) || System.Text.Encoding.UTF8.GetByteCount(admit.ClientName) > JackTripHandshake.MaxNameBytes)
                {
                    return "A room id and a client name of at most 63 UTF-8 bytes are required.";
                }
                if (admit.Channels is not (null or 1 or 2))
                {
                    return "Channels must be 1 or 2.";
                }
                _postedAdmissions[admit.ClientName] = AdmissionDecision.Admit(admit.RoomId, admit.Channels);
                return null;

            case RevokeAdmission revoke:
                return _postedAdmissions.TryRemove(revoke.ClientName, out _) ? null : "The name was not admitted by command.";

            case RemoveParticipant remove:
                if (FindCommanded(remove.ParticipantId) is not { } removed)
                {
                    return "No such participant.";
                }
                Leave(removed, LeaveReason.Removed, sendExit: true);
                return null;

            case SetGain gain:
                var listener = FindCommanded(gain.ListenerId);
                var source = FindCommanded(gain.SourceId);
                if (listener?.Room is null || source?.Room is null || listener.Room != source.Room)
                {
                    return "Listener and source must both have joined the same room.";
                }
                return listener.Room.SetGain(gain.ListenerId, gain.SourceId, gain.Gain) ? null : "The gain must be a finite number of 0 or more.";

            case SetMute mute:
                if (FindCommanded(mute.ParticipantId) is not { } muted)
                {
                    return "No such participant.";
                }
                muted.Muted = mute.Muted;
                muted.Participant?.Muted = mute.Muted;
                return null;

            case SetSelfMonitor monitor:
                if (FindCommanded(monitor.ParticipantId) is not { } monitored)
                {
                    return "No such participant.";
                }
                monitored.SelfMonitor = monitor.Enabled;
                monitored.Participant?.SelfMonitor = monitor.Enabled;
                return null;

            case AttachTap attach:
                if (!_rooms.TryGetValue(attach.RoomId, out var tapped))
                {
                    return "The room is not open.";
                }
                return tapped.AddTap(attach.Tap) ? null : "The tap is already attached.";

            case DetachTap detach:
                if (!_rooms.TryGetValue(detach.RoomId, out var untapped))
                {
                    return "The room is not open.";
                }
                return untapped.RemoveTap(detach.Tap) ? null : "The tap is not attached.";

            case SetClickTrack clickTrack:
                if (!_rooms.TryGetValue(clickTrack.RoomId, out var clicked))
                {
                    return "The room is not open.";
                }
                clicked.Click = clickTrack.Track;
                return null;

            case SetClick click:
                if (FindCommanded(click.ParticipantId)?.Participant is not { } listening)
                {
                    return "No such participant.";
                }
                if (!float.IsFinite(click.Gain) || click.Gain < 0f || !double.IsFinite(click.LeadMs))
                {
                    return "The gain must be a finite number of 0 or more.";
                }
                listening.ClickGain = click.Gain;
                listening.ClickLeadMs = Math.Clamp(click.LeadMs, 0, 500);
                return null;

            case SetMasterGain master:
                if (!_rooms.TryGetValue(master.RoomId, out var room))
                {
                    return "The room is not open.";
                }
                if (!float.IsFinite(master.Gain) || master.Gain < 0f)
                {
                    return "The gain must be a finite number of 0 or more.";
                }
                room.MasterGain = master.Gain;
                return null;

            default:
                return "Unknown command.";
        }
    }

    private void PublishStatistics()
    {
        var timestamp = _time.GetUtcNow();
        var added = _addedLatency.Snapshot();
        var snapshots = new List<ParticipantSnapshot>(_sessions.Count);
        foreach (var session in _sessions)
        {
            var snapshot = Snapshot(session);
            snapshots.Add(snapshot);
            Report(new ParticipantStatistics(timestamp, snapshot));
        }
        foreach (var room in _roomList)
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
            Report(new RoomStatistics(timestamp, room.RoomId, count, worst, added));
        }
        _publishSnapshots(snapshots.ToArray());
    }

    private ParticipantSnapshot Snapshot(ClientSession session)
    {
        var jitter = session.Buffer?.Statistics ?? default;
        var oneWay = session.OneWay.Estimate;
        var bufferDelay = TimeSpan.FromSeconds((double)jitter.DepthFrames / _options.SampleRate);
        var roundTrip = oneWay is { } o ? o * 2 : session.HandshakeRoundTrip;
        TimeSpan? upstream = roundTrip is { } r
            ? (r / 2) + bufferDelay + TimeSpan.FromSeconds((double)_options.PeriodFrames / _options.SampleRate)
            : null;
        var latency = new LatencyEstimate(
            oneWay,
            TimeSpan.FromMicroseconds(jitter.JitterMicroseconds),
            bufferDelay,
            session.HandshakeRoundTrip,
            roundTrip,
            upstream);
        return new ParticipantSnapshot(session.ParticipantId, session.RoomId, session.ClientName,
            session.DatagramsReceived, session.External?.DroppedInputBlocks ?? session.DatagramsRejected, session.DatagramsSent, jitter, latency)
        {
            DatagramsFromStrangers = session.DatagramsFromStrangers,
        };
    }

    private void Report(MediaEvent mediaEvent) => _events.Post(mediaEvent);
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
