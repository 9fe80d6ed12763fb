using Loki.Learning.Web.Features.Institutions;

namespace Loki.Learning.Web.Tests.Ensembles;

internal static class Schools
{
    /// A site of its own for a test (unique name), a kulturskola unless told: class codes must name one.
    public static async Task<int> SchoolAsync(this Catalogue catalogue, InstitutionKind kind = InstitutionKind.Kulturskola, string? name = null)
    {
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var school = new Institution
        {
            Name = (name ?? kind.ToString()) + " " + Guid.NewGuid().ToString("N")[..6],
            Kind = kind,
            Town = "Härnösand",
            Country = "SE",
            Latitude = 62.6323,
            Longitude = 17.9379,
        };
        db.Institutions.Add(school);
        await db.SaveChangesAsync();
        return school.Id;
    }
}
