using System.Net.Mail;
using Loki.Learning.Web.Features.Notices;
using Loki.Learning.Web.Features.People;
using Microsoft.AspNetCore.Identity;

namespace Loki.Learning.Web.Hosting;

/// <c>admin create --email EMAIL [--name NAME] [--password-file FILE]</c>: the first administrator of a production
/// installation, where no demo account signs in. The password is typed twice without echo, read from the first line of
/// a file, or read from standard input when that is not a terminal; it is never printed. The command uses the node's
/// own settings (database, environment), so run it as the service runs (docs/operations.md, "Install at a school").
public static class AdminCommand
{
    public const string Usage = "Usage: admin create --email it@kulturskola.se [--name \"Site administrator\"] [--password-file FILE]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error, PasswordPrompt prompt,
        Action<WebApplicationBuilder>? configure = null)
    {
        string? email = null;
        string? name = null;
        string? passwordFile = null;
        var hostArgs = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--email" when i + 1 < args.Count:
                    email = args[++i].Trim();
                    break;
                case "--name" when i + 1 < args.Count:
                    name = args[++i].Trim();
                    break;
                case "--password-file" when i + 1 < args.Count:
                    passwordFile = args[++i];
                    break;
                default:
                    // Anything else is a setting for the node, as on its own command line (--environment Production, …).
                    hostArgs.Add(args[i]);
                    break;
            }
        }
        if (email is null || !MailAddress.TryCreate(email, out _))
        {
            await error.WriteLineAsync($"admin create: --email needs an e-mail address. {Usage}");
            return 2;
        }

        string? password;
        if (passwordFile is not null)
        {
            if (!File.Exists(passwordFile))
            {
                await error.WriteLineAsync($"admin create: {passwordFile} (--password-file): the file does not exist.");
                return 1;
            }
            password = (await File.ReadAllLinesAsync(passwordFile)).FirstOrDefault();
        }
        else
        {
            password = prompt.Read("Password for " + email + ": ", input);
            if (prompt.Interactive && password is not null && prompt.Read("The same password again: ", input) != password)
            {
                await error.WriteLineAsync("admin create: the two passwords differ; nothing was made.");
                return 1;
            }
        }
        if (string.IsNullOrEmpty(password))
        {
            await error.WriteLineAsync("admin create: no password given; nothing was made.");
            return 1;
        }

        await using var app = LokiHost.Build([.. hostArgs], configure);
        await app.PrepareDatabaseAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
        if (await users.FindByEmailAsync(email) is not null || await users.FindByNameAsync(email) is not null)
        {
            await error.WriteLineAsync($"admin create: an account for {email} exists already; nothing was changed.");
            return 1;
        }
        var person = new Person
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(name) ? email : name,
        };
        var created = await users.CreateAsync(person, password);
        if (!created.Succeeded)
        {
            await error.WriteLineAsync($"admin create: {string.Join(" ", created.Errors.Select(e => e.Description))} Nothing was made.");
            return 1;
        }
        var promoted = await users.AddToRoleAsync(person, Roles.Admin);
        if (!promoted.Succeeded)
        {
            await users.DeleteAsync(person);
            await error.WriteLineAsync($"admin create: {string.Join(" ", promoted.Errors.Select(e => e.Description))} Nothing was made.");
            return 1;
        }
        var site = app.Services.GetRequiredService<SiteInfo>();
        await output.WriteLineAsync($"Made the administrator {email}. Sign in at {site.Link("account/login")}");
        return 0;
    }
}

/// Reads a password: typed without echo at a terminal, or one line of input when that is a pipe or file.
public sealed class PasswordPrompt(bool interactive, Func<string, TextReader, string?> read)
{
    public bool Interactive { get; } = interactive;

    public string? Read(string label, TextReader input) => read(label, input);

    /// The process's terminal, when it has one; otherwise its standard input, one line.
    public static PasswordPrompt Console => new(!System.Console.IsInputRedirected, (label, input) =>
    {
        if (System.Console.IsInputRedirected)
        {
            return input.ReadLine();
        }
        System.Console.Error.Write(label);
        var typed = new System.Text.StringBuilder();
        while (true)
        {
            var key = System.Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (typed.Length > 0)
                {
                    typed.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }
        System.Console.Error.WriteLine();
        return typed.ToString();
    });

    /// Lines of <paramref name="input"/>, as from a pipe.
    public static PasswordPrompt Piped => new(false, (_, input) => input.ReadLine());
}
