using Bunit;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.People;

namespace Loki.Learning.Web.Tests.Pages;

[Collection(nameof(CatalogueCollection))]
public sealed class CoursesPageTests(Catalogue catalogue) : PageContext(catalogue, "en")
{
    [Fact]
    public async Task ALecturerSeesTheCoursesTheyTeachWithPlacesTaken()
    {
        var lecturer = await Catalogue.PersonAsync(Roles.Teacher);
        await Catalogue.Mediator.Send(new CreateCourse(lecturer, "Baroque performance practice", "", 12, null, "Europe/Stockholm", false));
        SignIn(lecturer);

        var cut = Render<CoursesPage>();

        cut.WaitForAssertion(() =>
        {
            var row = cut.FindAll("tbody tr").Single(r => r.TextContent.Contains("Baroque performance practice", StringComparison.Ordinal));
            Assert.Contains("Teaching", row.TextContent, StringComparison.Ordinal);
            Assert.Contains("0 / 12", row.TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task CreatingACourseWithoutATitleShowsTheFieldErrorNextToTheField()
    {
        var lecturer = await Catalogue.PersonAsync(Roles.Teacher);
        SignIn(lecturer);
        var cut = Render<CoursesPage>();

        cut.WaitForElement("#course-title").Input("");
        cut.FindAll("button").Single(b => b.TextContent == "Create course").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Some fields need attention.", cut.Find("[role=alert]").TextContent);
            Assert.Equal("This field is required.", cut.Find("#course-title-problem").TextContent);
        });
    }

    [Fact]
    public async Task AStudentIsNotOfferedTheCreateForm()
    {
        var student = await Catalogue.PersonAsync(Roles.Student);
        SignIn(student);

        var cut = Render<CoursesPage>();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#course-title")));
    }
}
