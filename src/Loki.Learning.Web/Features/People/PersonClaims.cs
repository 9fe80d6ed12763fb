using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.People;

public static class PersonClaims
{
    public const string DisplayName = "loki:display_name";
}

/// Puts the display name in the cookie so pages greet people by name without a database call.
public sealed class PersonClaimsFactory(UserManager<Person> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<Person, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(Person user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(PersonClaims.DisplayName, user.DisplayName));
        return identity;
    }
}
