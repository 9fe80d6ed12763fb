using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Mail;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Workshops;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Workshops;

/// "E-mail all registrants": the organizer's text reaches each person registered (and, when chosen, those waiting),
/// each with their own link; nobody else can send it, and an event cannot flood its registrants.
[Collection(nameof(CatalogueCollection))]
public sealed class MailRegistrantsTests(Catalogue catalogue)
{
    private Outbox Outbox => catalogue.Services.GetRequiredService<Mailer>().Outbox;

    private IReadOnlyList<OutboxMessage> MailsTo(string address, string subject) =>
        Outbox.Read(5000).Where(m => m.To.Contains(address, StringComparison.OrdinalIgnoreCase) && m.Subject.EndsWith(subject, StringComparison.Ordinal)).ToList();

    private async Task<(Actor Organizer, Guid EventId, RegisterForWorkshop Placed, RegistrationOutcome PlacedOutcome, RegisterForWorkshop Waiting)> EventWithPeopleAsync()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 1);
        var placed = Events.Visitor(eventId, TicketCategory.Audience) with { Language = "nb" };
        var outcome = await catalogue.Mediator.Send(placed);
        var waiting = Events.Visitor(eventId, TicketCategory.Audience) with { Language = "en" };
        Assert.Equal(RegistrationStatus.Waitlisted, (await catalogue.Mediator.Send(waiting)).Status);
        return (organizer, eventId, placed, outcome, waiting);
    }

    [Fact]
    public async Task TheOrganizersTextReachesEveryoneWithAPlaceWithTheirOwnLinkAndTheWaitlistOnlyWhenChosen()
    {
        var (organizer, eventId, placed, outcome, waiting) = await EventWithPeopleAsync();
        var subject = "Bring a music stand " + Guid.NewGuid().ToString("N")[..6];

        var sent = await catalogue.Mediator.Send(new MailRegistrants(organizer, eventId, subject, "There are no stands in the hall.\nSee you there!"));

        Assert.Equal(1, sent);
        var mail = Assert.Single(MailsTo(placed.Email!, subject));
        Assert.Contains("There are no stands in the hall.\nSee you there!", mail.Body, StringComparison.Ordinal);
        Assert.Contains("Fra arrangøren av", mail.Body, StringComparison.Ordinal);
        Assert.Contains($"registrations/{outcome.Token}", mail.Body, StringComparison.Ordinal);
        Assert.Empty(MailsTo(waiting.Email!, subject));

        var both = await catalogue.Mediator.Send(new MailRegistrants(organizer, eventId, subject + " again", "Now for everyone.", ToRegistered: true, ToWaitlisted: true));

        Assert.Equal(2, both);
        Assert.Single(MailsTo(waiting.Email!, subject + " again"));
    }

    [Fact]
    public async Task AnotherOrganizerOrARegistrantCannotMailTheEventsRegistrants()
    {
        var (_, eventId, placed, _, _) = await EventWithPeopleAsync();
        var otherOrganizer = await catalogue.PersonAsync(Roles.Organizer);
        var registrant = await catalogue.PersonAsync(Roles.Student);
        await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience) with { Actor = registrant });
        var subject = "Event moved, log in here " + Guid.NewGuid().ToString("N")[..6];

        foreach (var stranger in new[] { otherOrganizer, registrant })
        {
            var refusal = await Assert.ThrowsAsync<Refusal>(() =>
                catalogue.Mediator.Send(new MailRegistrants(stranger, eventId, subject, "http://evil.example/login", true, true)).AsTask());
            Assert.Equal("Refusal.NotYourEvent", refusal.ReasonKey);
        }
        Assert.DoesNotContain(Outbox.Read(5000), m => m.Subject.EndsWith(subject, StringComparison.Ordinal));
        Assert.Empty(MailsTo(placed.Email!, subject));
    }

    [Fact]
    public async Task AnEventSendsAtMostFiveSuchMailsAnHourAndStrangersUseUpNoneOfThem()
    {
        var (organizer, eventId, placed, _, _) = await EventWithPeopleAsync();
        var otherOrganizer = await catalogue.PersonAsync(Roles.Organizer);
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new MailRegistrants(otherOrganizer, eventId, "Spam", "Spam spam")).AsTask());
        }

        for (var i = 0; i < MailRegistrantsHandler.PermitsPerWindow; i++)
        {
            Assert.Equal(1, await catalogue.Mediator.Send(new MailRegistrants(organizer, eventId, $"Note {i}", "A note.")));
        }
        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new MailRegistrants(organizer, eventId, "Note 6", "A note.")).AsTask());

        Assert.Equal((RefusalKind.TooManyAttempts, "Events.MailAll.TooMany"), (refusal.Kind, refusal.ReasonKey));
        Assert.Empty(MailsTo(placed.Email!, "Note 6"));
    }

    [Fact]
    public async Task AnEmptyMessageOrNoRecipientsIsRefusedWithTheField()
    {
        var (organizer, eventId, _, _, _) = await EventWithPeopleAsync();

        var empty = await Assert.ThrowsAsync<InvalidInput>(() => catalogue.Mediator.Send(new MailRegistrants(organizer, eventId, "", "")).AsTask());
        var nobody = await Assert.ThrowsAsync<Refusal>(() =>
            catalogue.Mediator.Send(new MailRegistrants(organizer, eventId, "Hello", "Hello all", ToRegistered: false, ToWaitlisted: false)).AsTask());
        var headerInjection = await Assert.ThrowsAsync<Refusal>(() =>
            catalogue.Mediator.Send(new MailRegistrants(organizer, eventId, "Hello\r\nBcc: everyone@example.com", "Hello all")).AsTask());

        Assert.Equal(["Validation.Required"], empty.Errors["Subject"]);
        Assert.Equal(["Validation.Required"], empty.Errors["Body"]);
        Assert.Equal(("Events.MailAll.NoRecipients", "ToRegistered"), (nobody.ReasonKey, nobody.Field));
        Assert.Equal("Subject", headerInjection.Field);
    }
}
