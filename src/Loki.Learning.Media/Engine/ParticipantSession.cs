using System.Net;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// One participant as the mix thread sees it, whatever carries its audio: its place in a room, its jitter buffer, its
/// figures. A transport (<see cref="JackTripSession"/>: a UDP socket of its own; <see cref="ExternalSession"/>: queues
/// to a browser's socket) fills the buffer and takes the personal mix away; the mix loop calls the same few members on
/// every participant and never asks which transport it is.
/// </summary>
/// <remarks>
/// Created on the handshake path or by <see cref="MediaEngine.AttachExternal"/>, then owned by the mix thread alone.
/// Everything the per-period path needs is allocated when the participant joins (or a stream changes its block size),
/// never per packet. An abstract class rather than an interface: the loop reads the shared fields directly, and the
/// three calls per participant and period that depend on the transport (<see cref="Receive"/>, <see cref="Send"/>,
/// <see cref="CheckTimeout"/>) are one virtual call each into a sealed class (docs/decisions/0005).
/// </remarks>
internal abstract class ParticipantSession(int participantId, string clientName, string roomId, long admittedAt, InputLevelMeter level)
{
    /// <summary>Peak and RMS of the participant's input, fed by the mix thread, read by meters.</summary>
    public InputLevelMeter Level { get; } = level;

    public int ParticipantId { get; } = participantId;

    public string ClientName { get; } = clientName;

    public string RoomId { get; } = roomId;

    /// <summary>TimeProvider timestamp of the admission (the first-packet timeout counts from it).</summary>
    public long AdmittedAt { get; } = admittedAt;

    /// <summary>TimeProvider timestamp of the last audio received (silence timeout).</summary>
    public long LastHeardAt { get; set; }

    public TimeSpan? HandshakeRoundTrip { get; init; }

    public bool Joined => Participant is not null;

    /// <summary>Whether nobody hears the participant; kept for the join when set before it.</summary>
    public bool Muted
    {
        get;
        set
        {
            field = value;
            Participant?.Muted = value;
        }
    }

    /// <summary>Whether the participant hears itself; kept for the join when set before it.</summary>
    public bool SelfMonitor
    {
        get;
        set
        {
            field = value;
            Participant?.SelfMonitor = value;
        }
    }

    /// <summary>Frames per packet or input block; fixed at the join (a JackTrip client) or by the latest block (external).</summary>
    public int FramesPerPacket { get; protected set; }

    /// <summary>Channels the participant sends.</summary>
    public int WireChannels { get; protected set; }

    public JitterBuffer? Buffer { get; protected set; }

    public MixingRoom? Room { get; private set; }

    public MixParticipant? Participant { get; private set; }

    /// <summary>Read target when the participant sends more channels than its admission lets be mixed (only the first N are used).</summary>
    protected float[]? WideInput { get; set; }

    public OneWayDelayEstimator OneWay { get; } = new(TimeSpan.FromSeconds(5));

    public long DatagramsReceived { get; set; }

    public long DatagramsSent { get; set; }

    /// <summary>Input the transport dropped (malformed, stale, from a stranger, or its queue was full).</summary>
    public abstract long InputDropped { get; }

    /// <summary>Datagrams from a source the participant is not bound to (JackTrip only; 0 otherwise).</summary>
    public virtual long DatagramsFromStrangers => 0;

    /// <summary>Where the participant's audio comes from, for events; <c>null</c> while unknown.</summary>
    public abstract IPEndPoint? PeerEndPoint();

    /// <summary>Takes the participant in at the start of a period (registers its socket, or joins it to its room).</summary>
    public abstract void Attach(MixState state);

    /// <summary>
    /// Moves whatever audio arrived for the participant into its jitter buffer, and sets <paramref name="firstReceive"/>
    /// (a <see cref="System.Diagnostics.Stopwatch"/> timestamp) on the period's first arrival. May make the participant
    /// leave (an exit datagram, a format mismatch). Mix thread; allocation-free in steady state.
    /// </summary>
    public abstract void Receive(MixState state, ref long firstReceive);

    /// <summary>Takes the participant's personal mix of this period to it. Mix thread; allocation-free.</summary>
    public abstract void Send(int periodFrames, ulong wallMicroseconds);

    /// <summary>Makes the participant leave when its transport's timeouts say so (mix thread).</summary>
    public abstract void CheckTimeout(MixState state, long now);

    /// <summary>
    /// Releases what the transport holds (the exit datagrams when <paramref name="sendExit"/>, the socket, the slot; or
    /// tells the external transport it is gone). Called once, by <see cref="MixState.Leave"/> or for an attachment the
    /// mix thread never took in.
    /// </summary>
    public abstract void Release(MixState state, bool sendExit);

    /// <summary>
    /// Makes the participant receive <paramref name="sourceId"/>'s channels unmixed in place of its personal mix
    /// (<see cref="SetPassthrough"/>), or with <c>null</c> its mix again. Command path (may allocate, once).
    /// </summary>
    /// <returns><see cref="CommandRefusal.PassthroughNotSupported"/> unless the transport can carry unmixed channels.</returns>
    public virtual CommandRefusal SetPassthrough(int? sourceId, int periodFrames) => CommandRefusal.PassthroughNotSupported;

    /// <summary>Puts the participant into <paramref name="room"/> as <paramref name="participant"/>, with its mute and monitor settings.</summary>
    protected void JoinRoom(MixingRoom room, MixParticipant participant)
    {
        Room = room;
        Participant = participant;
        participant.Muted = Muted;
        participant.SelfMonitor = SelfMonitor;
    }

    /// <summary>Reads one period from the jitter buffer into the mixer's input (mix thread; allocation-free).</summary>
    public void ReadInput(int periodFrames, long readAt)
    {
        var participant = Participant;
        if (participant is null)
        {
            return;
        }
        var buffer = Buffer;
        if (buffer is null)
        {
            participant.HasInput = false;
            return;
        }
        if (WideInput is { } wide)
        {
            buffer.Read(wide, periodFrames, readAt);
            wide.AsSpan(0, participant.Input.Length).CopyTo(participant.Input);
        }
        else
        {
            buffer.Read(participant.Input, periodFrames, readAt);
        }
        // Concealment and the silence before playing are part of the input too (they fade, never click).
        participant.HasInput = true;
        Level.Add(participant.Input);
    }

    /// <summary>The participant's figures at this moment (statistics tick; allocates).</summary>
    public ParticipantSnapshot Snapshot(int sampleRate, int periodFrames)
    {
        var jitter = Buffer?.Statistics ?? default;
        var oneWay = OneWay.Estimate;
        var bufferDelay = TimeSpan.FromSeconds((double)jitter.DepthFrames / sampleRate);
        var roundTrip = oneWay is { } o ? o * 2 : HandshakeRoundTrip;
        TimeSpan? upstream = roundTrip is { } r
            ? (r / 2) + bufferDelay + TimeSpan.FromSeconds((double)periodFrames / sampleRate)
            : null;
        var latency = new LatencyEstimate(
            oneWay,
            TimeSpan.FromMicroseconds(jitter.JitterMicroseconds),
            bufferDelay,
            HandshakeRoundTrip,
            roundTrip,
            upstream);
        return new ParticipantSnapshot(ParticipantId, RoomId, ClientName, DatagramsReceived, InputDropped, DatagramsSent, jitter, latency)
        {
            DatagramsFromStrangers = DatagramsFromStrangers,
            ExternalPath = ExternalPath,
        };
    }

    /// <summary>Where an external participant's audio waits in the engine's hand-overs; <c>null</c> for JackTrip clients.</summary>
    protected virtual ExternalPathTimes? ExternalPath => null;
}
