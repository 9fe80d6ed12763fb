using Loki.Learning.Web.Data;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Institutions;

public sealed record InstitutionSummary(int Id, string Name, InstitutionKind Kind, string Town, string Country, double Latitude, double Longitude);

/// All sites, or only those of <paramref name="Kind"/>.
public sealed record ListInstitutions(InstitutionKind? Kind = null) : IQuery<IReadOnlyList<InstitutionSummary>>;

public sealed class ListInstitutionsHandler(IDbContextFactory<LokiDbContext> dbFactory) : IQueryHandler<ListInstitutions, IReadOnlyList<InstitutionSummary>>
{
    public async ValueTask<IReadOnlyList<InstitutionSummary>> Handle(ListInstitutions query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Institutions.AsNoTracking()
            .Where(i => query.Kind == null || i.Kind == query.Kind)
            .Select(i => new InstitutionSummary(i.Id, i.Name, i.Kind, i.Town, i.Country, i.Latitude, i.Longitude))
            .ToListAsync(cancellationToken);
        return rows.OrderBy(i => i.Kind).ThenBy(i => i.Name, StringComparer.CurrentCulture).ToList();
    }
}

public static class InstitutionsApi
{
    public static void MapInstitutionsApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/institutions", async (InstitutionKind? kind, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListInstitutions(kind), ct)))
            .AllowAnonymous().WithTags("Institutions");
}
