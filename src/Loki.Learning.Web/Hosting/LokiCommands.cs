using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Hosting;

/// What the executable does with its first arguments: <c>certificate …</c> and <c>admin create …</c> run a command and
/// exit; anything else starts the node. A setting that stops the node (<see cref="SetupProblem"/>) is printed as its
/// one line, not as a stack trace.
public static class LokiCommands
{
    public const string Usage =
        """
        Loki.Learning commands:
          certificate --hosts NAME[,NAME|IP…] --out DIR [--new-ca]   make (or renew) the HTTPS certificate for a LAN
          admin create --email EMAIL [--name NAME] [--password-file FILE]   make an administrator account
        Without a command the node starts (settings: docs/operations.md).
        """;

    public static async Task<int> RunAsync(string[] args, Func<string[], Task> startNode, TextWriter? error = null)
    {
        error ??= Console.Error;
        try
        {
            switch (args)
            {
                case ["certificate", .. var rest]:
                    return LocalCertificates.Run(rest, Console.Out, Console.Error, DateTimeOffset.UtcNow);
                case ["admin", "create", .. var rest]:
                    return await AdminCommand.RunAsync(rest, Console.In, Console.Out, Console.Error, PasswordPrompt.Console);
                case ["admin", ..] or ["help"] or ["--help"]:
                    Console.Out.WriteLine(Usage);
                    return args is ["help"] or ["--help"] ? 0 : 2;
                default:
                    await startNode(args);
                    return 0;
            }
        }
        catch (SetupProblem problem)
        {
            await error.WriteLineAsync($"loki: {problem.Message}");
            return 1;
        }
        catch (Exception exception) when (SettingsProblems(exception) is { Count: > 0 } problems)
        {
            // Checked settings sections (SettingsCheck): one line per wrong setting.
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"loki: {problem}");
            }
            return 1;
        }
    }

    /// What the start-up check of the settings found (several sections at once come as an aggregate); none for any
    /// other exception.
    private static List<string> SettingsProblems(Exception exception) => exception switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException all when all.InnerExceptions.All(e => e is OptionsValidationException) =>
            [.. all.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures)],
        _ => [],
    };
}
