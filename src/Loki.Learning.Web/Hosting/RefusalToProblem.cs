using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Localization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Loki.Learning.Web.Hosting;

/// Turns refusals and invalid input into RFC 7807 problem details, localized to the caller's culture.
public sealed class RefusalToProblem(IProblemDetailsService problems, IStringLocalizer<Text> text) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            InvalidInput invalid => new HttpValidationProblemDetails(Localize(invalid.Errors))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = text["Problem.InvalidInput"],
            },
            Refusal { Field: not null } refusal => new HttpValidationProblemDetails(Localize(new Dictionary<string, string[]> { [refusal.Field] = [refusal.ReasonKey] }))
            {
                Status = StatusOf(refusal.Kind),
                Title = text[refusal.ReasonKey],
                Type = refusal.ReasonKey,
            },
            Refusal refusal => new ProblemDetails { Status = StatusOf(refusal.Kind), Title = text[refusal.ReasonKey], Type = refusal.ReasonKey },
            BadHttpRequestException bad => new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = text["Problem.MalformedRequest"], Detail = bad.Message },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private Dictionary<string, string[]> Localize(IReadOnlyDictionary<string, string[]> errors) =>
        errors.ToDictionary(e => ToCamelCase(e.Key), e => e.Value.Select(key => text[key].Value).ToArray());

    private static string ToCamelCase(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    private static int StatusOf(RefusalKind kind) => kind switch
    {
        RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Conflict => StatusCodes.Status409Conflict,
        RefusalKind.TooManyAttempts => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };
}
