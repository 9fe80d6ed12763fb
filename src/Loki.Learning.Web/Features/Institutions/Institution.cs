using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loki.Learning.Web.Features.Institutions;

public enum InstitutionKind
{
    Kulturskola,
    University,
    Stage,
}

/// A site that joins rooms: a culture school, a university or a stage.
/// Coordinates feed the latency estimate between sites (light in fibre ≈ 4.9 µs/km).
public sealed class Institution
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public InstitutionKind Kind { get; set; }

    public required string Town { get; set; }

    /// ISO 3166 alpha-2: SE or NO in the programme region.
    public required string Country { get; set; }

    public double Latitude { get; set; }

    public double Longitude { get; set; }

    /// Great-circle distance in kilometres (haversine, mean Earth radius).
    public double DistanceKmTo(Institution other)
    {
        const double earthRadiusKm = 6371.0;
        var dLat = DegreesToRadians(other.Latitude - Latitude);
        var dLon = DegreesToRadians(other.Longitude - Longitude);
        var a = Math.Pow(Math.Sin(dLat / 2), 2)
            + Math.Cos(DegreesToRadians(Latitude)) * Math.Cos(DegreesToRadians(other.Latitude)) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * earthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private static double DegreesToRadians(double degrees) => degrees * Math.PI / 180.0;
}

internal sealed class InstitutionConfiguration : IEntityTypeConfiguration<Institution>
{
    public void Configure(EntityTypeBuilder<Institution> builder)
    {
        builder.Property(i => i.Name).HasMaxLength(200);
        builder.HasIndex(i => i.Name).IsUnique();
        builder.Property(i => i.Town).HasMaxLength(100);
        builder.Property(i => i.Country).HasMaxLength(2);
        builder.Property(i => i.Kind).HasConversion<string>().HasMaxLength(20);
    }
}

public static class InstitutionKinds
{
    /// Pupils (minors, joining with a class code) belong to a kulturskola; universities and stages take no pupils.
    public static bool TakesPupils(this InstitutionKind kind) => kind == InstitutionKind.Kulturskola;
}

internal static class InstitutionChecks
{
    /// Refuses an institution id that does not exist (null means none, which is fine).
    public static async Task EnsureInstitutionExistsAsync(this Data.LokiDbContext db, int? institutionId, CancellationToken cancellationToken)
    {
        if (institutionId is { } id && !await db.Institutions.AnyAsync(i => i.Id == id, cancellationToken))
        {
            throw Refusal.Invalid("Refusal.InstitutionNotFound", "InstitutionId");
        }
    }
}
