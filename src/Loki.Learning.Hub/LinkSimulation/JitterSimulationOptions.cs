using Loki.Learning.Hub.CommandLine;

namespace Loki.Learning.Hub.LinkSimulation;

/// <summary>
/// One run of <see cref="JitterSimulation"/>: a JackTrip-like sender on an impaired link into a real jitter buffer.
/// </summary>
/// <param name="Profile">How the link misbehaves (delay, jitter, loss, duplication, reordering).</param>
/// <param name="Seconds">Simulated seconds, warm-up included.</param>
/// <param name="Redundancy">Packets per datagram, newest first (JackTrip's <c>-r</c>).</param>
/// <param name="Seed">Seeds the link, the sender's own jitter and the mix clock's phase.</param>
/// <param name="WarmUpSeconds">Seconds at the start left out of the figures (the buffer learns the link).</param>
/// <param name="SendJitterMilliseconds">The sender's own scheduling jitter, uniform ± this, in ms.</param>
/// <param name="ClockOffsetPpm">How much longer the hub's mix period is than the sender's, in parts per million (drift).</param>
/// <param name="StallAtSeconds">When the sender stalls once (<c>null</c>: never).</param>
/// <param name="StallMilliseconds">How long that stall lasts.</param>
/// <param name="StallSendsBacklog">
/// <c>true</c>: after the stall the sender sends the packets it owes at once; <c>false</c>: it goes on from where it
/// stopped, every later packet that much late (a JACK client whose cycles were skipped).
/// </param>
/// <param name="PeriodFrames">Frames per packet and per mix period.</param>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="LateShare">The buffer's <see cref="Loki.Learning.Media.Jitter.JitterBufferOptions.LateShare"/>.</param>
/// <param name="JitterWindowSeconds">The buffer's <see cref="Loki.Learning.Media.Jitter.JitterBufferOptions.JitterWindowSeconds"/>.</param>
public sealed record JitterSimulationOptions(
    ImpairmentProfile Profile,
    double Seconds = 60,
    int Redundancy = 2,
    int Seed = 1,
    double WarmUpSeconds = 3,
    double SendJitterMilliseconds = 0.1,
    double ClockOffsetPpm = 50,
    double? StallAtSeconds = null,
    double StallMilliseconds = 150,
    bool StallSendsBacklog = true,
    int PeriodFrames = 128,
    int SampleRate = 48000,
    double LateShare = 0.0002,
    double JitterWindowSeconds = 3)
{
    public const string Usage =
        "jitter-sim --profile NAME|all --seconds 60 --redundancy 2 --seed 1 [--runs 1] [--warm-up 3] [--send-jitter-ms 0.1]\n" +
        "           [--clock-ppm 50] [--stall-at S --stall-ms 150 [--stall-resumes]] [--late-share 0.0002] [--jitter-window 3]\n" +
        "           profiles: clean-lan, wifi, ugly-wired, 1-loss, 5-ms-jitter-1-loss";

    public static (IReadOnlyList<ImpairmentProfile> Profiles, int Runs, JitterSimulationOptions Template) From(CommandArguments arguments)
    {
        var name = arguments.Text("profile", "5-ms-jitter-1-loss");
        IReadOnlyList<ImpairmentProfile> profiles = name == "all"
            ? ImpairmentProfile.All
            : [ImpairmentProfile.Find(name) ?? throw new UsageException($"unknown profile '{name}'")];
        var stallAt = arguments.Number("stall-at", -1, -1, 3600);
        var template = new JitterSimulationOptions(
            profiles[0],
            arguments.Number("seconds", 60, 1, 24 * 3600),
            arguments.Integer("redundancy", 2, 1, 16),
            arguments.Integer("seed", 1, 0, int.MaxValue),
            arguments.Number("warm-up", 3, 0, 3600),
            arguments.Number("send-jitter-ms", 0.1, 0, 100),
            arguments.Number("clock-ppm", 50, -10_000, 10_000),
            stallAt < 0 ? null : stallAt,
            arguments.Number("stall-ms", 150, 1, 10_000),
            !arguments.Flag("stall-resumes"),
            arguments.Integer("period", 128, 16, 2048),
            arguments.Integer("rate", 48000, 8000, 192000),
            arguments.Number("late-share", 0.0002, 0, 0.5),
            arguments.Number("jitter-window", 3, 0.1, 600));
        if (template.WarmUpSeconds >= template.Seconds)
        {
            throw new UsageException("--warm-up must be shorter than --seconds");
        }
        return (profiles, arguments.Integer("runs", 1, 1, 1000), template);
    }
}
