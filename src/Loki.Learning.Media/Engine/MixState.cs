using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// What the mix thread owns and acts on: the open rooms, the attached participants, the JackTrip receiver, and the ways
/// in (<see cref="MixInbox"/>) and out (<see cref="MixOutbox"/>). Participants and commands change it through the few
/// operations here (join, leave, find); <see cref="MixThread"/> runs the period over it. Mix thread alone.
/// </summary>
internal sealed class MixState : IDisposable
{
    private readonly MixInbox _inbox;
    private readonly List<ParticipantSession> _sessions = new(64);

    public MixState(MediaEngineOptions options, TimeProvider time, MixInbox inbox, MixOutbox outbox, Admissions admissions)
    {
        Options = options;
        Time = time;
        _inbox = inbox;
        Outbox = outbox;
        Admissions = admissions;
        JitterOptions = options.JitterBuffer with { SampleRate = options.SampleRate, TimestampFrequency = time.TimestampFrequency };
        ExternalJitterOptions = options.ExternalJitterBuffer is { } external
            ? external with { SampleRate = options.SampleRate, TimestampFrequency = time.TimestampFrequency }
            : JitterOptions;
        // A room's policy (tight or safe) works on the browser participants' options.
        JitterPolicies = new RoomJitterPolicies(ExternalJitterOptions, options.TightJitterMilliseconds);
        RejectionReportTicks = (long)(options.RejectionReportInterval.TotalSeconds * time.TimestampFrequency);
        Rooms = new MixRooms(options.PeriodFrames, options.MaxParticipantsPerRoom, outbox, time);
        Udp = options.PortableReceive ? null : UdpReceiver.TryCreate(options.MaxClients);
    }

    public MediaEngineOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>The engine's jitter-buffer options with its sample rate and clock filled in.</summary>
    public JitterBufferOptions JitterOptions { get; }

    /// <summary>The jitter-buffer options of external (browser) participants attached without their own.</summary>
    public JitterBufferOptions ExternalJitterOptions { get; }

    /// <summary>Each room's policy for its browser participants' buffers (tight or safe).</summary>
    public RoomJitterPolicies JitterPolicies { get; }

    /// <summary><see cref="MediaEngineOptions.RejectionReportInterval"/> in <see cref="Time"/> ticks.</summary>
    public long RejectionReportTicks { get; }

    public MixRooms Rooms { get; }

    /// <summary>The <c>epoll</c> receiver, or <c>null</c> for the portable receive (each session reads its own socket).</summary>
    public UdpReceiver? Udp { get; }

    public MixOutbox Outbox { get; }

    public Admissions Admissions { get; }

    /// <summary>The attached participants, in attachment order.</summary>
    public List<ParticipantSession> Sessions => _sessions;

    public void Report(MediaEvent mediaEvent) => Outbox.Report(mediaEvent);

    /// <summary>Takes in the participants handed over since the last period (allocates nothing unless one arrived).</summary>
    public void AttachPending()
    {
        while (_inbox.TryTakeAttachment(out var session))
        {
            session.LastHeardAt = session.AdmittedAt;
            _sessions.Add(session);
            session.Attach(this);
        }
    }

    /// <summary>Lets go of the external participants whose transport disposed them.</summary>
    public void ApplyDetachments()
    {
        while (_inbox.TryTakeDetachment(out var participantId))
        {
            if (Find(participantId) is ExternalSession leaving)
            {
                Leave(leaving, LeaveReason.Exited, sendExit: false);
            }
        }
    }

    /// <summary>Records that <paramref name="session"/> joined its room: its meter becomes readable, the join is reported.</summary>
    public void Joined(ParticipantSession session, int inputChannels, int outputChannels, int framesPerPacket)
    {
        Outbox.ShowLevel(session.ParticipantId, session.Level);
        Report(new ParticipantJoined(Time.GetUtcNow(), session.ParticipantId, session.RoomId, session.ClientName,
            session.PeerEndPoint()!, inputChannels, outputChannels, framesPerPacket));
    }

    /// <summary>Takes a participant out of its room and the engine, and reports why.</summary>
    public void Leave(ParticipantSession session, LeaveReason reason, bool sendExit)
    {
        session.Room?.RemoveParticipant(session.ParticipantId);
        session.Release(this, sendExit);
        _sessions.Remove(session);
        Outbox.HideLevel(session.ParticipantId);
        Report(new ParticipantLeft(Time.GetUtcNow(), session.ParticipantId, session.RoomId, session.ClientName, reason));
    }

    /// <summary>Every participant leaves (the engine stops).</summary>
    public void LeaveAll(LeaveReason reason)
    {
        for (var i = _sessions.Count - 1; i >= 0; i--)
        {
            Leave(_sessions[i], reason, sendExit: true);
        }
    }

    /// <summary>Releases attachments that never reached the mix thread: their slots, their external transports.</summary>
    public void DropPendingAttachments()
    {
        while (_inbox.TryTakeAttachment(out var pending))
        {
            pending.Release(this, sendExit: false);
        }
    }

    public ParticipantSession? Find(int participantId)
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

    /// <summary>
    /// The participant a command names. It may still be waiting in the inbox (the control plane heard of its admission
    /// before this period took it in): the inbox is taken in first, so a command for it is never lost.
    /// </summary>
    public ParticipantSession? FindCommanded(int participantId)
    {
        if (Find(participantId) is { } session)
        {
            return session;
        }
        AttachPending();
        return Find(participantId);
    }

    public void Dispose() => Udp?.Dispose();
}
