using System.Diagnostics;
using System.Globalization;
using Loki.Learning.Hub;
using Loki.Learning.Hub.Recording;
using Loki.Learning.Media.Recording;
using NAudio.Wave;

namespace Loki.Learning.Media.Tests.Recording;

/// The recorder runs in a child process (the hub's <c>record</c> command: an engine, four participants sending tones,
/// a recorder) that is killed with SIGKILL mid-take. Every file must open after repair and hold everything that had
/// been written a second before the kill.
public sealed class KilledMidTakeTests : IDisposable
{
    private readonly string _folder = Path.Combine(Directory.CreateTempSubdirectory("loki-killed-").FullName, "take");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);

    [Fact]
    public async Task EveryTrackOpensAfterAKillAndHoldsAllButTheLastSecond()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { typeof(HubCommands).Assembly.Location, "record", "--folder", _folder, "--tracks", "4" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var lines = new List<(TimeSpan At, string Line)>();
        var clock = Stopwatch.StartNew();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (lines.Count(l => l.Line.StartsWith("recorded ", StringComparison.Ordinal)) < 4)
            {
                var line = await process.StandardOutput.ReadLineAsync(patience.Token) ?? throw new InvalidOperationException("the recorder ended early: " + string.Join('\n', lines.Select(l => l.Line)));
                lines.Add((clock.Elapsed, line));
            }
            // Mid-period, mid-write: between two flushes.
            await Task.Delay(400);
        }
        finally
        {
            process.Kill();
        }
        var killedAt = clock.Elapsed;
        await process.WaitForExitAsync();

        // What had been written at least 1.2 s before the kill must all be on disk (flushes come every second).
        var safe = lines.Last(l => l.Line.StartsWith("recorded ", StringComparison.Ordinal) && l.At <= killedAt - TimeSpan.FromSeconds(1.2));
        var blocksThen = long.Parse(safe.Line.Split(' ').Single(p => p.StartsWith("blocks=", StringComparison.Ordinal))[7..], CultureInfo.InvariantCulture);

        var files = Directory.GetFiles(_folder, "*.wav").Order().ToList();
        Assert.Equal(["mix.wav", "track-1.wav", "track-2.wav", "track-3.wav", "track-4.wav"], files.Select(Path.GetFileName));
        long frames = 0;
        foreach (var file in files)
        {
            var repair = WavRepair.Repair(file);
            Assert.Null(repair.Error);
            using var reader = new WaveFileReader(file);
            Assert.Equal(repair.Frames, reader.SampleCount);
            frames += repair.Frames;
        }
        Assert.True(frames >= blocksThen * 128, $"{frames} frames on disk, {blocksThen * 128} written 1.2 s before the kill");

        // And it is the audio that was sent: each track's own tone, in most tenths of a second of the file. (Not one
        // measure over the whole file: the jitter buffer may drop or conceal a period when the sending thread was
        // starved, and the tone's phase jumps there, which a single long measure reads as a weaker tone.)
        for (var track = 0; track < 4; track++)
        {
            using var reader = new WaveFileReader(Path.Combine(_folder, $"track-{track + 1}.wav"));
            var all = new float[reader.SampleCount];
            reader.ToSampleProvider().Read(all.AsSpan());
            var tenths = all.Chunk(4800).Where(c => c.Length == 4800).Select(c => Level(c, RecordCommand.FrequencyOf(track))).Order().ToList();
            Assert.True(tenths.Count >= 5, $"track {track + 1} holds {tenths.Count} tenths of a second");
            Assert.InRange(tenths[tenths.Count / 2], 0.2, 0.4);
        }
    }

    /// Amplitude at a frequency (Goertzel).
    private static double Level(float[] samples, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / 48000);
        double s1 = 0, s2 = 0;
        foreach (var x in samples)
        {
            var s0 = x + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }
        return 2 * Math.Sqrt(Math.Max(0, (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2))) / samples.Length;
    }
}
