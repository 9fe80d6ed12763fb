using System.Globalization;
using System.Security.Claims;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Loki.Learning.Web.Features.Recordings;

public static class RecordingsApi
{
    public sealed record NewComment(double AtSeconds, int? Bar, Guid? TrackId, Guid? ParentId, string? Text);

    public sealed record NewMarker(string? Name);

    public sealed record Retention(int Days);

    public static void MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/rooms/{roomId:guid}/recordings", async Task<Created<RecordingStarted>> (Guid roomId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            {
                var started = await mediator.Send(new StartRecording(Actor.From(user)!, roomId), ct);
                return TypedResults.Created($"/api/recordings/{started.Id}", started);
            })
            .RequireAuthorization()
            .WithTags("Recordings");

        app.MapPost("/api/rooms/{roomId:guid}/recordings/markers", async (Guid roomId, NewMarker body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new DropRecordingMarker(Actor.From(user)!, roomId, body.Name), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization()
            .WithTags("Recordings");

        var recordings = app.MapGroup("/api/recordings").RequireAuthorization().WithTags("Recordings");

        recordings.MapGet("/", async (Guid ownerId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListRecordings(Actor.From(user)!, ownerId), ct)));

        recordings.MapPut("/retention", async (Guid ownerId, Retention body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new SetRecordingRetention(Actor.From(user)!, ownerId, body.Days), ct);
            return TypedResults.NoContent();
        });

        recordings.MapGet("/{recordingId:guid}", async (Guid recordingId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetRecording(Actor.From(user)!, recordingId), ct)));

        recordings.MapPost("/{recordingId:guid}/stop", async (Guid recordingId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new StopRecording(Actor.From(user)!, recordingId), ct);
            return TypedResults.NoContent();
        });

        recordings.MapPost("/{recordingId:guid}/comments", async Task<Created<IdResponse>> (Guid recordingId, NewComment body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var id = await mediator.Send(new AddRecordingComment(Actor.From(user)!, recordingId, body.AtSeconds, body.Bar, body.TrackId, body.ParentId, body.Text), ct);
            return TypedResults.Created($"/api/recordings/{recordingId}", new IdResponse(id));
        });

        // The zip is written as it is read, so a long take starts downloading at once; the expected size lets the page
        // show progress (the length is not known exactly before the zip is written).
        recordings.MapGet("/{recordingId:guid}/export", async (Guid recordingId, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var export = await mediator.Send(new ExportRecording(Actor.From(context.User)!, recordingId), ct);
            context.Response.ContentType = "application/zip";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{export.Name}.zip\"";
            context.Response.Headers.CacheControl = "private, no-store";
            context.Response.Headers["X-Expected-Length"] = export.ExpectedBytes.ToString(CultureInfo.InvariantCulture);
            // ZipArchive still writes some headers synchronously when its stream cannot seek.
            context.Features.Get<IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
            await export.WriteZipAsync(context.Response.Body, ct);
        });

        // A take's WAVs and videos, for the review page (ranges, so a player can seek); a stranger gets 404, as if it did not exist.
        app.MapGet("/recordings/{recordingId:guid}/files/{fileName}", async (Guid recordingId, string fileName, HttpContext context, IMediator mediator, CancellationToken ct) =>
            {
                var file = await mediator.Send(new GetRecordingFile(Actor.From(context.User)!, recordingId, fileName), ct);
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "private, no-cache";
                return TypedResults.PhysicalFile(file.FullPath, file.ContentType, enableRangeProcessing: true);
            })
            .RequireAuthorization()
            .WithTags("Recordings");
    }
}
