using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Tests.Rooms;
using Loki.Learning.Web.Tests.Scores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NAudio.Wave;

namespace Loki.Learning.Web.Tests.Recordings;

/// Who may do what with a take, the retention sweep and the start-up repair, on the catalogue's database and cluster.
[Collection(nameof(CatalogueCollection))]
public sealed class RecordingLifecycleTests(Catalogue catalogue)
{
    [Fact]
    public async Task OnlyTheHostStartsAndStopsPupilsReplyAndStrangersFindNothing()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var stranger = await catalogue.PersonAsync(Roles.Student, "Stranger");
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));

        await Refused(RefusalKind.Forbidden, () => catalogue.Mediator.Send(new StartRecording(pupil, roomId)).AsTask());
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new StartRecording(stranger, roomId)).AsTask());
        var started = await catalogue.Mediator.Send(new StartRecording(teacher, roomId));
        var view = await catalogue.Cluster.Client.GetGrain<IRoomGrain>(roomId).GetViewAsync();
        Assert.Equal(started.Id, view.Recording?.RecordingId);
        Assert.Equal(RecordingStatus.Recording, (await catalogue.Mediator.Send(new GetRecording(pupil, started.Id))).Status);

        await Refused(RefusalKind.Forbidden, () => catalogue.Mediator.Send(new StopRecording(pupil, started.Id)).AsTask());
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new StopRecording(stranger, started.Id)).AsTask());
        await Refused(RefusalKind.Conflict, () => catalogue.Mediator.Send(new ExportRecording(pupil, started.Id)).AsTask());
        await catalogue.Mediator.Send(new StopRecording(teacher, started.Id));
        Assert.Null((await catalogue.Cluster.Client.GetGrain<IRoomGrain>(roomId).GetViewAsync()).Recording);
        await Refused(RefusalKind.Conflict, () => catalogue.Mediator.Send(new StopRecording(teacher, started.Id)).AsTask());

        var take = await catalogue.Mediator.Send(new GetRecording(pupil, started.Id));
        Assert.Equal(RecordingStatus.Finished, take.Status);
        Assert.Empty(take.Tracks);

        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new GetRecording(stranger, started.Id)).AsTask());
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new GetRecordingFile(stranger, started.Id, take.Mix.File)).AsTask());
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new ExportRecording(stranger, started.Id)).AsTask());
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new AddRecordingComment(stranger, started.Id, 0, null, null, null, "hello")).AsTask());
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new GetRecordingFile(pupil, started.Id, "../loki.db")).AsTask());
        Assert.True(File.Exists((await catalogue.Mediator.Send(new GetRecordingFile(pupil, started.Id, take.Mix.File))).FullPath));

        await Refused(RefusalKind.Forbidden, () => catalogue.Mediator.Send(new AddRecordingComment(pupil, started.Id, 0, null, null, null, "Mine")).AsTask());
        var thread = await catalogue.Mediator.Send(new AddRecordingComment(teacher, started.Id, 0, null, null, null, "Good start"));
        await catalogue.Mediator.Send(new AddRecordingComment(pupil, started.Id, 0, null, null, thread, "Thanks"));
        var comments = (await catalogue.Mediator.Send(new GetRecording(pupil, started.Id))).Comments;
        Assert.Equal(["Good start", "Thanks"], comments.Select(c => c.Text));
        Assert.Equal(thread, comments[1].ParentId);
        await Refused(RefusalKind.Invalid, () => catalogue.Mediator.Send(new AddRecordingComment(teacher, started.Id, 0, null, null, null, "  ")).AsTask());

        // A comment on a deleted recording is refused cleanly.
        await using (var db = await catalogue.Db.CreateDbContextAsync())
        {
            await db.Recordings.Where(r => r.Id == started.Id).ExecuteDeleteAsync();
        }
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new AddRecordingComment(pupil, started.Id, 0, null, null, thread, "Late")).AsTask());
    }

    [Fact]
    public async Task ATeachersCommentOnABarBecomesANoteOnTheTakesScore()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var ownerId = (await catalogue.Mediator.Send(new GetRoom(teacher, roomId))).Description.OwnerId;
        var score = await catalogue.Mediator.Send(new UploadScore(teacher, ownerId, "piece.musicxml",
            ScoreFiles.Utf8(ScoreFiles.Partwise(ScoreFiles.Time("4", "4"), "", "", "", "", "", "")), "Piece"));
        var id = await TakeAsync(ownerId, roomId, teacher, RecordingStatus.Finished, catalogue.Clock.GetUtcNow().UtcDateTime, score.Id, durationSeconds: 30,
            new RecordingEvent { Kind = RecordingEventKind.Tempo, AtSeconds = -1, Bar = 1, Bpm = 120, BeatsPerBar = 4, BeatUnit = 4 });

        await catalogue.Mediator.Send(new AddRecordingComment(teacher, id, 0, 5, null, null, "Bar five drags"));
        var take = await catalogue.Mediator.Send(new GetRecording(pupil, id));
        var comment = Assert.Single(take.Comments);
        Assert.Equal(5, comment.Bar);
        Assert.Equal(7, comment.AtSeconds, 3);   // bar 1 at −1 s, 2 s a bar
        var notes = await catalogue.Mediator.Send(new ListScoreAnnotations(pupil, score.Id));
        Assert.Contains(notes, n => n.Bar == 5 && n.Text == "Bar five drags");
    }

    [Fact]
    public async Task TheRetentionSweepDeletesFilesAndRowsPastEachOwnersPeriod()
    {
        var (teacher, _, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var ownerId = (await catalogue.Mediator.Send(new GetRoom(teacher, roomId))).Description.OwnerId;
        var (other, _, otherRoom) = await catalogue.WithTeacherAndPupilAsync();
        var otherOwner = (await catalogue.Mediator.Send(new GetRoom(other, otherRoom))).Description.OwnerId;
        await catalogue.Mediator.Send(new SetRecordingRetention(other, otherOwner, 30));
        await Refused(RefusalKind.Invalid, () => catalogue.Mediator.Send(new SetRecordingRetention(other, otherOwner, 0)).AsTask());

        var clock = new FakeTimeProvider(catalogue.Clock.GetUtcNow());
        var now = clock.GetUtcNow().UtcDateTime;
        var old = await TakeAsync(ownerId, roomId, teacher, RecordingStatus.Finished, now.AddDays(-200));
        var recent = await TakeAsync(ownerId, roomId, teacher, RecordingStatus.Finished, now.AddDays(-10));
        var running = await TakeAsync(ownerId, roomId, teacher, RecordingStatus.Recording, now.AddDays(-400));
        var shortLived = await TakeAsync(otherOwner, otherRoom, other, RecordingStatus.Recovered, now.AddDays(-20));
        var storage = catalogue.Services.GetRequiredService<RecordingStorage>();
        var retention = new RecordingRetention(catalogue.Db, storage, clock, Microsoft.Extensions.Options.Options.Create(new RecordingOptions()), NullLogger<RecordingRetention>.Instance);

        Assert.True(await retention.SweepAsync() >= 1);
        Assert.Equal([recent, running, shortLived], await SurvivorsAsync(old, recent, running, shortLived));
        Assert.False(Directory.Exists(storage.FolderOf(old.ToString("N"))));

        clock.Advance(TimeSpan.FromDays(11));   // the other owner's take is 31 days old, the recent one 21
        await retention.SweepAsync();
        Assert.Equal([recent, running], await SurvivorsAsync(old, recent, running, shortLived));
        Assert.False(Directory.Exists(storage.FolderOf(shortLived.ToString("N"))));

        clock.Advance(TimeSpan.FromDays(160));  // 181 days
        await retention.SweepAsync();
        Assert.Equal([running], await SurvivorsAsync(old, recent, running, shortLived));
        Assert.True(Directory.Exists(storage.FolderOf(running.ToString("N"))), "a take still recording keeps its files");
    }

    [Fact]
    public async Task StartUpRepairsATakeCutOffMidWriteAndMarksItRecovered()
    {
        var (teacher, _, roomId) = await catalogue.WithTeacherAndPupilAsync();
        var ownerId = (await catalogue.Mediator.Send(new GetRoom(teacher, roomId))).Description.OwnerId;
        var startedUtc = catalogue.Clock.GetUtcNow().UtcDateTime;
        var id = await TakeAsync(ownerId, roomId, teacher, RecordingStatus.Recording, startedUtc);
        var storage = catalogue.Services.GetRequiredService<RecordingStorage>();
        var folder = storage.FolderOf(id.ToString("N"));
        var start = (startedUtc - DateTime.UnixEpoch).TotalMilliseconds;
        WriteCutOffWav(Path.Combine(folder, "mix.wav"), channels: 2, frames: 96_000);
        WriteCutOffWav(Path.Combine(folder, "Elsa-3.wav"), channels: 1, frames: 48_000);
        File.WriteAllBytes(Path.Combine(folder, "Noise-5.wav"), [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 37))]);   // not a WAV at all
        File.WriteAllLines(Path.Combine(folder, TimelineLine.FileName),
        [
            new TimelineLine(TimelineLine.Start, start).ToJson(),
            new TimelineLine(TimelineLine.Beat, start, Segments: [new(0, start - 500, 120, 4, 4, 1)]).ToJson(),
            new TimelineLine(TimelineLine.Track, start + 1000, "Elsa", 3, "elsa-id", "Elsa-3.wav", 12.5, 1.5).ToJson(),
            new TimelineLine(TimelineLine.Track, start + 1000, "Gone", 4, "gone-id", "Gone-4.wav", 10, 1).ToJson(),
            new TimelineLine(TimelineLine.Track, start + 1200, "Noise", 5, "noise-id", "Noise-5.wav", 10, 1).ToJson(),
            new TimelineLine(TimelineLine.Marker, start + 1500, "Letter A").ToJson(),
            "{\"kind\":\"marker\",\"epochMs\":17",   // the line the crash cut off
        ]);

        var recovered = await catalogue.Services.GetRequiredService<RecordingRecovery>().RepairAsync();

        Assert.True(recovered >= 1);
        var take = await catalogue.Mediator.Send(new GetRecording(teacher, id));
        Assert.Equal(RecordingStatus.Recovered, take.Status);
        Assert.Equal(2.0, take.DurationSeconds, 3);
        var track = Assert.Single(take.Tracks);   // the file that never reached the disk and the one that is no WAV are left out
        Assert.Equal(("Elsa", 48_000L, 1, 12.5, 1.5, 1.0), (track.DisplayName, track.Frames, track.Channels, track.OffsetMs, track.ResidualMs, track.StartSeconds));
        // Bar 1 began half a second before the take, so its first bar line is bar 2, at 1.5 s, where the marker fell.
        Assert.Contains(take.Timeline, e => e.Kind == RecordingEventKind.Marker && e.Text == "Letter A" && e.Bar == 2);
        Assert.Equal((2, 1.5), (take.Bars[0].Bar, take.Bars[0].Seconds));
        using (var reader = new WaveFileReader(Path.Combine(folder, "mix.wav")))
        {
            Assert.Equal(96_000, reader.SampleCount);
        }
        Assert.Equal(0, await catalogue.Services.GetRequiredService<RecordingRecovery>().RepairAsync());

        // A file lost afterwards: a clear refusal for it and for the export, the rest still served.
        File.Delete(Path.Combine(folder, "Elsa-3.wav"));
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new GetRecordingFile(teacher, id, "Elsa-3.wav")).AsTask());
        await Refused(RefusalKind.NotFound, () => catalogue.Mediator.Send(new ExportRecording(teacher, id)).AsTask());
        Assert.True(File.Exists((await catalogue.Mediator.Send(new GetRecordingFile(teacher, id, "mix.wav"))).FullPath));
    }

    [Fact]
    public void TheTimelineKeepsOnlyTheBeatThatRanAndTheExportStartsTheTempoMapOnABarLine()
    {
        const double start = 1_000_000;
        var events = TimelineLine.ToEvents(
        [
            new TimelineLine(TimelineLine.Beat, start, Segments: [new(0, start - 3000, 120, 4, 4, 1)]),
            // A tempo change from bar 3 (4 s after the old grid's bar 1) replaces what was planned from there on.
            new TimelineLine(TimelineLine.Beat, start + 2000, Segments: [new(0, start - 3000, 120, 4, 4, 1), new(8, start + 1000, 60, 3, 4, 3)]),
            new TimelineLine(TimelineLine.Marker, start + 4000, "B"),
            new TimelineLine(TimelineLine.Beat, start + 9000, Segments: []),
        ], start);

        Assert.Equal([(-3.0, 1, 120.0), (1.0, 3, 60.0)], events.Where(e => e.Kind == RecordingEventKind.Tempo).Select(e => (e.AtSeconds, e.Bar!.Value, e.Bpm!.Value)));
        Assert.Equal(4, events.Single(e => e.Kind == RecordingEventKind.Marker).Bar);   // 3 s into 3/4 at 60: bar 4
        var bars = new BarGrid(events).Bars(12);
        Assert.Equal([(1.0, 3), (4.0, 4), (7.0, 5)], bars.Select(b => (b.Seconds, b.Bar)));
        // The stretch in force at the start begins at its first bar line inside the take, where the change takes over.
        Assert.Equal([(1.0, 60.0)], ExportRecordingHandler.TempoMap(events).Select(t => (t.TimeSeconds, t.Bpm)));
    }

    /// A take as a recorder would have left it, with a folder of its own.
    private async Task<Guid> TakeAsync(Guid ownerId, Guid roomId, Actor by, RecordingStatus status, DateTime startedUtc, Guid? scoreId = null, double durationSeconds = 10, params RecordingEvent[] events)
    {
        var id = Guid.NewGuid();
        var folder = id.ToString("N");
        Directory.CreateDirectory(catalogue.Services.GetRequiredService<RecordingStorage>().FolderOf(folder));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        db.Recordings.Add(new Features.Recordings.Recording
        {
            Id = id,
            RoomId = roomId,
            OwnerId = ownerId,
            OwnerKind = OwnerKind.Ensemble,
            Title = "Take",
            StartedById = by.PersonId,
            StartedUtc = startedUtc,
            EndedUtc = status == RecordingStatus.Recording ? null : startedUtc.AddSeconds(durationSeconds),
            Status = status,
            Folder = folder,
            DurationSeconds = durationSeconds,
            StartEpochMs = (startedUtc - DateTime.UnixEpoch).TotalMilliseconds,
            ScoreId = scoreId,
        });
        foreach (var recordingEvent in events)
        {
            recordingEvent.RecordingId = id;
            db.RecordingEvents.Add(recordingEvent);
        }
        await db.SaveChangesAsync();
        return id;
    }

    private async Task<List<Guid>> SurvivorsAsync(params Guid[] ids)
    {
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var left = await db.Recordings.Where(r => ids.Contains(r.Id)).Select(r => r.Id).ToListAsync();
        return ids.Where(left.Contains).ToList();
    }

    /// A 24-bit WAV whose RIFF and data sizes were never written (the process was killed before the header update).
    private static void WriteCutOffWav(string path, int channels, int frames)
    {
        using (var writer = new WaveFileWriter(path, new WaveFormat(48000, 24, channels)))
        {
            var samples = new float[frames * channels];
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = (float)(0.25 * Math.Sin(i * 0.01));
            }
            writer.WriteSamples(samples, 0, samples.Length);
        }
        var bytes = File.ReadAllBytes(path);
        var data = bytes.AsSpan().IndexOf("data"u8);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), 0);
        BitConverter.TryWriteBytes(bytes.AsSpan(data + 4), 0);
        File.WriteAllBytes(path, bytes);
    }

    private static async Task Refused(RefusalKind kind, Func<Task> action)
    {
        var refusal = await Assert.ThrowsAsync<Refusal>(action);
        Assert.Equal(kind, refusal.Kind);
    }
}
