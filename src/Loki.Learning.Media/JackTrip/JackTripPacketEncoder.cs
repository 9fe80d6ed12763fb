namespace Loki.Learning.Media.JackTrip;

/// <summary>
/// Builds the outgoing datagrams of one JackTrip stream (a client's uplink or the hub's reply to one client):
/// keeps one monotonic sequence number per stream and, with redundancy N, appends the previous N-1 packets
/// (newest first). Preallocates everything in the constructor; <see cref="Encode"/> does not allocate.
/// Not thread-safe: one stream, one writer.
/// </summary>
public sealed class JackTripPacketEncoder
{
    private readonly byte[] _history;
    private readonly JackTripHeader _template;
    private int _packetsInHistory;
    private ushort _nextSequence;

    /// <summary>Creates an encoder for a fixed stream shape.</summary>
    /// <param name="sampleRate">A rate JackTrip has a code for (48000 normally).</param>
    /// <param name="bitsPerSample">8, 16, 24 or 32.</param>
    /// <param name="framesPerPacket">Samples per channel in each packet (the sender's period).</param>
    /// <param name="channels">Channels carried in each packet (0 = a listen-only sender).</param>
    /// <param name="channelsWanted">Channels the sender wants to receive.</param>
    /// <param name="redundancy">Packets per datagram, newest first (JackTrip's <c>-r</c>), 1..16.</param>
    /// <param name="firstSequenceNumber">Sequence number of the first packet.</param>
    public JackTripPacketEncoder(int sampleRate, int bitsPerSample, int framesPerPacket, int channels, int channelsWanted, int redundancy = 1, ushort firstSequenceNumber = 0)
    {
        if (!JackTripHeader.TryGetSampleRateCode(sampleRate, out var rateCode))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "JackTrip has no code for this sample rate.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, JackTripHeader.MaxChannels);
        ArgumentOutOfRangeException.ThrowIfNegative(channelsWanted);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channelsWanted, JackTripHeader.MaxChannels);
        ArgumentOutOfRangeException.ThrowIfLessThan(redundancy, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(redundancy, JackTripDatagram.MaxRedundancy);

        // The channels byte uses 255 for "none" and 0 for "same as wanted"; say it explicitly when they agree.
        var channelsCode = channels == 0 ? JackTripHeader.ChannelsNone
            : channels == channelsWanted ? JackTripHeader.ChannelsSameAsWanted
            : (byte)channels;
        _template = new JackTripHeader(0, 0, checked((ushort)framesPerPacket), rateCode, checked((byte)bitsPerSample), (byte)channelsWanted, channelsCode);
        var error = _template.Validate();
        if (error != JackTripError.None)
        {
            throw new ArgumentException(JackTripDatagram.Describe(error));
        }

        FramesPerPacket = framesPerPacket;
        Channels = channels;
        Redundancy = redundancy;
        PacketLength = _template.PacketLength;
        _history = new byte[PacketLength * redundancy];
        _nextSequence = firstSequenceNumber;
    }

    /// <summary>Samples per channel in each packet.</summary>
    public int FramesPerPacket { get; }

    /// <summary>Channels carried in each packet.</summary>
    public int Channels { get; }

    /// <summary>Packets per datagram once the history is full.</summary>
    public int Redundancy { get; }

    /// <summary>Length of one packet (header plus audio).</summary>
    public int PacketLength { get; }

    /// <summary>Largest datagram this encoder writes (<see cref="PacketLength"/> × <see cref="Redundancy"/>).</summary>
    public int MaxDatagramLength => _history.Length;

    /// <summary>Sequence number the next packet will carry.</summary>
    public ushort NextSequenceNumber => _nextSequence;

    /// <summary>Encodes the next packet and writes the datagram (this packet plus up to N-1 previous ones).</summary>
    /// <param name="planarSamples">Exactly <see cref="FramesPerPacket"/> × <see cref="Channels"/> planar samples.</param>
    /// <param name="timestampMicroseconds">Sender clock, µs since the Unix epoch.</param>
    /// <param name="destination">At least <see cref="MaxDatagramLength"/> bytes.</param>
    /// <returns>Bytes of the datagram written into <paramref name="destination"/>.</returns>
    public int Encode(ReadOnlySpan<float> planarSamples, ulong timestampMicroseconds, Span<byte> destination)
    {
        if (planarSamples.Length != FramesPerPacket * Channels)
        {
            throw new ArgumentException("Sample count does not match frames per packet × channels.", nameof(planarSamples));
        }
        if (destination.Length < MaxDatagramLength)
        {
            throw new ArgumentException("Destination is shorter than the largest datagram.", nameof(destination));
        }

        // Shift the history one packet towards the old end, then write the newest packet at the front.
        var kept = Math.Min(_packetsInHistory, Redundancy - 1);
        if (kept > 0)
        {
            _history.AsSpan(0, kept * PacketLength).CopyTo(_history.AsSpan(PacketLength));
        }
        var header = _template with { TimestampMicroseconds = timestampMicroseconds, SequenceNumber = _nextSequence };
        JackTripDatagram.TryWritePacket(header, planarSamples, _history, out _);
        _nextSequence = unchecked((ushort)(_nextSequence + 1));
        _packetsInHistory = kept + 1;

        var length = _packetsInHistory * PacketLength;
        _history.AsSpan(0, length).CopyTo(destination);
        return length;
    }

    /// <summary>Microseconds since the Unix epoch according to <paramref name="time"/> (the header's timestamp unit).</summary>
    public static ulong TimestampFrom(TimeProvider time) =>
        (ulong)((time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);
}
