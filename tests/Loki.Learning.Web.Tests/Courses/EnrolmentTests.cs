using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Tests.Courses;

[Collection(nameof(CatalogueCollection))]
public sealed class EnrolmentTests(Catalogue catalogue)
{
    private async Task<(Actor Teacher, Guid CourseId)> CourseAsync(int capacity = 30, string? key = null)
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher);
        var id = await catalogue.Mediator.Send(new CreateCourse(teacher, "Harmony at a distance " + Guid.NewGuid().ToString("N")[..6], "", capacity, key, "Europe/Stockholm", false));
        return (teacher, id);
    }

    [Fact]
    public async Task ATeacherEnrolsAStudentByEmailAndTheStudentSeesTheCourse()
    {
        var (teacher, courseId) = await CourseAsync();
        var student = await catalogue.PersonAsync(Roles.Student);
        var email = await catalogue.Db.CreateDbContext().Users.Where(u => u.Id == student.PersonId).Select(u => u.Email!).SingleAsync();

        var outcome = await catalogue.Mediator.Send(new EnrollInCourse(teacher, courseId, email));

        Assert.Equal(1, outcome.Enrolled);
        var courses = await catalogue.Mediator.Send(new ListCourses(student));
        Assert.Contains(courses, c => c.Id == courseId && c.Relation == CourseRelation.Enrolled);
    }

    [Fact]
    public async Task CapacityHoldsWhenManyStudentsEnrolAtOnce()
    {
        var (_, courseId) = await CourseAsync(capacity: 3, key: "open-sesame");
        var students = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => catalogue.PersonAsync(Roles.Student)));

        var attempts = await Task.WhenAll(students.Select(async s =>
        {
            try
            {
                await catalogue.Mediator.Send(new SelfEnrollInCourse(s, courseId, "open-sesame"));
                return "ok";
            }
            catch (Refusal refusal)
            {
                return refusal.ReasonKey;
            }
        }));

        Assert.Equal(3, attempts.Count(a => a == "ok"));
        Assert.Equal(7, attempts.Count(a => a == "Refusal.CourseFull"));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        Assert.Equal(3, await db.CourseEnrolments.CountAsync(e => e.CourseId == courseId));
    }

    [Fact]
    public async Task ASecondEnrolmentOfTheSameStudentIsRefusedAndWritesNothing()
    {
        var (teacher, courseId) = await CourseAsync(key: "twice-key");
        var student = await catalogue.PersonAsync(Roles.Student);
        await catalogue.Mediator.Send(new SelfEnrollInCourse(student, courseId, "twice-key"));

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new SelfEnrollInCourse(student, courseId, "twice-key")).AsTask());

        Assert.Equal("Refusal.AlreadyEnrolled", refusal.ReasonKey);
        var details = await catalogue.Mediator.Send(new GetCourse(teacher, courseId));
        Assert.Single(details.Students);
    }

    [Fact]
    public async Task AWrongEnrolmentKeyIsRefused()
    {
        var (_, courseId) = await CourseAsync(key: "right-key");
        var student = await catalogue.PersonAsync(Roles.Student);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new SelfEnrollInCourse(student, courseId, "wrong-key")).AsTask());

        Assert.Equal("Refusal.WrongEnrolmentKey", refusal.ReasonKey);
        Assert.Equal("Key", refusal.Field);
    }

    [Fact]
    public async Task ACourseWithoutAKeyCannotBeJoinedBySelfEnrolment()
    {
        var (_, courseId) = await CourseAsync(key: null);
        var student = await catalogue.PersonAsync(Roles.Student);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new SelfEnrollInCourse(student, courseId, "anything")).AsTask());

        Assert.Equal("Refusal.WrongEnrolmentKey", refusal.ReasonKey);
    }

    [Fact]
    public async Task AStudentCannotEnrolSomeoneElse()
    {
        var (_, courseId) = await CourseAsync();
        var student = await catalogue.PersonAsync(Roles.Student);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new EnrollInCourse(student, courseId, "someone@test.local")).AsTask());

        Assert.Equal(RefusalKind.Forbidden, refusal.Kind);
    }

    [Fact]
    public async Task AnOutsiderCannotSeeAPrivateCourse()
    {
        var (_, courseId) = await CourseAsync(key: null);
        var outsider = await catalogue.PersonAsync(Roles.Student);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new GetCourse(outsider, courseId)).AsTask());

        Assert.Equal("Refusal.NotCourseMember", refusal.ReasonKey);
    }

    [Fact]
    public async Task ACourseWithoutATitleIsRefusedWithAFieldError()
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher);

        var invalid = await Assert.ThrowsAsync<InvalidInput>(() => catalogue.Mediator.Send(new CreateCourse(teacher, "", null, 0, null, "Europe/Stockholm", false)).AsTask());

        Assert.Equal(["Validation.Required"], invalid.Errors["Title"]);
        Assert.Equal(["Validation.Capacity"], invalid.Errors["Capacity"]);
    }

    [Fact]
    public async Task AStudentCannotCreateACourse()
    {
        var student = await catalogue.PersonAsync(Roles.Student);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new CreateCourse(student, "My own course", null, 10, null, "Europe/Stockholm", false)).AsTask());

        Assert.Equal("Refusal.OnlyTeachersCreateCourses", refusal.ReasonKey);
    }

    [Fact]
    public async Task AStudentWhoLeavesFreesTheirPlace()
    {
        var (teacher, courseId) = await CourseAsync(capacity: 1, key: "one-place");
        var first = await catalogue.PersonAsync(Roles.Student);
        var second = await catalogue.PersonAsync(Roles.Student);
        await catalogue.Mediator.Send(new SelfEnrollInCourse(first, courseId, "one-place"));

        await catalogue.Mediator.Send(new UnenrollFromCourse(first, courseId, first.PersonId));
        var outcome = await catalogue.Mediator.Send(new SelfEnrollInCourse(second, courseId, "one-place"));

        Assert.Equal(1, outcome.Enrolled);
        var details = await catalogue.Mediator.Send(new GetCourse(teacher, courseId));
        Assert.Equal([second.PersonId], details.Students.Select(s => s.Id));
    }
}
