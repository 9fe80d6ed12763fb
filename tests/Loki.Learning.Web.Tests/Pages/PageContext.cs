using System.Globalization;
using System.Security.Claims;
using Bunit;
using System.Net;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Pages;

/// bUnit with the real message handlers on the shared catalogue, in a chosen language.
public abstract class PageContext : BunitContext
{
    protected PageContext(Catalogue catalogue, string culture)
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
        Catalogue = catalogue;
        Services.AddSingleton(catalogue.Mediator);
        Services.AddSingleton<TimeProvider>(catalogue.Clock);
        Services.AddLocalization();
        Services.AddSingleton(_ => new AbuseLimiter(Options.Create(Limits)));
        Services.AddSingleton(new ClientAddress { Value = IPAddress.Loopback });
        // Pages that watch a grain (the ensemble page) subscribe through the catalogue's cluster, as on a live circuit.
        Services.AddSingleton<IGrainFactory>(catalogue.Cluster.Client);
    }

    /// The forms' rate limits: the defaults, unless a test sets its own before rendering.
    protected AbuseLimitOptions Limits { get; } = new();

    protected Catalogue Catalogue { get; }

    /// Signs the actor in the way the cookie does: their id and role claims.
    protected void SignIn(Actor actor)
    {
        var claims = actor.Roles.Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.NameIdentifier, actor.PersonId));
        var user = new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType: "Test"));
        Services.AddSingleton<AuthenticationStateProvider>(new SignedIn(user));
        Services.AddCascadingAuthenticationState();
        Services.AddAuthorizationCore();
    }

    private sealed class SignedIn(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
