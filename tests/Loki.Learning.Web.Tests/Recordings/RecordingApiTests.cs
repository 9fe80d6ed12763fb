using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Tests.Hosting;
using Loki.Learning.Web.Tests.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NAudio.Wave;

namespace Loki.Learning.Web.Tests.Recordings;

/// Recording a rehearsal on the real host with three browser-protocol clients playing different tones: the teacher
/// (440 Hz), a pupil with guardian consent (660 Hz) and a member without consent (880 Hz), who must be in neither a
/// track nor the stored mix. Then the API's answers, files, comments and export, and what strangers get.
public sealed class RecordingApiTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const string Ensemble = "Mittnorden string orchestra";
    private static readonly TimeSpan Patience = RoomApi.Patience;

    [Fact]
    public async Task ATakeHoldsOnlyConsentingParticipantsAndOnlyMembersReachItsFiles()
    {
        var (teacher, teacherBearer) = await app.SignedInWithBearerAsync("teacher@demo.loki.local", "Demo-teacher-2026");
        var (pupil, pupilBearer) = await app.SignedInWithBearerAsync("pupil@demo.loki.local", "Demo-pupil-2026");
        await MakeSamAPupilWithoutConsentAsync();
        var (sam, samBearer) = await app.SignedInWithBearerAsync("student@demo.loki.local", "Demo-student-2026");
        var (stranger, _) = await app.SignedInWithBearerAsync("student.ntnu@demo.loki.local", "Demo-student-2026");
        var roomId = await RoomApi.RehearsalRoomAsync(teacher);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/rooms/{roomId}/open", null)).StatusCode);

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var teacherTone = await ConnectAsync(teacher, teacherBearer, roomId, 440, stop.Token);
        await using var pupilTone = await ConnectAsync(pupil, pupilBearer, roomId, 660, stop.Token);
        await using var samTone = await ConnectAsync(sam, samBearer, roomId, 880, stop.Token);
        await RoomApi.EventuallyAsync(async () => (await RoomApi.RosterAsync(teacher, roomId)).Count(p => p["audioConnected"]!.GetValue<bool>()) == 3, "all three are audio-connected");
        var beat = await teacher.PutAsJsonAsync($"api/rooms/{roomId}/beat", new { running = true, bpm = 120, beatsPerBar = 4, countInBars = 0 });
        Assert.Equal(HttpStatusCode.OK, beat.StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await pupil.PostAsync($"api/rooms/{roomId}/recordings", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"api/rooms/{roomId}/recordings", null)).StatusCode);
        var started = await teacher.PostAsync($"api/rooms/{roomId}/recordings", null);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Conflict, (await teacher.PostAsync($"api/rooms/{roomId}/recordings", null)).StatusCode);

        // Everyone in the room sees that it is recorded, and who is left out.
        var room = (await pupil.GetFromJsonAsync<JsonObject>($"api/rooms/{roomId}"))!;
        var recordingState = room["view"]!["recording"]!;
        Assert.Equal(id, recordingState["recordingId"]!.GetValue<string>());
        Assert.Equal(["Sam Student"], recordingState["notRecorded"]!.AsArray().Select(n => n!.GetValue<string>()));

        await Task.Delay(1500);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsJsonAsync($"api/rooms/{roomId}/recordings/markers", new { name = "Letter A" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await pupil.PostAsJsonAsync($"api/rooms/{roomId}/recordings/markers", new { name = "Mine" })).StatusCode);
        await Task.Delay(2500);
        Assert.Equal(HttpStatusCode.Forbidden, (await pupil.PostAsync($"api/recordings/{id}/stop", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"api/recordings/{id}/stop", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.PostAsync($"api/recordings/{id}/stop", null)).StatusCode);

        var take = (await pupil.GetFromJsonAsync<JsonObject>($"api/recordings/{id}"))!;
        Assert.Equal("finished", take["status"]!.GetValue<string>());
        Assert.InRange(take["durationSeconds"]!.GetValue<double>(), 3, 30);
        var tracks = take["tracks"]!.AsArray();
        Assert.Equal(["Elsa (Härnösand)", "Tove Lärare"], tracks.Select(t => t!["displayName"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(tracks, t => Assert.True(t!["offsetMs"]!.GetValue<double>() > 0, "each track is shifted by its upstream delay"));
        Assert.All(tracks, t => Assert.True(t!["residualMs"]!.GetValue<double>() >= 0));
        Assert.Contains(take["timeline"]!.AsArray(), e => e!["kind"]!.GetValue<string>() == "Marker" && e["text"]!.GetValue<string>() == "Letter A");
        Assert.Contains(take["timeline"]!.AsArray(), e => e!["kind"]!.GetValue<string>() == "Tempo" && e["bpm"]!.GetValue<double>() == 120);
        Assert.NotEmpty(take["bars"]!.AsArray());

        // The stored mix holds the teacher and the pupil, never Sam.
        var mixUrl = take["mix"]!["url"]!.GetValue<string>();
        var mix = await pupil.GetAsync(mixUrl.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, mix.StatusCode);
        var levels = Levels(await mix.Content.ReadAsByteArrayAsync(), 440, 660, 880);
        Assert.True(levels[0] > 0.05 && levels[1] > 0.05, $"the mix holds the teacher ({levels[0]:F3}) and the pupil ({levels[1]:F3})");
        Assert.True(levels[2] < 0.005, $"the member without consent is not in the mix ({levels[2]:F4})");
        foreach (var track in tracks)
        {
            var file = await teacher.GetByteArrayAsync(track!["url"]!.GetValue<string>().TrimStart('/'));
            Assert.True(Levels(file, 880)[0] < 0.005, "no track holds the member without consent");
        }

        // Strangers: nothing exists.
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"api/recordings/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(mixUrl.TrimStart('/'))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"api/recordings/{id}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync($"api/recordings/{id}/comments", new { atSeconds = 1, text = "hi" })).StatusCode);
        var anonymous = await app.Client().GetAsync(mixUrl.TrimStart('/'));
        Assert.Equal(HttpStatusCode.Found, anonymous.StatusCode);
        Assert.Contains("login", anonymous.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, (await pupil.GetAsync($"recordings/{id}/files/..%2Floki.db")).StatusCode);

        // Teachers comment, pupils reply.
        Assert.Equal(HttpStatusCode.Forbidden, (await pupil.PostAsJsonAsync($"api/recordings/{id}/comments", new { atSeconds = 1, text = "mine" })).StatusCode);
        // Only a bar the take holds: the music's bars, counted from bar 1 where the metronome started.
        var outside = await teacher.PostAsJsonAsync($"api/recordings/{id}/comments", new { atSeconds = 0, bar = 40, text = "Not in this take" });
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        Assert.NotNull((await outside.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["Bar"]);
        Assert.InRange(take["bars"]!.AsArray()[0]!["bar"]!.GetValue<int>(), 1, 2);
        var comment = await teacher.PostAsJsonAsync($"api/recordings/{id}/comments", new { atSeconds = 0, bar = 2, text = "Listen to the violins here" });
        Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        var commentId = (await comment.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Created, (await pupil.PostAsJsonAsync($"api/recordings/{id}/comments", new { parentId = commentId, text = "I will" })).StatusCode);
        var comments = (await pupil.GetFromJsonAsync<JsonObject>($"api/recordings/{id}"))!["comments"]!.AsArray();
        Assert.Equal(2, comments.Count);
        Assert.All(comments, c => Assert.Equal(2, c!["bar"]!.GetValue<int>()));

        // The export: every WAV, a REAPER project with tempo and marker, an Audacity list.
        var export = await pupil.GetAsync($"api/recordings/{id}/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/zip", export.Content.Headers.ContentType!.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await export.Content.ReadAsByteArrayAsync()));
        var names = zip.Entries.Select(e => Path.GetFileName(e.FullName)).ToList();
        Assert.Contains("mix.wav", names);
        Assert.Equal(2, names.Count(n => n.EndsWith(".wav", StringComparison.Ordinal) && n != "mix.wav"));
        var rpp = Read(zip.Entries.Single(e => e.FullName.EndsWith(".rpp", StringComparison.Ordinal)));
        Assert.Contains("TEMPO", rpp, StringComparison.Ordinal);
        Assert.Contains("Letter A", rpp, StringComparison.Ordinal);
        Assert.Contains("Elsa", rpp, StringComparison.Ordinal);
        var lof = Read(zip.Entries.Single(e => e.FullName.EndsWith(".lof", StringComparison.Ordinal)));
        Assert.Equal(2, lof.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // Members see it on the ensemble's list.
        var ensembleId = await EnsembleIdAsync();
        var list = (await pupil.GetFromJsonAsync<JsonObject>($"api/recordings?ownerId={ensembleId}"))!;
        Assert.Contains(list["recordings"]!.AsArray(), r => r!["id"]!.GetValue<string>() == id);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"api/recordings?ownerId={ensembleId}")).StatusCode);
    }

    private static string Read(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    /// Amplitude of each frequency over the file's first channel, skipping the first half second (joins settle).
    private static double[] Levels(byte[] wav, params double[] frequencies)
    {
        using var reader = new WaveFileReader(new MemoryStream(wav));
        var samples = reader.ToSampleProvider();
        var channels = reader.WaveFormat.Channels;
        var all = new float[(int)(reader.SampleCount * channels)];
        var count = samples.Read(all.AsSpan());
        var mono = Enumerable.Range(0, count / channels).Select(i => all[i * channels]).Skip(24000).ToArray();
        return frequencies.Select(f => ToneClient.Amplitude(mono, f)).ToArray();
    }

    /// The demo student Sam joins the ensemble as a pupil whose guardian gave no consent.
    private async Task MakeSamAPupilWithoutConsentAsync()
    {
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        var ensembleId = await db.Ensembles.Where(e => e.Name == Ensemble).Select(e => e.Id).SingleAsync();
        var sam = await db.Users.SingleAsync(u => u.Email == "student@demo.loki.local");
        Assert.False(sam.RecordingConsent);
        if (!await db.EnsembleMembers.AnyAsync(m => m.EnsembleId == ensembleId && m.PersonId == sam.Id))
        {
            db.EnsembleMembers.Add(new EnsembleMember { EnsembleId = ensembleId, PersonId = sam.Id, Role = EnsembleRole.Pupil });
            await db.SaveChangesAsync();
        }
    }

    private async Task<Guid> EnsembleIdAsync()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        return await db.Ensembles.Where(e => e.Name == Ensemble).Select(e => e.Id).SingleAsync();
    }

    private async Task<ToneClient> ConnectAsync(HttpClient client, string bearer, Guid roomId, double frequency, CancellationToken cancellationToken)
    {
        var join = await client.PostAsync($"api/rooms/{roomId}/join", null);
        Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        var answer = (await join.Content.ReadFromJsonAsync<JsonObject>())!;
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        var path = answer["audioUrl"]!.GetValue<string>().TrimStart('/') + "?token=" + Uri.EscapeDataString(answer["audioToken"]!.GetValue<string>());
        var uri = new Uri(new Uri(app.Address.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), path);
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(uri, timeout.Token);
        return new ToneClient(socket, frequency, cancellationToken);
    }
}
