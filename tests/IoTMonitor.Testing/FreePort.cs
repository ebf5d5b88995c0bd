using System.Net;
using System.Net.Sockets;

namespace IoTMonitor.Testing;

/// <summary>Hands out loopback TCP ports that are free right now.</summary>
public static class FreePort
{
    private static readonly object Gate = new();
    private static readonly HashSet<int> Handed = new();

    public static int Next()
    {
        lock (Gate)
        {
            // Ports handed out earlier in this process are skipped even if closed again, so two
            // fixtures starting at once never race for the same number.
            for (var attempt = 0; attempt < 100; attempt++)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port))
                {
                    return port;
                }
            }

            throw new InvalidOperationException("no free loopback port found after 100 attempts");
        }
    }

    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
