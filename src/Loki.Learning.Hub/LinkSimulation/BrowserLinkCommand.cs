using System.Globalization;
using Loki.Learning.Hub.CommandLine;
using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Hub.LinkSimulation;

/// <summary><c>browser-link-sim</c>: <see cref="BrowserLinkSimulation"/> for profiles × policies × seeds, one table row each.</summary>
public static class BrowserLinkCommand
{
    public const string Usage =
        "browser-link-sim [--profile all|NAME] [--policy both|tight|safe] [--seconds 60] [--seed 1] [--runs 1]\n" +
        "                 [--send-jitter-ms 0.5] [--tight-ms 16] [--warm-up 3] [--clock-ppm 50]\n" +
        "                 [--hiccup-every 0] [--hiccup-ms 11]\n" +
        "  a browser's audio socket over an impaired TCP path, in virtual time (docs/benchmarks.md §3.2)";

    public const string TableHeader =
        "| profile | policy | seed | up: periods | up: concealed | up: glitches/min | up: added latency p50 / p99 / max | up: late | " +
        "down: concealed | down: glitches/min | down: added latency p50 / p99 | down: dropped | TCP losses up / down (timeouts) |\n" +
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public static int Run(CommandArguments arguments, TextWriter output)
    {
        var name = arguments.Text("profile", "all");
        IReadOnlyList<ImpairmentProfile> profiles = name == "all"
            ? ImpairmentProfile.All
            : [ImpairmentProfile.Find(name) ?? throw new UsageException($"unknown profile '{name}'")];
        var policyName = arguments.Text("policy", "both");
        IReadOnlyList<JitterPolicy> policies = policyName switch
        {
            "both" => [JitterPolicy.Tight, JitterPolicy.Safe],
            "tight" => [JitterPolicy.Tight],
            "safe" => [JitterPolicy.Safe],
            _ => throw new UsageException($"unknown policy '{policyName}' (tight, safe or both)"),
        };
        var seconds = arguments.Number("seconds", 60, 1, 24 * 3600);
        var seed = arguments.Integer("seed", 1, 0, int.MaxValue);
        var runs = arguments.Integer("runs", 1, 1, 1000);
        var sendJitter = arguments.Number("send-jitter-ms", 0.5, 0, 100);
        var tight = arguments.Number("tight-ms", JitterPolicies.DefaultTightMilliseconds, 1, 1000);
        var warmUp = arguments.Number("warm-up", 3, 0, 3600);
        var ppm = arguments.Number("clock-ppm", 50, -10_000, 10_000);
        var hiccupEvery = arguments.Number("hiccup-every", 0, 0, 3600);
        var hiccupMs = arguments.Number("hiccup-ms", 11, 0, 10_000);
        arguments.ThrowOnUnknown();
        if (warmUp >= seconds)
        {
            throw new UsageException("--warm-up must be shorter than --seconds");
        }
        output.WriteLine(TableHeader);
        foreach (var profile in profiles)
        {
            foreach (var policy in policies)
            {
                for (var run = 0; run < runs; run++)
                {
                    var result = BrowserLinkSimulation.Run(new BrowserLinkOptions(profile, policy, seconds, seed + run, sendJitter, tight, warmUp, ppm,
                        HiccupEverySeconds: hiccupEvery, HiccupMilliseconds: hiccupMs));
                    output.WriteLine(Row(result));
                }
            }
        }
        return 0;
    }

    public static string Row(BrowserLinkResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var s = r.MeasuredSeconds;
        return string.Create(c,
            $"| {r.Options.Profile.Name} | {r.Options.Policy.ToString().ToLowerInvariant()} | {r.Options.Seed} | {r.Up.Periods:N0} | " +
            $"{r.Up.Concealed:N0} ({r.Up.ConcealedShare:P3}) | {r.Up.GlitchesPerMinute(s):F1} | " +
            $"{r.Up.AddedLatencyP50:F1} / {r.Up.AddedLatencyP99:F1} / {r.Up.AddedLatencyMax:F1} ms | {r.Up.Late:N0} | " +
            $"{r.Down.Concealed:N0} ({r.Down.ConcealedShare:P3}) | {r.Down.GlitchesPerMinute(s):F1} | " +
            $"{r.Down.AddedLatencyP50:F1} / {r.Down.AddedLatencyP99:F1} ms | {r.Down.Late:N0} | " +
            $"{r.UpLink.Losses} / {r.DownLink.Losses} ({r.UpLink.Timeouts} / {r.DownLink.Timeouts}) |");
    }
}
