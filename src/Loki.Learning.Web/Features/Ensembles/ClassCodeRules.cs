using Loki.Learning.Web.Features.Institutions;

namespace Loki.Learning.Web.Features.Ensembles;

public enum ClassCodeState
{
    Active,
    Revoked,
    Expired,
}

/// What a class code lets a pupil do, decided without I/O: the handlers and the ensemble grain load the facts and ask.
/// A code belongs to one school, and only a kulturskola takes pupils in through a code: the pupil's account is
/// attached to that school, so the school must be one a pupil can attend.
public static class ClassCodeRules
{
    public static ClassCodeState StateOf(ClassCode code, DateTime nowUtc) =>
        code.Revoked ? ClassCodeState.Revoked
        : code.ExpiresUtc <= nowUtc ? ClassCodeState.Expired
        : ClassCodeState.Active;

    /// The refusal key for a teacher issuing a code for school <paramref name="institutionId"/> of kind
    /// <paramref name="kind"/> (null when there is no such institution); null when the code may be issued.
    public static string? RefusalForSchool(int? institutionId, InstitutionKind? kind) =>
        institutionId is null ? "Refusal.ClassCodeNeedsSchool"
        : kind is null ? "Refusal.InstitutionNotFound"
        : !kind.Value.TakesPupils() ? "Refusal.NotAPupilSchool"
        : null;

    /// The refusal key for a pupil asking to join with <paramref name="code"/> (null when no code has that text), whose
    /// school is of kind <paramref name="schoolKind"/>; null when the request may be made. A code issued before codes
    /// had to name a school is refused too: the pupil would get an account that belongs to no school.
    public static string? RefusalForJoining(ClassCode? code, InstitutionKind? schoolKind, DateTime nowUtc) =>
        code is null ? "Refusal.WrongClassCode"
        : StateOf(code, nowUtc) switch
        {
            ClassCodeState.Revoked => "Refusal.RevokedClassCode",
            ClassCodeState.Expired => "Refusal.ExpiredClassCode",
            _ => schoolKind?.TakesPupils() == true ? null : "Refusal.ClassCodeWithoutSchool",
        };

    /// "abcd-2345 " → "ABCD2345": codes are read out and typed by children.
    public static string Normalize(string typed) => typed.Trim().ToUpperInvariant().Replace(" ", "").Replace("-", "");
}
