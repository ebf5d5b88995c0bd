using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>
/// The TCP connection to one platform: sends the outbox oldest first, one packet at a time; when the
/// packet asks for an answer (Flag bit A) it waits <c>AnswerTimeoutSeconds</c> for the 9014 with its
/// QN and writes it again up to <c>RetryCount</c> times, then drops the connection and opens a new one
/// after <c>ReconnectSeconds</c> (the packet stays first in the outbox). It reads what the platform
/// sends on the same connection: 9014 answers, and requests handed to <see cref="Hj212Requests"/>.
/// </summary>
public sealed class Hj212Link : IAsyncDisposable
{
    private readonly Hj212Platform _platform;
    private readonly Hj212Outbox _outbox;
    private readonly Hj212Options _options;
    private readonly Hj212Requests _requests;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _answers = new(StringComparer.Ordinal);
    private Task _loop = Task.CompletedTask;

    public Hj212Link(Hj212Platform platform, Hj212Outbox outbox, Hj212Options options, Hj212Requests requests, Hj212Counters counters, TimeProvider clock, ILogger log)
    {
        _platform = platform;
        _outbox = outbox;
        _options = options;
        _requests = requests;
        Counters = counters;
        _clock = clock;
        _log = log;
    }

    public Hj212Counters Counters { get; }

    public bool Connected { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset? LastAnswerAt { get; private set; }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Something was queued: send now instead of at the next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

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
                Interlocked.Increment(ref Counters.ConnectFailures);
                LastError = e.Message;
                _log.LogInformation("HJ 212 {Platform}: connection to {Host}:{Port} lost or refused ({Error}); again in {Seconds} s", _platform.Name, _platform.Host, _platform.Port, e.Message, _options.ReconnectSeconds);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref Counters.ConnectFailures);
                LastError = e.Message;
                _log.LogError(e, "HJ 212 {Platform}: link failed; again in {Seconds} s", _platform.Name, _options.ReconnectSeconds);
            }
            finally
            {
                Connected = false;
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(_options.ReconnectSeconds), stop).ConfigureAwait(false);
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
            await tcp.ConnectAsync(_platform.Host, _platform.Port, connectTimeout.Token).ConfigureAwait(false);
        }

        tcp.NoDelay = true;
        Interlocked.Increment(ref Counters.Connects);
        Connected = true;
        LastError = null;
        var stream = tcp.GetStream();
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var writeLock = new SemaphoreSlim(1);
        async Task Write(string frame, CancellationToken token)
        {
            var bytes = Encoding.UTF8.GetBytes(frame);
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

        var requests = Channel.CreateBounded<Hj212Message>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropWrite });
        var reader = Task.Run(() => ReadAsync(stream, requests.Writer, connection.Token), CancellationToken.None);
        var answering = Task.Run(() => AnswerAsync(requests.Reader, Write, connection.Token), CancellationToken.None);
        try
        {
            await SendAsync(Write, reader, connection.Token).ConfigureAwait(false);
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
            tcp.Close();
            await Task.WhenAll(reader.ContinueWith(_ => { }, TaskScheduler.Default), answering.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
            foreach (var pending in _answers.Values)
            {
                pending.TrySetCanceled(CancellationToken.None);
            }

            _answers.Clear();
        }
    }

    private async Task SendAsync(Func<string, CancellationToken, Task> write, Task reader, CancellationToken token)
    {
        while (true)
        {
            if (reader.IsCompleted)
            {
                await reader.ConfigureAwait(false);
                throw new IOException("the platform closed the connection");
            }

            var batch = _outbox.NextPending(32);
            if (batch.Count == 0)
            {
                await Task.WhenAny(_wake.WaitAsync(TimeSpan.FromSeconds(1), token), reader).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
                continue;
            }

            foreach (var entry in batch)
            {
                await SendOneAsync(entry, write, token).ConfigureAwait(false);
            }
        }
    }

    private async Task SendOneAsync(Hj212OutboxEntry entry, Func<string, CancellationToken, Task> write, CancellationToken token)
    {
        var wantsAnswer = Hj212Parser.TryParse(Encoding.UTF8.GetBytes(entry.Frame), out var parsed, out _) && parsed!.AnswerRequired;
        for (var attempt = 0; attempt <= _options.RetryCount; attempt++)
        {
            var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (wantsAnswer)
            {
                _answers[entry.Qn] = answer;
            }

            if (attempt > 0 || entry.Attempts > 0)
            {
                Interlocked.Increment(ref Counters.Resent);
            }

            _outbox.RecordAttempt(entry.Id);
            await write(entry.Frame, token).ConfigureAwait(false);
            Interlocked.Increment(ref Counters.Sent);
            if (!wantsAnswer)
            {
                _outbox.MarkDone(entry.Id, false, _clock.GetUtcNow());
                return;
            }

            try
            {
                await answer.Task.WaitAsync(TimeSpan.FromSeconds(_options.AnswerTimeoutSeconds), token).ConfigureAwait(false);
                _outbox.MarkDone(entry.Id, true, _clock.GetUtcNow());
                Interlocked.Increment(ref Counters.Answered);
                LastAnswerAt = _clock.GetUtcNow();
                return;
            }
            catch (TimeoutException)
            {
                _log.LogInformation("HJ 212 {Platform}: no 9014 for QN {Qn} within {Seconds} s (attempt {Attempt})", _platform.Name, entry.Qn, _options.AnswerTimeoutSeconds, attempt + 1);
            }
            finally
            {
                _answers.TryRemove(entry.Qn, out _);
            }
        }

        throw new TimeoutException($"no 9014 answer for QN {entry.Qn} after {_options.RetryCount + 1} sends");
    }

    private async Task ReadAsync(NetworkStream stream, ChannelWriter<Hj212Message> requests, CancellationToken token)
    {
        var buffer = new byte[4096];
        var line = new List<byte>(256);
        var overlong = false;
        while (true)
        {
            var n = await stream.ReadAsync(buffer, token).ConfigureAwait(false);
            if (n == 0)
            {
                requests.TryComplete();
                foreach (var pending in _answers.Values)
                {
                    pending.TrySetException(new IOException("the platform closed the connection"));
                }

                return;
            }

            for (var i = 0; i < n; i++)
            {
                line.Add(buffer[i]);
                if (line.Count >= 2 && line[^2] == '\r' && line[^1] == '\n')
                {
                    if (!overlong)
                    {
                        Handle(line.ToArray(), requests);
                    }

                    line.Clear();
                    overlong = false;
                }
                else if (line.Count > Hj212Parser.MaxFrameBytes + 2)
                {
                    // garbage without a line end: count it once and skip to the next CRLF
                    if (!overlong)
                    {
                        Interlocked.Increment(ref Counters.InvalidFrames);
                    }

                    overlong = true;
                    line.RemoveRange(0, line.Count - 1);
                }
            }
        }
    }

    private void Handle(byte[] frame, ChannelWriter<Hj212Message> requests)
    {
        if (!Hj212Parser.TryParse(frame, out var m, out var error))
        {
            Interlocked.Increment(ref Counters.InvalidFrames);
            _log.LogInformation("HJ 212 {Platform}: frame refused ({Error}): {Frame}", _platform.Name, error, Encoding.UTF8.GetString(frame, 0, Math.Min(frame.Length, 200)).TrimEnd());
            return;
        }

        if (m!.Cn == Hj212Cn.DataAnswer)
        {
            if (_answers.TryGetValue(m.Qn, out var answer))
            {
                answer.TrySetResult();
            }

            return;
        }

        if (Hj212Requests.IsRequest(m) && !requests.TryWrite(m))
        {
            Interlocked.Increment(ref Counters.Refused);
            _log.LogWarning("HJ 212 {Platform}: request CN {Cn} dropped, 16 requests already waiting", _platform.Name, m.Cn);
        }
    }

    private async Task AnswerAsync(ChannelReader<Hj212Message> requests, Func<string, CancellationToken, Task> write, CancellationToken token)
    {
        await foreach (var m in requests.ReadAllAsync(token).ConfigureAwait(false))
        {
            try
            {
                await _requests.HandleAsync(m, write, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not IOException)
            {
                _log.LogWarning(e, "HJ 212 {Platform}: request CN {Cn} QN {Qn} failed", _platform.Name, m.Cn, m.Qn);
                await write(Hj212Composer.Reply(m, "91", Hj212Cn.ExecutionResult, "ExeRtn=" + Hj212Return.Failed), token).ConfigureAwait(false);
            }
        }
    }
}
