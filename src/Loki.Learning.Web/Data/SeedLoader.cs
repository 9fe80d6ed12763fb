using System.Globalization;
using System.Text.Json;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Institutions;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Scores;
using Loki.Learning.Web.Features.Workshops;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Data;

/// Loads the demo catalogue from seed-data/*.json. Every item is matched by its natural key
/// (name, e-mail, title), so running it again adds nothing twice. Schedules are placed relative
/// to today so a fresh demo always has something coming up.
public sealed class SeedLoader(
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    IHostEnvironment environment,
    TimeProvider clock,
    ILogger<SeedLoader> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public string Folder => configuration["SeedData:Path"] ?? Path.Combine(AppContext.BaseDirectory, "seed-data");

    public IReadOnlyList<DemoAccount> ReadDemoAccounts() => Read<DemoAccount>("demo-accounts.json");

    public async Task LoadAsync()
    {
        // Demo data is for trying the platform: a production installation starts empty unless asked (SeedData:Enabled).
        if (!configuration.GetValue("SeedData:Enabled", environment.IsDevelopment()) || !Directory.Exists(Folder))
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LokiDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();

        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        var added = 0;
        added += await SeedInstitutionsAsync(db);
        var institutions = await db.Institutions.ToDictionaryAsync(i => i.Name, i => i.Id);
        added += await SeedAccountsAsync(users, institutions);
        var people = await db.Users.Where(u => u.Email != null).ToDictionaryAsync(u => u.Email!, u => u.Id, StringComparer.OrdinalIgnoreCase);
        added += await SeedCoursesAsync(db, institutions, people);
        added += await SeedEnsemblesAsync(db, institutions, people);
        added += await SeedWorkshopsAsync(db, institutions, people);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        // Score files are written outside the transaction: each score is its own file and row, stored like an upload.
        if (scope.ServiceProvider.GetService<ScoreStorage>() is { } storage)
        {
            added += await SeedScoresAsync(db, storage, people);
        }
        if (added > 0)
        {
            logger.LogInformation("Loaded {Count} demo items from {Folder}", added, Folder);
        }
    }

    private async Task<int> SeedInstitutionsAsync(LokiDbContext db)
    {
        var existing = await db.Institutions.Select(i => i.Name).ToListAsync();
        var fresh = Read<SeedInstitution>("institutions.json").Where(i => !existing.Contains(i.Name)).ToList();
        db.Institutions.AddRange(fresh.Select(i => new Institution
        {
            Name = i.Name, Kind = i.Kind, Town = i.Town, Country = i.Country, Latitude = i.Latitude, Longitude = i.Longitude,
        }));
        await db.SaveChangesAsync();
        return fresh.Count;
    }

    private async Task<int> SeedAccountsAsync(UserManager<Person> users, Dictionary<string, int> institutions)
    {
        var added = 0;
        foreach (var account in ReadDemoAccounts())
        {
            if (await users.FindByEmailAsync(account.Email) is not null)
            {
                continue;
            }
            var person = new Person
            {
                UserName = account.Email,
                Email = account.Email,
                EmailConfirmed = true,
                DisplayName = account.DisplayName,
                IsPupil = account.IsPupil,
                RecordingConsent = account.RecordingConsent,
                InstitutionId = account.Institution is null ? null : institutions.GetValueOrDefault(account.Institution),
                IsDemoAccount = true,
            };
            // Outside Development the demo accounts exist (the catalogue refers to them) but have no password.
            var result = environment.IsDevelopment() ? await users.CreateAsync(person, account.Password) : await users.CreateAsync(person);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Demo account {account.Email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
            }
            await users.AddToRoleAsync(person, account.Role);
            added++;
        }
        return added;
    }

    private async Task<int> SeedCoursesAsync(LokiDbContext db, Dictionary<string, int> institutions, Dictionary<string, string> people)
    {
        var existing = await db.Courses.Select(c => c.Title).ToListAsync();
        var fresh = Read<SeedCourse>("courses.json").Where(c => !existing.Contains(c.Title)).ToList();
        foreach (var seed in fresh)
        {
            var course = new Course
            {
                Title = seed.Title,
                Description = seed.Description,
                Capacity = seed.Capacity,
                EnrolmentKey = seed.EnrolmentKey,
                TimeZoneId = seed.TimeZone,
                PublicCalendar = seed.PublicCalendar,
                InstitutionId = seed.Institution is null ? null : institutions.GetValueOrDefault(seed.Institution),
            };
            course.Teachers.Add(new CourseTeacher { PersonId = people[seed.Teacher] });
            course.Enrolments.AddRange(seed.Students.Select(s => new CourseEnrolment { PersonId = people[s] }));
            course.Materials.AddRange(seed.Materials.Select(m => new CourseMaterial { Title = m.Title, Notes = m.Notes ?? "" }));
            db.Courses.Add(course);
            db.Meetings.AddRange(seed.Sessions.Select(s => Meeting(OwnerKind.Course, course.Id, s, seed.TimeZone)));
        }
        return fresh.Count;
    }

    private async Task<int> SeedEnsemblesAsync(LokiDbContext db, Dictionary<string, int> institutions, Dictionary<string, string> people)
    {
        var existing = await db.Ensembles.Select(e => e.Name).ToListAsync();
        var fresh = Read<SeedEnsemble>("ensembles.json").Where(e => !existing.Contains(e.Name)).ToList();
        foreach (var seed in fresh)
        {
            var ensemble = new Ensemble { Name = seed.Name, Description = seed.Description, TimeZoneId = seed.TimeZone, PublicCalendar = seed.PublicCalendar };
            ensemble.Members.AddRange(seed.Teachers.Select(t => new EnsembleMember
            {
                PersonId = people[t.Email], Role = EnsembleRole.Teacher, InstitutionId = institutions.GetValueOrDefault(t.Institution ?? ""),
            }));
            ensemble.Members.AddRange(seed.Pupils.Select(p => new EnsembleMember
            {
                PersonId = people[p.Email], Role = EnsembleRole.Pupil, Instrument = p.Instrument, InstitutionId = institutions.GetValueOrDefault(p.Institution ?? ""),
            }));
            foreach (var member in ensemble.Members.Where(m => m.InstitutionId == 0))
            {
                member.InstitutionId = null;
            }
            db.Ensembles.Add(ensemble);
            db.Meetings.AddRange(seed.Rehearsals.Select(r => Meeting(OwnerKind.Ensemble, ensemble.Id, r, seed.TimeZone)));
        }
        return fresh.Count;
    }

    private async Task<int> SeedWorkshopsAsync(LokiDbContext db, Dictionary<string, int> institutions, Dictionary<string, string> people)
    {
        var existing = await db.Workshops.Select(w => w.Title).ToListAsync();
        var fresh = Read<SeedWorkshop>("workshops.json").Where(w => !existing.Contains(w.Title)).ToList();
        foreach (var seed in fresh)
        {
            var (starts, _) = Place(new SeedSlot("", seed.DayOffset, seed.LocalTime, seed.DurationMinutes), seed.TimeZone);
            var sessions = (seed.Sessions is { Count: > 0 } planned ? planned : [new SeedSlot(seed.Title, seed.DayOffset, seed.LocalTime, seed.DurationMinutes)])
                .Select(s => Meeting(OwnerKind.Workshop, Guid.Empty, s, seed.TimeZone))
                .ToList();
            var workshop = new Workshop
            {
                Title = seed.Title,
                Description = seed.Description,
                InstitutionId = seed.Institution is null ? null : institutions.GetValueOrDefault(seed.Institution),
                OrganizerId = people[seed.Organizer],
                TimeZoneId = seed.TimeZone,
                StartsUtc = sessions.Min(s => s.StartsUtc),
                EndsUtc = sessions.Max(s => s.EndsUtc),
                Capacity = seed.PerformerPlaces + seed.ParticipantPlaces + seed.AudiencePlaces is > 0 and var places ? places : seed.Capacity,
                Published = seed.Published,
                Language = seed.Language ?? "sv",
                Venue = seed.Venue,
                Online = seed.Online,
                ImagePath = seed.Image,
                PerformerPlaces = seed.PerformerPlaces,
                ParticipantPlaces = seed.ParticipantPlaces,
                AudiencePlaces = seed.PerformerPlaces + seed.ParticipantPlaces + seed.AudiencePlaces > 0 ? seed.AudiencePlaces : seed.Capacity,
                RegistrationOpensUtc = clock.GetUtcNow().UtcDateTime.AddDays(-1),
                RegistrationClosesUtc = starts,
            };
            db.Workshops.Add(workshop);
            foreach (var session in sessions)
            {
                (session.OwnerId, session.RoomId, session.Place, session.Online) = (workshop.Id, workshop.RoomId, workshop.Venue, workshop.Online);
            }
            db.Meetings.AddRange(sessions);
        }
        return fresh.Count;
    }

    private async Task<int> SeedScoresAsync(LokiDbContext db, ScoreStorage storage, Dictionary<string, string> people)
    {
        var added = 0;
        foreach (var seed in Read<SeedScore>("scores.json"))
        {
            var owner = await db.Ensembles.Where(e => e.Name == seed.Owner).Select(e => (Guid?)e.Id).SingleOrDefaultAsync() is { } ensembleId
                ? (Id: ensembleId, Kind: OwnerKind.Ensemble)
                : (Id: await db.Courses.Where(c => c.Title == seed.Owner).Select(c => c.Id).SingleAsync(), Kind: OwnerKind.Course);
            if (await db.Scores.AnyAsync(s => s.OwnerId == owner.Id && s.Title == seed.Title))
            {
                continue;
            }
            var content = await File.ReadAllBytesAsync(Path.Combine(Folder, "scores", seed.File));
            await UploadScoreHandler.StoreAsync(db, storage, owner.Id, owner.Kind, people[seed.UploadedBy], seed.File, content, seed.Title,
                clock.GetUtcNow().UtcDateTime, CancellationToken.None);
            added++;
        }
        return added;
    }

    private Meeting Meeting(OwnerKind kind, Guid ownerId, SeedSlot slot, string timeZoneId)
    {
        var (starts, ends) = Place(slot, timeZoneId);
        return new Meeting { OwnerKind = kind, OwnerId = ownerId, Title = slot.Title, StartsUtc = starts, EndsUtc = ends, TimeZoneId = timeZoneId };
    }

    private (DateTime StartsUtc, DateTime EndsUtc) Place(SeedSlot slot, string timeZoneId)
    {
        var today = Schedule.ToLocal(clock.GetUtcNow().UtcDateTime, timeZoneId).Date;
        var time = TimeSpan.Parse(slot.LocalTime, CultureInfo.InvariantCulture);
        return Schedule.Slot(today.AddDays(slot.DayOffset) + time, slot.DurationMinutes, timeZoneId);
    }

    private List<T> Read<T>(string file)
    {
        var path = Path.Combine(Folder, file);
        if (!File.Exists(path))
        {
            return [];
        }
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<List<T>>(stream, Json) ?? [];
    }

    public sealed record DemoAccount(string Email, string Role, string Password, string DisplayName, string? Institution, bool IsPupil = false, bool RecordingConsent = false);

    private sealed record SeedInstitution(string Name, InstitutionKind Kind, string Town, string Country, double Latitude, double Longitude);

    private sealed record SeedSlot(string Title, int DayOffset, string LocalTime, int DurationMinutes);

    private sealed record SeedMaterial(string Title, string? Notes);

    private sealed record SeedCourse(string Title, string Description, string? Institution, string Teacher, int Capacity, string? EnrolmentKey,
        string TimeZone, bool PublicCalendar, List<string> Students, List<SeedMaterial> Materials, List<SeedSlot> Sessions);

    private sealed record SeedMember(string Email, string? Institution, string? Instrument);

    private sealed record SeedEnsemble(string Name, string Description, string TimeZone, bool PublicCalendar, List<SeedMember> Teachers, List<SeedMember> Pupils, List<SeedSlot> Rehearsals);

    private sealed record SeedScore(string Owner, string Title, string File, string UploadedBy);

    private sealed record SeedWorkshop(string Title, string Description, string? Institution, string Organizer, string TimeZone, int DayOffset, string LocalTime, int DurationMinutes, int Capacity,
        bool Published = false, string? Language = null, string? Venue = null, bool Online = false, string? Image = null,
        int PerformerPlaces = 0, int ParticipantPlaces = 0, int AudiencePlaces = 0, List<SeedSlot>? Sessions = null);
}
