using System.Net;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Decides whether a JackTrip client may join and where it goes. Called on the handshake path (never on the mix
/// thread), once per TCP connection, so it may query the control plane.
/// </summary>
public interface IAdmissionPolicy
{
    /// <summary>Decides for one client.</summary>
    /// <param name="request">The client's name and address.</param>
    /// <param name="cancellationToken">Cancelled when the handshake times out or the engine stops.</param>
    /// <returns>The decision; a refused client is answered with the auth-required code 131072 and closed.</returns>
    ValueTask<AdmissionDecision> DecideAsync(AdmissionRequest request, CancellationToken cancellationToken);
}

/// <summary>What the admission policy is asked about.</summary>
/// <param name="ClientName">The name from the handshake (≤ 63 UTF-8 bytes; empty for old clients).</param>
/// <param name="RemoteEndPoint">The TCP peer of the handshake.</param>
public sealed record AdmissionRequest(string ClientName, IPEndPoint RemoteEndPoint);

/// <summary>An admission policy's answer.</summary>
/// <param name="Admitted">Whether the client may join.</param>
/// <param name="RoomId">The room the client joins (opened on demand when not yet open).</param>
/// <param name="Channels">Channels the client is mixed with (1 = mono, 2 = stereo, up to 16 for a hall or studio: its first N channels); <c>null</c> takes what the client sends (at most 16).</param>
public sealed record AdmissionDecision(bool Admitted, string RoomId, int? Channels = null)
{
    /// <summary>A refusal.</summary>
    public static AdmissionDecision Refuse { get; } = new(false, "");

    /// <summary>Admits into <paramref name="roomId"/>.</summary>
    public static AdmissionDecision Admit(string roomId, int? channels = null) => new(true, roomId, channels);
}

/// <summary>Admits the listed client names (or everyone with "*") into one room; refuses the rest.</summary>
public sealed class AllowListAdmissionPolicy : IAdmissionPolicy
{
    private readonly HashSet<string> _names;
    private readonly bool _everyone;

    /// <summary>Creates the policy.</summary>
    /// <param name="roomId">Room every admitted client joins.</param>
    /// <param name="names">Exact client names, or "*" for any name.</param>
    public AllowListAdmissionPolicy(string roomId, IEnumerable<string> names)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        RoomId = roomId;
        _names = new HashSet<string>(names, StringComparer.Ordinal);
        _everyone = _names.Contains("*");
    }

    /// <summary>Room every admitted client joins.</summary>
    public string RoomId { get; }

    /// <inheritdoc />
    public ValueTask<AdmissionDecision> DecideAsync(AdmissionRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_everyone || _names.Contains(request.ClientName)
            ? AdmissionDecision.Admit(RoomId)
            : AdmissionDecision.Refuse);
}
