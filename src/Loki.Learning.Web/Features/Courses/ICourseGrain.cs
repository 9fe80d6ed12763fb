namespace Loki.Learning.Web.Features.Courses;

/// One per course. Enrolments go through it so that capacity holds however many students enrol at once,
/// on any database and any number of nodes (a grain handles one call at a time).
public interface ICourseGrain : IGrainWithGuidKey
{
    /// Enrols <paramref name="personId"/>. With a key, checks it against the course's self-enrolment key;
    /// without one the caller has already checked that a teacher asked.
    Task<EnrolmentOutcome> EnrollAsync(string personId, string? selfEnrolmentKey);

    Task<EnrolmentOutcome> UnenrollAsync(string personId);
}

/// <param name="RefusalKey">Resource key of the reason, or null when it succeeded.</param>
[GenerateSerializer, Immutable, Alias("Loki.EnrolmentOutcome")]
public sealed record EnrolmentOutcome(
    [property: Id(0)] string? RefusalKey,
    [property: Id(1)] int Enrolled,
    [property: Id(2)] int Capacity)
{
    public bool Succeeded => RefusalKey is null;
}
