using System.Security.Claims;
using Loki.Learning.Web.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.People;

/// Outside Development, no demo account may act, whatever seeded it and whenever its tokens were issued. A database
/// that once ran in Development still holds the demo passwords from the README: at start this rotates the demo
/// accounts' security stamps (old refresh tokens and cookies stop validating) and remembers their ids, so a cookie
/// or bearer token issued to one of them does not even unprotect (a stamp is only rechecked every half hour).
public sealed class DemoAccountLock(IServiceScopeFactory scopes, IHostEnvironment environment, ILogger<DemoAccountLock> logger) : IHostedService
{
    private volatile IReadOnlySet<string> _locked = new HashSet<string>();

    public bool IsLocked(ClaimsPrincipal? principal) =>
        principal?.FindFirstValue(ClaimTypes.NameIdentifier) is { } id && _locked.Contains(id);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (environment.IsDevelopment())
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LokiDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var demo = await db.Users.Where(u => u.IsDemoAccount).ToListAsync(cancellationToken);
        _locked = demo.Select(u => u.Id).ToHashSet();
        foreach (var person in demo)
        {
            await users.UpdateSecurityStampAsync(person);
        }
        if (demo.Count > 0)
        {
            logger.LogInformation("{Count} demo accounts are locked: they sign in only in Development", demo.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// A cookie or bearer token of a locked demo account reads as no ticket at all.
    public sealed class TicketFormat(ISecureDataFormat<AuthenticationTicket> inner, DemoAccountLock demo) : ISecureDataFormat<AuthenticationTicket>
    {
        public string Protect(AuthenticationTicket data) => inner.Protect(data);

        public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

        public AuthenticationTicket? Unprotect(string? protectedText) => Check(inner.Unprotect(protectedText));

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose) => Check(inner.Unprotect(protectedText, purpose));

        private AuthenticationTicket? Check(AuthenticationTicket? ticket) => ticket is not null && demo.IsLocked(ticket.Principal) ? null : ticket;
    }
}
