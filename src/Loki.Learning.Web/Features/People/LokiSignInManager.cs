using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.People;

/// Demo accounts (their passwords are published in the README) sign in only in Development: not with a password
/// (form or API), and not with a refresh token or cookie that was issued while the database ran in Development.
public sealed class LokiSignInManager(
    UserManager<Person> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<Person> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<Person>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<Person> confirmation,
    IHostEnvironment environment)
    : SignInManager<Person>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(Person user) =>
        (!user.IsDemoAccount || environment.IsDevelopment()) && await base.CanSignInAsync(user);

    /// Refresh tokens, cookie revalidation and a Blazor circuit's revalidation all come through here.
    public override async Task<Person?> ValidateSecurityStampAsync(ClaimsPrincipal? principal) =>
        await base.ValidateSecurityStampAsync(principal) is { } user && (!user.IsDemoAccount || environment.IsDevelopment()) ? user : null;
}
