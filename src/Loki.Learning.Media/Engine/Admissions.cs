using System.Collections.Concurrent;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// What the handshake path and the mix thread share about who may come in: the client slots (the handshake path
/// reserves one per admitted client, the mix thread frees it when the client leaves) and the client names admitted by
/// command (the mix thread records them when it applies <see cref="AdmitParticipant"/>, the handshake path reads them).
/// Lock-free on both sides.
/// </summary>
internal sealed class Admissions(int maxClients)
{
    private readonly ConcurrentDictionary<string, AdmissionDecision> _posted = new(StringComparer.Ordinal);

    /// <summary>Client slots; a JackTrip client's UDP port is the base port plus its slot.</summary>
    public SlotTable Slots { get; } = new(maxClients);

    /// <summary>Admits <paramref name="clientName"/> (mix thread, from a command).</summary>
    public void Post(string clientName, AdmissionDecision decision) => _posted[clientName] = decision;

    /// <summary>Withdraws an admission made by command (mix thread).</summary>
    /// <returns><c>false</c> when the name was not admitted by command.</returns>
    public bool Revoke(string clientName) => _posted.TryRemove(clientName, out _);

    /// <summary>The admission made by command for <paramref name="clientName"/>, if any (handshake path).</summary>
    public bool TryGetPosted(string clientName, out AdmissionDecision decision) => _posted.TryGetValue(clientName, out decision!);
}
