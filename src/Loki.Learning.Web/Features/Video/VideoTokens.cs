using System.Globalization;
using System.Text;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Loki.Learning.Web.Features.Video;

/// What a video token says: who may take part in which room's video, in which role, and what they may send, and on
/// which node (<see cref="MediaEndpoint.Node"/>: the one hosting the room when the token was issued; only that node's
/// relay accepts it, so a room's video never splits over two nodes' Janus).
public sealed record VideoTicket(Guid RoomId, string PersonId, RoomRole Role, bool MayUseCamera, bool MayShareScreen, DateTime ExpiresUtc, string Node);

/// Short-lived signed tokens for the video relay, issued to members of a room (<see cref="IssueVideoToken"/>). Made
/// like the audio token (<see cref="RoomAudioTokens"/>): Data Protection with a time-limited protector of its own
/// purpose (an audio token is no video token, and back), the expiry also inside and checked against the injected clock.
/// The relay checks the token once, when the page connects; the connection then lives as long as the person is in the room.
public sealed class VideoTokens(IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Loki.Learning.Video.Token.v1").ToTimeLimitedDataProtector();

    public string Issue(VideoTicket ticket)
    {
        var payload = string.Join('\n', ticket.RoomId.ToString("N"), ticket.PersonId, ticket.Role.ToString(),
            ticket.MayUseCamera ? "1" : "0", ticket.MayShareScreen ? "1" : "0", ticket.ExpiresUtc.Ticks.ToString(CultureInfo.InvariantCulture), ticket.Node);
        return WebEncoders.Base64UrlEncode(_protector.Protect(Encoding.UTF8.GetBytes(payload), DateTimeOffset.UtcNow + Lifetime));
    }

    /// A ticket for a member, valid from now for <see cref="Lifetime"/>, at the relay of <paramref name="node"/> only.
    public VideoTicket TicketFor(Guid roomId, string personId, RoomRole role, bool mayUseCamera, string node) =>
        new(roomId, personId, role, mayUseCamera, role == RoomRole.Host, clock.GetUtcNow().UtcDateTime + Lifetime, node);

    /// Reads a token. Returns a refusal key when it is forged, damaged or expired; binding to a room, a person and a node
    /// is the caller's check.
    public string? TryRead(string? token, out VideoTicket? ticket)
    {
        ticket = null;
        byte[] data;
        try
        {
            if (string.IsNullOrEmpty(token) || token.Length > 1024)
            {
                return "Video.Refusal.TokenInvalid";
            }
            data = WebEncoders.Base64UrlDecode(token);
        }
        catch (FormatException)
        {
            return "Video.Refusal.TokenInvalid";
        }
        string payload;
        try
        {
            payload = Encoding.UTF8.GetString(_protector.Unprotect(data, out _));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Forged, damaged, signed by other keys, made for another purpose, or past the protector's own expiry.
            return "Video.Refusal.TokenInvalid";
        }
        var parts = payload.Split('\n');
        if (parts.Length != 7
            || !Guid.TryParseExact(parts[0], "N", out var roomId)
            || !Enum.TryParse<RoomRole>(parts[2], out var role)
            || !long.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            return "Video.Refusal.TokenInvalid";
        }
        var expires = new DateTime(ticks, DateTimeKind.Utc);
        if (expires <= clock.GetUtcNow().UtcDateTime)
        {
            return "Video.Refusal.TokenExpired";
        }
        ticket = new VideoTicket(roomId, parts[1], role, parts[3] == "1", parts[4] == "1", expires, parts[6]);
        return null;
    }
}
