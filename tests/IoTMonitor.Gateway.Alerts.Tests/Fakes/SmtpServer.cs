using System.Diagnostics;
using System.Net.Sockets;
using IoTMonitor.Testing;
using MimeKit;

namespace IoTMonitor.Gateway.Alerts.Tests.Fakes;

/// <summary>
/// A real SMTP server: aiosmtpd (Debian package python3-aiosmtpd) on a free loopback port, storing
/// every message it accepts in a maildir. Fails loudly with the install command when missing.
/// </summary>
public sealed class SmtpServer : ServerProcess
{
    public const string DebianPackage = "python3-aiosmtpd";

    public SmtpServer()
        : base("smtp")
    {
        Port = FreePort.Next();
        MailDir = Path.Combine(DataDir, "mail");
    }

    public int Port { get; }

    public string MailDir { get; }

    public static async Task<SmtpServer> StartNewAsync()
    {
        var server = new SmtpServer();
        try
        {
            await server.StartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    protected override ProcessStartInfo CreateStartInfo()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || !File.Exists("/usr/lib/python3/dist-packages/aiosmtpd/__init__.py"))
        {
            throw new InvalidOperationException(
                $"aiosmtpd is not installed, and this test needs a real SMTP server. Install it with: apt-get install -y {DebianPackage} (add it to scripts/install-deps.sh).");
        }

        return new ProcessStartInfo(python, $"-m aiosmtpd -n -l 127.0.0.1:{Port} -c aiosmtpd.handlers.Mailbox {MailDir}");
    }

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return false;
        }

        var buffer = new byte[64];
        var n = await client.GetStream().ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return n >= 3 && buffer[0] == (byte)'2' && buffer[1] == (byte)'2' && buffer[2] == (byte)'0';
    }

    /// <summary>Every message received so far.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var dir = Path.Combine(MailDir, "new");
        if (!Directory.Exists(dir))
        {
            return [];
        }

        return Directory.GetFiles(dir).Select(f => MimeMessage.Load(f)).ToList();
    }
}
