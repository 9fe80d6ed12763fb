using System.Security.Claims;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Loki.Learning.Web.Features.Scores;

public static class ScoresApi
{
    public sealed record NewAnnotation(int Bar, AnnotationMark Mark, string? Text);

    public static void MapScoresApi(this IEndpointRouteBuilder app)
    {
        var scores = app.MapGroup("/api/scores").RequireAuthorization().WithTags("Scores");

        scores.MapGet("/", async (Guid ownerId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListScores(Actor.From(user)!, ownerId), ct)));

        // Multipart from a script or another service, so no antiforgery token; the cookie is SameSite=Lax,
        // which a cross-site form post does not carry.
        scores.MapPost("/", async Task<Created<ScoreSummary>> (Guid ownerId, IFormFile file, [FromForm] string? title, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            {
                if (file.Length > ScoreInspector.MaxUploadBytes)
                {
                    throw ScoreInspector.Refuse("Scores.Refusal.TooLarge");
                }
                var content = new byte[file.Length];
                await using (var stream = file.OpenReadStream())
                {
                    await stream.ReadExactlyAsync(content, ct);
                }
                var summary = await mediator.Send(new UploadScore(Actor.From(user)!, ownerId, file.FileName, content, title), ct);
                return TypedResults.Created($"/api/scores/{summary.Id}", summary);
            })
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(ScoreInspector.MaxUploadBytes + 64 * 1024));

        scores.MapGet("/{scoreId:guid}", async (Guid scoreId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetScoreChoice(Actor.From(user)!, scoreId), ct)));

        scores.MapDelete("/{scoreId:guid}", async (Guid scoreId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DeleteScore(Actor.From(user)!, scoreId), ct);
            return TypedResults.NoContent();
        });

        scores.MapGet("/{scoreId:guid}/annotations", async (Guid scoreId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListScoreAnnotations(Actor.From(user)!, scoreId), ct)));

        scores.MapPost("/{scoreId:guid}/annotations", async Task<Created<IdResponse>> (Guid scoreId, NewAnnotation body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var id = await mediator.Send(new AddScoreAnnotation(Actor.From(user)!, scoreId, body.Bar, body.Mark, body.Text), ct);
            return TypedResults.Created($"/api/scores/{scoreId}/annotations/{id}", new IdResponse(id));
        });

        scores.MapDelete("/{scoreId:guid}/annotations/{annotationId:guid}", async (Guid scoreId, Guid annotationId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DeleteScoreAnnotation(Actor.From(user)!, scoreId, annotationId), ct);
            return TypedResults.NoContent();
        });

        // The file itself, for the score viewer; a stranger gets 404, as if it did not exist. Sent as an attachment
        // in a sandbox so an uploaded XML file can never run as a page of this site.
        app.MapGet("/scores/{scoreId:guid}/file", async (Guid scoreId, HttpContext context, IMediator mediator, CancellationToken ct) =>
            {
                var file = await mediator.Send(new GetScoreFile(Actor.From(context.User)!, scoreId), ct);
                context.Response.Headers.ContentSecurityPolicy = "sandbox";
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "private, no-cache";
                return TypedResults.PhysicalFile(file.FullPath, file.ContentType, file.FileName, enableRangeProcessing: true);
            })
            .RequireAuthorization()
            .WithTags("Scores");
    }
}
