using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Institutions;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// <param name="Start">Wall-clock start in the event's time zone.</param>
/// <param name="Id">When editing: the sitting (meeting) this changes; null for a new one.</param>
public sealed record NewWorkshopSession(
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Title,
    DateTime Start,
    [property: Range(15, 720, ErrorMessage = "Validation.EventDuration")] int DurationMinutes,
    Guid? Id = null);

/// An organizer creates a workshop, published at once or kept as a draft. Registration times are wall-clock in the
/// event's time zone; without them registration opens now and closes when the first session starts.
public sealed record CreateWorkshop(
    Actor Actor,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Title,
    [property: StringLength(8000, ErrorMessage = "Validation.TooLong")] string? Description,
    [property: Required(ErrorMessage = "Validation.Required"), RegularExpression("^(sv|nb|en)$", ErrorMessage = "Validation.Language")] string Language,
    [property: StringLength(200, ErrorMessage = "Validation.TooLong")] string? Venue,
    bool Online,
    [property: StringLength(300, ErrorMessage = "Validation.TooLong"), RegularExpression("^/(?!/)[A-Za-z0-9/._-]*$", ErrorMessage = "Validation.ImagePath")] string? ImagePath,
    string TimeZoneId,
    [property: Required(ErrorMessage = "Validation.Required"), MinLength(1, ErrorMessage = "Validation.SessionsRequired")] IReadOnlyList<NewWorkshopSession> Sessions,
    [property: Range(0, 10000, ErrorMessage = "Validation.Places")] int PerformerPlaces,
    [property: Range(0, 10000, ErrorMessage = "Validation.Places")] int ParticipantPlaces,
    [property: Range(0, 10000, ErrorMessage = "Validation.Places")] int AudiencePlaces,
    DateTime? RegistrationOpens = null,
    DateTime? RegistrationCloses = null,
    bool Publish = false,
    int? InstitutionId = null) : ICommand<Guid>;

public sealed class CreateWorkshopHandler(IDbContextFactory<LokiDbContext> dbFactory, TimeProvider clock) : ICommandHandler<CreateWorkshop, Guid>
{
    public async ValueTask<Guid> Handle(CreateWorkshop command, CancellationToken cancellationToken)
    {
        if (!command.Actor.CanOrganize)
        {
            throw Refusal.Forbidden("Refusal.OnlyOrganizersCreateEvents");
        }
        if (command.PerformerPlaces + command.ParticipantPlaces + command.AudiencePlaces == 0)
        {
            throw Refusal.Invalid("Validation.Places", nameof(command.AudiencePlaces));
        }
        var sessions = WorkshopRules.Check(command.Title, command.Venue, command.Online, command.InstitutionId, command.TimeZoneId, command.Sessions)
            .Select(s => (s.Session.Title, Slot: (s.StartsUtc, s.EndsUtc)))
            .ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        var opens = command.RegistrationOpens is { } o ? Schedule.ToUtc(o, command.TimeZoneId) : now;
        var closes = command.RegistrationCloses is { } c ? Schedule.ToUtc(c, command.TimeZoneId) : sessions[0].Slot.StartsUtc;
        if (closes <= opens || closes > sessions[^1].Slot.EndsUtc)
        {
            throw Refusal.Invalid("Validation.RegistrationWindow", nameof(command.RegistrationCloses));
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.EnsureInstitutionExistsAsync(command.InstitutionId, cancellationToken);
        var workshop = new Workshop
        {
            Title = command.Title.Trim(),
            Description = command.Description?.Trim() ?? "",
            Language = command.Language,
            Venue = string.IsNullOrWhiteSpace(command.Venue) ? null : command.Venue.Trim(),
            Online = command.Online,
            ImagePath = string.IsNullOrWhiteSpace(command.ImagePath) ? null : command.ImagePath,
            InstitutionId = command.InstitutionId,
            OrganizerId = command.Actor.PersonId,
            TimeZoneId = command.TimeZoneId,
            StartsUtc = sessions[0].Slot.StartsUtc,
            EndsUtc = sessions.Max(s => s.Slot.EndsUtc),
            PerformerPlaces = command.PerformerPlaces,
            ParticipantPlaces = command.ParticipantPlaces,
            AudiencePlaces = command.AudiencePlaces,
            Capacity = command.PerformerPlaces + command.ParticipantPlaces + command.AudiencePlaces,
            RegistrationOpensUtc = opens,
            RegistrationClosesUtc = closes,
            Published = command.Publish,
        };
        db.Workshops.Add(workshop);
        // Every sitting is a meeting in the workshop's one room.
        db.Meetings.AddRange(sessions.Select(s => new Meeting
        {
            OwnerKind = OwnerKind.Workshop, OwnerId = workshop.Id, Title = s.Title.Trim(), StartsUtc = s.Slot.StartsUtc, EndsUtc = s.Slot.EndsUtc,
            TimeZoneId = workshop.TimeZoneId, Place = workshop.Venue, Online = workshop.Online, RoomId = workshop.RoomId,
        }));
        await db.SaveChangesAsync(cancellationToken);
        return workshop.Id;
    }
}
