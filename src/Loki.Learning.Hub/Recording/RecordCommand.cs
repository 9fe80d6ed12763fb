using System.Diagnostics;
using System.Net;
using Loki.Learning.Hub.CommandLine;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Recording;

namespace Loki.Learning.Hub.Recording;

/// <summary>What <c>record</c> was asked to do.</summary>
public sealed record RecordOptions(string Folder, int Tracks, TimeSpan? RunFor)
{
    public const string Usage = "record --folder DIR [--tracks 4] [--seconds S]   (no --seconds: until stopped or killed)";

    public static RecordOptions From(CommandArguments arguments)
    {
        var folder = arguments.Text("folder", "");
        if (folder.Length == 0)
        {
            throw new UsageException("--folder is required");
        }
        var seconds = arguments.Integer("seconds", 0, 0, 24 * 3600);
        return new RecordOptions(folder, arguments.Integer("tracks", 4, 1, 64), seconds == 0 ? null : TimeSpan.FromSeconds(seconds));
    }
}

/// <summary>
/// Runs a media engine with one room of <c>--tracks</c> participants, each sending a steady tone of its own
/// (track i: 200 + 50·i Hz) in real time, and records the room: the recorder's own test bench, for the crash test
/// (<c>kill -9</c> while it runs) and the many-tracks benchmark. Prints one line a second and a summary.
/// </summary>
public sealed class RecordCommand(RecordOptions options, TextWriter output)
{
    public const string Room = "take";

    public static double FrequencyOf(int track) => 200 + (50 * track);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var engineOptions = new MediaEngineOptions { BindAddress = IPAddress.Loopback, TcpPort = 0, UdpBasePort = 0, MaxParticipantsPerRoom = 64 };
        await using var engine = new MediaEngine(engineOptions, new AllowListAdmissionPolicy(Room, []));
        engine.Start();
        engine.Post(new OpenRoom(Room));
        var period = engineOptions.PeriodFrames;
        var rate = engineOptions.SampleRate;
        var participants = Enumerable.Range(0, options.Tracks).Select(i => engine.AttachExternal(Room, $"track-{i + 1}", channels: 1)).ToList();
        try
        {
            using var feeding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var feeder = Task.Run(() => Feed(participants, period, rate, feeding.Token), CancellationToken.None);
            // Give the jitter buffers their first blocks before the take starts.
            await Task.Delay(300, cancellationToken);

            var recorder = new RoomRecorder(options.Folder, period, rate, maxTracks: options.Tracks);
            for (var i = 0; i < participants.Count; i++)
            {
                recorder.Include(participants[i].ParticipantId, $"track-{i + 1}", alignOffsetMs: 0);
            }
            engine.Post(new AttachTap(Room, recorder));
            var clock = Stopwatch.StartNew();
            output.WriteLine(FormattableString.Invariant($"recording folder={recorder.Folder} tracks={options.Tracks}"));
            output.Flush();

            // Steady state is measured from the first second on (attaching the tap allocates once, on purpose).
            long? allocatedBefore = null;
            var allocatedAfter = 0L;
            var resyncBefore = engine.ScheduleResynchronisations;
            var periodsBefore = engine.PeriodsElapsed;
            try
            {
                while (options.RunFor is not { } runFor || clock.Elapsed < runFor)
                {
                    await Task.Delay(1000, cancellationToken);
                    allocatedBefore ??= engine.MixThreadAllocatedBytes;
                    allocatedAfter = engine.MixThreadAllocatedBytes;
                    var s = recorder.Statistics;
                    output.WriteLine(FormattableString.Invariant($"recorded seconds={clock.Elapsed.TotalSeconds:F1} blocks={s.BlocksWritten} dropped={s.DroppedBlocks} megabytes={s.BytesWritten / 1e6:F1}"));
                    output.Flush();
                }
            }
            catch (OperationCanceledException)
            {
            }
            engine.Post(new DetachTap(Room, recorder));
            var files = await recorder.CompleteAsync(CancellationToken.None);
            await feeding.CancelAsync();
            await feeder;
            output.WriteLine(FormattableString.Invariant(
                $"done seconds={clock.Elapsed.TotalSeconds:F1} tracks={files.Tracks.Count} mixFrames={files.MixFrames} dropped={files.DroppedBlocks} trackFramesMin={files.Tracks.Min(t => t.Frames)} periods={engine.PeriodsElapsed - periodsBefore} steadyMixThreadAllocatedBytes={allocatedAfter - (allocatedBefore ?? allocatedAfter)} resynchronisations={engine.ScheduleResynchronisations - resyncBefore}"));
            return files.DroppedBlocks == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var participant in participants)
            {
                participant.Dispose();
            }
        }
    }

    /// Sends each participant's tone in 128-frame blocks, as many as real time calls for (checked every few ms).
    private static void Feed(IReadOnlyList<ExternalParticipant> participants, int period, int rate, CancellationToken cancellationToken)
    {
        var block = new float[period];
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate / period);
            for (; sent < due; sent++)
            {
                var micros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
                for (var i = 0; i < participants.Count; i++)
                {
                    var w = 2 * Math.PI * FrequencyOf(i) / rate;
                    for (var f = 0; f < period; f++)
                    {
                        block[f] = (float)(0.3 * Math.Sin(w * ((sent * period) + f)));
                    }
                    participants[i].WriteInput((uint)sent, micros, block);
                }
            }
            Thread.Sleep(2);
        }
    }
}
