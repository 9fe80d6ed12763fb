namespace Loki.Learning.Web.Features.Workshops;

/// One per workshop. Registrations, cancellations and offers go through it, so that no category is overbooked however
/// many people register at once, on any database and any number of nodes (a grain handles one call at a time).
public interface IWorkshopGrain : IGrainWithGuidKey
{
    /// Registers a person in a category: a place when one is free and nobody waits for it, otherwise the waitlist.
    /// The caller has validated the name and address.
    Task<RegistrationOutcome> RegisterAsync(RegistrationRequest request);

    /// Cancels the registration holding <paramref name="token"/>; a place it held is offered to the first in line.
    Task<RegistrationOutcome> CancelAsync(string token);

    /// Turns an offer into a place, if it has not expired.
    Task<RegistrationOutcome> AcceptOfferAsync(string token);

    /// Lets offers whose time ran out lapse and offers their places to the next in line. Every other call does this first too.
    Task ExpireOffersAsync();
}

[GenerateSerializer, Immutable, Alias("Loki.RegistrationRequest")]
public sealed record RegistrationRequest(
    [property: Id(0)] string Name,
    [property: Id(1)] string Email,
    [property: Id(2)] TicketCategory Category,
    [property: Id(3)] string? PersonId,
    [property: Id(4)] string? Language = null,
    [property: Id(5)] string? LinkBase = null);

/// <param name="RefusalKey">Resource key of the reason, or null when it succeeded.</param>
[GenerateSerializer, Immutable, Alias("Loki.RegistrationOutcome")]
public sealed record RegistrationOutcome(
    [property: Id(0)] string? RefusalKey,
    [property: Id(1)] RegistrationStatus Status = RegistrationStatus.Cancelled,
    [property: Id(2)] string? Token = null,
    [property: Id(3)] TicketCategory Category = TicketCategory.Audience,
    [property: Id(4)] DateTime? OfferExpiresUtc = null)
{
    public bool Succeeded => RefusalKey is null;
}
