using System.Security.Claims;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Scores;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Loki.Learning.Web.Features.Materials;

public static class MaterialsApi
{
    public sealed record NewLink(string Title, string Url, string? Notes);

    public static void MapMaterialsApi(this IEndpointRouteBuilder app)
    {
        var materials = app.MapGroup("/api/courses/{courseId:guid}/materials").RequireAuthorization().WithTags("Materials");

        materials.MapGet("/", async (Guid courseId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListCourseMaterials(Actor.From(user)!, courseId), ct)));

        materials.MapPost("/links", async Task<Created<IdResponse>> (Guid courseId, NewLink body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var id = await mediator.Send(new AddCourseMaterial(Actor.From(user)!, courseId, body.Title, body.Notes, body.Url), ct);
            return TypedResults.Created($"/api/courses/{courseId}/materials", new IdResponse(id));
        });

        // Multipart from a script, like score uploads: no antiforgery token, and the SameSite=Lax cookie is not sent
        // with a cross-site form post.
        materials.MapPost("/files", async Task<Created<IdResponse>> (Guid courseId, IFormFile file, [FromForm] string? title, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            {
                if (file.Length > MaterialInspector.MaxUploadBytes)
                {
                    throw ScoreInspector.Refuse("Scores.Refusal.TooLarge");
                }
                var content = new byte[file.Length];
                await using (var stream = file.OpenReadStream())
                {
                    await stream.ReadExactlyAsync(content, ct);
                }
                var id = await mediator.Send(new UploadCourseMaterial(Actor.From(user)!, courseId, file.FileName, content, title), ct);
                return TypedResults.Created($"/materials/{id}/file", new IdResponse(id));
            })
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(MaterialInspector.MaxUploadBytes + 64 * 1024));

        app.MapDelete("/api/materials/{materialId:guid}", async (Guid materialId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new RemoveCourseMaterial(Actor.From(user)!, materialId), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization()
            .WithTags("Materials");

        // The file itself. A stranger, or a student not enrolled, gets 404 as if it did not exist; someone not signed in
        // is sent to the login page. A sandbox and nosniff keep any file from running as a page of this site; the type
        // is the one the content was checked to be, and only pictures and sounds are shown in the browser.
        app.MapGet("/materials/{materialId:guid}/file", async (Guid materialId, HttpContext context, IMediator mediator, CancellationToken ct) =>
            {
                var file = await mediator.Send(new GetCourseMaterialFile(Actor.From(context.User)!, materialId), ct);
                context.Response.Headers.ContentSecurityPolicy = "sandbox";
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "private, no-cache";
                if (file.Inline)
                {
                    context.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileNameStar = file.FileName }.ToString();
                    return TypedResults.PhysicalFile(file.FullPath, file.ContentType, enableRangeProcessing: true);
                }
                return TypedResults.PhysicalFile(file.FullPath, file.ContentType, file.FileName, enableRangeProcessing: true);
            })
            .RequireAuthorization()
            .WithTags("Materials");
    }
}
