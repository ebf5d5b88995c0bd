using System.Diagnostics;
using System.Net.Sockets;

namespace IoTMonitor.Testing;

/// <summary>
/// A real mosquitto on a free loopback port with a temporary data dir and persistence on, so a
/// restart keeps queued QoS 1 messages of persistent sessions (as a production broker would).
/// </summary>
public sealed class MosquittoServer : ServerProcess
{
    public MosquittoServer(string? extraConfig = null)
        : base("mosquitto")
    {
        // "user" matters when tests run as root (CI): mosquitto would otherwise drop to the
        // 'mosquitto' account and could not write its persistence file into our temp dir.
        Port = FreePort.Next();
        File.WriteAllText(ConfigPath, $"""
            listener {Port} 127.0.0.1
            allow_anonymous true
            user {Environment.UserName}
            persistence true
            persistence_location {DataDir}/
            autosave_interval 1
            log_dest stdout
            log_type error
            log_type warning
            {extraConfig ?? string.Empty}
            """);
    }

    public int Port { get; }

    private string ConfigPath => Path.Combine(DataDir, "mosquitto.conf");

    public static async Task<MosquittoServer> StartNewAsync(string? extraConfig = null)
    {
        var server = new MosquittoServer(extraConfig);
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

    protected override ProcessStartInfo CreateStartInfo() =>
        new(ServerBinary.Find("mosquitto", "mosquitto"), $"-c {ConfigPath}");

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
