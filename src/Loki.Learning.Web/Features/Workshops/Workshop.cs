using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Workshops;

/// A public, interactive event. Registration, the live room and the audience stream build on this.
public sealed class Workshop
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Title { get; set; }

    public string Description { get; set; } = "";

    public int? InstitutionId { get; set; }

    public required string OrganizerId { get; set; }

    public DateTime StartsUtc { get; set; }

    public DateTime EndsUtc { get; set; }

    public string TimeZoneId { get; set; } = "Europe/Stockholm";

    public int Capacity { get; set; }

    public Guid RoomId { get; set; } = Guid.NewGuid();
}

internal sealed class WorkshopConfiguration : IEntityTypeConfiguration<Workshop>
{
    public void Configure(EntityTypeBuilder<Workshop> builder)
    {
        builder.Property(w => w.Title).HasMaxLength(200);
        builder.Property(w => w.Description).HasMaxLength(4000);
        builder.Property(w => w.TimeZoneId).HasMaxLength(64);
        builder.HasIndex(w => w.StartsUtc);
    }
}
