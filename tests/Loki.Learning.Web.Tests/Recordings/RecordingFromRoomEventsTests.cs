using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Hosting;
using Loki.Learning.Web.Tests.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;

namespace Loki.Learning.Web.Tests.Recordings;

/// The room decides and publishes; the recording feature subscribes and does the file work off the room's turn, on the
/// silo that hosts the room, and reports back what it could not do.
[Collection(nameof(CatalogueCollection))]
public sealed class RecordingFromRoomEventsTests(Catalogue catalogue)
{
    [Fact]
    public async Task WhatTheRoomDecidesReachesItsSubscribersInOrder()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        await catalogue.Mediator.Send(new ChangeBeat(teacher, roomId, new BeatChange(Running: true, Bpm: 90)));
        var started = await catalogue.Mediator.Send(new StartRecording(teacher, roomId));
        await catalogue.Mediator.Send(new DropRecordingMarker(teacher, roomId, "Letter A"));
        await catalogue.Mediator.Send(new StopRecording(teacher, started.Id));
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId, Open: false));

        await catalogue.Events.DeliveredAsync(roomId);
        var events = catalogue.EventLog.Of(roomId);
        Assert.Equal(
            [typeof(LiveRoomOpened), typeof(PersonJoined), typeof(BeatChanged), typeof(TakeStarted), typeof(MarkerDropped), typeof(TakeStopped), typeof(LiveRoomClosed)],
            events.Select(e => e.GetType()));
        Assert.Equal(pupil.PersonId, events.OfType<PersonJoined>().Single().PersonId);
        Assert.Equal(90, events.OfType<TakeStarted>().Single().Beat.Segments[^1].Bpm);
        // The subscriber of the recording feature stored the take with the marker the room published.
        var take = await catalogue.Mediator.Send(new GetRecording(teacher, started.Id));
        Assert.Equal(RecordingStatus.Finished, take.Status);
        Assert.Contains(take.Timeline, e => e.Kind == RecordingEventKind.Marker && e.Text == "Letter A");
    }

    [Fact]
    public async Task ATakeWhoseFilesCannotBeWrittenIsShownInTheRoomWhichThenRecordsAgain()
    {
        var (teacher, _, roomId) = await catalogue.WithTeacherAndPupilAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        var room = catalogue.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId);
        // The take's folder cannot be made: a file already has its name.
        var folder = RecordingStorage.NewFolderName();
        var storage = catalogue.Services.GetRequiredService<RecordingStorage>();
        Directory.CreateDirectory(catalogue.RecordingFolder);
        await File.WriteAllTextAsync(storage.FolderOf(folder), "in the way");
        var id = await RecordingRowAsync(teacher, roomId, folder);

        Assert.Null(await room.StartRecordingAsync(id, folder));
        await catalogue.Events.DeliveredAsync(roomId);

        var view = await room.GetViewAsync();
        Assert.Null(view.Recording);
        Assert.Equal(RoomTakes.NotStarted, view.RecordingProblem);
        await using (var db = await catalogue.Db.CreateDbContextAsync())
        {
            Assert.False(await db.Recordings.AnyAsync(r => r.Id == id), "a take that never started leaves no row behind");
        }
        Assert.Equal("Recording.Refusal.NotRecording", await room.DropMarkerAsync("A"));
        Assert.Equal("in the way", await File.ReadAllTextAsync(storage.FolderOf(folder)));

        // The room is consistent: the next take starts, records and is stored, and the problem is gone.
        var started = await catalogue.Mediator.Send(new StartRecording(teacher, roomId));
        Assert.Null((await room.GetViewAsync()).RecordingProblem);
        await catalogue.Mediator.Send(new StopRecording(teacher, started.Id));
        Assert.Equal(RecordingStatus.Finished, (await catalogue.Mediator.Send(new GetRecording(teacher, started.Id))).Status);
    }

    [Fact]
    public async Task ATakeCutOffWithItsNodeIsRecoveredWhenTheRoomComesBack()
    {
        var (teacher, _, roomId) = await catalogue.WithTeacherAndPupilAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        var room = catalogue.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoomGrain>(roomId);
        var folder = RecordingStorage.NewFolderName();
        var id = await RecordingRowAsync(teacher, roomId, folder);
        var path = catalogue.Services.GetRequiredService<RecordingStorage>().FolderOf(folder);
        Directory.CreateDirectory(path);
        var start = (catalogue.Clock.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds;
        await File.WriteAllLinesAsync(Path.Combine(path, TimelineLine.FileName),
            [new TimelineLine(TimelineLine.Start, start).ToJson(), new TimelineLine(TimelineLine.Marker, start + 500, "Before the kill").ToJson()]);
        await room.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        // As a node killed mid-take leaves it: the room's stored state still names the running take, and no recorder
        // anywhere writes it.
        var storage = catalogue.Cluster.GetSiloServiceProvider(catalogue.Cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(RoomStateStorage.Name);
        var state = new GrainState<RoomState>();
        await storage.ReadStateAsync("room", room.GetGrainId(), state);
        state.State = state.State! with { Recording = new RoomRecordingState(id, catalogue.Clock.GetUtcNow().UtcDateTime, []) };
        await storage.WriteStateAsync("room", room.GetGrainId(), state);

        Assert.False(await room.IsRecordingAsync(id));
        await catalogue.Events.DeliveredAsync(roomId);

        Assert.Equal(id, catalogue.EventLog.Of(roomId).OfType<TakeCutOff>().Single().RecordingId);
        var take = await catalogue.Mediator.Send(new GetRecording(teacher, id));
        Assert.Equal(RecordingStatus.Recovered, take.Status);
        Assert.Contains(take.Timeline, e => e.Kind == RecordingEventKind.Marker && e.Text == "Before the kill");
        Assert.True((await room.GetViewAsync()).Open);
        // Asking again at start-up finds nothing left to repair.
        Assert.False(await catalogue.Services.GetRequiredService<RecordingRecovery>().RepairTakeAsync(id));
    }

    /// The row a host's start writes before asking the room (see <see cref="StartRecordingHandler"/>).
    private async Task<Guid> RecordingRowAsync(Actor by, Guid roomId, string folder)
    {
        var ownerId = (await catalogue.Mediator.Send(new GetRoom(by, roomId))).Description.OwnerId;
        var now = catalogue.Clock.GetUtcNow().UtcDateTime;
        var recording = new Features.Recordings.Recording
        {
            RoomId = roomId,
            OwnerId = ownerId,
            OwnerKind = Features.Meetings.OwnerKind.Ensemble,
            Title = "Take",
            StartedById = by.PersonId,
            StartedUtc = now,
            Status = RecordingStatus.Recording,
            Folder = folder,
            StartEpochMs = (now - DateTime.UnixEpoch).TotalMilliseconds,
        };
        await using var db = await catalogue.Db.CreateDbContextAsync();
        db.Recordings.Add(recording);
        await db.SaveChangesAsync();
        return recording.Id;
    }
}
