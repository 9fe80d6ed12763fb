using Loki.Learning.Web.Data;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

public sealed record WorkshopSummary(Guid Id, string Title, string Description, string? Venue, string? Town, DateTime StartsUtc, DateTime EndsUtc, string TimeZoneId, int Capacity);

/// Public: anyone may see what is coming up, without logging in.
public sealed record ListUpcomingWorkshops : IQuery<IReadOnlyList<WorkshopSummary>>;

public sealed class ListUpcomingWorkshopsHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : IQueryHandler<ListUpcomingWorkshops, IReadOnlyList<WorkshopSummary>>
{
    public async ValueTask<IReadOnlyList<WorkshopSummary>> Handle(ListUpcomingWorkshops query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        return await (
            from w in db.Workshops
            where w.EndsUtc > now
            join i in db.Institutions on w.InstitutionId equals i.Id into venues
            from venue in venues.DefaultIfEmpty()
            orderby w.StartsUtc
            select new WorkshopSummary(w.Id, w.Title, w.Description, venue == null ? null : venue.Name, venue == null ? null : venue.Town, w.StartsUtc, w.EndsUtc, w.TimeZoneId, w.Capacity))
            .ToListAsync(cancellationToken);
    }
}

public static class WorkshopsApi
{
    public static void MapWorkshopsApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/workshops", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListUpcomingWorkshops(), ct)))
            .AllowAnonymous().WithTags("Workshops");
}
