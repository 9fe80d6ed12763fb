using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Loki.Learning.Web.Features.Rooms;

/// What an audio token says: who may send audio into which room, in which role, once (the nonce).
public sealed record AudioTicket(Guid RoomId, string PersonId, RoomRole Role, string Nonce, DateTime ExpiresUtc);

/// Short-lived signed tokens for the browser audio WebSocket, issued with a room join.
/// Signed and encrypted by ASP.NET Data Protection with a time-limited protector (the wall-clock backstop);
/// the expiry is also carried inside and checked against the injected clock, so tests drive time.
/// The nonce is consumed by the room grain: a token works once.
public sealed class RoomAudioTokens(IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Loki.Learning.Rooms.AudioToken.v1").ToTimeLimitedDataProtector();

    public string Issue(Guid roomId, string personId, RoomRole role, string nonce, out DateTime expiresUtc)
    {
        expiresUtc = clock.GetUtcNow().UtcDateTime + Lifetime;
        var payload = string.Join('\n', roomId.ToString("N"), personId, role.ToString(), nonce, expiresUtc.Ticks.ToString(CultureInfo.InvariantCulture));
        var data = _protector.Protect(Encoding.UTF8.GetBytes(payload), DateTimeOffset.UtcNow + Lifetime);
        return Base64UrlEncode(data);
    }

    /// Reads a token. Returns a refusal key (<c>Refusal.AudioToken…</c>) when it is forged, damaged or expired;
    /// binding to a room and a person is the caller's check.
    public string? TryRead(string? token, out AudioTicket? ticket)
    {
        ticket = null;
        if (string.IsNullOrEmpty(token) || token.Length > 1024 || !TryBase64UrlDecode(token, out var data))
        {
            return "Refusal.AudioTokenInvalid";
        }
        string payload;
        try
        {
            payload = Encoding.UTF8.GetString(_protector.Unprotect(data, out _));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Forged, damaged, signed by other keys, or past the protector's own expiry.
            return "Refusal.AudioTokenInvalid";
        }
        var parts = payload.Split('\n');
        if (parts.Length != 5
            || !Guid.TryParseExact(parts[0], "N", out var roomId)
            || !Enum.TryParse<RoomRole>(parts[2], out var role)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            return "Refusal.AudioTokenInvalid";
        }
        var expires = new DateTime(ticks, DateTimeKind.Utc);
        if (expires <= clock.GetUtcNow().UtcDateTime)
        {
            return "Refusal.AudioTokenExpired";
        }
        ticket = new AudioTicket(roomId, parts[1], role, parts[3], expires);
        return null;
    }

    private static string Base64UrlEncode(byte[] data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryBase64UrlDecode(string text, out byte[] data)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        data = new byte[s.Length];
        if (Convert.TryFromBase64String(s, data, out var written))
        {
            data = data[..written];
            return true;
        }
        return false;
    }
}
