using Microsoft.AspNetCore.Identity;

namespace Loki.Learning.Web.Features.People;

/// A user of the platform. Pupils are often minors: for them we keep a display name,
/// a generated username and the guardian's consent flags — no e-mail, no birth date.
public sealed class Person : IdentityUser
{
    public string DisplayName { get; set; } = "";

    public bool IsPupil { get; set; }

    /// Consent, on file, for recording this person's track: a guardian's for a pupil, the person's own for an adult.
    public bool RecordingConsent { get; set; }

    /// Consent, on file, for this person's camera in a live room (and its recording, where recording consent is also
    /// given): a guardian's for a pupil, the person's own for an adult. Separate from recording consent.
    public bool VideoConsent { get; set; }

    public int? InstitutionId { get; set; }

    /// Secret in the personal iCal feed URL; replaced when the person resets it.
    public string CalendarToken { get; set; } = SecretTokens.New();

    /// Demo accounts from seed-data sign in only in the Development environment.
    public bool IsDemoAccount { get; set; }

    public DateTime CreatedUtc { get; set; } = DateTime.UtcNow;
}
