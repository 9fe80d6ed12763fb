using System.Buffers.Binary;
using System.Text;

namespace Loki.Learning.Media.JackTrip;

/// <summary>The 32-bit values a JackTrip hub and client exchange for TLS authentication (<c>-A</c>).</summary>
public static class JackTripAuthCode
{
    /// <summary>Client to hub: the client wants to authenticate.</summary>
    public const uint WantsAuthentication = 65536;

    /// <summary>Hub to client: authentication is required (also our answer to a refused client).</summary>
    public const uint AuthenticationRequired = 131072;

    /// <summary>Hub to client: this hub does not authenticate.</summary>
    public const uint AuthenticationNotRequired = 196608;

    /// <summary>Hub to client: wrong user name or password.</summary>
    public const uint WrongCredentials = 262144;

    /// <summary>Hub to client: the credentials are not valid at this time.</summary>
    public const uint WrongTime = 327680;

    /// <summary>Returns <c>true</c> for any value a hub or client may send as an authentication code.</summary>
    public static bool IsAuthenticationCode(uint value) =>
        value is WantsAuthentication or AuthenticationRequired or AuthenticationNotRequired or WrongCredentials or WrongTime;
}

/// <summary>
/// The TCP handshake a JackTrip client opens with: a u32 LE (its UDP port, or an authentication code ≥ 65536)
/// optionally followed in the same write by a 64-byte NUL-padded UTF-8 client name. The hub answers with one u32 LE
/// (the UDP port assigned to the client, or an authentication code) and both sides close.
/// </summary>
public static class JackTripHandshake
{
    /// <summary>Length of a request from an older client that sends no name.</summary>
    public const int PortOnlyLength = 4;

    /// <summary>Length of the NUL-padded name field.</summary>
    public const int NameFieldLength = 64;

    /// <summary>Length of a request that carries a name.</summary>
    public const int RequestWithNameLength = PortOnlyLength + NameFieldLength;

    /// <summary>Longest client name in UTF-8 bytes (the field keeps one NUL).</summary>
    public const int MaxNameBytes = NameFieldLength - 1;

    /// <summary>Length of the hub's answer.</summary>
    public const int ResponseLength = 4;

    /// <summary>Parses a client's handshake request.</summary>
    /// <param name="message">Exactly 4 or 68 bytes as received.</param>
    /// <param name="request">The decoded request when the result is <see cref="JackTripError.None"/>.</param>
    /// <returns><see cref="JackTripError.None"/> or the reason the request is malformed.</returns>
    public static JackTripError TryParseRequest(ReadOnlySpan<byte> message, out JackTripHandshakeRequest request)
    {
        request = default;
        if (message.Length != PortOnlyLength && message.Length != RequestWithNameLength)
        {
            return JackTripError.HandshakeLengthInvalid;
        }
        var value = BinaryPrimitives.ReadUInt32LittleEndian(message);
        if (value > ushort.MaxValue && value != JackTripAuthCode.WantsAuthentication)
        {
            return JackTripError.HandshakePortInvalid;
        }
        if (message.Length == PortOnlyLength)
        {
            request = new JackTripHandshakeRequest(value, default);
            return JackTripError.None;
        }

        var field = message.Slice(PortOnlyLength, NameFieldLength);
        var nameLength = field.IndexOf((byte)0);
        if (nameLength < 0)
        {
            return JackTripError.HandshakeNameNotTerminated;
        }
        var name = field[..nameLength];
        if (!System.Text.Unicode.Utf8.IsValid(name))
        {
            return JackTripError.HandshakeNameNotUtf8;
        }
        request = new JackTripHandshakeRequest(value, name);
        return JackTripError.None;
    }

    /// <summary>Writes a client's handshake request: the UDP port and, when <paramref name="clientName"/> is not empty, the name field.</summary>
    /// <param name="destination">At least 68 bytes (4 when the name is empty).</param>
    /// <param name="udpPortOrCode">The client's UDP port, or <see cref="JackTripAuthCode.WantsAuthentication"/>.</param>
    /// <param name="clientName">Up to 63 UTF-8 bytes; empty for the old 4-byte form.</param>
    /// <param name="bytesWritten">4 or 68 on success.</param>
    /// <returns><see cref="JackTripError.None"/> or the reason nothing was written.</returns>
    public static JackTripError TryWriteRequest(Span<byte> destination, uint udpPortOrCode, ReadOnlySpan<char> clientName, out int bytesWritten)
    {
        bytesWritten = 0;
        var length = clientName.IsEmpty ? PortOnlyLength : RequestWithNameLength;
        if (destination.Length < length)
        {
            return JackTripError.DestinationTooSmall;
        }
        if (Encoding.UTF8.GetByteCount(clientName) > MaxNameBytes)
        {
            return JackTripError.HandshakeNameTooLong;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(destination, udpPortOrCode);
        if (!clientName.IsEmpty)
        {
            var field = destination.Slice(PortOnlyLength, NameFieldLength);
            field.Clear();
            Encoding.UTF8.GetBytes(clientName, field);
        }
        bytesWritten = length;
        return JackTripError.None;
    }

    /// <summary>Writes the hub's 4-byte answer (an assigned UDP port or an authentication code).</summary>
    /// <returns><c>false</c> when the destination is shorter than 4 bytes.</returns>
    public static bool TryWriteResponse(Span<byte> destination, uint portOrCode) =>
        BinaryPrimitives.TryWriteUInt32LittleEndian(destination, portOrCode);

    /// <summary>Reads the hub's 4-byte answer.</summary>
    /// <returns><c>false</c> when fewer than 4 bytes are given.</returns>
    public static bool TryReadResponse(ReadOnlySpan<byte> source, out uint portOrCode) =>
        BinaryPrimitives.TryReadUInt32LittleEndian(source, out portOrCode);
}

/// <summary>A parsed handshake request; <see cref="NameUtf8"/> points into the received bytes.</summary>
public readonly ref struct JackTripHandshakeRequest
{
    /// <summary>Creates a request from its decoded parts.</summary>
    public JackTripHandshakeRequest(uint value, ReadOnlySpan<byte> nameUtf8)
    {
        Value = value;
        NameUtf8 = nameUtf8;
    }

    /// <summary>The first integer: a UDP port (0..65535) or <see cref="JackTripAuthCode.WantsAuthentication"/>.</summary>
    public uint Value { get; }

    /// <summary>The client name without padding (empty for old clients or an empty name).</summary>
    public ReadOnlySpan<byte> NameUtf8 { get; }

    /// <summary><c>true</c> when the client asks to authenticate instead of announcing a port.</summary>
    public bool WantsAuthentication => Value == JackTripAuthCode.WantsAuthentication;

    /// <summary>The UDP port the client announced (only meaningful when <see cref="WantsAuthentication"/> is false).</summary>
    public int UdpPort => WantsAuthentication ? 0 : (int)Value;

    /// <summary>Decodes the client name (allocates; call off the audio thread).</summary>
    public string GetName() => Encoding.UTF8.GetString(NameUtf8);
}
