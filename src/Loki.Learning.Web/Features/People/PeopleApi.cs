using System.Security.Claims;
using Mediator;

namespace Loki.Learning.Web.Features.People;

public static class PeopleApi
{
    /// Either value may be left out: it stays as it is.
    public sealed record ConsentChange(bool? Recording, bool? Video);

    public static void MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/me").RequireAuthorization().WithTags("People");

        me.MapGet("/consent", async (ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetMyConsent(Actor.From(user)!), ct)));

        me.MapPut("/consent", async (ConsentChange body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new SetMyConsent(Actor.From(user)!, body.Recording, body.Video), ct)));
    }
}
