using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// One JackTrip client's state: its UDP socket, where it sends from, its jitter buffer, its place in a room and its
/// outgoing stream. Created on the handshake path, then owned by the mix thread alone. Everything the per-period path
/// needs is allocated when the first datagram arrives (the join), never per packet.
/// </summary>
internal sealed class ClientSession
{
    public ClientSession(int participantId, int slot, string clientName, string roomId, int? channelsOverride, Socket socket, int udpPort, long admittedAt)
    {
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

    public int ParticipantId { get; }

    public int Slot { get; }

    public string ClientName { get; }

    public string RoomId { get; }

    public int? ChannelsOverride { get; }

    public Socket Socket { get; }

    public int UdpPort { get; }

    /// <summary>TimeProvider timestamp of the handshake (first-packet timeout).</summary>
    public long AdmittedAt { get; }

    /// <summary>TimeProvider timestamp of the last datagram (silence timeout).</summary>
    public long LastHeardAt { get; set; }

    public TimeSpan? HandshakeRoundTrip { get; init; }

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

    public IPEndPoint? PeerEndPoint()
    {
        if (Peer is null)
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
