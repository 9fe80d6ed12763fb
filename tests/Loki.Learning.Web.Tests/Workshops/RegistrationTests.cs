using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Mail;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Workshops;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Workshops;

[Collection(nameof(CatalogueCollection))]
public sealed class RegistrationTests(Catalogue catalogue)
{
    private Outbox Outbox => catalogue.Services.GetRequiredService<Mailer>().Outbox;

    private async Task<string> AttemptAsync(RegisterForWorkshop registration)
    {
        try
        {
            var outcome = await catalogue.Mediator.Send(registration);
            return outcome.Status.ToString();
        }
        catch (Refusal refusal)
        {
            return refusal.ReasonKey;
        }
    }

    [Fact]
    public async Task ParallelRegistrationsNeverOverbookACategory()
    {
        var (_, eventId) = await Events.PublishedAsync(catalogue, participants: 3, audience: 5);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            Task.Run(() => AttemptAsync(Events.Visitor(eventId, i % 2 == 0 ? TicketCategory.Participant : TicketCategory.Audience)))));

        Assert.Equal(3 + 5, attempts.Count(a => a == nameof(RegistrationStatus.Registered)));
        Assert.Equal(24 - 8, attempts.Count(a => a == nameof(RegistrationStatus.Waitlisted)));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var held = await db.Registrations.Where(r => r.WorkshopId == eventId && r.Status == RegistrationStatus.Registered)
            .GroupBy(r => r.Category).ToDictionaryAsync(g => g.Key, g => g.Count());
        Assert.Equal(3, held[TicketCategory.Participant]);
        Assert.Equal(5, held[TicketCategory.Audience]);
    }

    [Fact]
    public async Task ACancelledPlaceIsOfferedToTheFirstOnTheWaitlistWhoAcceptsIt()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, performers: 1);
        var first = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Performer, "Astrid Ek"));
        var second = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Performer, "Bodil Strand"));
        var third = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Performer, "Cecilia Berg"));
        Assert.Equal(RegistrationStatus.Registered, first.Status);
        Assert.Equal(RegistrationStatus.Waitlisted, second.Status);

        await catalogue.Mediator.Send(new CancelRegistration(first.Token!, eventId));

        var offered = await catalogue.Mediator.Send(new GetRegistration(second.Token!));
        Assert.Equal(RegistrationStatus.Offered, offered.Status);
        Assert.Equal(catalogue.Clock.GetUtcNow().UtcDateTime + WorkshopGrain.OfferLifetime, offered.OfferExpiresUtc);
        Assert.Equal(RegistrationStatus.Waitlisted, (await catalogue.Mediator.Send(new GetRegistration(third.Token!))).Status);

        var accepted = await catalogue.Mediator.Send(new AcceptOffer(second.Token!));

        Assert.Equal(RegistrationStatus.Registered, accepted.Status);
        var attendees = await catalogue.Mediator.Send(new ListRegistrations(organizer, eventId));
        Assert.Equal(["Bodil Strand"], attendees.Where(a => a.Status == RegistrationStatus.Registered).Select(a => a.Name));
        Assert.Equal(RegistrationStatus.Cancelled, attendees.Single(a => a.Name == "Astrid Ek").Status);
    }

    [Fact]
    public async Task AnOfferThatRunsOutGoesToTheNextInLineAndCanNoLongerBeAccepted()
    {
        var (_, eventId) = await Events.PublishedAsync(catalogue, audience: 1);
        var first = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience));
        var second = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience));
        var third = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience));
        await catalogue.Mediator.Send(new CancelRegistration(first.Token!));

        catalogue.Clock.Advance(WorkshopGrain.OfferLifetime + TimeSpan.FromMinutes(1));

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new AcceptOffer(second.Token!)).AsTask());
        Assert.Equal("Refusal.OfferExpired", refusal.ReasonKey);
        Assert.Equal(RegistrationStatus.OfferExpired, (await catalogue.Mediator.Send(new GetRegistration(second.Token!))).Status);
        Assert.Equal(RegistrationStatus.Offered, (await catalogue.Mediator.Send(new GetRegistration(third.Token!))).Status);
        Assert.Equal(RegistrationStatus.Registered, (await catalogue.Mediator.Send(new AcceptOffer(third.Token!))).Status);
    }

    [Fact]
    public async Task TheSameAddressCannotRegisterTwiceAndNothingIsWritten()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);
        var visitor = Events.Visitor(eventId, TicketCategory.Audience);
        await catalogue.Mediator.Send(visitor);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(visitor with { Email = visitor.Email!.ToUpperInvariant(), Category = TicketCategory.Audience }).AsTask());

        Assert.Equal("Refusal.AlreadyRegistered", refusal.ReasonKey);
        Assert.Single(await catalogue.Mediator.Send(new ListRegistrations(organizer, eventId)));
    }

    [Fact]
    public async Task RegistrationOutsideItsWindowIsRefused()
    {
        var now = catalogue.StockholmNow();
        var (_, notYet) = await Events.PublishedAsync(catalogue, audience: 10, opensLocal: now.AddDays(1), closesLocal: now.AddDays(2));
        var (_, closing) = await Events.PublishedAsync(catalogue, audience: 10, opensLocal: now.AddHours(-1), closesLocal: now.AddMinutes(1));

        var early = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(Events.Visitor(notYet, TicketCategory.Audience)).AsTask());
        catalogue.Clock.Advance(TimeSpan.FromMinutes(2));
        var late = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(Events.Visitor(closing, TicketCategory.Audience)).AsTask());

        Assert.Equal("Refusal.RegistrationNotOpen", early.ReasonKey);
        Assert.Equal("Refusal.RegistrationClosed", late.ReasonKey);
        Assert.False((await catalogue.Mediator.Send(new GetWorkshop(null, closing))).RegistrationOpen);
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("a@b")]
    [InlineData("<script>@x.se")]
    [InlineData("two words@example.se")]
    public async Task AMalformedAddressIsRefusedWithAFieldError(string email)
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);

        var invalid = await Assert.ThrowsAsync<InvalidInput>(() => catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience) with { Email = email }).AsTask());

        Assert.Equal(["Validation.Email"], invalid.Errors["Email"]);
        Assert.Empty(await catalogue.Mediator.Send(new ListRegistrations(organizer, eventId)));
    }

    [Fact]
    public async Task RegistrationNeedsConsentAndATicketTheEventOffers()
    {
        var (_, eventId) = await Events.PublishedAsync(catalogue, audience: 10);

        var noConsent = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience) with { Consent = false }).AsTask());
        var noSuchTicket = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Performer)).AsTask());

        Assert.Equal("Validation.ConsentRequired", noConsent.ReasonKey);
        Assert.Equal("Refusal.CategoryNotOffered", noSuchTicket.ReasonKey);
    }

    [Fact]
    public async Task ADraftIsNeitherListedNorOpenForRegistration()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10, publish: false);

        Assert.DoesNotContain(await catalogue.Mediator.Send(new ListWorkshops()), e => e.Id == eventId);
        await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new GetWorkshop(null, eventId)).AsTask());
        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience)).AsTask());
        Assert.Equal(RefusalKind.NotFound, refusal.Kind);

        await catalogue.Mediator.Send(new PublishWorkshop(organizer, eventId, true));
        Assert.Contains(await catalogue.Mediator.Send(new ListWorkshops()), e => e.Id == eventId);
    }

    [Fact]
    public async Task EveryStepWritesAnEmailToTheOutboxWithTheRegistrationsLink()
    {
        var (_, eventId) = await Events.PublishedAsync(catalogue, participants: 1);
        var first = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Participant, "Dagny Lund"));
        var second = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Participant, "Eira Sand"));

        await catalogue.Mediator.Send(new CancelRegistration(first.Token!));

        var mails = Outbox.Read(1000);
        var toDagny = mails.Where(m => m.To.Contains("Dagny Lund", StringComparison.Ordinal)).ToList();
        var toEira = mails.Where(m => m.To.Contains("Eira Sand", StringComparison.Ordinal)).ToList();
        // The event is in Swedish, so its e-mails are too.
        Assert.Contains(toDagny, m => m.Subject.StartsWith("Anmäld:", StringComparison.Ordinal) && m.Body.Contains($"/registrations/{first.Token}", StringComparison.Ordinal));
        Assert.Contains(toDagny, m => m.Subject.StartsWith("Avbokad:", StringComparison.Ordinal));
        Assert.Contains(toEira, m => m.Subject.StartsWith("Väntelista:", StringComparison.Ordinal));
        Assert.Contains(toEira, m => m.Subject.StartsWith("En plats till dig:", StringComparison.Ordinal) && m.Body.Contains($"/registrations/{second.Token}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnlyOrganizersCreateEventsAndOnlyTheirOwnAttendeeListsAreShown()
    {
        var (_, eventId) = await Events.PublishedAsync(catalogue, audience: 10);
        var student = await catalogue.PersonAsync(Roles.Student);
        var otherOrganizer = await catalogue.PersonAsync(Roles.Organizer);
        var admin = await catalogue.PersonAsync(Roles.Admin);

        var create = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new CreateWorkshop(student, "A student's event", "", "sv", null, true, null,
            "Europe/Stockholm", [new NewWorkshopSession("One", new DateTime(2026, 12, 10, 19, 0, 0), 60)], 0, 0, 10)).AsTask());
        var list = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new ListRegistrations(otherOrganizer, eventId)).AsTask());
        var publish = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new PublishWorkshop(otherOrganizer, eventId, false)).AsTask());

        Assert.Equal("Refusal.OnlyOrganizersCreateEvents", create.ReasonKey);
        Assert.Equal(RefusalKind.Forbidden, list.Kind);
        Assert.Equal(RefusalKind.Forbidden, publish.Kind);
        Assert.Empty(await catalogue.Mediator.Send(new ListRegistrations(admin, eventId)));
    }

    [Fact]
    public async Task ScriptInTheDescriptionIsShownAsTextAndUnsafeLinksAreRemoved()
    {
        var (_, eventId) = await Events.PublishedAsync(catalogue, audience: 10,
            description: "**Welcome!** <script>alert('x')</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) [ok](https://example.se) ![p](http://outside.example/p.png)");

        var details = await catalogue.Mediator.Send(new GetWorkshop(null, eventId));

        Assert.Contains("<strong>Welcome!</strong>", details.DescriptionHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", details.DescriptionHtml, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", details.DescriptionHtml, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", details.DescriptionHtml, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", details.DescriptionHtml, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.se\"", details.DescriptionHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkupInTheTitleIsRefused()
    {
        var organizer = await catalogue.PersonAsync(Roles.Organizer);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new CreateWorkshop(organizer, "<script>alert(1)</script>", "", "sv", null, true, null,
            "Europe/Stockholm", [new NewWorkshopSession("One", new DateTime(2026, 12, 10, 19, 0, 0), 60)], 0, 0, 10)).AsTask());

        Assert.Equal("Validation.NoMarkup", refusal.ReasonKey);
        Assert.Equal("Title", refusal.Field);
    }
}
