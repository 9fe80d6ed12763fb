using System.IO.Compression;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Video;
using Loki.Learning.Web.Tests.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Tests.Recordings;

/// A take's cameras and screens: Janus' recordings (a real one, made by the node's Janus from a fake camera, in
/// Data/Fixtures) converted with Debian's janus-pp-rec beside the WAVs, placed on the take's timeline, served only
/// to members, exported with readable names; a conversion that fails says so and loses no sound; a take cut off by a
/// crash has its pictures converted after the repair.
[Collection(nameof(CatalogueCollection))]
public sealed class RecordingVideoTests(Catalogue catalogue)
{
    private static readonly string Sample = Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", "janus-camera-vp8.mjr");

    private RecordingStorage Storage => catalogue.Services.GetRequiredService<RecordingStorage>();

    private RecordingVideoConversion Conversion(string? converter = null) => converter is null
        ? catalogue.Services.GetRequiredService<RecordingVideoConversion>()
        : new RecordingVideoConversion(catalogue.Db, Storage, Options.Create(new RecordingOptions { VideoConverterPath = converter }), NullLogger<RecordingVideoConversion>.Instance);

    [Fact]
    public async Task ACamerasRecordingIsConvertedBesideTheWavsPlacedOnTheTimelineAndServedOnlyToMembers()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var stranger = await catalogue.PersonAsync(Roles.Student, "Stranger");
        var (otherTeacher, _, _) = await catalogue.WithTeacherAndPupilAsync();
        var header = JanusRecordingFile.Read(Sample)!;
        // The take's sound began 1.25 s before the camera's first packet reached Janus.
        var id = await TakeAsync(teacher, roomId, RecordingStatus.Finished, header.FirstPacketEpochMs - 1250, ("Tove Lärare", "camera"));

        Assert.Equal(1, await Conversion().ConvertAsync(id));

        var take = await catalogue.Mediator.Send(new GetRecording(pupil, id));
        var video = Assert.Single(take.Videos);
        Assert.Equal(("Tove Lärare", "camera", "Tove-Lärare-camera-1.webm", RecordingVideoStatus.Ready), (video.DisplayName, video.Kind, video.File, video.Status));
        Assert.Equal(1.25, video.StartSeconds, 3);
        Assert.Equal(GetRecordingHandler.FileUrl(id, video.File), video.Url);
        var file = await catalogue.Mediator.Send(new GetRecordingFile(pupil, id, video.File));
        Assert.Equal("video/webm", file.ContentType);
        Assert.Equal([0x1A, 0x45, 0xDF, 0xA3], File.ReadAllBytes(file.FullPath)[..4]);   // EBML: a WebM file
        // The Janus file is gone (one copy of the picture), and never served.
        var folder = Storage.FolderOf(id.ToString("N"));
        Assert.Empty(Directory.GetFiles(folder, "*.mjr"));
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new GetRecordingFile(pupil, id, VideoFileLine.FileName)).AsTask());
        // A stranger, and a teacher of another ensemble, are told it does not exist.
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new GetRecordingFile(stranger, id, video.File)).AsTask());
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new GetRecordingFile(otherTeacher, id, video.File)).AsTask());
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new GetRecording(otherTeacher, id)).AsTask());

        // Converted once: a second run (a restart) finds nothing more to do.
        Assert.Equal(0, await Conversion().ConvertAsync(id));
        Assert.DoesNotContain(id, await Conversion().WaitingAsync(CancellationToken.None));

        // The zip carries it under its readable name, with where it starts on the take's timeline.
        var export = await catalogue.Mediator.Send(new ExportRecording(teacher, id));
        using var zipped = new MemoryStream();
        await export.WriteZipAsync(zipped, CancellationToken.None);
        using var zip = new ZipArchive(new MemoryStream(zipped.ToArray()));
        var entry = zip.GetEntry($"{export.Name}/video/Tove-Lärare-camera-1.webm");
        Assert.NotNull(entry);
        Assert.Equal(new FileInfo(file.FullPath).Length, entry.Length);
        using var offsets = new StreamReader(zip.GetEntry($"{export.Name}/video/offsets.csv")!.Open());
        Assert.Equal(["file,person,kind,start_seconds", "Tove-Lärare-camera-1.webm,\"Tove Lärare\",camera,1.250"],
            (await offsets.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task AConversionThatFailsSaysTheVideoCouldNotBeSavedAndLosesNoSound()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var id = await TakeAsync(teacher, roomId, RecordingStatus.Finished, JanusRecordingFile.Read(Sample)!.FirstPacketEpochMs, ("Elsa", "screen"));
        var folder = Storage.FolderOf(id.ToString("N"));

        Assert.Equal(1, await Conversion("/bin/false").ConvertAsync(id));

        var take = await catalogue.Mediator.Send(new GetRecording(pupil, id));
        var video = Assert.Single(take.Videos);
        Assert.Equal(("screen", RecordingVideoStatus.Failed, null), (video.Kind, video.Status, video.Url));
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new GetRecordingFile(pupil, id, video.File)).AsTask());
        // The sound is untouched and still served and exported; Janus' file is kept for another try by hand.
        Assert.True(File.Exists((await catalogue.Mediator.Send(new GetRecordingFile(pupil, id, take.Mix.File))).FullPath));
        var export = await catalogue.Mediator.Send(new ExportRecording(teacher, id));
        Assert.DoesNotContain(export.Files, f => f.EntryName.StartsWith("video/", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(folder, "*.mjr"));
        Assert.Empty(Directory.GetFiles(folder, "*.webm"));
    }

    [Fact]
    public async Task ATakeCutOffByACrashHasItsPicturesConvertedAfterTheRepair()
    {
        var (teacher, _, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var started = JanusRecordingFile.Read(Sample)!.FirstPacketEpochMs - 500;
        var id = await TakeAsync(teacher, roomId, RecordingStatus.Recording, started, ("Tove", "camera"));
        var folder = Storage.FolderOf(id.ToString("N"));
        File.WriteAllLines(Path.Combine(folder, TimelineLine.FileName), [new TimelineLine(TimelineLine.Start, started).ToJson()]);
        Assert.DoesNotContain(id, await Conversion().WaitingAsync(CancellationToken.None));

        await catalogue.Services.GetRequiredService<RecordingRecovery>().RepairAsync();

        // Stored now: the start-up look finds its picture, and converting it places it on the recovered timeline.
        Assert.Contains(id, await Conversion().WaitingAsync(CancellationToken.None));
        Assert.Equal(1, await Conversion().ConvertAsync(id));
        var take = await catalogue.Mediator.Send(new GetRecording(teacher, id));
        Assert.Equal(RecordingStatus.Recovered, take.Status);
        var video = Assert.Single(take.Videos);
        Assert.Equal(RecordingVideoStatus.Ready, video.Status);
        Assert.Equal(0.5, video.StartSeconds, 3);
    }

    [Fact]
    public void AJanusRecordingsHeaderGivesItsTypeCodecAndFirstPacketAndAnEmptyFileHasNone()
    {
        var header = JanusRecordingFile.Read(Sample)!;
        Assert.Equal(("v", "vp8", ".webm"), (header.Type, header.Codec, header.Extension));
        Assert.True(header.FirstPacketEpochMs >= header.CreatedEpochMs);
        var empty = Path.GetTempFileName();
        File.WriteAllBytes(empty, "MJR00002"u8.ToArray());
        Assert.Null(JanusRecordingFile.Read(empty));
        File.Delete(empty);
    }

    /// A take with a mix and one picture Janus recorded (the sample), named in its video.jsonl.
    private async Task<Guid> TakeAsync(Actor by, Guid roomId, RecordingStatus status, double startEpochMs, (string Name, string Kind) picture)
    {
        var id = Guid.NewGuid();
        var folder = id.ToString("N");
        var path = Storage.FolderOf(folder);
        Directory.CreateDirectory(path);
        var room = await catalogue.Mediator.Send(new GetRoom(by, roomId));
        var startedUtc = DateTime.UnixEpoch.AddMilliseconds(startEpochMs);
        await using (var db = await catalogue.Db.CreateDbContextAsync())
        {
            db.Recordings.Add(new Recording
            {
                Id = id,
                RoomId = roomId,
                OwnerId = room.Description.OwnerId,
                OwnerKind = OwnerKind.Ensemble,
                Title = "Take",
                StartedById = by.PersonId,
                StartedUtc = startedUtc,
                EndedUtc = status == RecordingStatus.Recording ? null : startedUtc.AddSeconds(10),
                Status = status,
                Folder = folder,
                DurationSeconds = 10,
                StartEpochMs = startEpochMs,
            });
            await db.SaveChangesAsync();
        }
        await File.WriteAllBytesAsync(Path.Combine(path, "mix.wav"), WavOfSilence());
        const string stem = "video-camera-0123456789abcdef0123456789abcdef";
        File.Copy(Sample, Path.Combine(path, stem + "-video-0.mjr"));
        await File.WriteAllTextAsync(Path.Combine(path, VideoFileLine.FileName), new VideoFileLine(stem, by.PersonId, picture.Name, picture.Kind, startEpochMs).ToJson() + "\n");
        return id;
    }

    /// A 24-bit stereo WAV of a tenth of a second of silence, as the recorder writes the mix.
    private static byte[] WavOfSilence()
    {
        using var stream = new MemoryStream();
        using (var writer = new NAudio.Wave.WaveFileWriter(stream, new NAudio.Wave.WaveFormat(48000, 24, 2)))
        {
            writer.Write(new byte[4800 * 6], 0, 4800 * 6);
        }
        return stream.ToArray();
    }

    private static async Task Refused(RefusalKind kind, Func<Task> action)
    {
        var refusal = await Assert.ThrowsAsync<Refusal>(action);
        Assert.Equal(kind, refusal.Kind);
    }
}
