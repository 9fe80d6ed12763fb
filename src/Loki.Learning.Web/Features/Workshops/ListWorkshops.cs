using Loki.Learning.Web.Data;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

public sealed record WorkshopSummary(
    Guid Id, string Title, string Excerpt, string? Venue, string? Town, bool Online, string Language, DateTime StartsUtc, DateTime EndsUtc,
    string TimeZoneId, int Capacity, string? ImagePath);

/// Public: the published events that have not ended, soonest first, for anyone without logging in.
public sealed record ListWorkshops : IQuery<IReadOnlyList<WorkshopSummary>>;

public sealed class ListWorkshopsHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : IQueryHandler<ListWorkshops, IReadOnlyList<WorkshopSummary>>
{
    public async ValueTask<IReadOnlyList<WorkshopSummary>> Handle(ListWorkshops query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await (
            from w in db.Workshops
            where w.Published && w.EndsUtc > now
            join i in db.Institutions on w.InstitutionId equals i.Id into venues
            from venue in venues.DefaultIfEmpty()
            orderby w.StartsUtc
            select new { w, VenueName = venue == null ? null : venue.Name, Town = venue == null ? null : venue.Town })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new WorkshopSummary(r.w.Id, r.w.Title, WorkshopText.Excerpt(r.w.Description), r.w.Venue ?? r.VenueName, r.Town, r.w.Online,
            r.w.Language, r.w.StartsUtc, r.w.EndsUtc, r.w.TimeZoneId, r.w.Capacity, r.w.ImagePath)).ToList();
    }
}
