using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// <param name="Id">The session's id (the event's own when it has no sessions): its calendar UID everywhere.</param>
public sealed record EventSessionView(string Title, DateTime StartsUtc, DateTime EndsUtc, Guid Id);

/// <param name="Taken">Places held (registered or offered) per category.</param>
public sealed record EventPlaces(TicketCategory Category, int Places, int Taken, int Waiting);

public sealed record EventDetails(
    Guid Id, string Title, string DescriptionHtml, string Excerpt, string Language, string? Venue, string? Town, bool Online, string? ImagePath,
    DateTime StartsUtc, DateTime EndsUtc, string TimeZoneId, bool Published, DateTime RegistrationOpensUtc, DateTime RegistrationClosesUtc,
    bool RegistrationOpen, IReadOnlyList<EventSessionView> Sessions, IReadOnlyList<EventPlaces> Places, Guid RoomId, bool IsOrganizer,
    RegistrationStatus? MyStatus, TicketCategory? MyCategory);

/// Public once published; a draft only for its organizer. The description arrives as sanitized HTML.
public sealed record GetEvent(Actor? Actor, Guid EventId) : IQuery<EventDetails>;

public sealed class GetEventHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : IQueryHandler<GetEvent, EventDetails>
{
    public async ValueTask<EventDetails> Handle(GetEvent query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workshop = await db.Workshops.AsNoTracking().Include(w => w.Sessions).SingleOrDefaultAsync(w => w.Id == query.EventId, cancellationToken);
        if (workshop is null || (!workshop.Published && !workshop.Organizes(query.Actor)))
        {
            throw Refusal.NotFound("Refusal.EventNotFound");
        }
        var venue = workshop.InstitutionId is { } institutionId
            ? await db.Institutions.Where(i => i.Id == institutionId).Select(i => new { i.Name, i.Town }).SingleOrDefaultAsync(cancellationToken)
            : null;
        var counts = await db.Registrations.Where(r => r.WorkshopId == workshop.Id)
            .GroupBy(r => new { r.Category, r.Status })
            .Select(g => new { g.Key.Category, g.Key.Status, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var places = Enum.GetValues<TicketCategory>()
            .Where(c => workshop.PlacesFor(c) > 0)
            .Select(c => new EventPlaces(c, workshop.PlacesFor(c),
                counts.Where(n => n.Category == c && Registration.HoldsPlace(n.Status)).Sum(n => n.Count),
                counts.Where(n => n.Category == c && n.Status == RegistrationStatus.Waitlisted).Sum(n => n.Count)))
            .ToList();
        var mine = query.Actor is null ? null : await db.Registrations
            .Where(r => r.WorkshopId == workshop.Id && r.PersonId == query.Actor.PersonId)
            .OrderByDescending(r => r.CreatedUtc)
            .Select(r => new { r.Status, r.Category })
            .FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var sessions = workshop.Sessions.OrderBy(s => s.StartsUtc).Select(s => new EventSessionView(s.Title, s.StartsUtc, s.EndsUtc, s.Id)).ToList();
        if (sessions.Count == 0)
        {
            sessions.Add(new EventSessionView(workshop.Title, workshop.StartsUtc, workshop.EndsUtc, workshop.Id));
        }
        return new EventDetails(workshop.Id, workshop.Title, EventText.ToHtml(workshop.Description), EventText.Excerpt(workshop.Description),
            workshop.Language, workshop.Venue ?? venue?.Name, venue?.Town, workshop.Online, workshop.ImagePath, workshop.StartsUtc, workshop.EndsUtc,
            workshop.TimeZoneId, workshop.Published, workshop.RegistrationOpensUtc, workshop.RegistrationClosesUtc,
            workshop.Published && now >= workshop.RegistrationOpensUtc && now < workshop.RegistrationClosesUtc,
            sessions, places, workshop.RoomId, workshop.Organizes(query.Actor), mine?.Status, mine?.Category);
    }
}
