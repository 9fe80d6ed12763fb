using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// A JackTrip client: its own UDP socket (base port + slot), the source address bound to its handshake, its jitter
/// buffer fed by datagrams, and its outgoing stream re-blocked to its packet size. It joins its room when its first
/// acceptable datagram arrives, and leaves on the exit datagrams, a format mismatch or a timeout.
/// </summary>
internal sealed class JackTripSession : ParticipantSession
{
    private const int MaxDatagramsPerPeriod = 32;
    private const string ReceiveFailed = "Receiving from a client's port failed.";

    private readonly byte[] _exitDatagram = CreateExit();
    private long _datagramsFromStrangers;
    private long _rejectedSinceReport;
    private long _lastRejectionReportAt;
    private int _wantedChannels;
    private float[] _decoded = [];
    private PlanarFifo? _output;
    private JackTripPacketEncoder? _encoder;
    private float[] _packetAudio = [];
    private byte[] _sendBuffer = [];
    private int? _passthroughSourceId;
    private float[] _passthroughBlock = [];
    private PlanarFifo? _passthrough;

    public JackTripSession(int participantId, int slot, string clientName, string roomId, int? channelsOverride, Socket socket, int udpPort, long admittedAt, InputLevelMeter level, IPEndPoint announced)
        : base(participantId, clientName, roomId, admittedAt, level)
    {
        Slot = slot;
        ChannelsOverride = channelsOverride;
        Socket = socket;
        UdpPort = udpPort;
        var family = socket.AddressFamily;
        ReceiveAddress = new SocketAddress(family, SocketAddress.GetMaximumAddressSize(family));
        NatCandidate = new SocketAddress(family, SocketAddress.GetMaximumAddressSize(family));
        Announced = InFamily(announced, family).Serialize();
    }

    public int Slot { get; }

    public int? ChannelsOverride { get; }

    public Socket Socket { get; }

    public int UdpPort { get; }

    /// <summary>
    /// The descriptor of <see cref="Socket"/> while the mix thread's poller watches it (the portable receive then
    /// skips it), else -1.
    /// </summary>
    public int WatchedDescriptor { get; set; } = -1;

    /// <summary>Filled by every receive; compared with <see cref="Peer"/>.</summary>
    public SocketAddress ReceiveAddress { get; }

    /// <summary>
    /// The source the session is bound to: the handshake's IP address and the UDP port the client announced there,
    /// or the NAT candidate adopted in its place (see <see cref="TryBindSource"/>). The only address audio is accepted
    /// from and sent to; <c>null</c> until the first datagram from an acceptable source.
    /// </summary>
    public SocketAddress? Peer { get; private set; }

    /// <summary>The handshake's IP address with the UDP port the client announced in it, in the socket's family.</summary>
    public SocketAddress Announced { get; }

    /// <summary>
    /// The first source from the handshake's IP address but another port (a client behind NAT), held until
    /// <see cref="MediaEngineOptions.NatAdoptionDelay"/> has passed; valid when <see cref="NatCandidateSince"/> is not 0.
    /// Preallocated so that holding one never allocates.
    /// </summary>
    public SocketAddress NatCandidate { get; }

    /// <summary>TimeProvider timestamp of the NAT candidate's first datagram; 0 while there is none.</summary>
    public long NatCandidateSince { get; private set; }

    /// <summary>
    /// Two different ports of the handshake's address spoke before the announced port did: the hub cannot tell which is
    /// the client, so it adopts neither (only the announced port can still claim the session).
    /// </summary>
    public bool NatAmbiguous { get; private set; }

    public byte[] ReceiveBuffer { get; } = new byte[JackTripDatagram.MaxDatagramLength + 1];

    public long DatagramsRejected { get; private set; }

    /// <inheritdoc />
    public override long InputDropped => DatagramsRejected;

    /// <inheritdoc />
    public override long DatagramsFromStrangers => _datagramsFromStrangers;

    /// <inheritdoc />
    public override IPEndPoint? PeerEndPoint()
    {
        if (Peer is null)
        {
            return null;
        }
        var template = Socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        return (IPEndPoint)template.Create(Peer);
    }

    /// <inheritdoc />
    public override void Attach(MixState state) => state.Udp?.Watch(this);

    /// <summary>
    /// The portable receive, for a socket the poller does not watch (<see cref="MediaEngineOptions.PortableReceive"/>,
    /// or no <c>epoll</c>); watched sockets are read by <see cref="UdpReceiver.ReceiveReady"/> before this is called.
    /// </summary>
    public override void Receive(MixState state, ref long firstReceive)
    {
        if (WatchedDescriptor >= 0)
        {
            return;
        }
        for (var count = 0; count < MaxDatagramsPerPeriod; count++)
        {
            int length;
            try
            {
                // Poll, not Available: a zero-length datagram is readable but has nothing "available", and would
                // otherwise sit at the head of the queue for ever.
                if (!Socket.Poll(0, SelectMode.SelectRead))
                {
                    return;
                }
                length = Socket.ReceiveFrom(ReceiveBuffer, SocketFlags.None, ReceiveAddress);
            }
            catch (SocketException exception)
            {
                state.Report(new EngineError(state.Time.GetUtcNow(), ReceiveFailed, exception));
                return;
            }
            if (!Arrived(state, length, ref firstReceive))
            {
                return; // the session left
            }
        }
    }

    /// <summary>Handles the datagram just read into <see cref="ReceiveBuffer"/>.</summary>
    /// <returns><c>false</c> when the session left.</returns>
    public bool Arrived(MixState state, int length, ref long firstReceive)
    {
        if (firstReceive == 0)
        {
            firstReceive = Stopwatch.GetTimestamp();
        }
        // Read the clocks per datagram: a preempted period must not distort arrival times or the one-way delay.
        var now = state.Time.GetTimestamp();
        var wallMicroseconds = (long)JackTripPacketEncoder.TimestampFrom(state.Time);
        return HandleDatagram(state, ReceiveBuffer.AsSpan(0, length), now, wallMicroseconds);
    }

    /// <returns><c>false</c> when the session left.</returns>
    private bool HandleDatagram(MixState state, ReadOnlySpan<byte> datagram, long now, long wallMicroseconds)
    {
        var options = state.Options;
        var fromPeer = Peer is null ? TryBindSource(state, now) : ReceiveAddress.Equals(Peer);
        if (!fromPeer)
        {
            // Not the client that made the handshake: dropped before any parsing, counted, never answered.
            _datagramsFromStrangers++;
            Reject(state, JackTripError.UnknownSource, now);
            return true;
        }
        if (JackTripDatagram.IsExit(datagram))
        {
            state.Leave(this, LeaveReason.Exited, sendExit: true);
            return false;
        }

        var error = JackTripDatagram.TryParse(datagram, out var info);
        if (error != JackTripError.None)
        {
            Reject(state, error, now);
            return true;
        }
        var header = info.Newest;
        if (header.SampleRate != options.SampleRate || header.BitsPerSample != options.BitsPerSample)
        {
            Reject(state, JackTripError.FormatMismatch, now);
            state.Leave(this, LeaveReason.FormatMismatch, sendExit: true);
            return false;
        }

        if (!Joined)
        {
            if (!TryJoin(state, header))
            {
                return false;
            }
        }
        else if (header.SamplesPerChannel != FramesPerPacket || header.AudioChannels != WireChannels)
        {
            Reject(state, JackTripError.StreamShapeChanged, now);
            return true;
        }

        LastHeardAt = now;
        DatagramsReceived++;
        OneWay.Add(header.TimestampMicroseconds, wallMicroseconds);
        var buffer = Buffer;
        if (buffer is not null)
        {
            // Oldest copy first so a recovered packet fills its gap before the newest one arrives.
            for (var copy = info.Redundancy - 1; copy >= 0; copy--)
            {
                if (copy > 0 && buffer.Holds(info.SequenceAt(copy)))
                {
                    continue; // a redundant copy of a packet already buffered: skip the decode
                }
                JackTripSampleCodec.Decode(info.PayloadAt(datagram, copy), header.BitsPerSample, _decoded);
                buffer.Insert(info.SequenceAt(copy), _decoded, now, measureArrival: copy == 0);
            }
        }
        return true;
    }

    /// <summary>
    /// Decides whether the datagram just received may become the session's source (its <see cref="Peer"/>), and binds
    /// the session to it if so. The session belongs to whoever made its handshake:
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
    private bool TryBindSource(MixState state, long now)
    {
        var received = ReceiveAddress;
        if (SameEndPoint(received, Announced))
        {
            Peer = Copy(received);
            return true;
        }
        if (!SameHost(received, Announced))
        {
            return false;
        }
        if (NatCandidateSince == 0)
        {
            CopyInto(received, NatCandidate);
            NatCandidateSince = now;
            return false;
        }
        if (!received.Equals(NatCandidate))
        {
            NatAmbiguous = true;
            return false;
        }
        if (NatAmbiguous || state.Time.GetElapsedTime(NatCandidateSince, now) < state.Options.NatAdoptionDelay)
        {
            return false;
        }
        Peer = Copy(received);
        return true;
    }

    /// <summary>Joins the room on the first datagram, whose header fixes the stream's shape (allocates, once).</summary>
    /// <returns><c>false</c> when the room was full and the session left.</returns>
    private bool TryJoin(MixState state, in JackTripHeader header)
    {
        var options = state.Options;
        var wire = header.AudioChannels;
        // Every channel the client sends is mixed (the header parser refuses more than 16), unless its admission
        // named fewer: then its first N.
        var mixedChannels = Math.Min(ChannelsOverride ?? MixParticipant.MaxInputChannels, MixParticipant.MaxInputChannels);
        var inputChannels = wire == 0 ? 0 : Math.Min(wire, mixedChannels);
        var outputChannels = Math.Clamp((int)header.ChannelsWanted, 1, 2);
        var room = state.Rooms.Open(RoomId);
        var participant = room.AddParticipant(ParticipantId, inputChannels, outputChannels);
        if (participant is null)
        {
            state.Leave(this, LeaveReason.RoomFull, sendExit: true);
            return false;
        }
        FramesPerPacket = header.SamplesPerChannel;
        WireChannels = wire;
        _wantedChannels = header.ChannelsWanted;
        JoinRoom(room, participant);
        if (WireChannels > 0)
        {
            Buffer = new JitterBuffer(WireChannels, FramesPerPacket, state.JitterOptions);
            _decoded = new float[WireChannels * FramesPerPacket];
            if (WireChannels > participant.InputChannels)
            {
                WideInput = new float[WireChannels * options.PeriodFrames];
            }
        }
        _output = new PlanarFifo(participant.OutputChannels, FramesPerPacket + options.PeriodFrames);
        if (_wantedChannels > 0)
        {
            // The hub's packets carry the channels the client wants and ask for the channels it sends.
            _encoder = new JackTripPacketEncoder(options.SampleRate, options.BitsPerSample, FramesPerPacket, _wantedChannels, WireChannels);
            _packetAudio = new float[_wantedChannels * FramesPerPacket];
            _sendBuffer = new byte[_encoder.MaxDatagramLength];
        }
        state.Joined(this, wire, header.ChannelsWanted, header.SamplesPerChannel);
        return true;
    }

    /// <inheritdoc />
    public override void Send(int periodFrames, ulong wallMicroseconds)
    {
        var participant = Participant;
        var output = _output;
        if (participant is null || output is null)
        {
            return;
        }
        var encoder = _encoder;
        if (encoder is null)
        {
            return; // a send-only client wants nothing back
        }
        if (_passthrough is { } passthrough && _passthroughSourceId is { } sourceId)
        {
            FillPassthrough(sourceId, periodFrames);
            passthrough.TryWrite(_passthroughBlock, periodFrames);
            SendPackets(encoder, passthrough, wallMicroseconds);
            return;
        }
        output.TryWrite(participant.Output, periodFrames);
        SendPackets(encoder, output, wallMicroseconds);
    }

    /// <inheritdoc />
    public override CommandRefusal SetPassthrough(int? sourceId, int periodFrames)
    {
        if (_encoder is null)
        {
            return CommandRefusal.PassthroughNotSupported; // it asked to receive nothing
        }
        if (sourceId is not null && _passthrough is null)
        {
            // Allocated once, on the command path: the source's channels re-blocked to this client's packet size.
            _passthroughBlock = new float[_wantedChannels * periodFrames];
            _passthrough = new PlanarFifo(_wantedChannels, FramesPerPacket + periodFrames);
        }
        _passthroughSourceId = sourceId;
        // Neither stream may carry a partial packet of the other, nor channels 3.. of a passthrough into a mix.
        _output?.Clear();
        _passthrough?.Clear();
        _packetAudio.AsSpan().Clear();
        return CommandRefusal.None;
    }

    /// <summary>
    /// This period of the passthrough source, channel k to channel k, into <see cref="_passthroughBlock"/>: silence for
    /// channels it does not send and while it is absent, muted or has no input. Allocation-free (a linear find).
    /// </summary>
    private void FillPassthrough(int sourceId, int periodFrames)
    {
        var block = _passthroughBlock.AsSpan();
        block.Clear();
        if (Room?.Find(sourceId) is { HasInput: true, Muted: false } source)
        {
            var channels = Math.Min(_wantedChannels, source.InputChannels);
            source.Input[..(channels * periodFrames)].CopyTo(block);
        }
    }

    private void SendPackets(JackTripPacketEncoder encoder, PlanarFifo fifo, ulong wallMicroseconds)
    {
        while (fifo.TryRead(_packetAudio, FramesPerPacket))
        {
            var length = encoder.Encode(_packetAudio, wallMicroseconds, _sendBuffer);
            try
            {
                Socket.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, Peer!);
                DatagramsSent++;
            }
            catch (SocketException)
            {
                // A full send buffer or an unreachable peer: drop this packet; the silence timeout handles a dead peer.
            }
        }
    }

    /// <inheritdoc />
    public override void CheckTimeout(MixState state, long now)
    {
        if (!Joined && Peer is null)
        {
            if (state.Time.GetElapsedTime(AdmittedAt, now) > state.Options.FirstPacketTimeout)
            {
                state.Leave(this, LeaveReason.FirstPacketTimeout, sendExit: false);
            }
        }
        else if (state.Time.GetElapsedTime(LastHeardAt, now) > state.Options.SilenceTimeout)
        {
            state.Leave(this, LeaveReason.SilenceTimeout, sendExit: true);
        }
    }

    /// <inheritdoc />
    public override void Release(MixState state, bool sendExit)
    {
        if (sendExit && Peer is not null)
        {
            // The protocol sends the exit datagram twice, in case one is lost.
            for (var i = 0; i < 2; i++)
            {
                try
                {
                    Socket.SendTo(_exitDatagram, SocketFlags.None, Peer);
                }
                catch (SocketException)
                {
                    break;
                }
            }
        }
        state.Udp?.Forget(this);
        WatchedDescriptor = -1;
        Socket.Dispose();
        state.Admissions.Slots.Release(Slot);
    }

    private void Reject(MixState state, JackTripError error, long now)
    {
        DatagramsRejected++;
        _rejectedSinceReport++;
        if (_lastRejectionReportAt == 0 || now - _lastRejectionReportAt >= state.RejectionReportTicks)
        {
            _lastRejectionReportAt = now;
            state.Report(new DatagramRejected(state.Time.GetUtcNow(), ParticipantId, error, JackTripDatagram.Describe(error), _rejectedSinceReport));
            _rejectedSinceReport = 0;
        }
    }

    /// <summary>Same IP address (the port is not compared). Reads the raw sockaddr bytes: no allocation.</summary>
    private static bool SameHost(SocketAddress a, SocketAddress b)
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
    private static bool SameEndPoint(SocketAddress a, SocketAddress b) =>
        SameHost(a, b) && a.Buffer.Span.Slice(2, 2).SequenceEqual(b.Buffer.Span.Slice(2, 2));

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (of the same family) without allocating.</summary>
    private static void CopyInto(SocketAddress source, SocketAddress destination)
    {
        source.Buffer.Span[..source.Size].CopyTo(destination.Buffer.Span);
        destination.Size = source.Size;
    }

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
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

    private static byte[] CreateExit()
    {
        var exit = new byte[JackTripDatagram.ExitLength];
        JackTripDatagram.WriteExit(exit);
        return exit;
    }
}
