using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding;

/// <summary>
/// The TCP connection of a data logger to one platform, whatever the protocol: connects (10 s
/// timeout), runs the protocol's session on it until the session ends or fails, closes it and
/// connects again after <c>reconnectSeconds</c>, until disposed. Writes of the session are
/// serialised (the session's sender and its request answers share one stream). Counts connects and
/// failures, and keeps the last error for the API.
/// </summary>
public sealed class PlatformConnection : IAsyncDisposable
{
    private readonly string _title;
    private readonly string _name;
    private readonly string _host;
    private readonly int _port;
    private readonly int _reconnectSeconds;
    private readonly ForwardingCounters _counters;
    private readonly ILogger _log;
    private readonly Func<NetworkStream, Func<byte[], CancellationToken, Task>, CancellationToken, Task> _session;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <param name="title">the protocol in log lines, e.g. "HJ 212"</param>
    /// <param name="session">runs one connection: reads and writes until it returns or throws (then the connection is closed)</param>
    public PlatformConnection(string title, string name, string host, int port, int reconnectSeconds, ForwardingCounters counters, ILogger log, Func<NetworkStream, Func<byte[], CancellationToken, Task>, CancellationToken, Task> session)
    {
        _title = title;
        _name = name;
        _host = host;
        _port = port;
        _reconnectSeconds = reconnectSeconds;
        _counters = counters;
        _log = log;
        _session = session;
    }

    public bool Connected { get; private set; }

    public string? LastError { get; private set; }

    public void Start() => _loop = Task.Run(RunAsync);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ConnectionAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException or TimeoutException or ObjectDisposedException or OperationCanceledException)
            {
                Interlocked.Increment(ref _counters.ConnectFailures);
                LastError = e.Message;
                _log.LogInformation("{Protocol} {Platform}: connection to {Host}:{Port} lost or refused ({Error}); again in {Seconds} s", _title, _name, _host, _port, e.Message, _reconnectSeconds);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _counters.ConnectFailures);
                LastError = e.Message;
                _log.LogError(e, "{Protocol} {Platform}: link failed; again in {Seconds} s", _title, _name, _reconnectSeconds);
            }
            finally
            {
                Connected = false;
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(_reconnectSeconds), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ConnectionAsync(CancellationToken stop)
    {
        using var tcp = new TcpClient();
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
            await tcp.ConnectAsync(_host, _port, connectTimeout.Token).ConfigureAwait(false);
        }

        tcp.NoDelay = true;
        Interlocked.Increment(ref _counters.Connects);
        Connected = true;
        LastError = null;
        var stream = tcp.GetStream();
        using var writeLock = new SemaphoreSlim(1);
        async Task Write(byte[] bytes, CancellationToken token)
        {
            await writeLock.WaitAsync(token).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(bytes, token).ConfigureAwait(false);
                await stream.FlushAsync(token).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
        }

        try
        {
            await _session(stream, Write, stop).ConfigureAwait(false);
        }
        finally
        {
            tcp.Close();
        }
    }
}
