using Microsoft.AspNetCore.Identity;

namespace Loki.Learning.Web.Features.People;

/// A user of the platform. Pupils are often minors: for them we keep a display name,
/// a generated username and the guardian's consent flags — no e-mail, no birth date.
public sealed class Person : IdentityUser
{
    public string DisplayName { get; set; } = "";

    public bool IsPupil { get; set; }

    /// Guardian consent, on file, for recording this person's track (required for pupils).
    public bool RecordingConsent { get; set; }

    public int? InstitutionId { get; set; }

    /// Secret in the personal iCal feed URL; replaced when the person resets it.
    public string CalendarToken { get; set; } = SecretTokens.New();

    /// Demo accounts from seed-data sign in only in the Development environment.
    public bool IsDemoAccount { get; set; }

    public DateTime CreatedUtc { get; set; } = DateTime.UtcNow;
}
