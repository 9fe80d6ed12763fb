using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Recordings;
using Loki.Learning.Web.Features.Scores;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.E2E.Hosting;

/// A finished take of an ensemble's first rehearsal, as the recorder would leave it: a mix, one track, a tempo, a
/// marker and a comment. For pages that need a recording without rehearsing one first.
public static class DemoRecordings
{
    public static async Task<Guid> RecordingOfAsync(this LokiApp app, string ensemble)
    {
        var storage = app.Service<RecordingStorage>();
        var folder = RecordingStorage.NewFolderName();
        Directory.CreateDirectory(storage.FolderOf(folder));
        WriteWav(storage.PathOf(folder, "mix.wav"), channels: 2);
        WriteWav(storage.PathOf(folder, "Elsa-1.wav"), channels: 1);
        return await app.QueryAsync(async db =>
        {
            var rehearsal = await db.Meetings.Where(r => r.OwnerKind == OwnerKind.Ensemble && db.Ensembles.Any(e => e.Id == r.OwnerId && e.Name == ensemble)).OrderBy(r => r.StartsUtc).FirstAsync();
            var teacher = await db.Users.Where(u => u.Email == DemoAccounts.EnsembleTeacher).Select(u => u.Id).SingleAsync();
            var pupil = await db.Users.Where(u => u.Email == DemoAccounts.Pupil).Select(u => new { u.Id, u.DisplayName }).SingleAsync();
            var recording = new Recording
            {
                RoomId = rehearsal.RoomId,
                OwnerId = rehearsal.OwnerId,
                OwnerKind = OwnerKind.Ensemble,
                Title = rehearsal.Title,
                StartedById = teacher,
                StartedUtc = DateTime.UtcNow.AddMinutes(-5),
                EndedUtc = DateTime.UtcNow.AddMinutes(-4),
                Status = RecordingStatus.Finished,
                Folder = folder,
                DurationSeconds = Seconds,
            };
            recording.Tracks.Add(new RecordingTrack { PersonId = pupil.Id, DisplayName = pupil.DisplayName, File = "Elsa-1.wav", OffsetMs = 21.3, ResidualMs = 1.2, Frames = Seconds * 48000, Channels = 1 });
            db.Recordings.Add(recording);
            db.RecordingEvents.Add(new RecordingEvent { RecordingId = recording.Id, Kind = RecordingEventKind.Tempo, AtSeconds = 0, Bar = 1, Bpm = 120, BeatsPerBar = 4, BeatUnit = 4 });
            db.RecordingEvents.Add(new RecordingEvent { RecordingId = recording.Id, Kind = RecordingEventKind.Marker, AtSeconds = 2, Bar = 2, Text = "A" });
            db.RecordingComments.Add(new RecordingComment { RecordingId = recording.Id, AtSeconds = 2, Bar = 2, AuthorId = teacher, AuthorName = "Tove Lärare", Text = "Lyssna på cellona här", CreatedUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
            return recording.Id;
        });
    }

    private const int Seconds = 4;

    /// 48 kHz, 16-bit PCM: a quiet 220 Hz tone.
    private static void WriteWav(string path, int channels)
    {
        const int rate = 48000;
        var frames = rate * Seconds;
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("RIFF"u8);
        writer.Write(36 + (frames * channels * 2));
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)channels);
        writer.Write(rate);
        writer.Write(rate * channels * 2);
        writer.Write((short)(channels * 2));
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(frames * channels * 2);
        for (var i = 0; i < frames * channels; i++)
        {
            writer.Write((short)Math.Round(3000 * Math.Sin(2 * Math.PI * 220 * (i / channels) / rate)));
        }
    }
}
