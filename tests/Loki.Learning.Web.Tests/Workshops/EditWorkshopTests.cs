using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Mail;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Workshops;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Workshops;

/// The organizer edits an event after creating it; a change of time or place reaches every registrant by mail, in the
/// language they registered in, with the link to their registration.
[Collection(nameof(CatalogueCollection))]
public sealed class EditWorkshopTests(Catalogue catalogue)
{
    private Outbox Outbox => catalogue.Services.GetRequiredService<Mailer>().Outbox;

    private IReadOnlyList<OutboxMessage> MailsTo(string address) =>
        Outbox.Read(5000).Where(m => m.To.Contains(address, StringComparison.OrdinalIgnoreCase)).ToList();

    /// The event as the edit form shows it, turned into the command that saves it unchanged.
    private async Task<EditWorkshop> AsEditedAsync(Actor organizer, Guid eventId)
    {
        var details = await catalogue.Mediator.Send(new GetWorkshop(organizer, eventId));
        var form = WorkshopForm.From(details);
        return new EditWorkshop(organizer, eventId, form.Title, form.Description, form.Language, form.Venue, form.Online, details.ImageAlt, form.Sessions());
    }

    [Fact]
    public async Task MovingASittingAndCancellingAnotherMailsEachRegistrantInTheirLanguageWhatChanged()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, participants: 1, audience: 10);
        var swedishVisitor = Events.Visitor(eventId, TicketCategory.Audience, "Astrid Ek") with { Language = "sv" };
        var swede = await catalogue.Mediator.Send(swedishVisitor);
        var norwegian = Events.Visitor(eventId, TicketCategory.Participant, "Kari Nordmann") with { Language = "nb" };
        await catalogue.Mediator.Send(norwegian);
        var waiting = Events.Visitor(eventId, TicketCategory.Participant, "Ola Dunk") with { Language = "en" };
        Assert.Equal(RegistrationStatus.Waitlisted, (await catalogue.Mediator.Send(waiting)).Status);
        var cancelled = Events.Visitor(eventId, TicketCategory.Audience, "Gone Away");
        await catalogue.Mediator.Send(new CancelRegistration((await catalogue.Mediator.Send(cancelled)).Token!, eventId));
        var edit = await AsEditedAsync(organizer, eventId);
        var first = edit.Sessions[0];

        var edited = await catalogue.Mediator.Send(edit with
        {
            Title = edit.Title + " (new title)",
            Sessions = [first with { Start = first.Start.AddHours(1) }],
        });

        Assert.Equal([typeof(SittingMoved), typeof(SittingCancelled)], edited.Changes.Select(c => c.GetType()));
        Assert.Equal(3, edited.Notified);
        var swedish = Assert.Single(MailsTo(swedishVisitor.Email!), m => m.Subject.StartsWith("Ändrat: ", StringComparison.Ordinal));
        Assert.Contains("Evening one flyttas från", swedish.Body, StringComparison.Ordinal);
        Assert.Contains("19:00–21:00 till", swedish.Body, StringComparison.Ordinal);
        Assert.Contains("20:00–22:00", swedish.Body, StringComparison.Ordinal);
        Assert.Contains("Inställt: Evening two", swedish.Body, StringComparison.Ordinal);
        Assert.Contains($"registrations/{swede.Token}", swedish.Body, StringComparison.Ordinal);
        var norsk = Assert.Single(MailsTo(norwegian.Email!), m => m.Subject.StartsWith("Endret: ", StringComparison.Ordinal));
        Assert.Contains("Avlyst: Evening two", norsk.Body, StringComparison.Ordinal);
        var english = Assert.Single(MailsTo(waiting.Email!), m => m.Subject.StartsWith("Changed: ", StringComparison.Ordinal));
        Assert.Contains("Cancelled: Evening two", english.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(MailsTo(cancelled.Email!), m => m.Subject.Contains("Changed", StringComparison.Ordinal) || m.Subject.Contains("Ändrat", StringComparison.Ordinal));

        var details = await catalogue.Mediator.Send(new GetWorkshop(null, eventId));
        Assert.EndsWith("(new title)", details.Title, StringComparison.Ordinal);
        var sitting = Assert.Single(details.Sessions);
        Assert.Equal(first.Id, sitting.Id);
        Assert.Equal(details.StartsUtc, sitting.StartsUtc);
    }

    [Fact]
    public async Task ANewPlaceAndANewSittingAreMailedButATextChangeIsNot()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);
        var visitor = Events.Visitor(eventId, TicketCategory.Audience) with { Language = "en" };
        await catalogue.Mediator.Send(visitor);
        var edit = await AsEditedAsync(organizer, eventId);

        var textOnly = await catalogue.Mediator.Send(edit with { Description = "Bring your own instrument." });

        Assert.Empty(textOnly.Changes);
        Assert.Equal(0, textOnly.Notified);
        Assert.DoesNotContain(MailsTo(visitor.Email!), m => m.Subject.StartsWith("Changed", StringComparison.Ordinal));

        var moved = await catalogue.Mediator.Send(edit with
        {
            Venue = "Stadsbiblioteket",
            Online = false,
            Sessions = [.. edit.Sessions, new NewWorkshopSession("Evening three", edit.Sessions[1].Start.AddDays(1), 60)],
        });

        Assert.Equal([typeof(VenueChanged), typeof(OnlineChanged), typeof(SittingAdded)], moved.Changes.Select(c => c.GetType()));
        var mail = Assert.Single(MailsTo(visitor.Email!), m => m.Subject.StartsWith("Changed", StringComparison.Ordinal));
        Assert.Contains("The venue changes from Gamla Tingshuset to Stadsbiblioteket", mail.Body, StringComparison.Ordinal);
        Assert.Contains("It is no longer held online", mail.Body, StringComparison.Ordinal);
        Assert.Contains("New session: Evening three", mail.Body, StringComparison.Ordinal);
        Assert.Equal(3, (await catalogue.Mediator.Send(new GetWorkshop(null, eventId))).Sessions.Count);
    }

    [Fact]
    public async Task InvalidChangesAreRefusedWithTheFieldAndChangeNothing()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);
        var edit = await AsEditedAsync(organizer, eventId);
        var before = await catalogue.Mediator.Send(new GetWorkshop(null, eventId));

        var tooShort = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(edit with
        {
            Title = "Renamed",
            Sessions = [edit.Sessions[0] with { DurationMinutes = 5 }, edit.Sessions[1]],
        }).AsTask());
        var nowhere = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(edit with { Venue = "", Online = false }).AsTask());
        var none = await Assert.ThrowsAsync<InvalidInput>(() => catalogue.Mediator.Send(edit with { Sessions = [] }).AsTask());
        var (_, otherEvent) = await Events.PublishedAsync(catalogue, audience: 1);
        var foreignSitting = (await AsEditedAsync(organizer, otherEvent)).Sessions[0];
        var stolen = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(edit with { Sessions = [foreignSitting] }).AsTask());

        Assert.Equal(("Validation.EventDuration", "Sessions"), (tooShort.ReasonKey, tooShort.Field));
        Assert.Equal(("Validation.VenueOrOnline", "Venue"), (nowhere.ReasonKey, nowhere.Field));
        Assert.Equal(["Validation.SessionsRequired"], none.Errors["Sessions"]);
        Assert.Equal("Refusal.SittingNotFound", stolen.ReasonKey);
        var after = await catalogue.Mediator.Send(new GetWorkshop(null, eventId));
        Assert.Equal(before.Title, after.Title);
        Assert.Equal(before.Sessions, after.Sessions);
        Assert.Equal(2, (await AsEditedAsync(organizer, otherEvent)).Sessions.Count);
    }

    [Fact]
    public async Task AnotherOrganizerOrARegistrantCannotEditTheEvent()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);
        var edit = await AsEditedAsync(organizer, eventId);
        var otherOrganizer = await catalogue.PersonAsync(Roles.Organizer);
        var registrant = await catalogue.PersonAsync(Roles.Student);
        await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience) with { Actor = registrant });

        foreach (var stranger in new[] { otherOrganizer, registrant })
        {
            var refusal = await Assert.ThrowsAsync<Refusal>(() =>
                catalogue.Mediator.Send(edit with { Actor = stranger, Title = "Hijacked", Sessions = [edit.Sessions[0]] }).AsTask());
            Assert.Equal("Refusal.NotYourEvent", refusal.ReasonKey);
        }
        var details = await catalogue.Mediator.Send(new GetWorkshop(null, eventId));
        Assert.Equal(edit.Title, details.Title);
        Assert.Equal(2, details.Sessions.Count);
    }
}
