using System.Text;
using Loki.Learning.E2E.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Loki.Learning.E2E.Features.Scores;

public sealed class ReadingAScoreTests(BrowserFixture browser, LokiApp app) : BrowserTest(browser, app), IClassFixture<LokiApp>
{
    private const string Ensemble = "Mittnorden string orchestra";

    private async Task<IPage> TeacherOnTheEnsemblePageAsync()
    {
        var teacher = await LogInAsync(DemoAccounts.EnsembleTeacher, DemoAccounts.PasswordOf(DemoAccounts.EnsembleTeacher));
        await teacher.OpenAsync($"ensembles/{await App.EnsembleIdAsync(Ensemble)}");
        return teacher;
    }

    [Fact]
    public async Task TheTeacherOpensASeededScoreAndTheCursorGoesToTheBarTheClockAsksFor()
    {
        var teacher = await TeacherOnTheEnsemblePageAsync();
        var link = teacher.Link("Polska from Mittnorden");
        await Expect(link).ToBeVisibleAsync();

        await teacher.OpenAsync((await link.GetAttributeAsync("href"))!);

        await Expect(teacher.Heading("Polska from Mittnorden", 1)).ToBeVisibleAsync();
        await Expect(teacher.Locator("#score svg").First).ToBeVisibleAsync();
        await teacher.WaitForFunctionAsync("() => window.loki?.score?.current().bar === 1");
        var bar = await teacher.EvaluateAsync<int>("() => { window.loki.score.show(5, 0); return window.loki.score.current().bar; }");
        Assert.Equal(5, bar);
        // The same bar and beat again is a no-op; a later beat keeps the bar; the clock may also jump back.
        Assert.Equal(5, await teacher.EvaluateAsync<int>("() => { window.loki.score.show(5, 0); window.loki.score.show(5, 1.5); return window.loki.score.current().bar; }"));
        Assert.Equal(6, await teacher.EvaluateAsync<int>("() => { window.loki.score.show(6, 2); return window.loki.score.current().bar; }"));
        Assert.Equal(2, await teacher.EvaluateAsync<int>("() => { window.loki.score.show(2, 0); return window.loki.score.current().bar; }"));
        Assert.Equal(5, await teacher.EvaluateAsync<int>("() => { window.loki.score.show(5, 0); return window.loki.score.current().bar; }"));

        // An annotation on bar 6 shows beside the score while the cursor is within a few bars of it.
        await teacher.GetByLabel("Takt", new() { Exact = true }).Nth(1).FillAsync("6");
        await teacher.GetByLabel("Anteckning", new() { Exact = true }).FillAsync("Andas före sexan");
        await teacher.Button("Lägg till anteckning").ClickWhenInteractiveAsync();
        await Expect(teacher.GetByRole(AriaRole.Cell, new() { Name = "Andas före sexan" })).ToBeVisibleAsync();
        await Expect(teacher.Locator("#score [data-score-notes] li")).ToContainTextAsync("Andas före sexan");
    }

    /// Uploads a file of the MusicXML corpus (tests/Corpus/MusicXml) and opens its page from the score list.
    private async Task OpenUploadedAsync(IPage teacher, string corpusFile, string title)
    {
        var upload = await teacher.Button("Ladda upp").WhenInteractiveAsync();
        var path = Path.Combine(AppContext.BaseDirectory, "Corpus", "MusicXml", corpusFile);
        await teacher.GetByLabel("MusicXML- eller PDF-fil").SetInputFilesAsync(path);
        await Expect(teacher.GetByTestId("score-file-chosen")).ToHaveTextAsync(Path.GetFileName(path));
        await upload.ClickAsync();
        var link = teacher.Link(title);
        await Expect(link).ToBeVisibleAsync();
        await teacher.OpenAsync((await link.GetAttributeAsync("href"))!);
        await Expect(teacher.Heading(title, 1)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AUtf16ScoreAndACompressedScoreRenderTheirNotesWithTheTitlesTheirProgramsGaveThem()
    {
        var teacher = await TeacherOnTheEnsemblePageAsync();

        // UTF-16 with a byte-order mark, as Finale and older Sibelius write it: decoded by its mark, not as UTF-8.
        await OpenUploadedAsync(teacher, "osmd/test_UTF16LEBOM_decoding_nested_tuplet.musicxml", "test_UTF16LEBOM_decoding_nested_tuplet");
        await Expect(teacher.Locator("#score svg .vf-stavenote").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await teacher.WaitForFunctionAsync("() => window.loki?.score?.current().bar === 1");

        // A MuseScore 2 .mxl whose title is only the largest centred words on the first page; 52 bars after an upbeat.
        await teacher.OpenAsync($"ensembles/{await App.EnsembleIdAsync(Ensemble)}");
        await Expect(teacher.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "test_UTF16LEBOM_decoding_nested_tuplet" })).ToContainTextAsync("1 takt");
        await OpenUploadedAsync(teacher, "osmd/Cornelius_P_Christbaum_Opus_8_1_1865.mxl", "Christbaum");
        await Expect(teacher.Locator("#score svg .vf-stavenote").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(teacher.GetByText("52 takter")).ToBeVisibleAsync();
        // The cursor follows bars as musicians count them: bar 0 is the pickup, bar 1 the first full bar.
        Assert.Equal(2, await teacher.EvaluateAsync<int>("() => { window.loki.score.follow(1, 0, 8); return window.loki.score.current().bar; }"));
        Assert.Equal(1, await teacher.EvaluateAsync<int>("() => { window.loki.score.follow(0, 5, 8); return window.loki.score.current().bar; }"));
    }

    [Fact]
    public async Task ABrokenPdfIsRefusedWithTheReasonInSwedish()
    {
        var teacher = await TeacherOnTheEnsemblePageAsync();
        var upload = await teacher.Button("Ladda upp").WhenInteractiveAsync();

        await teacher.GetByLabel("MusicXML- eller PDF-fil").SetInputFilesAsync(new FilePayload
        {
            Name = "stämmor.pdf",
            MimeType = "application/pdf",
            Buffer = Encoding.ASCII.GetBytes("%PDF-1.7\nnot really a PDF\n"),
        });
        await Expect(teacher.GetByTestId("score-file-chosen")).ToHaveTextAsync("stämmor.pdf");
        await upload.ClickAsync();

        await Expect(teacher.GetByRole(AriaRole.Alert).Filter(new() { HasText = "PDF-filen är skadad eller ofullständig." })).ToBeVisibleAsync();
        Assert.Equal(0, await App.QueryAsync(db => Task.FromResult(db.Scores.Count(s => s.OriginalFileName == "stämmor.pdf"))));
    }

    [Fact]
    public async Task AnUploadedPdfIsShownOnePageAtATime()
    {
        var teacher = await TeacherOnTheEnsemblePageAsync();
        var upload = await teacher.Button("Ladda upp").WhenInteractiveAsync();
        await teacher.GetByLabel("MusicXML- eller PDF-fil").SetInputFilesAsync(new FilePayload { Name = "stråkar.pdf", MimeType = "application/pdf", Buffer = TwoPagePdf() });
        await Expect(teacher.GetByTestId("score-file-chosen")).ToHaveTextAsync("stråkar.pdf");
        await teacher.GetByLabel("Titel (valfri)").FillAsync("Stråkstämmor");
        await upload.ClickAsync();
        var link = teacher.Link("Stråkstämmor");
        await Expect(link).ToBeVisibleAsync();

        await teacher.OpenAsync((await link.GetAttributeAsync("href"))!);

        await Expect(teacher.Locator("#score canvas")).ToBeVisibleAsync();
        await teacher.WaitForFunctionAsync("() => window.loki?.score?.current().page === 1");
        await teacher.Button("Nästa sida").ClickWhenInteractiveAsync();
        await teacher.WaitForFunctionAsync("() => window.loki.score.current().page === 2");
    }

    private static byte[] TwoPagePdf()
    {
        var builder = new UglyToad.PdfPig.Writer.PdfDocumentBuilder();
        var font = builder.AddStandard14Font(UglyToad.PdfPig.Fonts.Standard14Fonts.Standard14Font.Helvetica);
        foreach (var text in new[] { "Violin I", "Cello" })
        {
            builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText(text, 24, new UglyToad.PdfPig.Core.PdfPoint(72, 720), font);
        }
        return builder.Build();
    }
}
