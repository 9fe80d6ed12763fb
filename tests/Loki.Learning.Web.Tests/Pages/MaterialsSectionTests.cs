using Bunit;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Materials;
using Loki.Learning.Web.Features.People;
using Microsoft.EntityFrameworkCore;
using static Loki.Learning.Web.Tests.Materials.MaterialFiles;

namespace Loki.Learning.Web.Tests.Pages;

[Collection(nameof(CatalogueCollection))]
public sealed class MaterialsSectionTests(Catalogue catalogue) : PageContext(catalogue, "en")
{
    private async Task<(Actor Lecturer, Actor Student, Guid CourseId)> CourseAsync()
    {
        var lecturer = await Catalogue.PersonAsync(Roles.Teacher);
        var courseId = await Catalogue.Mediator.Send(new CreateCourse(lecturer, "Form and analysis " + Guid.NewGuid().ToString("N")[..6], "", 20, null, "Europe/Stockholm", false));
        var student = await Catalogue.PersonAsync(Roles.Student);
        await using var db = await Catalogue.Db.CreateDbContextAsync();
        await Catalogue.Mediator.Send(new EnrollInCourse(lecturer, courseId, await db.Users.Where(u => u.Id == student.PersonId).Select(u => u.Email!).SingleAsync()));
        return (lecturer, student, courseId);
    }

    private static void Click(IRenderedComponent<MaterialsSection> cut, string text) => cut.FindAll("button").Single(b => b.TextContent == text).Click();

    [Fact]
    public async Task AScriptLinkIsRefusedNextToTheFieldAndTheMessageGoesOnceTheFieldChanges()
    {
        var (lecturer, _, courseId) = await CourseAsync();
        SignIn(lecturer);
        var cut = Render<MaterialsSection>(parameters => parameters.Add(p => p.OwnerId, courseId));

        cut.WaitForElement("#material-title").Input("Listening list");
        cut.Find("#material-url").Input("javascript:alert(document.cookie)");
        Click(cut, "Add material");

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("A link must be a web address starting with https:// or http://.", cut.Find("#material-url-problem").TextContent);
            Assert.Empty(cut.FindAll("ul.materials a"));
        });

        cut.Find("#material-url").Input("https://www.example.org/listening");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#material-url-problem")));

        Click(cut, "Add material");

        cut.WaitForAssertion(() =>
        {
            var link = cut.Find("ul.materials a");
            Assert.Equal(("Listening list", "https://www.example.org/listening", "noopener noreferrer external"), (link.TextContent, link.GetAttribute("href"), link.GetAttribute("rel")));
            Assert.Equal("Material added.", cut.Find("[role=status]").TextContent);
            Assert.Contains("Link · www.example.org", cut.Find("ul.materials").TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ARequiredTitleMessageGoesOnceTheTitleIsTyped()
    {
        var (lecturer, _, courseId) = await CourseAsync();
        SignIn(lecturer);
        var cut = Render<MaterialsSection>(parameters => parameters.Add(p => p.OwnerId, courseId));

        cut.WaitForElement("#material-url").Input("https://www.example.org/");
        Click(cut, "Add material");
        cut.WaitForAssertion(() => Assert.Equal("This field is required.", cut.Find("#material-title-problem").TextContent));

        cut.Find("#material-title").Input("Reading");

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#material-title-problem")));
    }

    [Fact]
    public async Task AStudentSeesTheFilesAndLinksButNoFormAndNoRemoveButton()
    {
        var (lecturer, student, courseId) = await CourseAsync();
        var fileId = await Catalogue.Mediator.Send(new UploadCourseMaterial(lecturer, courseId, "a440.wav", Wav(), Title: "Tuning note"));
        await Catalogue.Mediator.Send(new AddCourseMaterial(lecturer, courseId, "Soundwire", "Background", "https://ccrma.stanford.edu/groups/soundwire/"));
        SignIn(student);

        var cut = Render<MaterialsSection>(parameters => parameters.Add(p => p.OwnerId, courseId));

        cut.WaitForAssertion(() =>
        {
            var links = cut.FindAll("ul.materials a");
            Assert.Equal([$"/materials/{fileId}/file", "https://ccrma.stanford.edu/groups/soundwire/"], links.Select(a => a.GetAttribute("href")));
            Assert.Equal("Tuning note", cut.Find("ul.materials li a").TextContent);
            Assert.Contains("Sound · 1 kB", cut.Find("ul.materials li .meta").TextContent, StringComparison.Ordinal);
            Assert.Empty(cut.FindAll("#material-title"));
            Assert.Empty(cut.FindAll("ul.materials button"));
        });
    }

    [Fact]
    public async Task TheLecturerRemovesAMaterial()
    {
        var (lecturer, _, courseId) = await CourseAsync();
        await Catalogue.Mediator.Send(new AddCourseMaterial(lecturer, courseId, "Old reading", null));
        SignIn(lecturer);
        var cut = Render<MaterialsSection>(parameters => parameters.Add(p => p.OwnerId, courseId));

        cut.WaitForElement("button[aria-label='Remove Old reading']").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Material removed.", cut.Find("[role=status]").TextContent);
            Assert.DoesNotContain("Old reading", cut.Find("ul.materials").TextContent, StringComparison.Ordinal);
        });
    }
}
