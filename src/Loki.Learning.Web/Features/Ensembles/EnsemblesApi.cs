using System.Security.Claims;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Loki.Learning.Web.Features.Ensembles;

public static class EnsemblesApi
{
    public sealed record NewEnsemble(string Name, string? Description, string? TimeZoneId, int? InstitutionId);

    public sealed record NewRehearsal(string Title, DateTime Start, int DurationMinutes);

    public sealed record NewClassCode(int? InstitutionId, int ValidDays = 7);

    public sealed record NewJoinRequest(string Code, string DisplayName, string? Instrument, bool GuardianConsentForRecording);

    public static void MapEnsemblesApi(this IEndpointRouteBuilder app)
    {
        var ensembles = app.MapGroup("/api/ensembles").RequireAuthorization().WithTags("Ensembles");

        ensembles.MapGet("/", async (ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListEnsembles(Actor.From(user)!), ct)));

        ensembles.MapGet("/{ensembleId:guid}", async (Guid ensembleId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetEnsemble(Actor.From(user)!, ensembleId), ct)));

        ensembles.MapPost("/", async Task<Created<IdResponse>> (NewEnsemble body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var id = await mediator.Send(new CreateEnsemble(Actor.From(user)!, body.Name, body.Description, body.TimeZoneId ?? "Europe/Stockholm", body.InstitutionId), ct);
            return TypedResults.Created($"/api/ensembles/{id}", new IdResponse(id));
        });

        ensembles.MapPost("/{ensembleId:guid}/rehearsals", async Task<Created<IdResponse>> (Guid ensembleId, NewRehearsal body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var id = await mediator.Send(new ScheduleMeeting(Actor.From(user)!, OwnerKind.Ensemble, ensembleId, body.Title, body.Start, body.DurationMinutes), ct);
            return TypedResults.Created($"/api/ensembles/{ensembleId}/rehearsals/{id}", new IdResponse(id));
        });

        ensembles.MapPost("/{ensembleId:guid}/class-codes", async (Guid ensembleId, NewClassCode body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new IssueClassCode(Actor.From(user)!, ensembleId, body.InstitutionId, body.ValidDays), ct)));

        ensembles.MapPost("/{ensembleId:guid}/class-codes/{code}/revoke", async (Guid ensembleId, string code, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RevokeClassCode(Actor.From(user)!, ensembleId, code), ct);
            return TypedResults.NoContent();
        });

        ensembles.MapPost("/{ensembleId:guid}/join-requests/{requestId:guid}/approve", async (Guid ensembleId, Guid requestId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new DecideJoinRequest(Actor.From(user)!, ensembleId, requestId, Approve: true), ct)));

        ensembles.MapPost("/{ensembleId:guid}/join-requests/{requestId:guid}/reject", async (Guid ensembleId, Guid requestId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new DecideJoinRequest(Actor.From(user)!, ensembleId, requestId, Approve: false), ct)));

        // Pupils have no account yet when they ask to join.
        app.MapPost("/api/join-requests", async (NewJoinRequest body, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new RequestToJoinEnsemble(body.Code, body.DisplayName, body.Instrument, body.GuardianConsentForRecording), ct)))
            .AllowAnonymous().WithTags("Ensembles").RequireAbuseLimit(AbuseLimit.ClassCode);
    }
}
