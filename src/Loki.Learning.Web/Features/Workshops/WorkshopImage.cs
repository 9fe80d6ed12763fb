using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Workshops;

/// An event's uploaded picture after <see cref="EventImages"/> checked and resized it. Kept in the database (tens of
/// kilobytes), so every node of a cluster serves it without a shared folder. Its address carries its id, so a new
/// picture is a new address and browsers may cache each one for good.
public sealed class WorkshopImage
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkshopId { get; set; }

    public required string ContentType { get; set; }

    public required byte[] Content { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }

    public DateTime CreatedUtc { get; set; }

    public string Path => $"/events/{WorkshopId}/images/{Id:N}{EventImages.Extension}";
}

internal sealed class WorkshopImageConfiguration : IEntityTypeConfiguration<WorkshopImage>
{
    public void Configure(EntityTypeBuilder<WorkshopImage> builder)
    {
        builder.ToTable("WorkshopImages");
        builder.Property(i => i.ContentType).HasMaxLength(32);
        builder.HasIndex(i => i.WorkshopId);
        builder.HasOne<Workshop>().WithMany().HasForeignKey(i => i.WorkshopId).OnDelete(DeleteBehavior.Cascade);
        builder.Ignore(i => i.Path);
    }
}
