using System.ComponentModel.DataAnnotations;
using Mediator;

namespace Loki.Learning.Web.Features;

public enum RefusalKind
{
    Invalid,
    Forbidden,
    NotFound,
    Conflict,

    /// Too many attempts from one client address in a while (enrolment keys, class codes, sign-in, registrations).
    TooManyAttempts,
}

/// A request the platform refuses for a reason the user can act on. <see cref="ReasonKey"/>
/// is a resource key; pages and the API localize it at the edge. Nothing has been written.
public sealed class Refusal(RefusalKind kind, string reasonKey, string? field = null) : Exception(reasonKey)
{
    public RefusalKind Kind { get; } = kind;

    public string ReasonKey { get; } = reasonKey;

    public string? Field { get; } = field;

    public static Refusal NotFound(string reasonKey = "Refusal.NotFound") => new(RefusalKind.NotFound, reasonKey);

    public static Refusal Forbidden(string reasonKey = "Refusal.Forbidden") => new(RefusalKind.Forbidden, reasonKey);

    public static Refusal Conflict(string reasonKey, string? field = null) => new(RefusalKind.Conflict, reasonKey, field);

    public static Refusal Invalid(string reasonKey, string? field = null) => new(RefusalKind.Invalid, reasonKey, field);

    public static Refusal TooManyAttempts() => new(RefusalKind.TooManyAttempts, "Refusal.TooManyAttempts");
}

/// Field errors found by data annotations on a message; values are resource keys.
public sealed class InvalidInput(IReadOnlyDictionary<string, string[]> errors) : Exception("Invalid input")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// Runs the data annotations on every message before its handler, so no handler sees malformed input.
public sealed class ValidateMessages<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(message, new ValidationContext(message), results, validateAllProperties: true))
        {
            var errors = results
                .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : [""]).Select(member => (member, r.ErrorMessage ?? "Validation.Invalid")))
                .GroupBy(e => e.member)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Item2).Distinct().ToArray());
            throw new InvalidInput(errors);
        }
        return next(message, cancellationToken);
    }
}
