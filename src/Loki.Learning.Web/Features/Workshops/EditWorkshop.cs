using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// <param name="Notified">Registrants (with a place, an offer or on the waitlist) who were mailed the changes.</param>
public sealed record WorkshopEdited(IReadOnlyList<WorkshopChange> Changes, int Notified);

/// The organizer changes an event after creating it: title, text, language, place, picture description and sittings.
/// A sitting in <see cref="Sessions"/> with an id changes that sitting; one without is new; a sitting left out is
/// cancelled. Changes to place or time are mailed to every live registrant, in their language, with their link.
/// The time zone, places per ticket and registration window stay as created.
public sealed record EditWorkshop(
    Actor Actor,
    Guid EventId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Title,
    [property: StringLength(8000, ErrorMessage = "Validation.TooLong")] string? Description,
    [property: Required(ErrorMessage = "Validation.Required"), RegularExpression("^(sv|nb|en)$", ErrorMessage = "Validation.Language")] string Language,
    [property: StringLength(200, ErrorMessage = "Validation.TooLong")] string? Venue,
    bool Online,
    [property: StringLength(300, ErrorMessage = "Validation.TooLong")] string? ImageAlt,
    [property: Required(ErrorMessage = "Validation.Required"), MinLength(1, ErrorMessage = "Validation.SessionsRequired")] IReadOnlyList<NewWorkshopSession> Sessions)
    : ICommand<WorkshopEdited>;

public sealed class EditWorkshopHandler(IDbContextFactory<LokiDbContext> dbFactory, RegistrationMails registrationMails) : ICommandHandler<EditWorkshop, WorkshopEdited>
{
    public async ValueTask<WorkshopEdited> Handle(EditWorkshop command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.OrganizedByAsync(command.EventId, command.Actor, cancellationToken);
        var planned = WorkshopRules.Check(command.Title, command.Venue, command.Online, found.InstitutionId, found.TimeZoneId, command.Sessions);
        if ((command.ImageAlt ?? "").IndexOfAny(['<', '>']) >= 0)
        {
            throw Refusal.Invalid("Validation.NoMarkup", nameof(command.ImageAlt));
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var workshop = await db.Workshops.SingleAsync(w => w.Id == command.EventId, cancellationToken);
        var meetings = await db.Meetings.Where(m => m.OwnerKind == OwnerKind.Workshop && m.OwnerId == workshop.Id).ToListAsync(cancellationToken);
        if (planned.Any(p => p.Session.Id is { } id && meetings.All(m => m.Id != id)))
        {
            // An id from another event or a sitting cancelled meanwhile: nothing is changed.
            throw Refusal.Conflict("Refusal.SittingNotFound", nameof(command.Sessions));
        }
        var wasVenue = workshop.Venue;
        var wasOnline = workshop.Online;
        var wasSittings = meetings.Select(m => new SittingSlot(m.Id, m.Title, m.StartsUtc, m.EndsUtc)).ToList();

        workshop.Title = command.Title.Trim();
        workshop.Description = command.Description?.Trim() ?? "";
        workshop.Language = command.Language;
        workshop.Venue = string.IsNullOrWhiteSpace(command.Venue) ? null : command.Venue.Trim();
        workshop.Online = command.Online;
        workshop.ImageAlt = string.IsNullOrWhiteSpace(command.ImageAlt) ? null : command.ImageAlt.Trim();
        workshop.StartsUtc = planned[0].StartsUtc;
        workshop.EndsUtc = planned.Max(p => p.EndsUtc);
        if (workshop.RegistrationClosesUtc > workshop.EndsUtc)
        {
            // The event now ends before registration would close: it closes when the event starts, as by default.
            workshop.RegistrationClosesUtc = workshop.StartsUtc;
        }

        var sittings = new List<SittingSlot>();
        foreach (var (session, startsUtc, endsUtc) in planned)
        {
            var meeting = session.Id is { } id ? meetings.Single(m => m.Id == id) : null;
            if (meeting is null)
            {
                meeting = new Meeting
                {
                    OwnerKind = OwnerKind.Workshop, OwnerId = workshop.Id, Title = "", TimeZoneId = workshop.TimeZoneId, RoomId = workshop.RoomId,
                };
                db.Meetings.Add(meeting);
            }
            meeting.Title = session.Title.Trim();
            meeting.StartsUtc = startsUtc;
            meeting.EndsUtc = endsUtc;
            meeting.Place = workshop.Venue;
            meeting.Online = workshop.Online;
            sittings.Add(new SittingSlot(meeting.Id, meeting.Title, startsUtc, endsUtc));
        }
        db.Meetings.RemoveRange(meetings.Where(m => sittings.All(s => s.Id != m.Id)));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var changes = WorkshopChanges.Between(wasVenue, wasOnline, wasSittings, workshop.Venue, workshop.Online, sittings);
        if (changes.Count == 0)
        {
            return new WorkshopEdited(changes, 0);
        }
        var registrants = await db.Registrations.AsNoTracking()
            .Where(r => r.WorkshopId == workshop.Id
                && (r.Status == RegistrationStatus.Registered || r.Status == RegistrationStatus.Offered || r.Status == RegistrationStatus.Waitlisted))
            .ToListAsync(cancellationToken);
        var mails = registrants.Select(r => registrationMails.Compose(workshop, r, (text, culture, link) => (
            text["Mail.Changed", workshop.Title],
            text["Mail.Changed.Body", r.Name, workshop.Title,
                string.Join("\n", changes.Select(c => "- " + c.Describe(text, culture, workshop.TimeZoneId))), link]))).ToList();
        await registrationMails.SendAsync(workshop.Id, mails);
        return new WorkshopEdited(changes, mails.Count);
    }
}
