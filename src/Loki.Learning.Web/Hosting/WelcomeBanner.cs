using Loki.Learning.Web.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Loki.Learning.Web.Hosting;

public static class WelcomeBanner
{
    /// Once Kestrel listens, prints where the platform is and, in Development, the demo logins.
    public static void PrintWelcomeOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Console.WriteLine();
            Console.WriteLine("Loki.Learning is running:");
            foreach (var address in addresses)
            {
                Console.WriteLine($"  {address}");
            }
            if (app.Environment.IsDevelopment())
            {
                Console.WriteLine("Demo logins (Development only):");
                foreach (var account in app.Services.GetRequiredService<SeedLoader>().ReadDemoAccounts())
                {
                    Console.WriteLine($"  {account.Role,-10} {account.Email,-36} {account.Password}");
                }
            }
            Console.WriteLine();
        });
    }
}
