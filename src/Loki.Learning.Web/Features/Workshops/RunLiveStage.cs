using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Workshops;

/// The Q&amp;A and the poll of a workshop's room, for everyone who belongs in it.
public sealed record GetLiveStage(Actor Actor, Guid RoomId) : IQuery<LiveStage>;

public sealed record AskQuestion(
    Actor Actor,
    Guid RoomId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(500, MinimumLength = 3, ErrorMessage = "Validation.QuestionLength")] string Text) : ICommand;

public sealed record UpvoteQuestion(Actor Actor, Guid RoomId, Guid QuestionId) : ICommand;

/// The room's host marks a question answered (it moves to the end).
public sealed record MarkQuestionAnswered(Actor Actor, Guid RoomId, Guid QuestionId) : ICommand;

/// The room's host asks the room a question with 2–6 answers; a new poll replaces the last.
public sealed record StartPoll(
    Actor Actor,
    Guid RoomId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(300, MinimumLength = 3, ErrorMessage = "Validation.QuestionLength")] string Question,
    [property: Required(ErrorMessage = "Validation.Required"), Length(2, 6, ErrorMessage = "Validation.PollOptions")] IReadOnlyList<string> Options) : ICommand;

public sealed record ClosePoll(Actor Actor, Guid RoomId) : ICommand;

public sealed record VoteInPoll(Actor Actor, Guid RoomId, int Option) : ICommand;

public sealed class RunLiveStageHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains)
    : IQueryHandler<GetLiveStage, LiveStage>, ICommandHandler<AskQuestion>, ICommandHandler<UpvoteQuestion>, ICommandHandler<MarkQuestionAnswered>,
      ICommandHandler<StartPoll>, ICommandHandler<ClosePoll>, ICommandHandler<VoteInPoll>
{
    public async ValueTask<LiveStage> Handle(GetLiveStage query, CancellationToken cancellationToken) =>
        await (await StageAsync(query.Actor, query.RoomId, hostOnly: false, cancellationToken)).GetAsync(query.Actor.PersonId);

    public async ValueTask<Unit> Handle(AskQuestion command, CancellationToken cancellationToken)
    {
        var stage = await StageAsync(command.Actor, command.RoomId, hostOnly: false, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var name = await db.Users.Where(u => u.Id == command.Actor.PersonId).Select(u => u.DisplayName).SingleAsync(cancellationToken);
        return Checked(await stage.AskAsync(command.Actor.PersonId, name, command.Text));
    }

    public async ValueTask<Unit> Handle(UpvoteQuestion command, CancellationToken cancellationToken) =>
        Checked(await (await StageAsync(command.Actor, command.RoomId, hostOnly: false, cancellationToken)).UpvoteAsync(command.Actor.PersonId, command.QuestionId));

    public async ValueTask<Unit> Handle(MarkQuestionAnswered command, CancellationToken cancellationToken) =>
        Checked(await (await StageAsync(command.Actor, command.RoomId, hostOnly: true, cancellationToken)).MarkAnsweredAsync(command.QuestionId));

    public async ValueTask<Unit> Handle(StartPoll command, CancellationToken cancellationToken)
    {
        var options = command.Options.Where(o => !string.IsNullOrWhiteSpace(o)).ToList();
        if (options.Count < 2 || options.Any(o => o.Length > 100))
        {
            throw Refusal.Invalid("Validation.PollOptions", nameof(command.Options));
        }
        await (await StageAsync(command.Actor, command.RoomId, hostOnly: true, cancellationToken)).StartPollAsync(command.Question, options);
        return Unit.Value;
    }

    public async ValueTask<Unit> Handle(ClosePoll command, CancellationToken cancellationToken)
    {
        await (await StageAsync(command.Actor, command.RoomId, hostOnly: true, cancellationToken)).ClosePollAsync();
        return Unit.Value;
    }

    public async ValueTask<Unit> Handle(VoteInPoll command, CancellationToken cancellationToken) =>
        Checked(await (await StageAsync(command.Actor, command.RoomId, hostOnly: false, cancellationToken)).VoteAsync(command.Actor.PersonId, command.Option));

    private async Task<ILiveStageGrain> StageAsync(Actor actor, Guid roomId, bool hostOnly, CancellationToken cancellationToken)
    {
        var (room, role) = await dbFactory.MemberOfRoomAsync(owners, roomId, actor, cancellationToken);
        if (room.Kind != OwnerKind.Workshop)
        {
            throw Refusal.NotFound("Refusal.RoomNotFound");
        }
        if (hostOnly && role != RoomRole.Host)
        {
            throw Refusal.Forbidden("Refusal.NotRoomHost");
        }
        return grains.GetGrain<ILiveStageGrain>(roomId);
    }

    private static Unit Checked(string? refusal) => refusal switch
    {
        null => Unit.Value,
        _ when refusal.StartsWith("Validation.", StringComparison.Ordinal) => throw Refusal.Invalid(refusal),
        "Refusal.QuestionNotFound" => throw Refusal.NotFound(refusal),
        _ => throw Refusal.Conflict(refusal),
    };
}
