namespace Loki.Learning.Web.Features.Workshops;

/// One per workshop room (keyed by the room id): the live Q&amp;A and the current poll. Live state only, like the
/// room's roster: it lasts while the workshop runs. Callers have checked that the person belongs in the room
/// (and, for polls, that they host it).
public interface ILiveStageGrain : IGrainWithGuidKey
{
    Task<LiveStage> GetAsync(string personId);

    /// Null when accepted, otherwise a refusal key.
    Task<string?> AskAsync(string personId, string displayName, string text);

    /// One upvote per person and question; a second one takes it back.
    Task<string?> UpvoteAsync(string personId, Guid questionId);

    Task<string?> MarkAnsweredAsync(Guid questionId);

    /// Replaces the current poll with a new one (2–6 options).
    Task StartPollAsync(string question, IReadOnlyList<string> options);

    Task ClosePollAsync();

    /// One vote per person; voting again changes it.
    Task<string?> VoteAsync(string personId, int option);
}

[GenerateSerializer, Immutable, Alias("Loki.LiveQuestion")]
public sealed record LiveQuestion(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Author,
    [property: Id(2)] string Text,
    [property: Id(3)] int Upvotes,
    [property: Id(4)] bool UpvotedByMe,
    [property: Id(5)] bool Answered);

/// <param name="MyVote">The option the asking person chose, if any.</param>
[GenerateSerializer, Immutable, Alias("Loki.LivePoll")]
public sealed record LivePoll(
    [property: Id(0)] string Question,
    [property: Id(1)] IReadOnlyList<string> Options,
    [property: Id(2)] IReadOnlyList<int> Votes,
    [property: Id(3)] bool Open,
    [property: Id(4)] int? MyVote);

/// Questions most upvoted first (answered ones last), and the current poll.
[GenerateSerializer, Immutable, Alias("Loki.LiveStage")]
public sealed record LiveStage([property: Id(0)] IReadOnlyList<LiveQuestion> Questions, [property: Id(1)] LivePoll? Poll, [property: Id(2)] long Version);
