using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// <param name="Id">The session's id (the event's own when it has no sessions): its calendar UID everywhere.</param>
public sealed record WorkshopSessionView(string Title, DateTime StartsUtc, DateTime EndsUtc, Guid Id);

/// <param name="Taken">Places held (registered or offered) per category.</param>
public sealed record WorkshopPlaces(TicketCategory Category, int Places, int Taken, int Waiting);

public sealed record WorkshopDetails(
    Guid Id, string Title, string DescriptionHtml, string Excerpt, string Language, string? Venue, string? Town, bool Online, string? ImagePath,
    DateTime StartsUtc, DateTime EndsUtc, string TimeZoneId, bool Published, DateTime RegistrationOpensUtc, DateTime RegistrationClosesUtc,
    bool RegistrationOpen, IReadOnlyList<WorkshopSessionView> Sessions, IReadOnlyList<WorkshopPlaces> Places, Guid RoomId, bool IsOrganizer,
    RegistrationStatus? MyStatus, TicketCategory? MyCategory, string? ImageAlt = null, WorkshopSource? Source = null);

/// What the organizer wrote, for the edit form: the Markdown and the venue as typed (the page shows the institution's
/// name when the venue is empty). Only the organizer's view carries it.
public sealed record WorkshopSource(string Description, string? Venue, int? InstitutionId);

/// Public once published; a draft only for its organizer. The description arrives as sanitized HTML.
public sealed record GetWorkshop(Actor? Actor, Guid EventId) : IQuery<WorkshopDetails>;

public sealed class GetWorkshopHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : IQueryHandler<GetWorkshop, WorkshopDetails>
{
    public async ValueTask<WorkshopDetails> Handle(GetWorkshop query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workshop = await db.Workshops.AsNoTracking().SingleOrDefaultAsync(w => w.Id == query.EventId, cancellationToken);
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
            .Select(c => new WorkshopPlaces(c, workshop.PlacesFor(c),
                counts.Where(n => n.Category == c && Registration.HoldsPlace(n.Status)).Sum(n => n.Count),
                counts.Where(n => n.Category == c && n.Status == RegistrationStatus.Waitlisted).Sum(n => n.Count)))
            .ToList();
        var mine = query.Actor is null ? null : await db.Registrations
            .Where(r => r.WorkshopId == workshop.Id && r.PersonId == query.Actor.PersonId)
            .OrderByDescending(r => r.CreatedUtc)
            .Select(r => new { r.Status, r.Category })
            .FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var sessions = await db.Meetings.Where(m => m.OwnerId == workshop.Id).OrderBy(s => s.StartsUtc)
            .Select(s => new WorkshopSessionView(s.Title, s.StartsUtc, s.EndsUtc, s.Id)).ToListAsync(cancellationToken);
        if (sessions.Count == 0)
        {
            sessions.Add(new WorkshopSessionView(workshop.Title, workshop.StartsUtc, workshop.EndsUtc, workshop.Id));
        }
        return new WorkshopDetails(workshop.Id, workshop.Title, WorkshopText.ToHtml(workshop.Description), WorkshopText.Excerpt(workshop.Description),
            workshop.Language, workshop.Venue ?? venue?.Name, venue?.Town, workshop.Online, workshop.ImagePath, workshop.StartsUtc, workshop.EndsUtc,
            workshop.TimeZoneId, workshop.Published, workshop.RegistrationOpensUtc, workshop.RegistrationClosesUtc,
            workshop.Published && now >= workshop.RegistrationOpensUtc && now < workshop.RegistrationClosesUtc,
            sessions, places, workshop.RoomId, workshop.Organizes(query.Actor), mine?.Status, mine?.Category, workshop.ImageAlt,
            workshop.Organizes(query.Actor) ? new WorkshopSource(workshop.Description, workshop.Venue, workshop.InstitutionId) : null);
    }
}
