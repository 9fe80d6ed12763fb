using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Workshops;

/// Performers play in the live room, participants take part (and may be brought on stage), the audience listens.
[JsonConverter(typeof(JsonStringEnumConverter<TicketCategory>))]
public enum TicketCategory
{
    Performer,
    Participant,
    Audience,
}

[JsonConverter(typeof(JsonStringEnumConverter<RegistrationStatus>))]
public enum RegistrationStatus
{
    /// Holds a place.
    Registered,

    /// Waits for a place, in the order they registered.
    Waitlisted,

    /// A place freed up and is held for this person until the offer expires.
    Offered,

    Cancelled,

    /// An offer that was not accepted in time.
    OfferExpired,
}

/// One person's registration for a workshop. The token is the person's key to it (cancel, accept an offer, listen):
/// whoever holds the link in the e-mail may act on it, so it is long and random.
public sealed class Registration
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkshopId { get; set; }

    public TicketCategory Category { get; set; }

    public required string Name { get; set; }

    /// Lower-case; one live registration per address and workshop.
    public required string Email { get; set; }

    /// The account that registered, when the person was signed in.
    public string? PersonId { get; set; }

    public RegistrationStatus Status { get; set; }

    public DateTime CreatedUtc { get; set; }

    public DateTime? OfferExpiresUtc { get; set; }

    public DateTime ConsentedUtc { get; set; }

    public required string Token { get; set; }

    /// The language the person registered in ("sv", "nb", "en"): mails about the registration are written in it.
    /// Null for registrations made before it was kept: then the event's language.
    public string? Language { get; set; }

    /// The site's address as the person reached it when registering (https://school.example/): links in mails about
    /// this registration go there. Null for older registrations: then the site's configured address.
    public string? LinkBase { get; set; }

    public static bool HoldsPlace(RegistrationStatus status) => status is RegistrationStatus.Registered or RegistrationStatus.Offered;

    public static bool IsLive(RegistrationStatus status) => status is RegistrationStatus.Registered or RegistrationStatus.Offered or RegistrationStatus.Waitlisted;
}

internal sealed class RegistrationConfiguration : IEntityTypeConfiguration<Registration>
{
    public void Configure(EntityTypeBuilder<Registration> builder)
    {
        builder.Property(r => r.Name).HasMaxLength(100);
        builder.Property(r => r.Email).HasMaxLength(256);
        builder.Property(r => r.Token).HasMaxLength(64);
        builder.Property(r => r.Language).HasMaxLength(16);
        builder.Property(r => r.LinkBase).HasMaxLength(300);
        builder.Property(r => r.Category).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => r.Token).IsUnique();
        builder.HasIndex(r => new { r.WorkshopId, r.Email });
        builder.HasIndex(r => r.PersonId);
    }
}
