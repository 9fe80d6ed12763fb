using Microsoft.AspNetCore.Identity;

namespace Loki.Learning.Web.Features.People;

/// Refuses the passwords every guesser tries first: one character repeated, and the most common passwords of ten
/// characters or more (shorter ones already fail the length rule) from the public breach lists, plus their
/// Swedish and Norwegian counterparts. Compared ignoring case, so "Password123" is as refused as "password123".
public sealed class CommonPasswordValidator : IPasswordValidator<Person>
{
    private static readonly HashSet<string> Common = new(
        """
        1234567890 0123456789 0987654321 9876543210 12345678910 123456789a 123456789q 1234567890a 1234512345
        1234554321 1122334455 1111122222 1212121212 1231231231 1234567899 1234567891 123456789123 147258369
        1472583690 1357924680 2468013579 0000000000 1111111111 1234qwerasdf 12qwaszx12 1q2w3e4r5t 1q2w3e4r5t6y
        1qaz2wsx3edc 1qazxsw23edc zaq12wsxcde qazwsxedcrfv qwertyuiop qwertyuiop123 qwerty1234 qwerty12345
        qwerty123456 qwertyqwerty qwertzuiop asdfghjkl; asdfghjkl1 asdfghjkl123 zxcvbnm123 zxcvbnm1234 poiuytrewq
        1qaz2wsx3e asdfasdfasdf asdfqwerzxcv password12 password123 password1234 password01 password11 password99
        passwordpassword password2024 password2025 password2026 password2027 passw0rd123 p@ssw0rd123 p@ssword123
        changeme123 letmein123 letmeinnow welcome123 welcome1234 welcome2024 welcome2025 welcome2026 iloveyou12
        iloveyou123 iloveyou1234 iloveyouforever princess12 princess123 sunshine12 sunshine123 football12
        football123 baseball12 baseball123 superman12 superman123 starwars12 starwars123 dragon1234 monkey1234
        master1234 shadow1234 michael123 jennifer12 jordan2323 trustno1234 administrator admin12345 admin123456
        adminadmin administrator1 rootroot12 qwerty123! password1! password12! password123! abcdefghij
        abcdefghijk abcdefghijkl abcd123456 abc1234567 abcdef1234 a1b2c3d4e5 a123456789 aa12345678
        aaaaaa1111 computer12 computer123 internet12 internet123 facebook12 facebook123 google1234 minecraft1
        minecraft12 minecraft123 pokemon1234 fortnite12 fortnite123 liverpool12 liverpool123 chelsea123
        arsenal123 manchester1 barcelona1 realmadrid1 blink18212 charlie123 danielle12 elizabeth1 fuckyou123
        hello12345 hellohello helloworld helloworld1 whatever12 whatever123 nothing123 secret1234 secretpass
        mypassword mypassword1 mypassword123 newpassword newpassword1 yourpassword testtest12 test123456
        testing123 student123 student1234 teacher123 teacher1234 school1234 skolan1234 sommar2024 sommar2025
        sommar2026 vinter2024 vinter2025 vinter2026 losenord123 losenord1234 lösenord123 lösenord12 hemligt123
        hemligt1234 sverige123 sverige1234 stockholm1 stockholm123 goteborg123 göteborg123 passord123
        passord1234 hemmelig123 sommer2024 sommer2025 sommer2026 vinter2024 norge12345 norge123456 oslo123456
        bergen1234 trondheim1 musikk1234 musik12345 loki123456 lokilearning loki.learning
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.OrdinalIgnoreCase);

    public Task<IdentityResult> ValidateAsync(UserManager<Person> manager, Person user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }
        if (password.All(c => c == password[0]))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "RepeatedCharacter", Description = "The password is one character repeated; choose a passphrase of several words." }));
        }
        if (Common.Contains(password.Trim()))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "CommonPassword", Description = "The password is among the most common ones; choose a passphrase of several words." }));
        }
        return Task.FromResult(IdentityResult.Success);
    }
}
