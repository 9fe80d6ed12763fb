using Loki.Learning.Web.Features.Localization;
using Loki.Learning.Web.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace Loki.Learning.Web.Features.Mail;

/// The account mails ASP.NET Core Identity asks for (password reset by link from /account/forgot, by code from
/// <c>/api/auth/forgotPassword</c>), sent through the outbox or SMTP like every other mail, in the caller's language.
/// Pupils have no e-mail address: Identity asks only for accounts that have one.
public sealed class IdentityMails(IMailer mailer, IStringLocalizer<Text> text) : IEmailSender<Person>
{
    public Task SendConfirmationLinkAsync(Person user, string email, string confirmationLink) =>
        mailer.SendAsync(new Mail(user.DisplayName, email, text["Mail.Confirm.Subject"], text["Mail.Confirm.Body", user.DisplayName, confirmationLink]));

    public Task SendPasswordResetLinkAsync(Person user, string email, string resetLink) =>
        mailer.SendAsync(new Mail(user.DisplayName, email, text["Mail.Reset.Subject"], text["Mail.Reset.Body", user.DisplayName, resetLink]));

    public Task SendPasswordResetCodeAsync(Person user, string email, string resetCode) =>
        mailer.SendAsync(new Mail(user.DisplayName, email, text["Mail.Reset.Subject"], text["Mail.ResetCode.Body", user.DisplayName, resetCode]));
}
