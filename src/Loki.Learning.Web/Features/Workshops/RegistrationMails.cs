using System.Globalization;
using Loki.Learning.Web.Features.Localization;
using Loki.Learning.Web.Features.Mail;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Notices;
using Microsoft.Extensions.Localization;

namespace Loki.Learning.Web.Features.Workshops;

/// Every mail to a registrant: in the language they registered in (else the event's), with the link to their
/// registration's page on the address they registered through (else the site's configured one), and sent after the
/// change that caused it is committed. A mail that cannot be sent is logged; the change stands.
public sealed class RegistrationMails(IMailer mailer, SiteInfo site, PublicAddress address, IStringLocalizer<Text> text, ILogger<RegistrationMails> logger)
{
    /// The language mails to <paramref name="registration"/> are written in.
    public static string LanguageOf(Workshop workshop, Registration registration) =>
        registration.Language is { } own && LocalizationHosting.Cultures.Contains(own) ? own
        : LocalizationHosting.Cultures.Contains(workshop.Language) ? workshop.Language : "sv";

    /// The page of <paramref name="registration"/>: the configured address wins over the one it was made through.
    public string LinkOf(Registration registration)
    {
        var root = address.Configured
            ?? (registration.LinkBase is { } stored && Uri.TryCreate(stored, UriKind.Absolute, out var made) ? made : site.PublicUrl);
        return new Uri(root, $"registrations/{registration.Token}").ToString();
    }

    /// A mail to <paramref name="registration"/> composed in their language: <paramref name="compose"/> gets the
    /// localizer (already in that culture), the culture, and the link to the registration's page.
    public Mail.Mail Compose(Workshop workshop, Registration registration, Func<IStringLocalizer<Text>, CultureInfo, string, (string Subject, string Body)> compose)
    {
        var previous = CultureInfo.CurrentUICulture;
        var culture = CultureInfo.GetCultureInfo(LanguageOf(workshop, registration));
        CultureInfo.CurrentUICulture = culture;
        try
        {
            var (subject, body) = compose(text, culture, LinkOf(registration));
            return new Mail.Mail(registration.Name, registration.Email, subject, body);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    /// The subject (<paramref name="key"/>) and body (the key + ".Body") of a mail about a registration's state. The
    /// body's placeholders: {0} name, {1} title, {2} the registration's page, {3} offer expiry.
    public Mail.Mail About(Workshop workshop, Registration registration, string key) => Compose(workshop, registration, (l, culture, link) =>
    {
        var expires = registration.OfferExpiresUtc is { } utc ? Schedule.ToLocal(utc, workshop.TimeZoneId).ToString("g", culture) : "";
        return (l[key, workshop.Title], l[key + ".Body", registration.Name, workshop.Title, link, expires]);
    });

    public async Task SendAsync(Guid workshopId, IEnumerable<Mail.Mail> mails)
    {
        foreach (var mail in mails)
        {
            try
            {
                await mailer.SendAsync(mail);
            }
            catch (Exception exception)
            {
                // The registration stands; the person can still find it through the organizer.
                logger.LogWarning(exception, "Mail about workshop {WorkshopId} to {Address} not sent", workshopId, mail.ToAddress);
            }
        }
    }
}
