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
    public ClientSession(int participantId, int slot, string clientName, string roomId, int? channelsOverride, Socket socket, int udpPort, long admittedAt, InputLevelMeter level, IPEndPoint announced)
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
        NatCandidate = new SocketAddress(family, SocketAddress.GetMaximumAddressSize(family));
        Announced = InFamily(announced, family).Serialize();
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
        Announced = ReceiveAddress;
        NatCandidate = ReceiveAddress;
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

    /// <summary>
    /// The source the session is bound to: the handshake's IP address and the UDP port the client announced there,
    /// or the NAT candidate adopted in its place (see <see cref="MixThread"/>). The only address audio is accepted from
    /// and sent to; <c>null</c> until the first datagram from an acceptable source.
    /// </summary>
    public SocketAddress? Peer { get; set; }

    /// <summary>The handshake's IP address with the UDP port the client announced in it, in the socket's family.</summary>
    public SocketAddress Announced { get; }

    /// <summary>
    /// The first source from the handshake's IP address but another port (a client behind NAT), held until
    /// <see cref="MediaEngineOptions.NatAdoptionDelay"/> has passed; valid when <see cref="NatCandidateSince"/> is not 0.
    /// Preallocated so that holding one never allocates.
    /// </summary>
    public SocketAddress NatCandidate { get; }

    /// <summary>TimeProvider timestamp of the NAT candidate's first datagram; 0 while there is none.</summary>
    public long NatCandidateSince { get; set; }

    /// <summary>
    /// Two different ports of the handshake's address spoke before the announced port did: the hub cannot tell which is
    /// the client, so it adopts neither (only the announced port can still claim the session).
    /// </summary>
    public bool NatAmbiguous { get; set; }

    /// <summary>Datagrams dropped because they came from a source the session is not bound to.</summary>
    public long DatagramsFromStrangers { get; set; }

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

    /// <summary>Same IP address (the port is not compared). Reads the raw sockaddr bytes: no allocation.</summary>
    public static bool SameHost(SocketAddress a, SocketAddress b)
    {
        if (a.Family != b.Family)
        {
            return false;
        }
        // sockaddr_in: family 2, port 2, address 4; sockaddr_in6: family 2, port 2, flow 4, address 16.
        var (offset, length) = a.Family == AddressFamily.InterNetworkV6 ? (8, 16) : (4, 4);
        return a.Size >= offset + length && b.Size >= offset + length
            && a.Buffer.Span.Slice(offset, length).SequenceEqual(b.Buffer.Span.Slice(offset, length));
    }

    /// <summary>Same IP address and port; flow and scope fields are ignored. No allocation.</summary>
    public static bool SameEndPoint(SocketAddress a, SocketAddress b) =>
        SameHost(a, b) && a.Buffer.Span.Slice(2, 2).SequenceEqual(b.Buffer.Span.Slice(2, 2));

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (of the same family) without allocating.</summary>
    public static void CopyInto(SocketAddress source, SocketAddress destination)
    {
        source.Buffer.Span[..source.Size].CopyTo(destination.Buffer.Span);
        destination.Size = source.Size;
    }

    /// <summary>An endpoint in the address family of the socket that compares against it (IPv4-mapped when needed).</summary>
    private static IPEndPoint InFamily(IPEndPoint endPoint, AddressFamily family)
    {
        if (family == AddressFamily.InterNetworkV6 && endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            return new IPEndPoint(endPoint.Address.MapToIPv6(), endPoint.Port);
        }
        if (family == AddressFamily.InterNetwork && endPoint.Address.IsIPv4MappedToIPv6)
        {
            return new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port);
        }
        return endPoint;
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
