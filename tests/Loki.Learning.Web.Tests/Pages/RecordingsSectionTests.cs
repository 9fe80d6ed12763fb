using Bunit;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Recordings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Pages;

[Collection(nameof(CatalogueCollection))]
public sealed class RecordingsSectionTests(Catalogue catalogue) : PageContext(catalogue, "en")
{
    [Fact]
    public async Task ATakeIsListedAtTheMeetingsWallClockTimeWithItsTracksCountedInWords()
    {
        var teacher = await Catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await Catalogue.Mediator.Send(new CreateEnsemble(teacher, "Trondheim strings " + Guid.NewGuid().ToString("N")[..6], null, "Europe/Oslo", null));
        var meetingId = await Catalogue.Mediator.Send(new ScheduleMeeting(teacher, OwnerKind.Ensemble, ensembleId, "Rehearsal", new DateTime(2026, 11, 25, 13, 0, 0), 60));
        await using (var db = await Catalogue.Db.CreateDbContextAsync())
        {
            var roomId = await db.Meetings.Where(m => m.Id == meetingId).Select(m => m.RoomId).SingleAsync();
            var recording = new Recording
            {
                RoomId = roomId,
                OwnerId = ensembleId,
                OwnerKind = OwnerKind.Ensemble,
                Title = "First run-through",
                StartedById = teacher.PersonId,
                // 13:05 in Trondheim (CET), whatever zone the server runs in.
                StartedUtc = new DateTime(2026, 11, 25, 12, 5, 0, DateTimeKind.Utc),
                EndedUtc = new DateTime(2026, 11, 25, 12, 8, 0, DateTimeKind.Utc),
                Status = RecordingStatus.Finished,
                Folder = Guid.NewGuid().ToString("N"),
                DurationSeconds = 180,
            };
            recording.Tracks.Add(new RecordingTrack { PersonId = teacher.PersonId, DisplayName = "Kari", File = "kari.wav" });
            db.Recordings.Add(recording);
            await db.SaveChangesAsync();
        }
        Services.AddSingleton(Options.Create(new RecordingOptions()));
        SignIn(teacher);

        var cut = Render<RecordingsSection>(parameters => parameters.Add(p => p.OwnerId, ensembleId));

        cut.WaitForAssertion(() =>
        {
            var item = cut.Find("ul.plain li").TextContent;
            Assert.Contains("Wednesday 25 November 2026, ", item, StringComparison.Ordinal);
            Assert.Contains("(Oslo)", item, StringComparison.Ordinal);
            Assert.Equal("2026-11-25T12:05:00.0000000Z", cut.Find("ul.plain li time").GetAttribute("datetime"));
            Assert.Matches(@"1:05\sPM \(Oslo\)", item);
            Assert.Contains("· 1 track", item, StringComparison.Ordinal);
            Assert.DoesNotContain("1 tracks", item, StringComparison.Ordinal);
            Assert.Contains("Recordings are kept for 180 days", cut.Markup, StringComparison.Ordinal);
        });
    }
}
