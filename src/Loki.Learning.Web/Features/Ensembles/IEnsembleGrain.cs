using Orleans.Concurrency;

namespace Loki.Learning.Web.Features.Ensembles;

/// One per ensemble. Join requests, class-code revocations and decisions on requests pass through it, so one request
/// never yields two accounts even when two teachers press "approve" at once, and once a revocation has returned no
/// request can arrive through that code. It tells the teachers' pages watching the ensemble of every such change,
/// whichever node they are on.
public interface IEnsembleGrain : IGrainWithGuidKey
{
    /// Files a pupil's request made with a class code of this ensemble, after checking the code again in this turn.
    Task<JoinRequestOutcome> RequestToJoinAsync(JoinApplication application);

    /// Creates the pupil's account and membership. The credentials are returned only here, once.
    Task<ApprovalOutcome> ApproveJoinRequestAsync(Guid requestId, string teacherId);

    Task<ApprovalOutcome> RejectJoinRequestAsync(Guid requestId, string teacherId);

    /// Ends class code <paramref name="code"/> of this ensemble: from now on it is refused and creates nothing.
    /// Returns a refusal key, or null (also when it was revoked already).
    Task<string?> RevokeClassCodeAsync(string code, string teacherId);

    /// A class code was issued elsewhere: the watching pages show it.
    Task ClassCodesChangedAsync();

    /// Watches the ensemble; subscribe again within two minutes to keep watching. True when the grain did not know
    /// the observer (it is new, or the grain started afresh and the observer may have missed changes).
    Task<bool> SubscribeAsync(IEnsembleObserver observer);

    Task UnsubscribeAsync(IEnsembleObserver observer);
}

/// A teacher's page watching an ensemble. Only a signal goes over the wire: the page reads the ensemble again through
/// the same checks as on load, so no pupil's name travels to a node that may not see it.
public interface IEnsembleObserver : IGrainObserver
{
    /// One-way: a slow or vanished page never holds up the grain (or the pupil waiting for their receipt).
    [OneWay]
    Task EnsembleChangedAsync();
}

/// <param name="Code">Normalized (<see cref="ClassCodeRules.Normalize"/>).</param>
[GenerateSerializer, Immutable, Alias("Loki.JoinApplication")]
public sealed record JoinApplication(
    [property: Id(0)] string Code,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string? Instrument,
    [property: Id(3)] bool GuardianConsentForRecording);

/// <param name="RefusalKey">Null when the request was filed.</param>
/// <param name="School">The school the code belongs to, which the pupil's account will belong to.</param>
[GenerateSerializer, Immutable, Alias("Loki.JoinRequestOutcome")]
public sealed record JoinRequestOutcome(
    [property: Id(0)] string? RefusalKey,
    [property: Id(1)] Guid RequestId = default,
    [property: Id(2)] string? EnsembleName = null,
    [property: Id(3)] string? School = null);

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
