using Loki.Learning.Hub.CommandLine;
using Loki.Learning.Hub.EngineHost;
using Loki.Learning.Hub.LinkSimulation;
using Loki.Learning.Hub.LoadGeneration;
using Loki.Learning.Hub.Recording;
using Loki.Learning.Hub.Serving;

namespace Loki.Learning.Hub;

/// <summary>Dispatches <c>serve</c>, <c>engine</c>, <c>loadgen</c>, <c>record</c> and <c>jitter-sim</c>; exit codes: 0 done, 1 failed, 2 usage.</summary>
public static class HubCommands
{
    private static readonly string Usage =
        "usage: Loki.Learning.Hub serve|engine|loadgen|record|jitter-sim|browser-link-sim [options]\n\n" + ServeOptions.Usage + "\n\n" + EngineHostOptions.Usage + "\n\n" + LoadOptions.Usage + "\n\n" +
        RecordOptions.Usage + "\n\n" + JitterSimulationOptions.Usage + "\n\n" + LinkSimulation.BrowserLinkCommand.Usage;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var arguments = CommandArguments.Parse(args[1..], new HashSet<string> { "stall-resumes" });
            return args[0] switch
            {
                "serve" => await RunServerAsync(arguments),
                "engine" => await RunEngineAsync(arguments),
                "loadgen" => RunLoadGenerator(arguments),
                "record" => await RunRecorderAsync(arguments),
                "jitter-sim" => RunJitterSimulation(arguments),
                "browser-link-sim" => LinkSimulation.BrowserLinkCommand.Run(arguments, Console.Out),
                _ => throw new UsageException($"unknown command '{args[0]}'"),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}\n\n{Usage}");
            return 2;
        }
    }

    private static async Task<int> RunServerAsync(CommandArguments arguments)
    {
        var options = ServeOptions.From(arguments);
        arguments.ThrowOnUnknown();
        using var shutdown = new CancellationTokenSource();
        using var signals = ServeCommand.CancelOnShutdownSignals(shutdown);
        return await new ServeCommand(options, Console.Out).RunAsync(shutdown.Token);
    }

    private static async Task<int> RunEngineAsync(CommandArguments arguments)
    {
        var options = EngineHostOptions.From(arguments);
        arguments.ThrowOnUnknown();
        using var shutdown = new CancellationTokenSource();
        using var signals = ServeCommand.CancelOnShutdownSignals(shutdown);
        return await new EngineHostCommand(options, Console.Out).RunAsync(shutdown.Token);
    }

    private static async Task<int> RunRecorderAsync(CommandArguments arguments)
    {
        var options = RecordOptions.From(arguments);
        arguments.ThrowOnUnknown();
        using var shutdown = new CancellationTokenSource();
        using var signals = ServeCommand.CancelOnShutdownSignals(shutdown);
        return await new RecordCommand(options, Console.Out).RunAsync(shutdown.Token);
    }

    private static int RunLoadGenerator(CommandArguments arguments)
    {
        var options = LoadOptions.From(arguments);
        arguments.ThrowOnUnknown();
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        var report = new LoadGenerator(options, Console.Out).Run(cancellation.Token);
        report.WriteTo(Console.Out);
        return report.Admitted == options.Clients ? 0 : 1;
    }

    private static int RunJitterSimulation(CommandArguments arguments)
    {
        var (profiles, runs, template) = JitterSimulationOptions.From(arguments);
        arguments.ThrowOnUnknown();
        Console.Out.WriteLine(JitterSimulationResult.TableHeader);
        foreach (var profile in profiles)
        {
            for (var run = 0; run < runs; run++)
            {
                var result = JitterSimulation.Run(template with { Profile = profile, Seed = template.Seed + run });
                Console.Out.WriteLine(result.TableRow());
            }
        }
        return 0;
    }
}
