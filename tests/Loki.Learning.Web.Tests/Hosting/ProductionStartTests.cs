using System.Net;
using System.Net.Http.Json;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Hosting;

/// A production installation as a school's IT starts it: no demo data unless asked for, and no account until the
/// first administrator is made with `admin create`.
public sealed class EmptyProductionNode : IAsyncLifetime
{
    public RunningApp App { get; } = new() { Environment = "Production" };

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

public sealed class ProductionStartTests(EmptyProductionNode production) : IClassFixture<EmptyProductionNode>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-admin-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// The command as the service's settings would run it: same database, Production.
    private Task<int> AdminCreateAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, PasswordPrompt? prompt = null, string input = "") =>
        AdminCommand.RunAsync([.. args, "--environment", "Production"], new StringReader(input), output, error, prompt ?? PasswordPrompt.Piped,
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Path"] = production.App.DatabaseFile,
                ["Logging:LogLevel:Default"] = "Warning",
            }));

    [Fact]
    public async Task AProductionNodeStartsWithoutDemoData()
    {
        await using var db = await production.App.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();

        Assert.Equal(0, await db.Users.CountAsync(u => u.IsDemoAccount));
        Assert.Equal(0, await db.Courses.CountAsync());
        Assert.Equal(0, await db.Ensembles.CountAsync());
        Assert.Equal(0, await db.Workshops.CountAsync());
    }

    [Fact]
    public async Task TheFirstAdministratorIsMadeWithTheCommandAndSignsIn()
    {
        var passwordFile = Path.Combine(_folder, "password");
        await File.WriteAllTextAsync(passwordFile, "rosemary-fiddle-74-lake\n");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await AdminCreateAsync(["--email", "it@kulturskola.test", "--name", "Site IT", "--password-file", passwordFile], output, error);

        Assert.True(exit == 0, error.ToString());
        Assert.DoesNotContain("rosemary", output.ToString() + error, StringComparison.Ordinal);
        Assert.Contains("Made the administrator it@kulturskola.test", output.ToString(), StringComparison.Ordinal);
        using var client = production.App.Client();
        var login = await client.PostAsJsonAsync("api/auth/login", new { email = "it@kulturskola.test", password = "rosemary-fiddle-74-lake" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        await using var scope = production.App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var admin = await users.FindByEmailAsync("it@kulturskola.test");
        Assert.True(await users.IsInRoleAsync(admin!, Roles.Admin));
        Assert.Equal("Site IT", admin!.DisplayName);
    }

    [Fact]
    public async Task APasswordFromAPipeWorksAndASecondAccountWithTheSameEmailIsRefused()
    {
        var first = await AdminCreateAsync(["--email", "piped@kulturskola.test"], TextWriter.Null, TextWriter.Null, input: "cello-harbour-61-snow\n");
        var error = new StringWriter();
        var second = await AdminCreateAsync(["--email", "piped@kulturskola.test"], TextWriter.Null, error, input: "another-long-passphrase\n");

        Assert.Equal(0, first);
        Assert.Equal(1, second);
        Assert.Contains("exists already; nothing was changed", error.ToString(), StringComparison.Ordinal);
        using var client = production.App.Client();
        var login = await client.PostAsJsonAsync("api/auth/login", new { email = "piped@kulturskola.test", password = "cello-harbour-61-snow" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task TypedPasswordsThatDifferOrAreTooShortMakeNothing()
    {
        var typed = new Queue<string>(["first-long-passphrase", "second-long-passphrase"]);
        var differ = new StringWriter();
        var tooShort = new StringWriter();

        var mismatch = await AdminCreateAsync(["--email", "typo@kulturskola.test"], TextWriter.Null, differ, new PasswordPrompt(true, (_, _) => typed.Dequeue()));
        var weak = await AdminCreateAsync(["--email", "short@kulturskola.test"], TextWriter.Null, tooShort, new PasswordPrompt(true, (_, _) => "short"));

        Assert.Equal((1, 1), (mismatch, weak));
        Assert.Contains("the two passwords differ", differ.ToString(), StringComparison.Ordinal);
        Assert.Contains("at least 10 characters", tooShort.ToString(), StringComparison.Ordinal);
        await using var db = await production.App.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "typo@kulturskola.test" || u.Email == "short@kulturskola.test"));
    }

    [Fact]
    public async Task AnAddressThatIsNotAnEmailIsRefusedBeforeAnythingIsAsked()
    {
        var error = new StringWriter();

        var exit = await AdminCreateAsync(["--email", "not-an-address"], TextWriter.Null, error,
            new PasswordPrompt(true, (_, _) => throw new InvalidOperationException("asked for a password")));

        Assert.Equal(2, exit);
        Assert.Contains("--email needs an e-mail address", error.ToString(), StringComparison.Ordinal);
    }
}
