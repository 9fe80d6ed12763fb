using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Loki.Learning.Web.Features.Mail;

/// One plain-text e-mail to one person.
public sealed record Mail(string ToName, string ToAddress, string Subject, string Body);

/// Sends the platform's e-mails. Without an SMTP server configured every message is written to the outbox folder
/// instead, and admins read it on /admin/outbox: the platform works on a LAN with no mail server.
public interface IMailer
{
    Task SendAsync(Mail mail, CancellationToken cancellationToken = default);
}

/// Configuration: <c>Mail:From</c> (address), <c>Mail:FromName</c>, <c>Mail:Smtp:Host</c> (empty = outbox only),
/// <c>Mail:Smtp:Port</c> (587), <c>Mail:Smtp:User</c>, <c>Mail:Smtp:Password</c>, <c>Mail:Outbox</c> (folder).
public sealed record MailOptions(string FromAddress, string FromName, string? SmtpHost, int SmtpPort, string? SmtpUser, string? SmtpPassword, string OutboxFolder)
{
    public static MailOptions From(IConfiguration configuration, string defaultOutbox) => new(
        configuration["Mail:From"] ?? "loki@localhost",
        configuration["Mail:FromName"] ?? "Loki.Learning",
        configuration["Mail:Smtp:Host"] is { Length: > 0 } host ? host : null,
        configuration.GetValue("Mail:Smtp:Port", 587),
        configuration["Mail:Smtp:User"],
        configuration["Mail:Smtp:Password"],
        configuration["Mail:Outbox"] is { Length: > 0 } outbox ? outbox : defaultOutbox);
}

public sealed class Mailer(MailOptions options, TimeProvider clock, ILogger<Mailer> logger) : IMailer
{
    public Outbox Outbox { get; } = new(options.OutboxFolder);

    public async Task SendAsync(Mail mail, CancellationToken cancellationToken = default)
    {
        var message = new MimeMessage { Subject = mail.Subject, Date = clock.GetUtcNow(), Body = new TextPart("plain") { Text = mail.Body } };
        message.From.Add(new MailboxAddress(options.FromName, options.FromAddress));
        message.To.Add(new MailboxAddress(mail.ToName, mail.ToAddress));
        if (options.SmtpHost is null)
        {
            await Outbox.WriteAsync(message, cancellationToken);
            return;
        }
        try
        {
            using var smtp = new SmtpClient();
            await smtp.ConnectAsync(options.SmtpHost, options.SmtpPort, SecureSocketOptions.Auto, cancellationToken);
            if (!string.IsNullOrEmpty(options.SmtpUser))
            {
                await smtp.AuthenticateAsync(options.SmtpUser, options.SmtpPassword ?? "", cancellationToken);
            }
            await smtp.SendAsync(message, cancellationToken);
            await smtp.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Nothing is lost: an admin finds the message in the outbox and can pass it on by hand.
            logger.LogWarning(exception, "SMTP server {Host} did not take a message; written to the outbox instead", options.SmtpHost);
            await Outbox.WriteAsync(message, cancellationToken);
        }
    }
}

/// A folder of .eml files, newest last by name.
public sealed class Outbox(string folder)
{
    public string Folder { get; } = folder;

    public async Task WriteAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var name = $"{message.Date.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}.eml";
        var path = Path.Combine(Folder, name);
        await using (var file = File.Create(path + ".tmp"))
        {
            await message.WriteToAsync(file, cancellationToken);
        }
        // Renamed when complete, so a reader never sees half a message.
        File.Move(path + ".tmp", path);
    }

    public IReadOnlyList<OutboxMessage> Read(int newest = 200)
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }
        return Directory.EnumerateFiles(Folder, "*.eml")
            .OrderByDescending(Path.GetFileName, StringComparer.Ordinal)
            .Take(newest)
            .Select(path =>
            {
                using var message = MimeMessage.Load(path);
                return new OutboxMessage(Path.GetFileName(path), message.Date.UtcDateTime, message.To.ToString(), message.Subject ?? "", message.TextBody ?? "");
            })
            .ToList();
    }
}

public sealed record OutboxMessage(string File, DateTime DateUtc, string To, string Subject, string Body);
