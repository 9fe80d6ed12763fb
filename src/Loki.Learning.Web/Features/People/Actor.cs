using System.Security.Claims;

namespace Loki.Learning.Web.Features.People;

/// Who is asking: the signed-in person's id and roles, carried by every message that needs permission.
public sealed record Actor(string PersonId, IReadOnlySet<string> Roles)
{
    public bool IsAdmin => Roles.Contains(People.Roles.Admin);

    public bool CanTeach => IsAdmin || Roles.Contains(People.Roles.Teacher);

    public bool CanOrganize => IsAdmin || Roles.Contains(People.Roles.Organizer);

    public static Actor? From(ClaimsPrincipal? user)
    {
        var id = user?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (user is null || string.IsNullOrEmpty(id))
        {
            return null;
        }
        var roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new Actor(id, roles);
    }
}
