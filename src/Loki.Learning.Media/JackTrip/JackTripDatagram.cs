namespace Loki.Learning.Media.JackTrip;

/// <summary>
/// Validates and builds JackTrip UDP datagrams: audio datagrams (one or more whole packets, newest first, when the
/// sender uses redundancy) and the 63-byte exit datagram. Every length is checked before any buffer is touched.
/// </summary>
public static class JackTripDatagram
{
    /// <summary>Length of the exit datagram; every byte is 0xFF.</summary>
    public const int ExitLength = 63;

    /// <summary>Largest UDP payload over IPv4; anything longer cannot be a real datagram.</summary>
    public const int MaxDatagramLength = 65507;

    /// <summary>Largest redundancy factor (<c>-r N</c>) we accept.</summary>
    public const int MaxRedundancy = 16;

    /// <summary>Returns <c>true</c> when <paramref name="datagram"/> is exactly 63 bytes of 0xFF.</summary>
    public static bool IsExit(ReadOnlySpan<byte> datagram) =>
        datagram.Length == ExitLength && !datagram.ContainsAnyExcept((byte)0xFF);

    /// <summary>Writes an exit datagram into <paramref name="destination"/>.</summary>
    /// <returns>Bytes written (63), or -1 when the destination is too small.</returns>
    public static int WriteExit(Span<byte> destination)
    {
        if (destination.Length < ExitLength)
        {
            return -1;
        }
        destination[..ExitLength].Fill(0xFF);
        return ExitLength;
    }

    /// <summary>
    /// Validates an audio datagram: a valid header, a length that is a whole number N of packets of the length the
    /// header describes, and N-1 redundant copies that share the newest packet's format with consecutively
    /// decreasing sequence numbers.
    /// </summary>
    /// <param name="datagram">The received bytes.</param>
    /// <param name="info">Shape of the datagram when the result is <see cref="JackTripError.None"/>.</param>
    /// <returns><see cref="JackTripError.None"/> or the first reason the datagram is malformed.</returns>
    public static JackTripError TryParse(ReadOnlySpan<byte> datagram, out JackTripDatagramInfo info)
    {
        info = default;
        if (datagram.Length > MaxDatagramLength)
        {
            return JackTripError.DatagramTooLarge;
        }
        var error = JackTripHeader.TryRead(datagram, out var newest);
        if (error != JackTripError.None)
        {
            return error;
        }

        var packetLength = newest.PacketLength;
        if (datagram.Length % packetLength != 0)
        {
            return JackTripError.LengthMismatch;
        }
        var redundancy = datagram.Length / packetLength;
        if (redundancy > MaxRedundancy)
        {
            return JackTripError.RedundancyMismatch;
        }

        for (var copy = 1; copy < redundancy; copy++)
        {
            error = JackTripHeader.TryRead(datagram[(copy * packetLength)..], out var older);
            if (error != JackTripError.None)
            {
                return JackTripError.RedundancyMismatch;
            }
            var expectedSequence = unchecked((ushort)(newest.SequenceNumber - copy));
            if (older.SequenceNumber != expectedSequence
                || older.SamplesPerChannel != newest.SamplesPerChannel
                || older.SampleRateCode != newest.SampleRateCode
                || older.BitsPerSample != newest.BitsPerSample
                || older.AudioChannels != newest.AudioChannels)
            {
                return JackTripError.RedundancyMismatch;
            }
        }

        info = new JackTripDatagramInfo(newest, packetLength, redundancy);
        return JackTripError.None;
    }

    /// <summary>
    /// Encodes one packet: writes <paramref name="header"/> and the planar samples in its bit depth.
    /// The number of samples must equal <c>SamplesPerChannel × AudioChannels</c> of the header.
    /// </summary>
    /// <param name="header">The header to send; it is validated first.</param>
    /// <param name="planarSamples">All frames of channel 0, then channel 1, …</param>
    /// <param name="destination">Receives exactly <see cref="JackTripHeader.PacketLength"/> bytes.</param>
    /// <param name="bytesWritten">The packet length on success, otherwise 0.</param>
    /// <returns><see cref="JackTripError.None"/> or the reason nothing was written.</returns>
    public static JackTripError TryWritePacket(in JackTripHeader header, ReadOnlySpan<float> planarSamples, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        var error = header.Validate();
        if (error != JackTripError.None)
        {
            return error;
        }
        if (planarSamples.Length != header.SamplesPerChannel * header.AudioChannels)
        {
            return JackTripError.LengthMismatch;
        }
        var length = header.PacketLength;
        if (destination.Length < length)
        {
            return JackTripError.DestinationTooSmall;
        }
        header.TryWrite(destination);
        JackTripSampleCodec.Encode(planarSamples, header.BitsPerSample, destination[JackTripHeader.Size..length]);
        bytesWritten = length;
        return JackTripError.None;
    }

    /// <summary>Returns a human-readable reason for an error code (a constant string, safe to use anywhere).</summary>
    public static string Describe(JackTripError error) => error switch
    {
        JackTripError.None => "valid",
        JackTripError.ShorterThanHeader => "datagram shorter than the 16-byte header",
        JackTripError.UnknownSampleRateCode => "unknown sample-rate code",
        JackTripError.UnsupportedBitDepth => "bits per sample not 8, 16, 24 or 32",
        JackTripError.InvalidSamplesPerChannel => "samples per channel zero or too large",
        JackTripError.TooManyChannels => "too many channels",
        JackTripError.LengthMismatch => "length is not a whole number of packets of the size the header describes",
        JackTripError.RedundancyMismatch => "redundant packets disagree with the newest packet",
        JackTripError.DatagramTooLarge => "datagram too large",
        JackTripError.FormatMismatch => "sample rate or bit depth differs from the hub's",
        JackTripError.DestinationTooSmall => "destination buffer too small",
        JackTripError.HandshakeLengthInvalid => "handshake message is neither 4 nor 68 bytes",
        JackTripError.HandshakePortInvalid => "handshake port is neither a UDP port nor an authentication code",
        JackTripError.HandshakeNameNotTerminated => "client name has no terminating NUL",
        JackTripError.HandshakeNameNotUtf8 => "client name is not valid UTF-8",
        JackTripError.HandshakeNameTooLong => "client name longer than 63 bytes",
        JackTripError.StreamShapeChanged => "packet size or channel count changed mid-stream",
        JackTripError.UnknownSource => "datagram from an address other than the client's",
        _ => "unknown error",
    };
}

/// <summary>Shape of a validated audio datagram.</summary>
/// <param name="Newest">Header of the first (newest) packet in the datagram.</param>
/// <param name="PacketLength">Length of each packet, header included.</param>
/// <param name="Redundancy">Number of whole packets in the datagram (1 without redundancy), newest first.</param>
public readonly record struct JackTripDatagramInfo(JackTripHeader Newest, int PacketLength, int Redundancy)
{
    /// <summary>Sequence number of the packet at <paramref name="index"/> (0 = newest).</summary>
    public ushort SequenceAt(int index) => unchecked((ushort)(Newest.SequenceNumber - index));

    /// <summary>The audio payload (no header) of the packet at <paramref name="index"/> (0 = newest).</summary>
    public ReadOnlySpan<byte> PayloadAt(ReadOnlySpan<byte> datagram, int index)
    {
        if ((uint)index >= (uint)Redundancy)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
        var start = (index * PacketLength) + JackTripHeader.Size;
        return datagram.Slice(start, PacketLength - JackTripHeader.Size);
    }
}
