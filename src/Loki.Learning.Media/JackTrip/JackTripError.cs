namespace Loki.Learning.Media.JackTrip;

/// <summary>Why a JackTrip datagram, header or handshake message was rejected.</summary>
public enum JackTripError
{
    /// <summary>The input is valid.</summary>
    None = 0,

    /// <summary>Fewer bytes than the 16-byte header.</summary>
    ShorterThanHeader,

    /// <summary>The sample-rate code is not one of 0..6.</summary>
    UnknownSampleRateCode,

    /// <summary>Bits per sample is not 8, 16, 24 or 32.</summary>
    UnsupportedBitDepth,

    /// <summary>Samples per channel is zero or larger than the supported maximum.</summary>
    InvalidSamplesPerChannel,

    /// <summary>A channel byte exceeds the supported maximum.</summary>
    TooManyChannels,

    /// <summary>The datagram length is not a whole multiple of the packet length the header describes.</summary>
    LengthMismatch,

    /// <summary>A redundant copy inside the datagram disagrees with the newest packet's format or sequence.</summary>
    RedundancyMismatch,

    /// <summary>The datagram is larger than any JackTrip sender produces.</summary>
    DatagramTooLarge,

    /// <summary>The packet's sample rate or bit depth differs from the hub's.</summary>
    FormatMismatch,

    /// <summary>The destination buffer is too small for the output.</summary>
    DestinationTooSmall,

    /// <summary>A handshake message is neither 4 nor 68 bytes long.</summary>
    HandshakeLengthInvalid,

    /// <summary>The first handshake integer is neither a UDP port nor a known authentication code.</summary>
    HandshakePortInvalid,

    /// <summary>The 64-byte client name has no terminating NUL within its first 64 bytes.</summary>
    HandshakeNameNotTerminated,

    /// <summary>The client name is not valid UTF-8.</summary>
    HandshakeNameNotUtf8,

    /// <summary>The client name is longer than 63 UTF-8 bytes.</summary>
    HandshakeNameTooLong,

    /// <summary>A packet's frames or channels differ from the ones the stream started with.</summary>
    StreamShapeChanged,

    /// <summary>A datagram came from a source the client's session is not bound to (not the client that made its handshake).</summary>
    UnknownSource,
}
