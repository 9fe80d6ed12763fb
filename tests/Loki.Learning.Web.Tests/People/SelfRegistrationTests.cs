using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Tests.Hosting;

namespace Loki.Learning.Web.Tests.People;

public sealed class OpenRegistrationApp : IAsyncLifetime
{
    public RunningApp App { get; } = new() { Settings = new Dictionary<string, string?> { ["Identity:SelfRegistration"] = "true" } };

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

/// A site whose admin turned self-registration on (Identity:SelfRegistration=true).
public sealed class SelfRegistrationTests(OpenRegistrationApp open) : IClassFixture<OpenRegistrationApp>
{
    [Fact]
    public async Task AnyoneMayRegisterWithAPassphraseButNotWithACommonPassword()
    {
        var client = LoginForm.ClientFrom(open.App.Address, IPAddress.Parse("127.0.0.61"));
        var email = $"new-{Guid.NewGuid():N}@example.org";

        var common = await client.PostAsJsonAsync("api/auth/register", new { email, password = "iloveyou123" });
        var passphrase = await client.PostAsJsonAsync("api/auth/register", new { email, password = "reed-otter-lake-canon-17" });
        var login = await client.PostAsJsonAsync("api/auth/login", new { email, password = "reed-otter-lake-canon-17" });

        Assert.Equal(HttpStatusCode.BadRequest, common.StatusCode);
        Assert.NotNull((await common.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["CommonPassword"]);
        Assert.Equal(HttpStatusCode.OK, passphrase.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }
}
