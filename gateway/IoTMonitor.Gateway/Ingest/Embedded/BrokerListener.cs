using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// The embedded broker's TCP and TLS listeners, in place of MQTTnet's own (MqttTcpServerAdapter,
/// MqttTcpServerListener, MQTTnet 5.2) for one reason: each connection's stream goes through a
/// <see cref="PacketSizeGuard"/>, which MQTTnet offers no hook for. Everything else follows MQTTnet's
/// listener: the endpoint options it reads (addresses per family, port, reuse, no-delay, linger, backlog,
/// TLS settings), and a channel adapter per connection handed to the server. Unlike it, a TLS handshake
/// must finish within <see cref="HandshakeTimeout"/>, and every connection waits for its CONNECT at the
/// <see cref="ConnectGate"/> (deadline and caps), so a client that never logs in does not hold a socket.
/// </summary>
internal sealed class BrokerListener(int maxPacketBytes, Action<EndPoint?, long> tooLarge, ConnectGate gate, ILogger log) : IMqttServerAdapter
{
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    private readonly List<Socket> _sockets = [];
    private CancellationTokenSource? _stop;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _stop = new CancellationTokenSource();
        if (options.DefaultEndpointOptions.IsEnabled)
        {
            Listen(options, options.DefaultEndpointOptions, null, logger);
        }

        if (options.TlsEndpointOptions?.IsEnabled == true)
        {
            var tls = options.TlsEndpointOptions;
            if (tls.CertificateProvider is null)
            {
                throw new ArgumentException("TLS certificate is not set.");
            }

            Listen(options, tls, tls, logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        Close();
        return Task.CompletedTask;
    }

    public void Dispose() => Close();

    private void Close()
    {
        _stop?.Cancel();
        lock (_sockets)
        {
            foreach (var s in _sockets)
            {
                s.Dispose();
            }

            _sockets.Clear();
        }

        _stop?.Dispose();
        _stop = null;
    }

    private void Listen(MqttServerOptions server, MqttServerTcpEndpointBaseOptions endpoint, MqttServerTlsTcpEndpointOptions? tls, IMqttNetLogger logger)
    {
        foreach (var address in new[] { endpoint.BoundInterNetworkAddress, endpoint.BoundInterNetworkV6Address })
        {
            if (address.Equals(IPAddress.None))
            {
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (endpoint.ReuseAddress)
                {
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                }

                socket.NoDelay = endpoint.NoDelay;
                if (endpoint.LingerState is not null)
                {
                    socket.LingerState = endpoint.LingerState;
                }

                socket.Bind(new IPEndPoint(address, endpoint.Port));
                socket.Listen(endpoint.ConnectionBacklog);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            lock (_sockets)
            {
                _sockets.Add(socket);
            }

            var stop = _stop!.Token;
            _ = Task.Run(() => AcceptAsync(socket, server, endpoint, tls, logger, stop), stop);
        }
    }

    private async Task AcceptAsync(Socket listener, MqttServerOptions server, MqttServerTcpEndpointBaseOptions endpoint, MqttServerTlsTcpEndpointOptions? tls, IMqttNetLogger logger, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.OperationAborted or SocketError.ConnectionReset)
            {
                continue;
            }
            catch (SocketException e)
            {
                log.LogError(e, "MQTT listener {Endpoint}: accept failed", listener.LocalEndPoint);
                await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            _ = Task.Run(() => ServeAsync(client, server, endpoint, tls, logger, stop), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, MqttServerOptions server, MqttServerTcpEndpointBaseOptions endpoint, MqttServerTlsTcpEndpointOptions? tls, IMqttNetLogger logger, CancellationToken stop)
    {
        var remote = client.RemoteEndPoint;
        Stream? stream = null;
        var waiting = gate.Admit(remote, () => Cut(client));
        try
        {
            client.NoDelay = endpoint.NoDelay;
            stream = new NetworkStream(client, ownsSocket: true);
            X509Certificate2? clientCertificate = null;
            if (tls is not null)
            {
                var ssl = new SslStream(stream, false, tls.RemoteCertificateValidationCallback);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(stop);
                handshake.CancelAfter(HandshakeTimeout);
                await ssl.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificate = tls.CertificateProvider.GetCertificate(),
                        ClientCertificateRequired = tls.ClientCertificateRequired,
                        EnabledSslProtocols = tls.SslProtocol,
                        CertificateRevocationCheckMode = tls.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
                        EncryptionPolicy = EncryptionPolicy.RequireEncryption,
                        CipherSuitesPolicy = tls.CipherSuitesPolicy,
                    },
                    handshake.Token).ConfigureAwait(false);
                clientCertificate = ssl.RemoteCertificate is null ? null : X509CertificateLoader.LoadCertificate(ssl.RemoteCertificate.Export(X509ContentType.Cert));
            }

            var handler = ClientHandler;
            if (handler is null)
            {
                return;
            }

            var guarded = new PacketSizeGuard(stream, maxPacketBytes, length => tooLarge(remote, length), waiting.Dispose);
            var channel = new MqttTcpChannel(guarded, client.LocalEndPoint, remote, clientCertificate);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(server.WriterBufferSize, server.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, logger) { AllowPacketFragmentation = endpoint.AllowPacketFragmentation };
            await handler(adapter).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // a client that went away, failed its TLS handshake or was cut off by the guard: nothing to serve
            log.LogDebug(e, "MQTT connection from {Remote} ended", remote);
        }
        catch (Exception e)
        {
            log.LogError(e, "MQTT connection from {Remote} failed", remote);
        }
        finally
        {
            waiting.Dispose();
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                client.Dispose();
            }
        }
    }

    /// <summary>Ends a connection from outside its serving task: the pending read (or TLS handshake) returns and the task ends as for a client that left.</summary>
    private static void Cut(Socket client)
    {
        try
        {
            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already closed
        }

        client.Dispose();
    }
}
