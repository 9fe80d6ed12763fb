using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Loki.Learning.Web.Features.Mail;
using Loki.Learning.Web.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.People;

/// Adults who forgot their password get a link by mail (the outbox here) to the address they used; a caller who names
/// another host gets no link sent; a signed-in adult changes their password; the empty login form says what is missing.
public sealed partial class PasswordResetTests(RunningApp app) : IClassFixture<RunningApp>
{
    private HttpClient From(int lastByte)
    {
        var client = LoginForm.ClientFrom(app.Address, IPAddress.Parse($"127.0.0.{lastByte}"));
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        return client;
    }

    private IReadOnlyList<OutboxMessage> MailsTo(string address) =>
        app.Services.GetRequiredService<Mailer>().Outbox.Read().Where(m => m.To.Contains(address, StringComparison.OrdinalIgnoreCase)).ToList();

    [Fact]
    public async Task AStudentWhoForgotTheirPasswordFollowsTheMailedLinkToTheSitesOwnAddressAndSignsInWithTheNewOne()
    {
        const string email = "student.ntnu@demo.loki.local";
        var browser = From(81);

        var asked = await LoginForm.PostFormAsync(browser, "account/forgot", "forgot", new() { ["Input.Email"] = email });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("a link is on its way", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var mail = Assert.Single(MailsTo(email));
        var link = ResetLink().Match(mail.Body).Value;
        // Site:PublicUrl is not set: the link is the address the request came to, not localhost:5080.
        Assert.StartsWith(app.Address + "account/reset?user=", link, StringComparison.Ordinal);

        var resetPage = link[app.Address.ToString().Length..];
        Task<HttpResponseMessage> ResetAsync(string password) => LoginForm.PostFormAsync(browser, resetPage, "reset", new()
        {
            ["Input.User"] = Query(link, "user"),
            ["Input.Token"] = Query(link, "token"),
            ["Input.New"] = password,
            ["Input.Repeat"] = password,
        });
        var reset = await ResetAsync("cloudberry-fjord-lantern-7");
        Assert.Contains("You can log in with it now", await reset.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var login = await app.Client().PostAsJsonAsync("api/auth/login", new { email, password = "cloudberry-fjord-lantern-7" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        // The link works once.
        var again = await ResetAsync("another-fjord-lantern-8");
        Assert.Contains("not valid", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResetAskedUnderAHostNameTheCallerChoseSendsNoLinkThere()
    {
        const string email = "lecturer@demo.loki.local";
        var attacker = From(82);
        attacker.DefaultRequestHeaders.Host = "evil.example";

        var asked = await LoginForm.PostFormAsync(attacker, "account/forgot", "forgot", new() { ["Input.Email"] = email });

        Assert.Contains("Site:PublicUrl", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(MailsTo(email), m => m.Body.Contains("evil.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEmptyLoginFormSaysWhatIsMissing()
    {
        var form = await LoginForm.PostAsync(From(83), "", "");

        Assert.Contains("Enter your e-mail or username and your password.", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Query(string link, string name) =>
        Uri.UnescapeDataString(Regex.Match(link, $"[?&]{name}=([^&]+)").Groups[1].Value);

    [GeneratedRegex(@"http://\S+/account/reset\?\S+")]
    private static partial Regex ResetLink();
}
