using System.Security.Cryptography;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using IoTMonitor.Gateway.Alerts.NoticeText;
using MimeKit;

namespace IoTMonitor.Gateway.Alerts.Channels.Email;

/// <summary>
/// Plain-text e-mail through SMTP (MailKit), one message per recipient, subject and body in the
/// recipient's language (<see cref="NoticeLanguage.Choose"/>; UTF-8, so Chinese needs nothing else). The Message-Id is derived
/// from the outbox key, so a resend after a crash carries the same id and mail systems can drop it.
/// Routing: pages <c>Alerts:Primary:Emails</c> (opened, renotified, resolved, flapping) and
/// <c>Alerts:Escalation:Emails</c> (escalated); never for a late alert.
/// </summary>
public sealed class EmailChannel(EmailOptions options, AlertsOptions alerts) : IAlertChannel
{
    public const string ChannelName = "email";

    public string Name => ChannelName;

    public IEnumerable<string> Recipients(string type, bool late) =>
        NoticeRouting.PagedList(alerts, type, late, sms: false)?.Emails ?? [];

    public static string MessageId(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + "@alerts.iotmonitor";

    public static MimeMessage Build(EmailOptions options, AlertsOptions alerts, OutboxEntry entry, AlertNotice notice)
    {
        var reader = NoticeReader.For(alerts, entry.Recipient, options.Language, options.TimeZone, alerts.Language);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(MailboxAddress.Parse(entry.Recipient));
        message.Subject = NoticeWriter.Subject(notice, reader);
        message.MessageId = MessageId(entry.Key);
        message.Headers.Add("X-IoTMonitor-Alert", notice.AlertId);
        message.Headers.Add("X-IoTMonitor-Event", notice.EventId);
        message.Headers.Add("X-IoTMonitor-Idempotency-Key", entry.Key);
        var body = new TextPart("plain") { Text = NoticeWriter.Body(notice, reader) };
        body.Headers.Add(HeaderId.ContentLanguage, reader.Language);
        message.Body = body;
        return message;
    }

    public async Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken)
    {
        MimeMessage message;
        try
        {
            message = Build(options, alerts, entry, notice);
        }
        catch (ParseException e)
        {
            throw new PermanentDeliveryException($"bad address: {e.Message}");
        }

        using var client = new SmtpClient();
        var security = Enum.TryParse<SecureSocketOptions>(options.Security, ignoreCase: true, out var s) ? s : SecureSocketOptions.Auto;
        await client.ConnectAsync(options.Host, options.Port, security, cancellationToken).ConfigureAwait(false);
        if (options.User.Length > 0)
        {
            await client.AuthenticateAsync(options.User, options.Password, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var response = await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return $"SMTP {response} id={message.MessageId}";
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            throw new PermanentDeliveryException($"SMTP {(int)e.StatusCode} {e.Message}");
        }
        finally
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(true, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
