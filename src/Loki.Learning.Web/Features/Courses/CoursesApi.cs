using System.Security.Claims;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Loki.Learning.Web.Features.Courses;

public static class CoursesApi
{
    public sealed record NewCourse(string Title, string? Description, int Capacity, string? EnrolmentKey, string? TimeZoneId, bool PublicCalendar, int? InstitutionId);

    public sealed record NewSession(string Title, DateTime Start, int DurationMinutes);

    public sealed record NewEnrolment(string Student);

    public sealed record SelfEnrolment(string Key);

    public static void MapCoursesApi(this IEndpointRouteBuilder app)
    {
        var courses = app.MapGroup("/api/courses").RequireAuthorization().WithTags("Courses");

        courses.MapGet("/", async (ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListCourses(Actor.From(user)!), ct)));

        courses.MapGet("/{courseId:guid}", async (Guid courseId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetCourse(Actor.From(user)!, courseId), ct)));

        courses.MapPost("/", async Task<Created<IdResponse>> (NewCourse body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var id = await mediator.Send(new CreateCourse(Actor.From(user)!, body.Title, body.Description, body.Capacity, body.EnrolmentKey,
                body.TimeZoneId ?? "Europe/Stockholm", body.PublicCalendar, body.InstitutionId), ct);
            return TypedResults.Created($"/api/courses/{id}", new IdResponse(id));
        });

        courses.MapPost("/{courseId:guid}/sessions", async Task<Created<IdResponse>> (Guid courseId, NewSession body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var id = await mediator.Send(new ScheduleMeeting(Actor.From(user)!, OwnerKind.Course, courseId, body.Title, body.Start, body.DurationMinutes), ct);
            return TypedResults.Created($"/api/courses/{courseId}/sessions/{id}", new IdResponse(id));
        });

        courses.MapPost("/{courseId:guid}/enrolments", async (Guid courseId, NewEnrolment body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new EnrollInCourse(Actor.From(user)!, courseId, body.Student), ct)));

        courses.MapPost("/{courseId:guid}/self-enrolment", async (Guid courseId, SelfEnrolment body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new SelfEnrollInCourse(Actor.From(user)!, courseId, body.Key), ct))).RequireAbuseLimit(AbuseLimit.EnrolmentKey);

        courses.MapDelete("/{courseId:guid}/enrolments/{personId}", async (Guid courseId, string personId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new UnenrollFromCourse(Actor.From(user)!, courseId, personId), ct)));
    }
}

public sealed record IdResponse(Guid Id);
