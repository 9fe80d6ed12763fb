using System.Text.Json;

namespace Loki.Learning.E2E.Hosting;

/// The demo logins as published in seed-data/demo-accounts.json (they work only in Development).
public static class DemoAccounts
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Passwords = new(Read);

    public const string Lecturer = "lecturer@demo.loki.local";

    public const string EnsembleTeacher = "teacher@demo.loki.local";

    public const string NtnuStudent = "student.ntnu@demo.loki.local";

    public const string Pupil = "pupil@demo.loki.local";

    public const string Admin = "admin@demo.loki.local";

    public const string Organizer = "organizer@demo.loki.local";

    public const string Student = "student@demo.loki.local";

    public static string PasswordOf(string email) => Passwords.Value[email];

    private static IReadOnlyDictionary<string, string> Read()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "seed-data", "demo-accounts.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().ToDictionary(
            account => account.GetProperty("email").GetString()!,
            account => account.GetProperty("password").GetString()!,
            StringComparer.OrdinalIgnoreCase);
    }
}
