namespace Loki.Learning.Web.Features.Workshops;

public sealed class LiveStageGrain : Grain, ILiveStageGrain
{
    /// Questions kept per room; the room refuses more (a workshop is hours, not days).
    public const int MaxQuestions = 500;

    private readonly List<Question> _questions = [];
    private Poll? _poll;
    private long _version;

    public Task<LiveStage> GetAsync(string personId)
    {
        var questions = _questions
            .OrderBy(q => q.Answered).ThenByDescending(q => q.Upvoters.Count).ThenBy(q => q.Asked)
            .Select(q => new LiveQuestion(q.Id, q.Author, q.Text, q.Upvoters.Count, q.Upvoters.Contains(personId), q.Answered))
            .ToList();
        var poll = _poll is null ? null : new LivePoll(_poll.Question, _poll.Options,
            _poll.Options.Select((_, i) => _poll.Votes.Values.Count(v => v == i)).ToList(), _poll.Open,
            _poll.Votes.TryGetValue(personId, out var mine) ? mine : null);
        return Task.FromResult(new LiveStage(questions, poll, _version));
    }

    public Task<string?> AskAsync(string personId, string displayName, string text)
    {
        if (_questions.Count >= MaxQuestions)
        {
            return Task.FromResult<string?>("Refusal.TooManyQuestions");
        }
        _questions.Add(new Question(Guid.NewGuid(), personId, displayName, text.Trim(), _questions.Count));
        _version++;
        return Task.FromResult<string?>(null);
    }

    public Task<string?> UpvoteAsync(string personId, Guid questionId)
    {
        var question = _questions.Find(q => q.Id == questionId);
        if (question is null)
        {
            return Task.FromResult<string?>("Refusal.QuestionNotFound");
        }
        if (!question.Upvoters.Add(personId))
        {
            question.Upvoters.Remove(personId);
        }
        _version++;
        return Task.FromResult<string?>(null);
    }

    public Task<string?> MarkAnsweredAsync(Guid questionId)
    {
        var question = _questions.Find(q => q.Id == questionId);
        if (question is null)
        {
            return Task.FromResult<string?>("Refusal.QuestionNotFound");
        }
        question.Answered = true;
        _version++;
        return Task.FromResult<string?>(null);
    }

    public Task StartPollAsync(string question, IReadOnlyList<string> options)
    {
        _poll = new Poll(question.Trim(), options.Select(o => o.Trim()).ToList());
        _version++;
        return Task.CompletedTask;
    }

    public Task ClosePollAsync()
    {
        _poll?.Open = false;
        _version++;
        return Task.CompletedTask;
    }

    public Task<string?> VoteAsync(string personId, int option)
    {
        if (_poll is not { Open: true } poll)
        {
            return Task.FromResult<string?>("Refusal.NoOpenPoll");
        }
        if (option < 0 || option >= poll.Options.Count)
        {
            return Task.FromResult<string?>("Validation.PollOption");
        }
        poll.Votes[personId] = option;
        _version++;
        return Task.FromResult<string?>(null);
    }

    private sealed class Question(Guid id, string personId, string author, string text, int asked)
    {
        public Guid Id { get; } = id;

        public string PersonId { get; } = personId;

        public string Author { get; } = author;

        public string Text { get; } = text;

        public int Asked { get; } = asked;

        public HashSet<string> Upvoters { get; } = new(StringComparer.Ordinal);

        public bool Answered { get; set; }
    }

    private sealed class Poll(string question, List<string> options)
    {
        public string Question { get; } = question;

        public List<string> Options { get; } = options;

        public Dictionary<string, int> Votes { get; } = new(StringComparer.Ordinal);

        public bool Open { get; set; } = true;
    }
}
