using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Notices;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Workshops;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Workshops;

[Collection(nameof(CatalogueCollection))]
public sealed class EventRoomTests(Catalogue catalogue)
{
    private async Task<RoomRole?> RoleAsync(Guid eventId, Actor actor)
    {
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var roomId = await db.Workshops.Where(w => w.Id == eventId).Select(w => w.RoomId).SingleAsync();
        var room = await db.FindRoomAsync(catalogue.Services.GetRequiredService<MeetingOwners>(), roomId, CancellationToken.None);
        var (role, _) = await db.RoleInRoomAsync(catalogue.Services.GetRequiredService<MeetingOwners>(), room!, actor, CancellationToken.None);
        return role;
    }

    private async Task<(Actor Person, RegistrationOutcome Outcome)> RegisteredAsync(Guid eventId, TicketCategory category)
    {
        var person = await catalogue.PersonAsync(Roles.Student);
        var outcome = await catalogue.Mediator.Send(new RegisterForWorkshop(person, eventId, "Signed in", null, category, true));
        return (person, outcome);
    }

    [Fact]
    public async Task PerformersPlayParticipantsAndTheAudienceListenAndStrangersStayOut()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, performers: 2, participants: 2, audience: 2);
        var (performer, _) = await RegisteredAsync(eventId, TicketCategory.Performer);
        var (participant, _) = await RegisteredAsync(eventId, TicketCategory.Participant);
        var (listener, _) = await RegisteredAsync(eventId, TicketCategory.Audience);
        var stranger = await catalogue.PersonAsync(Roles.Student);

        Assert.Equal(RoomRole.Host, await RoleAsync(eventId, organizer));
        Assert.Equal(RoomRole.Performer, await RoleAsync(eventId, performer));
        Assert.Equal(RoomRole.Listener, await RoleAsync(eventId, participant));
        Assert.Equal(RoomRole.Listener, await RoleAsync(eventId, listener));
        Assert.Null(await RoleAsync(eventId, stranger));
    }

    [Fact]
    public async Task ACancelledRegistrationNoLongerOpensTheRoom()
    {
        var (_, eventId) = await Events.PublishedAsync(catalogue, performers: 2);
        var (performer, outcome) = await RegisteredAsync(eventId, TicketCategory.Performer);

        await catalogue.Mediator.Send(new CancelRegistration(outcome.Token!));

        Assert.Null(await RoleAsync(eventId, performer));
    }

    [Fact]
    public async Task TheEventsSessionsAreInARegisteredPersonsScheduleButNotAWaitlistedOnes()
    {
        var (_, eventId) = await Events.PublishedAsync(catalogue, participants: 1);
        var (registered, _) = await RegisteredAsync(eventId, TicketCategory.Participant);
        var (waiting, _) = await RegisteredAsync(eventId, TicketCategory.Participant);

        var schedule = await catalogue.Mediator.Send(new GetMySchedule(registered.PersonId, catalogue.Clock.GetUtcNow().UtcDateTime));
        var waitingSchedule = await catalogue.Mediator.Send(new GetMySchedule(waiting.PersonId, catalogue.Clock.GetUtcNow().UtcDateTime));

        Assert.Equal(["Evening one", "Evening two"], schedule.Where(i => i.OwnerId == eventId).Select(i => i.Title));
        Assert.DoesNotContain(waitingSchedule, i => i.OwnerId == eventId);
    }

    [Fact]
    public async Task TheAudienceStreamAdmitsOnlyAPlaceHolderOnceTheRoomIsOpen()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 1);
        var holder = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience));
        var waiting = await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience));
        var roomId = (await catalogue.Mediator.Send(new GetWorkshop(organizer, eventId))).RoomId;

        var closed = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new AdmitAudience(eventId, holder.Token)).AsTask());
        await catalogue.Mediator.Send(new OpenLiveRoom(organizer, roomId));
        var admitted = await catalogue.Mediator.Send(new AdmitAudience(eventId, holder.Token));
        var notYet = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new AdmitAudience(eventId, waiting.Token)).AsTask());
        var madeUp = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new AdmitAudience(eventId, "made-up")).AsTask());

        Assert.Equal("Refusal.RoomClosed", closed.ReasonKey);
        Assert.Equal(roomId, admitted.RoomId);
        // One node: the stream is on this site, and the token travels with it.
        Assert.Equal($"/events/{eventId:D}/listen?token={Uri.EscapeDataString(holder.Token!)}", admitted.Url);
        Assert.Equal("Refusal.NotRegistered", notYet.ReasonKey);
        Assert.Equal("Refusal.RegistrationNotFound", madeUp.ReasonKey);
    }

    [Fact]
    public async Task OnlyAdminsPostNoticesWhichShowUntilWithdrawnUrgentFirst()
    {
        var admin = await catalogue.PersonAsync(Roles.Admin);
        var organizer = await catalogue.PersonAsync(Roles.Organizer);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new PostNotice(organizer, "Not mine to say", false)).AsTask());
        var normal = await catalogue.Mediator.Send(new PostNotice(admin, "The hall opens at 18:00.", false));
        var urgent = await catalogue.Mediator.Send(new PostNotice(admin, "Power cut in Östersund: the LAN site is up.", true));

        Assert.Equal("Refusal.OnlyAdminsPostNotices", refusal.ReasonKey);
        var notices = await catalogue.Mediator.Send(new ListNotices());
        Assert.True(notices.ToList().FindIndex(n => n.Id == urgent) < notices.ToList().FindIndex(n => n.Id == normal));
        await catalogue.Mediator.Send(new WithdrawNotice(admin, urgent));
        Assert.DoesNotContain(await catalogue.Mediator.Send(new ListNotices()), n => n.Id == urgent);
        await catalogue.Mediator.Send(new WithdrawNotice(admin, normal));
    }
}
