using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Notices;

/// A message from the site's admins, shown on every page and in every live room until it is withdrawn.
public sealed class Notice
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Text { get; set; }

    public bool Urgent { get; set; }

    public DateTime PostedUtc { get; set; }

    public DateTime? WithdrawnUtc { get; set; }
}

internal sealed class NoticeConfiguration : IEntityTypeConfiguration<Notice>
{
    public void Configure(EntityTypeBuilder<Notice> builder)
    {
        builder.Property(n => n.Text).HasMaxLength(1000);
        builder.HasIndex(n => n.PostedUtc);
    }
}
