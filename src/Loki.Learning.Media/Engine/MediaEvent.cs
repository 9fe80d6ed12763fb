using System.Net;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Media.Engine;

/// <summary>Something the engine reports to the control plane through <see cref="MediaEngine.Events"/>.</summary>
/// <param name="Timestamp">When it happened (the engine's <see cref="TimeProvider"/>).</param>
public abstract record MediaEvent(DateTimeOffset Timestamp);

/// <summary>A room was opened (by command or by the first admitted client).</summary>
public sealed record RoomOpened(DateTimeOffset Timestamp, string RoomId) : MediaEvent(Timestamp);

/// <summary>A room was closed.</summary>
public sealed record RoomClosed(DateTimeOffset Timestamp, string RoomId) : MediaEvent(Timestamp);

/// <summary>A client passed the handshake and got a UDP port; it joins when its first datagram arrives.</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="ParticipantId">Engine-wide id used by commands.</param>
/// <param name="RoomId">The room it was admitted into.</param>
/// <param name="ClientName">Its JackTrip name.</param>
/// <param name="UdpPort">The hub port assigned to it.</param>
/// <param name="HandshakeRoundTrip">The kernel's TCP round-trip measurement of the handshake connection, when available.</param>
public sealed record ParticipantAdmitted(DateTimeOffset Timestamp, int ParticipantId, string RoomId, string ClientName, int UdpPort, TimeSpan? HandshakeRoundTrip) : MediaEvent(Timestamp);

/// <summary>A client was refused at the handshake.</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="ClientName">The name it sent (may be empty).</param>
/// <param name="RemoteEndPoint">Its TCP address.</param>
/// <param name="Reason">Why (a constant description).</param>
public sealed record ParticipantRefused(DateTimeOffset Timestamp, string ClientName, IPEndPoint RemoteEndPoint, string Reason) : MediaEvent(Timestamp);

/// <summary>An admitted client's first datagram arrived: audio flows from now on.</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="ParticipantId">Its id.</param>
/// <param name="RoomId">Its room.</param>
/// <param name="ClientName">Its name.</param>
/// <param name="RemoteEndPoint">Source of the first datagram; the hub sends there. For an <see cref="ExternalParticipant"/>, what its transport passed to <see cref="MediaEngine.AttachExternal"/>, else the placeholder <c>0.0.0.0:0</c>.</param>
/// <param name="InputChannels">Channels it sends (0 = listen only).</param>
/// <param name="OutputChannels">Channels it wants to receive.</param>
/// <param name="FramesPerPacket">Its packet size in frames (for an external participant: the engine period, the size of its output blocks).</param>
public sealed record ParticipantJoined(DateTimeOffset Timestamp, int ParticipantId, string RoomId, string ClientName, IPEndPoint RemoteEndPoint, int InputChannels, int OutputChannels, int FramesPerPacket) : MediaEvent(Timestamp);

/// <summary>Why a participant left.</summary>
public enum LeaveReason
{
    /// <summary>It sent the exit datagrams (JackTrip), or its transport disposed it (<see cref="ExternalParticipant"/>).</summary>
    Exited,

    /// <summary>No first datagram within the first-packet timeout.</summary>
    FirstPacketTimeout,

    /// <summary>Nothing received within the silence timeout.</summary>
    SilenceTimeout,

    /// <summary>A <see cref="RemoveParticipant"/> command.</summary>
    Removed,

    /// <summary>Its room was closed.</summary>
    RoomClosed,

    /// <summary>Its sample rate or bit depth differs from the hub's.</summary>
    FormatMismatch,

    /// <summary>The room was full.</summary>
    RoomFull,

    /// <summary>The engine stopped.</summary>
    EngineStopped,
}

/// <summary>A participant left and its slot was freed.</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="ParticipantId">Its id.</param>
/// <param name="RoomId">Its room.</param>
/// <param name="ClientName">Its name.</param>
/// <param name="Reason">Why.</param>
public sealed record ParticipantLeft(DateTimeOffset Timestamp, int ParticipantId, string RoomId, string ClientName, LeaveReason Reason) : MediaEvent(Timestamp);

/// <summary>Malformed datagrams from a participant's port (reported at most once per <see cref="MediaEngineOptions.RejectionReportInterval"/>).</summary>
/// <param name="Timestamp">When it was reported.</param>
/// <param name="ParticipantId">The participant whose port received them.</param>
/// <param name="Error">The latest reason.</param>
/// <param name="Reason">Human-readable form of <paramref name="Error"/>.</param>
/// <param name="Count">Datagrams rejected since the previous report.</param>
public sealed record DatagramRejected(DateTimeOffset Timestamp, int ParticipantId, JackTripError Error, string Reason, long Count) : MediaEvent(Timestamp);

/// <summary>A command could not be applied.</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Command">The command.</param>
/// <param name="Refusal">Why, as a code (never <see cref="CommandRefusal.None"/>).</param>
public sealed record CommandRejected(DateTimeOffset Timestamp, MediaCommand Command, CommandRefusal Refusal) : MediaEvent(Timestamp);

/// <summary>
/// How the mix thread is scheduled, reported once when it starts: <paramref name="RealTime"/> when the real-time
/// priority asked for was granted, else <paramref name="Detail"/> says why not (the engine works either way, with
/// more timing jitter under load).
/// </summary>
/// <param name="Timestamp">When the mix thread started.</param>
/// <param name="RealTime">Whether the mix thread runs with real-time (SCHED_FIFO) priority.</param>
/// <param name="Priority">The priority asked for.</param>
/// <param name="Detail">What was granted, or why not.</param>
public sealed record MixThreadScheduling(DateTimeOffset Timestamp, bool RealTime, int Priority, string Detail) : MediaEvent(Timestamp);

/// <summary>Whether the mix thread was pinned to the CPU <see cref="MediaEngineOptions.MixThreadCpu"/> names.</summary>
/// <param name="Timestamp">When the mix thread asked.</param>
/// <param name="Cpu">The CPU asked for.</param>
/// <param name="Refused">Why it was not pinned, or <c>null</c> when it was.</param>
public sealed record MixThreadPinned(DateTimeOffset Timestamp, int Cpu, string? Refused) : MediaEvent(Timestamp);

/// <summary>An unexpected failure the engine survived (socket errors, a failing admission policy).</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Message">What failed.</param>
/// <param name="Exception">The exception, when there was one.</param>
public sealed record EngineError(DateTimeOffset Timestamp, string Message, Exception? Exception) : MediaEvent(Timestamp);

/// <summary>Periodic figures for one participant.</summary>
/// <param name="Timestamp">When they were taken.</param>
/// <param name="Snapshot">The figures.</param>
public sealed record ParticipantStatistics(DateTimeOffset Timestamp, ParticipantSnapshot Snapshot) : MediaEvent(Timestamp);

/// <summary>Periodic figures for one room.</summary>
/// <param name="Timestamp">When they were taken.</param>
/// <param name="RoomId">The room.</param>
/// <param name="Participants">Participants in the room.</param>
/// <param name="WorstOneWayDelay">Largest one-way estimate among its participants, when any is known.</param>
/// <param name="AddedLatency">The engine's own datagram-in to datagram-out figures.</param>
public sealed record RoomStatistics(DateTimeOffset Timestamp, string RoomId, int Participants, TimeSpan? WorstOneWayDelay, AddedLatencySnapshot AddedLatency) : MediaEvent(Timestamp);

/// <summary>Figures of one participant at one moment.</summary>
/// <param name="ParticipantId">Its id.</param>
/// <param name="RoomId">Its room.</param>
/// <param name="ClientName">Its name.</param>
/// <param name="DatagramsReceived">Audio datagrams accepted.</param>
/// <param name="DatagramsRejected">Datagrams dropped: malformed, or from a stranger (see <see cref="DatagramsFromStrangers"/>).</param>
/// <param name="DatagramsSent">Datagrams sent to it.</param>
/// <param name="JitterBuffer">Its jitter buffer's statistics (default before the first datagram).</param>
/// <param name="Latency">Latency estimates.</param>
public sealed record ParticipantSnapshot(
    int ParticipantId,
    string RoomId,
    string ClientName,
    long DatagramsReceived,
    long DatagramsRejected,
    long DatagramsSent,
    JitterBufferStatistics JitterBuffer,
    LatencyEstimate Latency)
{
    /// <summary>
    /// Datagrams that reached the participant's port from a source other than the one bound to its handshake, dropped
    /// unread (included in <see cref="DatagramsRejected"/>). A steady count means someone else is sending to the port.
    /// </summary>
    public long DatagramsFromStrangers { get; init; }

    /// <summary>
    /// For an external (browser) participant, how long its audio waited in the engine's hand-overs besides the jitter
    /// buffer (<see cref="ExternalParticipant.PathTimes"/>); <c>null</c> for JackTrip clients.
    /// </summary>
    public ExternalPathTimes? ExternalPath { get; init; }
}

/// <summary>
/// Latency estimates for one participant. See docs/protocol.md for the method.
/// </summary>
/// <param name="NetworkOneWay">Smallest (receive time − sender timestamp) over the last window: the network one-way delay when both clocks are synchronised (NTP); <c>null</c> when the figures are implausible (clocks apart).</param>
/// <param name="Jitter">Peak arrival-time variation measured by the jitter buffer.</param>
/// <param name="BufferDelay">Audio held in the participant's jitter buffer.</param>
/// <param name="HandshakeRoundTrip">The kernel's TCP round-trip time of the handshake connection, when the platform reports it.</param>
/// <param name="RoundTrip">Estimated network round trip: twice <paramref name="NetworkOneWay"/> when known, else <paramref name="HandshakeRoundTrip"/>.</param>
/// <param name="UpstreamDelay">Estimated delay from the participant's send to its audio entering the mix: one-way (or half the round trip) plus buffer delay plus one period.</param>
public readonly record struct LatencyEstimate(
    TimeSpan? NetworkOneWay,
    TimeSpan Jitter,
    TimeSpan BufferDelay,
    TimeSpan? HandshakeRoundTrip,
    TimeSpan? RoundTrip,
    TimeSpan? UpstreamDelay);

/// <summary>Distribution of the engine's added latency (a datagram read from a socket to the mixed datagrams handed to the kernel).</summary>
/// <param name="Periods">Periods measured (those in which at least one datagram arrived).</param>
/// <param name="P50">Median.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">Largest.</param>
public readonly record struct AddedLatencySnapshot(long Periods, TimeSpan P50, TimeSpan P99, TimeSpan Max);
