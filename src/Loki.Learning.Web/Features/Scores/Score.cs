using System.Text.Json;
using System.Text.Json.Serialization;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Scores;

/// A MusicXML or PDF score uploaded to a course, ensemble or workshop. The file lives in the score folder
/// under a random name; the bars read from a MusicXML file are kept here so a room never parses it again.
public sealed class Score
{
    public Guid Id { get; set; } = Guid.NewGuid();

    /// The course, ensemble or workshop id.
    public Guid OwnerId { get; set; }

    public OwnerKind OwnerKind { get; set; }

    public required string Title { get; set; }

    public ScoreKind Kind { get; set; }

    /// As the uploader named it; shown, never used as a path.
    public required string OriginalFileName { get; set; }

    /// Random name inside the score folder.
    public required string StoredFileName { get; set; }

    /// Bytes.
    public long Size { get; set; }

    public required string UploadedById { get; set; }

    public DateTime UploadedUtc { get; set; }

    /// The bars (<see cref="ScoreMeasure"/>) as JSON; "[]" for a PDF.
    public string MeasuresJson { get; set; } = "[]";

    /// Pages of a PDF; 0 for MusicXML (its layout depends on the screen).
    public int PageCount { get; set; }

    public IReadOnlyList<ScoreMeasure> Measures() => JsonSerializer.Deserialize<List<ScoreMeasure>>(MeasuresJson, MeasureJson) ?? [];

    public static string ToJson(IReadOnlyList<ScoreMeasure> measures) => JsonSerializer.Serialize(measures, MeasureJson);

    public ScoreChoice ToChoice() => new(Id, Title, Kind, $"/scores/{Id}/file", Measures(), PageCount);

    private static readonly JsonSerializerOptions MeasureJson = new(JsonSerializerDefaults.Web);
}

[JsonConverter(typeof(JsonStringEnumConverter<AnnotationMark>))]
public enum AnnotationMark
{
    Text,
    Breath,
    Fermata,
    Dynamics,
}

/// A note a member pins to a bar of a score (for a PDF, to a page).
public sealed class ScoreAnnotation
{
    public const int MaxTextLength = 500;

    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid ScoreId { get; set; }

    /// 1-based bar in written order; for a PDF the page.
    public int Bar { get; set; }

    public required string AuthorId { get; set; }

    public required string AuthorName { get; set; }

    public string Text { get; set; } = "";

    public AnnotationMark Mark { get; set; }

    public DateTime CreatedUtc { get; set; }
}

internal sealed class ScoreConfiguration : IEntityTypeConfiguration<Score>
{
    public void Configure(EntityTypeBuilder<Score> builder)
    {
        builder.Property(s => s.Title).HasMaxLength(200);
        builder.Property(s => s.OwnerKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.OriginalFileName).HasMaxLength(260);
        builder.Property(s => s.StoredFileName).HasMaxLength(100);
        builder.Property(s => s.UploadedById).HasMaxLength(450);
        builder.HasIndex(s => s.OwnerId);
        builder.HasIndex(s => s.StoredFileName).IsUnique();
        builder.HasMany<ScoreAnnotation>().WithOne().HasForeignKey(a => a.ScoreId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ScoreAnnotationConfiguration : IEntityTypeConfiguration<ScoreAnnotation>
{
    public void Configure(EntityTypeBuilder<ScoreAnnotation> builder)
    {
        builder.Property(a => a.AuthorId).HasMaxLength(450);
        builder.Property(a => a.AuthorName).HasMaxLength(100);
        builder.Property(a => a.Text).HasMaxLength(ScoreAnnotation.MaxTextLength);
        builder.Property(a => a.Mark).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(a => new { a.ScoreId, a.Bar });
    }
}
