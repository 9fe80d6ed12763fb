using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.People;

/// Demo accounts (their passwords are published in the README) sign in only in Development.
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
}
