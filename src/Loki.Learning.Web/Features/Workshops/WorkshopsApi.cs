using System.Globalization;
using System.Security.Claims;
using System.Text;
using Loki.Learning.Web.Features.Calendar;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Loki.Learning.Web.Features.Workshops;

public static class WorkshopsApi
{
    public sealed record NewWorkshop(
        string Title, string? Description, string? Language, string? Venue, bool Online, string? ImagePath, string? TimeZoneId,
        IReadOnlyList<NewWorkshopSession>? Sessions, int PerformerPlaces, int ParticipantPlaces, int AudiencePlaces,
        DateTime? RegistrationOpens, DateTime? RegistrationCloses, bool Publish, int? InstitutionId);

    public sealed record WorkshopEdit(
        string? Title, string? Description, string? Language, string? Venue, bool Online, string? ImageAlt, IReadOnlyList<NewWorkshopSession>? Sessions);

    public sealed record EditAnswer(IReadOnlyList<string> Changes, int Notified);

    public sealed record RegistrantMail(string? Subject, string? Body, bool ToRegistered = true, bool ToWaitlisted = false);

    public sealed record MailAnswer(int Sent);

    public sealed record ImageAnswer(string Path);

    public sealed record NewRegistration(string? Name, string? Email, TicketCategory Category, bool Consent);

    public sealed record RegistrationAnswer(string Status, string Token, TicketCategory Category, DateTime? OfferExpiresUtc);

    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events").WithTags("Events");

        events.MapGet("/", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListWorkshops(), ct)))
            .AllowAnonymous();

        events.MapGet("/{eventId:guid}", async (Guid eventId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetWorkshop(Actor.From(user), eventId), ct))).AllowAnonymous();

        events.MapPost("/", async Task<Created<IdResponse>> (NewWorkshop body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var id = await mediator.Send(new CreateWorkshop(Actor.From(user)!, body.Title ?? "", body.Description, body.Language ?? "sv", body.Venue, body.Online,
                body.ImagePath, body.TimeZoneId ?? "Europe/Stockholm", body.Sessions ?? [], body.PerformerPlaces, body.ParticipantPlaces, body.AudiencePlaces,
                body.RegistrationOpens, body.RegistrationCloses, body.Publish, body.InstitutionId), ct);
            return TypedResults.Created($"/api/events/{id}", new IdResponse(id));
        }).RequireAuthorization();

        events.MapPut("/{eventId:guid}", async (Guid eventId, WorkshopEdit body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var edited = await mediator.Send(new EditWorkshop(Actor.From(user)!, eventId, body.Title ?? "", body.Description, body.Language ?? "",
                body.Venue, body.Online, body.ImageAlt, body.Sessions ?? []), ct);
            return TypedResults.Ok(new EditAnswer(edited.Changes.Select(c => c.GetType().Name).ToList(), edited.Notified));
        }).RequireAuthorization();

        // Multipart like score uploads (a script's or the page's), so no antiforgery token; the cookie is SameSite=Lax.
        events.MapPut("/{eventId:guid}/image", async (Guid eventId, IFormFile file, [FromForm] string? alt, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            {
                if (file.Length > EventImages.MaxBytes)
                {
                    throw Refusal.Invalid("Events.Image.TooLarge", "Image");
                }
                var content = new byte[file.Length];
                await using (var stream = file.OpenReadStream())
                {
                    await stream.ReadExactlyAsync(content, ct);
                }
                return TypedResults.Ok(new ImageAnswer(await mediator.Send(new SetWorkshopImage(Actor.From(user)!, eventId, content, alt ?? ""), ct)));
            })
            .RequireAuthorization()
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(EventImages.MaxBytes + 64 * 1024));

        events.MapDelete("/{eventId:guid}/image", async (Guid eventId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveWorkshopImage(Actor.From(user)!, eventId), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization();

        events.MapPost("/{eventId:guid}/mails", async (Guid eventId, RegistrantMail body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(new MailAnswer(await mediator.Send(new MailRegistrants(Actor.From(user)!, eventId, body.Subject ?? "", body.Body ?? "",
                body.ToRegistered, body.ToWaitlisted), ct)))).RequireAuthorization();

        events.MapPost("/{eventId:guid}/registrations", async Task<Created<RegistrationAnswer>> (Guid eventId, NewRegistration body, HttpContext context, PublicAddress address, IMediator mediator, CancellationToken ct) =>
        {
            var user = context.User;
            var actor = Actor.From(user);
            var name = body.Name ?? (actor is null ? null : user.FindFirstValue(PersonClaims.DisplayName)) ?? "";
            var outcome = await mediator.Send(new RegisterForWorkshop(actor, eventId, name, body.Email, body.Category, body.Consent,
                CultureInfo.CurrentUICulture.TwoLetterISOLanguageName, address.LinkBaseFor(context.Request)), ct);
            return TypedResults.Created($"/api/events/{eventId}/registrations/{outcome.Token}",
                new RegistrationAnswer(outcome.Status == RegistrationStatus.Registered ? "registered" : "waitlisted", outcome.Token!, outcome.Category, outcome.OfferExpiresUtc));
        }).AllowAnonymous().RequireAbuseLimit(AbuseLimit.EventRegistration);

        events.MapDelete("/{eventId:guid}/registrations/{token}", async (Guid eventId, string token, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new CancelRegistration(token, eventId), ct);
            return TypedResults.NoContent();
        }).AllowAnonymous();

        events.MapPost("/{eventId:guid}/registrations/{token}/acceptance", async (Guid eventId, string token, IMediator mediator, CancellationToken ct) =>
        {
            var outcome = await mediator.Send(new AcceptOffer(token), ct);
            return TypedResults.Ok(new RegistrationAnswer("registered", outcome.Token!, outcome.Category, null));
        }).AllowAnonymous();

        events.MapGet("/{eventId:guid}/registrations", async (Guid eventId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListRegistrations(Actor.From(user)!, eventId), ct))).RequireAuthorization();

        // For people, not programs: the links on the event page and the organizer's attendee list. Each session keeps
        // the UID it has in the personal feed (its own id), so a calendar that imports both shows it once. GET and HEAD:
        // some calendar clients probe a subscription with HEAD first.
        app.MapMethods("/events/{eventId:guid}.ics", [HttpMethods.Get, HttpMethods.Head], async (Guid eventId, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var details = await mediator.Send(new GetWorkshop(Actor.From(context.User), eventId), ct);
            var site = new Uri($"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/");
            var items = details.Sessions.Select(s => new ScheduleItem(
                s.Id, OwnerKind.Workshop, s.Title, details.Title, details.Id, s.StartsUtc, s.EndsUtc, details.TimeZoneId, details.RoomId));
            return TypedResults.Text(CalendarFeed.Render(details.Title, items, site), CalendarFeed.ContentType, Encoding.UTF8);
        }).AllowAnonymous().ExcludeFromDescription();

        // The picture's address changes with each upload, so a published one may be cached for good.
        app.MapGet("/events/{eventId:guid}/images/{imageId:guid}.webp", async (Guid eventId, Guid imageId, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var image = await mediator.Send(new GetWorkshopImage(Actor.From(context.User), eventId, imageId), ct);
            context.Response.Headers.CacheControl = image.Public ? "public, max-age=31536000, immutable" : "private, no-cache";
            return TypedResults.File(image.Content, image.ContentType);
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapGet("/events/{eventId:guid}/attendees.csv", async (Guid eventId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var attendees = await mediator.Send(new ListRegistrations(Actor.From(user)!, eventId), ct);
            return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(AttendeeCsv.Render(attendees))).ToArray(),
                "text/csv; charset=utf-8", $"attendees-{eventId:N}.csv");
        }).RequireAuthorization().ExcludeFromDescription();
    }
}
