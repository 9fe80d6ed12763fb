namespace Loki.Learning.Web.Features.Ensembles;

/// One per ensemble. Decisions on join requests pass through it, so one request never yields two accounts
/// even when two teachers press "approve" at once.
public interface IEnsembleGrain : IGrainWithGuidKey
{
    /// Creates the pupil's account and membership. The credentials are returned only here, once.
    Task<ApprovalOutcome> ApproveJoinRequestAsync(Guid requestId, string teacherId);

    Task<ApprovalOutcome> RejectJoinRequestAsync(Guid requestId, string teacherId);
}

/// <param name="Password">A passphrase to hand to the pupil; stored only as a hash.</param>
[GenerateSerializer, Immutable, Alias("Loki.ApprovalOutcome")]
public sealed record ApprovalOutcome(
    [property: Id(0)] string? RefusalKey,
    [property: Id(1)] string? DisplayName = null,
    [property: Id(2)] string? UserName = null,
    [property: Id(3)] string? Password = null)
{
    public bool Succeeded => RefusalKey is null;
}
