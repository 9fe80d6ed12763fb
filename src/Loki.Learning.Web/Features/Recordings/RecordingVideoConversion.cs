using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Video;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.Recordings;

/// Turns the Janus recordings of a stored take (the <c>.mjr</c> files its <c>video.jsonl</c> names) into WebM (or MP4)
/// files beside its WAVs with Debian's <c>janus-pp-rec</c>, one at a time, off the request path: a take is queued
/// when it is stored or repaired, and at start-up every stored take with pictures not yet converted is. Each
/// picture's place on the take's timeline is when its first packet reached Janus, from the recording's own header.
/// A picture that cannot be converted is marked Failed ("could not be saved"); the take's sound is never touched.
public sealed class RecordingVideoConversion(
    IDbContextFactory<LokiDbContext> dbFactory, RecordingStorage storage, IOptions<RecordingOptions> options, ILogger<RecordingVideoConversion> logger) : BackgroundService
{
    /// How long one conversion may run before it is given up (a long take converts in seconds).
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });

    /// Converts the take's pictures soon, on this node's converter.
    public void Enqueue(Guid recordingId) => _queue.Writer.TryWrite(recordingId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var id in await WaitingAsync(stoppingToken))
            {
                Enqueue(id);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Could not look for takes with pictures still to convert");
        }
        await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await ConvertAsync(id, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "The pictures of recording {Recording} were not converted", id);
            }
        }
    }

    /// Stored takes whose folder names pictures that have no row yet (the node stopped before converting them).
    public async Task<List<Guid>> WaitingAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var takes = await db.Recordings.Where(r => r.Status != RecordingStatus.Recording)
            .Select(r => new { r.Id, r.Folder, Converted = db.RecordingVideos.Where(v => v.RecordingId == r.Id).Select(v => v.Source).ToList() })
            .ToListAsync(cancellationToken);
        return takes
            .Where(t => VideoFileLine.Read(storage.PathOf(t.Folder, VideoFileLine.FileName)).Any(l => Sources(storage.FolderOf(t.Folder), l).Any(s => !t.Converted.Contains(s))))
            .Select(t => t.Id)
            .ToList();
    }

    /// Converts every picture of a stored take not yet converted; returns how many it handled (ready or failed).
    public async Task<int> ConvertAsync(Guid recordingId, CancellationToken cancellationToken = default)
    {
        Recording? recording;
        List<RecordingVideo> done;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            recording = await db.Recordings.SingleOrDefaultAsync(r => r.Id == recordingId && r.Status != RecordingStatus.Recording, cancellationToken);
            done = recording is null ? [] : await db.RecordingVideos.Where(v => v.RecordingId == recordingId).ToListAsync(cancellationToken);
        }
        if (recording is null)
        {
            return 0;
        }
        var folder = storage.FolderOf(recording.Folder);
        // Every picture gets its row (converting) before any is converted, so a page that opens the take meanwhile
        // knows all of them and follows them until each is ready.
        var waiting = new List<(RecordingVideo Video, string Path)>();
        foreach (var line in VideoFileLine.Read(Path.Combine(folder, VideoFileLine.FileName)))
        {
            foreach (var source in Sources(folder, line).Where(s => done.All(v => v.Source != s)))
            {
                var path = Path.Combine(folder, source);
                await SettledAsync(path, cancellationToken);
                if (JanusRecordingFile.Read(path) is not { IsVideo: true } header)
                {
                    // No picture reached the recorder (or it is the sound of a stream): nothing to show.
                    continue;
                }
                var video = new RecordingVideo
                {
                    RecordingId = recordingId,
                    PersonId = line.PersonId,
                    DisplayName = line.DisplayName,
                    Kind = line.Kind == "screen" ? "screen" : "camera",
                    File = ReadableName(line, header, done),
                    Source = source,
                    StartSeconds = (header.FirstPacketEpochMs - recording.StartEpochMs) / 1000,
                    Status = RecordingVideoStatus.Converting,
                };
                done.Add(video);
                await SaveAsync(video, cancellationToken);
                waiting.Add((video, path));
            }
        }
        var handled = 0;
        foreach (var (video, path) in waiting)
        {
            video.Status = await RunConverterAsync(path, Path.Combine(folder, video.File), cancellationToken) ? RecordingVideoStatus.Ready : RecordingVideoStatus.Failed;
            if (video.Status == RecordingVideoStatus.Ready)
            {
                // The converted file holds the same picture; the take's folder keeps one copy.
                File.Delete(path);
            }
            await SaveAsync(video, cancellationToken);
            handled++;
        }
        return handled;
    }

    /// The Janus files of one recorder: its name, the stream and ".mjr" (a picture has one video stream).
    private static IEnumerable<string> Sources(string folder, VideoFileLine line) =>
        Directory.Exists(folder) && Path.GetFileName(line.Base) == line.Base && !line.Base.StartsWith('.')
            ? Directory.EnumerateFiles(folder, line.Base + "*.mjr").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            : [];

    /// "Anna-Berg-camera-1.webm": the person, the kind and a number counting that person's pictures of that kind.
    private static string ReadableName(VideoFileLine line, JanusRecordingFile header, List<RecordingVideo> done)
    {
        var stem = RoomRecorders.FileStem(line.DisplayName, 0)[..^2];
        var kind = line.Kind == "screen" ? "screen" : "camera";
        for (var n = 1; ; n++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"{stem}-{kind}-{n}{header.Extension}");
            if (done.All(v => v.File != name))
            {
                return name;
            }
        }
    }

    private async Task SaveAsync(RecordingVideo video, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Recordings.AnyAsync(r => r.Id == video.RecordingId, cancellationToken))
        {
            // Deleted meanwhile (retention, or its owner): nothing to keep.
            return;
        }
        if (await db.RecordingVideos.AnyAsync(v => v.Id == video.Id, cancellationToken))
        {
            db.RecordingVideos.Update(video);
        }
        else
        {
            db.RecordingVideos.Add(video);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// Janus closes a recorder a moment after it is told to: wait until the file stops growing (at most a few seconds).
    private static async Task SettledAsync(string path, CancellationToken cancellationToken)
    {
        var length = -1L;
        for (var i = 0; i < 20; i++)
        {
            var now = new FileInfo(path).Length;
            if (now == length)
            {
                return;
            }
            length = now;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// Runs janus-pp-rec into an ASCII name (it reads its arguments in the node's locale, which may not take "ä"), then
    /// gives the file its readable name; true when it made a non-empty file.
    private async Task<bool> RunConverterAsync(string source, string target, CancellationToken cancellationToken)
    {
        var made = Path.ChangeExtension(source, Path.GetExtension(target));
        if (!await ConvertAsync(source, made, cancellationToken))
        {
            return false;
        }
        File.Move(made, target, overwrite: true);
        return true;
    }

    private async Task<bool> ConvertAsync(string source, string target, CancellationToken cancellationToken)
    {
        var converter = options.Value.VideoConverterPath;
        if (!File.Exists(converter))
        {
            logger.LogError("Video not converted: {Converter} is not installed (Debian package janus-tools)", converter);
            return false;
        }
        var start = new ProcessStartInfo(converter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--debug-level", "3", "--disable-colors", source, target })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            logger.LogError("Video {Source} not converted within {Patience}", source, Patience);
            return false;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        var said = (await output + await errors).Trim();
        if (process.ExitCode != 0 || !File.Exists(target) || new FileInfo(target).Length == 0)
        {
            logger.LogError("Video {Source} not converted (exit code {Code}): {Said}", source, process.ExitCode, said.Length > 2000 ? said[^2000..] : said);
            if (File.Exists(target))
            {
                File.Delete(target);
            }
            return false;
        }
        logger.LogInformation("Video {Source} converted to {Target}", source, Path.GetFileName(target));
        return true;
    }
}
