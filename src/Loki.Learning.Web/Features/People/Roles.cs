namespace Loki.Learning.Web.Features.People;

public static class Roles
{
    public const string Admin = "Admin";
    public const string Organizer = "Organizer";
    public const string Teacher = "Teacher";
    public const string Student = "Student";

    public static readonly IReadOnlyList<string> All = [Admin, Organizer, Teacher, Student];

    /// Roles that may create courses and ensembles and schedule sessions.
    public const string Teaching = Admin + "," + Teacher;
}
