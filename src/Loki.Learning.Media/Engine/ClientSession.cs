using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// One participant's state: for a JackTrip client its UDP socket, where it sends from, its jitter buffer, its place in
/// a room and its outgoing stream; for an external participant (<see cref="External"/>, a browser) the queues to its
/// transport instead of a socket. Created on the handshake path (or by <see cref="MediaEngine.AttachExternal"/>), then
/// owned by the mix thread alone. Everything the per-period path needs is allocated when the participant joins (or an
/// external stream changes its block size), never per packet.
/// </summary>
internal sealed class ClientSession
{
    public ClientSession(int participantId, int slot, string clientName, string roomId, int? channelsOverride, Socket socket, int udpPort, long admittedAt, InputLevelMeter level)
    {
        Level = level;
        ParticipantId = participantId;
        Slot = slot;
        ClientName = clientName;
        RoomId = roomId;
        ChannelsOverride = channelsOverride;
        Socket = socket;
        UdpPort = udpPort;
        AdmittedAt = admittedAt;
        var family = socket.AddressFamily;
        ReceiveAddress = new SocketAddress(family, SocketAddress.GetMaximumAddressSize(family));
    }

    /// <summary>An external participant: no socket and no slot; audio comes and goes through <paramref name="external"/>.</summary>
    public ClientSession(ExternalParticipant external, string clientName, string roomId, IPEndPoint remoteEndPoint, long admittedAt)
    {
        External = external;
        ExternalEndPoint = remoteEndPoint;
        ParticipantId = external.ParticipantId;
        Slot = -1;
        ClientName = clientName;
        RoomId = roomId;
        ChannelsOverride = external.Channels;
        AdmittedAt = admittedAt;
        Level = external.Level;
        ReceiveAddress = new SocketAddress(AddressFamily.InterNetwork);
    }

    /// <summary>Set for a participant attached with <see cref="MediaEngine.AttachExternal"/>; <c>null</c> for JackTrip clients.</summary>
    public ExternalParticipant? External { get; }

    /// <summary>The address reported for an external participant (a placeholder unless the transport gave one).</summary>
    public IPEndPoint? ExternalEndPoint { get; }

    /// <summary>Peak and RMS of the participant's input, fed by the mix thread, read by meters.</summary>
    public InputLevelMeter Level { get; }

    public int ParticipantId { get; }

    public int Slot { get; }

    public string ClientName { get; }

    public string RoomId { get; }

    public int? ChannelsOverride { get; }

    /// <summary>The client's UDP socket; <c>null</c> for an external participant.</summary>
    public Socket? Socket { get; }

    public int UdpPort { get; }

    /// <summary>TimeProvider timestamp of the handshake (first-packet timeout).</summary>
    public long AdmittedAt { get; }

    /// <summary>TimeProvider timestamp of the last datagram (silence timeout).</summary>
    public long LastHeardAt { get; set; }

    public TimeSpan? HandshakeRoundTrip { get; init; }

    /// <summary>
    /// The descriptor of <see cref="Socket"/> while the mix thread's poller watches it (the portable receive then
    /// skips it), else -1.
    /// </summary>
    public int WatchedDescriptor { get; set; } = -1;

    /// <summary>Filled by every ReceiveFrom; compared with <see cref="Peer"/>.</summary>
    public SocketAddress ReceiveAddress { get; }

    /// <summary>Source of the first datagram: the only address audio is accepted from and sent to.</summary>
    public SocketAddress? Peer { get; set; }

    public byte[] ReceiveBuffer { get; } = new byte[JackTripDatagram.MaxDatagramLength + 1];

    public bool Joined => Participant is not null;

    public bool Muted { get; set; }

    public bool SelfMonitor { get; set; }

    // Stream shape, fixed at the join.
    public int FramesPerPacket { get; private set; }

    public int WireChannels { get; private set; }

    public int WantedChannels { get; private set; }

    public JitterBuffer? Buffer { get; private set; }

    public MixingRoom? Room { get; private set; }

    public MixParticipant? Participant { get; private set; }

    public float[] Decoded { get; private set; } = [];

    /// <summary>Read target when the client sends more channels than are mixed (only the first two are used).</summary>
    public float[]? WideInput { get; private set; }

    public PlanarFifo? Output { get; private set; }

    public JackTripPacketEncoder? Encoder { get; private set; }

    public float[] PacketAudio { get; private set; } = [];

    public byte[] SendBuffer { get; private set; } = [];

    public byte[] ExitDatagram { get; } = CreateExit();

    public OneWayDelayEstimator OneWay { get; } = new(TimeSpan.FromSeconds(5));

    public long DatagramsReceived { get; set; }

    public long DatagramsRejected { get; set; }

    public long DatagramsSent { get; set; }

    public long RejectedSinceReport { get; set; }

    public JackTripError LastRejection { get; set; }

    public long LastRejectionReportAt { get; set; }

    public void Join(in JackTripHeader header, MixingRoom room, MixParticipant participant, int periodFrames, JitterBufferOptions jitterOptions, int sampleRate, int bitsPerSample)
    {
        FramesPerPacket = header.SamplesPerChannel;
        WireChannels = header.AudioChannels;
        WantedChannels = header.ChannelsWanted;
        Room = room;
        Participant = participant;
        participant.Muted = Muted;
        participant.SelfMonitor = SelfMonitor;
        if (WireChannels > 0)
        {
            Buffer = new JitterBuffer(WireChannels, FramesPerPacket, jitterOptions);
            Decoded = new float[WireChannels * FramesPerPacket];
            if (WireChannels > participant.InputChannels)
            {
                WideInput = new float[WireChannels * periodFrames];
            }
        }
        Output = new PlanarFifo(participant.OutputChannels, FramesPerPacket + periodFrames);
        if (WantedChannels > 0)
        {
            // The hub's packets carry the channels the client wants and ask for the channels it sends.
            Encoder = new JackTripPacketEncoder(sampleRate, bitsPerSample, FramesPerPacket, WantedChannels, WireChannels);
            PacketAudio = new float[WantedChannels * FramesPerPacket];
            SendBuffer = new byte[Encoder.MaxDatagramLength];
        }
    }

    /// <summary>
    /// Joins an external participant to its room. Its jitter buffer is created by the first input block
    /// (<see cref="StartExternalStream"/>), whose frame count fixes the packet size.
    /// </summary>
    public void JoinExternal(MixingRoom room, MixParticipant participant)
    {
        WireChannels = participant.InputChannels;
        WantedChannels = participant.OutputChannels;
        Room = room;
        Participant = participant;
        participant.Muted = Muted;
        participant.SelfMonitor = SelfMonitor;
    }

    /// <summary>(Re)creates an external participant's jitter buffer for blocks of <paramref name="framesPerBlock"/> frames.</summary>
    public void StartExternalStream(int framesPerBlock, JitterBufferOptions jitterOptions)
    {
        FramesPerPacket = framesPerBlock;
        Buffer = new JitterBuffer(WireChannels, framesPerBlock, jitterOptions);
    }

    public IPEndPoint? PeerEndPoint()
    {
        if (ExternalEndPoint is not null)
        {
            return ExternalEndPoint;
        }
        if (Peer is null || Socket is null)
        {
            return null;
        }
        var template = Socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        return (IPEndPoint)template.Create(Peer);
    }

    public static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    private static byte[] CreateExit()
    {
        var exit = new byte[JackTripDatagram.ExitLength];
        JackTripDatagram.WriteExit(exit);
        return exit;
    }
}
