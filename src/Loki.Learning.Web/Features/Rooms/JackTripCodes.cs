namespace Loki.Learning.Web.Features.Rooms;

/// JackTrip client names that carry the room they admit to: 32 hex digits of the room id, a dash and
/// 16 random letters (49 characters; JackTrip allows 63). The hub reads the room from the name and asks that room's grain.
public static class JackTripCodes
{
    public static string Create(Guid roomId) => roomId.ToString("N") + "-" + People.SecretTokens.NewReadable(16).ToLowerInvariant();

    public static bool TryReadRoom(string code, out Guid roomId)
    {
        roomId = default;
        return code.Length == 49 && code[32] == '-' && Guid.TryParseExact(code.AsSpan(0, 32), "N", out roomId);
    }
}
