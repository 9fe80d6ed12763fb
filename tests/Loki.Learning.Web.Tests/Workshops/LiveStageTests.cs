using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Workshops;

namespace Loki.Learning.Web.Tests.Workshops;

[Collection(nameof(CatalogueCollection))]
public sealed class LiveStageTests(Catalogue catalogue)
{
    private async Task<(Actor Organizer, Guid RoomId, Actor Participant, Actor Performer)> WorkshopRoomAsync()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, performers: 2, participants: 5);
        var participant = await catalogue.PersonAsync(Roles.Student, "Ingrid Participant");
        var performer = await catalogue.PersonAsync(Roles.Student, "Per Performer");
        await catalogue.Mediator.Send(new RegisterForWorkshop(participant, eventId, "Ingrid", null, TicketCategory.Participant, true));
        await catalogue.Mediator.Send(new RegisterForWorkshop(performer, eventId, "Per", null, TicketCategory.Performer, true));
        var roomId = (await catalogue.Mediator.Send(new GetWorkshop(organizer, eventId))).RoomId;
        await catalogue.Mediator.Send(new OpenLiveRoom(organizer, roomId));
        return (organizer, roomId, participant, performer);
    }

    [Fact]
    public async Task TheHostBringsAListeningParticipantOnStageAndBack()
    {
        var (organizer, roomId, participant, _) = await WorkshopRoomAsync();
        await catalogue.Mediator.Send(new JoinRoom(organizer, roomId));
        await catalogue.Mediator.Send(new JoinRoom(participant, roomId));
        await catalogue.Mediator.Send(new ControlRoom(participant, roomId, RoomControl.RaiseHand));

        await catalogue.Mediator.Send(new ControlRoom(organizer, roomId, RoomControl.BringOnStage, participant.PersonId));
        var onStage = (await catalogue.Mediator.Send(new GetRoom(organizer, roomId))).View.Roster.Single(p => p.PersonId == participant.PersonId);
        await catalogue.Mediator.Send(new ControlRoom(organizer, roomId, RoomControl.SendBackToAudience, participant.PersonId));
        var back = (await catalogue.Mediator.Send(new GetRoom(organizer, roomId))).View.Roster.Single(p => p.PersonId == participant.PersonId);

        Assert.Equal(RoomRole.Performer, onStage.Role);
        Assert.True(onStage.HandRaised);
        Assert.Equal(RoomRole.Listener, back.Role);
        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new ControlRoom(participant, roomId, RoomControl.BringOnStage, participant.PersonId)).AsTask());
        Assert.Equal("Refusal.NotRoomHost", refusal.ReasonKey);
    }

    [Fact]
    public async Task QuestionsAreOrderedByUpvotesAndEachPersonUpvotesOnce()
    {
        var (organizer, roomId, participant, performer) = await WorkshopRoomAsync();
        await catalogue.Mediator.Send(new AskQuestion(participant, roomId, "How do you tune for polska?"));
        await catalogue.Mediator.Send(new AskQuestion(performer, roomId, "Which bow do you use?"));
        var bow = (await catalogue.Mediator.Send(new GetLiveStage(organizer, roomId))).Questions.Single(q => q.Text.StartsWith("Which", StringComparison.Ordinal));

        await catalogue.Mediator.Send(new UpvoteQuestion(participant, roomId, bow.Id));
        await catalogue.Mediator.Send(new UpvoteQuestion(organizer, roomId, bow.Id));
        await catalogue.Mediator.Send(new UpvoteQuestion(organizer, roomId, bow.Id));

        var stage = await catalogue.Mediator.Send(new GetLiveStage(participant, roomId));
        Assert.Equal(["Which bow do you use?", "How do you tune for polska?"], stage.Questions.Select(q => q.Text));
        Assert.Equal(1, stage.Questions[0].Upvotes);
        Assert.True(stage.Questions[0].UpvotedByMe);
        Assert.Equal("Per Performer", stage.Questions[0].Author);
    }

    [Fact]
    public async Task OnlyTheHostStartsAPollEveryoneVotesOnceAndAClosedPollTakesNoVotes()
    {
        var (organizer, roomId, participant, performer) = await WorkshopRoomAsync();
        var notHost = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new StartPoll(participant, roomId, "Encore?", ["Yes", "No"])).AsTask());
        await catalogue.Mediator.Send(new StartPoll(organizer, roomId, "Which tune next?", ["Polska", "Halling", "Vals"]));

        await catalogue.Mediator.Send(new VoteInPoll(participant, roomId, 1));
        await catalogue.Mediator.Send(new VoteInPoll(participant, roomId, 0));
        await catalogue.Mediator.Send(new VoteInPoll(performer, roomId, 0));
        await catalogue.Mediator.Send(new ClosePoll(organizer, roomId));
        var closed = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new VoteInPoll(performer, roomId, 2)).AsTask());

        Assert.Equal("Refusal.NotRoomHost", notHost.ReasonKey);
        Assert.Equal("Refusal.NoOpenPoll", closed.ReasonKey);
        var poll = (await catalogue.Mediator.Send(new GetLiveStage(participant, roomId))).Poll!;
        Assert.Equal([2, 0, 0], poll.Votes);
        Assert.Equal(0, poll.MyVote);
        Assert.False(poll.Open);
    }

    [Fact]
    public async Task AStrangerSeesNeitherQuestionsNorPoll()
    {
        var (_, roomId, _, _) = await WorkshopRoomAsync();
        var stranger = await catalogue.PersonAsync(Roles.Student);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new GetLiveStage(stranger, roomId)).AsTask());
        var asking = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new AskQuestion(stranger, roomId, "Can I come in?")).AsTask());

        Assert.Equal(RefusalKind.NotFound, refusal.Kind);
        Assert.Equal(RefusalKind.NotFound, asking.Kind);
    }
}
