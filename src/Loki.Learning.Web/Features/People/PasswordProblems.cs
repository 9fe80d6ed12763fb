using Microsoft.AspNetCore.Identity;

namespace Loki.Learning.Web.Features.People;

/// Identity's refusals of a new password, as keys of our own texts (Identity's descriptions are English only).
public static class PasswordProblems
{
    public static string KeyOf(IdentityResult result) => result.Errors.Select(e => e.Code).FirstOrDefault() switch
    {
        "PasswordMismatch" => "Account.Password.Wrong",
        "PasswordTooShort" => "Account.Password.TooShort",
        "CommonPassword" or "RepeatedCharacter" => "Account.Password.Common",
        "InvalidToken" => "Account.Reset.Expired",
        _ => "Account.Password.Refused",
    };
}
