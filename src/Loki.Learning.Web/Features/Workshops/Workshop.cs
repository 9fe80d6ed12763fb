using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Workshops;

/// A public, interactive event: a page anyone can read once it is published, registrations with a capacity per
/// ticket category, and a live room. Its sittings are meetings (<see cref="Meetings.Meeting"/>) in its room;
/// <see cref="StartsUtc"/>/<see cref="EndsUtc"/> span them all.
public sealed class Workshop
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Title { get; set; }

    /// Markdown as the organizer wrote it; rendered through <see cref="WorkshopText"/>, which drops raw HTML.
    public string Description { get; set; } = "";

    public int? InstitutionId { get; set; }

    public required string OrganizerId { get; set; }

    public DateTime StartsUtc { get; set; }

    public DateTime EndsUtc { get; set; }

    public string TimeZoneId { get; set; } = "Europe/Stockholm";

    /// All places together (the sum of the categories).
    public int Capacity { get; set; }

    public Guid RoomId { get; set; } = Guid.NewGuid();

    public bool Published { get; set; }

    /// BCP 47 language the event is held in ("sv", "nb", "en").
    public string Language { get; set; } = "sv";

    /// Where it happens when not online only (free text; the institution, when set, is shown too).
    public string? Venue { get; set; }

    public bool Online { get; set; }

    /// A picture on this site (a path such as /img/….svg, or an uploaded <see cref="WorkshopImage"/>'s address); never an
    /// outside address, so the page works offline.
    public string? ImagePath { get; set; }

    /// What the picture shows, for people who cannot see it (empty: decorative).
    public string? ImageAlt { get; set; }

    public int PerformerPlaces { get; set; }

    public int ParticipantPlaces { get; set; }

    public int AudiencePlaces { get; set; }

    public DateTime RegistrationOpensUtc { get; set; }

    public DateTime RegistrationClosesUtc { get; set; }

    public List<Registration> Registrations { get; } = [];

    public int PlacesFor(TicketCategory category) => category switch
    {
        TicketCategory.Performer => PerformerPlaces,
        TicketCategory.Participant => ParticipantPlaces,
        _ => AudiencePlaces,
    };
}

internal sealed class WorkshopConfiguration : IEntityTypeConfiguration<Workshop>
{
    public void Configure(EntityTypeBuilder<Workshop> builder)
    {
        builder.Property(w => w.Title).HasMaxLength(200);
        builder.Property(w => w.Description).HasMaxLength(8000);
        builder.Property(w => w.TimeZoneId).HasMaxLength(64);
        builder.Property(w => w.Language).HasMaxLength(16);
        builder.Property(w => w.Venue).HasMaxLength(200);
        builder.Property(w => w.ImagePath).HasMaxLength(300);
        builder.Property(w => w.ImageAlt).HasMaxLength(300);
        builder.HasIndex(w => w.StartsUtc);
        builder.HasIndex(w => w.RoomId).IsUnique();
        builder.HasMany(w => w.Registrations).WithOne().HasForeignKey(r => r.WorkshopId).OnDelete(DeleteBehavior.Cascade);
    }
}
