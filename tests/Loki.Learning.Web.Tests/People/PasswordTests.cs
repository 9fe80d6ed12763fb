using Loki.Learning.Web.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.People;

[Collection(nameof(CatalogueCollection))]
public sealed class PasswordTests(Catalogue catalogue)
{
    private async Task<IdentityResult> CreateWithAsync(string password)
    {
        using var scope = catalogue.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var name = $"pw-{Guid.NewGuid():N}"[..16];
        return await users.CreateAsync(new Person { UserName = name, DisplayName = name }, password);
    }

    [Theory]
    [InlineData("aaaaaaaaaa", "RepeatedCharacter")]
    [InlineData("0000000000000", "RepeatedCharacter")]
    [InlineData("1234567890", "CommonPassword")]
    [InlineData("Password123", "CommonPassword")]
    [InlineData("qwertyuiop", "CommonPassword")]
    [InlineData("iloveyou123", "CommonPassword")]
    [InlineData("losenord123", "CommonPassword")]
    public async Task APasswordEveryGuesserTriesFirstIsRefused(string password, string code)
    {
        var result = await CreateWithAsync(password);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Code == code);
    }

    [Theory]
    [InlineData("willow-harp-snow-elk-42")]
    [InlineData("Demo-teacher-2026")]
    public async Task APassphraseIsAccepted(string password)
    {
        Assert.True((await CreateWithAsync(password)).Succeeded);
    }
}
