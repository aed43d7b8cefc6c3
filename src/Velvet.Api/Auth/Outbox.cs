using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Velvet.Api.Storage;

namespace Velvet.Api.Auth;

internal interface IEmailSender
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

internal interface ISmsSender
{
    Task SendAsync(string phone, string text, CancellationToken ct);
}

/// <summary>The "Velvet:Smtp" section; without a Host, mail goes to the outbox folder instead.</summary>
internal sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public bool StartTls { get; set; } = true;

    public string From { get; set; } = "Velvet <no-reply@velvet.test>";
}

internal sealed class SmtpEmailSender(SmtpOptions options) : IEmailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        message.From.Add(MailboxAddress.Parse(options.From));
        using var client = new SmtpClient();
        await client.ConnectAsync(options.Host!, options.Port,
            options.StartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, ct);
        if (!string.IsNullOrEmpty(options.UserName))
        {
            await client.AuthenticateAsync(options.UserName, options.Password ?? "", ct);
        }

        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }
}

/// <summary>Development delivery: each message is an .eml file under data/outbox/mail, readable by any mail client.</summary>
internal sealed class OutboxEmailSender(VelvetOptions options, SmtpOptions smtp) : IEmailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        message.From.Add(MailboxAddress.Parse(smtp.From));
        var folder = options.DataPath("outbox", "mail");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml");
        await message.WriteToAsync(path, ct);
    }
}

/// <summary>Development delivery: one text file per SMS under data/outbox/sms.</summary>
internal sealed class OutboxSmsSender(VelvetOptions options) : ISmsSender
{
    public async Task SendAsync(string phone, string text, CancellationToken ct)
    {
        var folder = options.DataPath("outbox", "sms");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(path, $"To: {phone}\n\n{text}\n", ct);
    }
}
