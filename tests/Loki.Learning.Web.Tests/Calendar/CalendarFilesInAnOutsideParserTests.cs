using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Tests.Hosting;
using Loki.Learning.Web.Tests.Workshops;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Calendar;

/// The personal feed and a workshop's calendar file as another program reads them: Debian's python3-icalendar, the
/// parser behind many calendar tools. A session imported from both must be one entry, and clients that probe with
/// HEAD must find the files.
public sealed class CalendarFilesInAnOutsideParserTests(RunningApp app) : IClassFixture<RunningApp>
{
    private const string Organizer = "organizer@demo.loki.local";
    private const string OrganizerPassword = "Demo-organizer-2026";

    /// Debian's interpreter (python3 on PATH may be another one without the package).
    private const string Python = "/usr/bin/python3";

    private const string ReadEvents = """
        import json, sys
        import icalendar
        calendars = []
        for path in sys.argv[1:]:
            with open(path, 'rb') as f:
                calendar = icalendar.Calendar.from_ical(f.read())
            calendars.append([{'uid': str(e['UID']), 'summary': str(e['SUMMARY']), 'start': e.decoded('DTSTART').isoformat()} for e in calendar.walk('VEVENT')])
        print(json.dumps(calendars))
        """;

    private sealed record Entry(string Uid, string Summary, string Start);

    private async Task<Guid> CreateEventAsync()
    {
        var organizer = await app.SignedInAsync(Organizer, OrganizerPassword);
        var created = await organizer.PostAsJsonAsync("api/events", EventsApiTests.NewWorkshop("Fiddle weekend " + Guid.NewGuid().ToString("N")[..6]));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private async Task<string> FeedTokenAsync(string email)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LokiDbContext>>().CreateDbContextAsync();
        return await db.Users.Where(u => u.Email == email).Select(u => u.CalendarToken).SingleAsync();
    }

    /// Each file's events as python3-icalendar reads them; it fails on anything it cannot parse.
    private static async Task<List<List<Entry>>> ParseAsync(params string[] calendars)
    {
        var folder = Directory.CreateTempSubdirectory("loki-ics-");
        try
        {
            var files = new List<string>();
            foreach (var (text, i) in calendars.Select((c, i) => (c, i)))
            {
                var file = Path.Combine(folder.FullName, $"{i}.ics");
                await File.WriteAllTextAsync(file, text);
                files.Add(file);
            }
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(ReadEvents);
            files.ForEach(start.ArgumentList.Add);
            using var python = Process.Start(start)!;
            var output = python.StandardOutput.ReadToEndAsync();
            var errors = python.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await python.WaitForExitAsync(timeout.Token);
            Assert.True(python.ExitCode == 0, $"python3-icalendar (apt-get install python3-icalendar) could not read the calendars: {await errors}");
            return JsonSerializer.Deserialize<List<List<Entry>>>(await output, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AWorkshopSessionHasTheSameUidInThePersonalFeedAndInTheEventsFile()
    {
        var eventId = await CreateEventAsync();
        var anonymous = app.Client();

        var personal = await anonymous.GetStringAsync($"calendar/me/{await FeedTokenAsync(Organizer)}.ics");
        var eventFile = await anonymous.GetStringAsync($"events/{eventId}.ics");
        var read = await ParseAsync(personal, eventFile);

        var sessions = read[1];
        Assert.Equal(2, sessions.Count);
        Assert.Equal(2, sessions.Select(s => s.Uid).Distinct().Count());
        foreach (var session in sessions)
        {
            // One entry, not two, for a calendar that imports both: same UID, same start.
            var inFeed = Assert.Single(read[0], e => e.Uid == session.Uid);
            Assert.Equal(session.Start, inFeed.Start);
            Assert.Equal(session.Summary, inFeed.Summary);
        }
    }

    [Fact]
    public async Task CalendarClientsThatProbeWithHeadFindTheFilesAndStrangersStillGet404()
    {
        var eventId = await CreateEventAsync();
        var anonymous = app.Client();
        string[] found = [$"calendar/me/{await FeedTokenAsync(Organizer)}.ics", $"events/{eventId}.ics"];

        foreach (var address in found)
        {
            using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, address));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal("text/calendar", head.Content.Headers.ContentType?.MediaType);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        using var unknown = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "calendar/me/not-a-token.ics"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Single(await ParseAsync(await anonymous.GetStringAsync(found[1])));
    }
}
