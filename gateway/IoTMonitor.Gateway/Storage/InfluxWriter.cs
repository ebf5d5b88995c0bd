using System.Text;
using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Core.Exceptions;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Storage;

/// <summary>
/// Drains durable WAL records into InfluxDB through InfluxDB.Client <see cref="WriteApiAsync"/>:
/// batches of up to <see cref="StorageOptions.BatchLines"/> lines, gzip, several requests in
/// flight. A 5xx, timeout or connection error is retried with exponential backoff and jitter until
/// it succeeds; a 4xx that rejects lines is narrowed down by halving until the offending lines are
/// found, and those are dead-lettered (the rest written). Every record is confirmed to the WAL only
/// after all its lines are settled.
/// </summary>
public sealed class InfluxWriter : IAsyncDisposable
{
    private readonly StorageOptions _options;
    private readonly WriteAheadLog _wal;
    private readonly Ledger _ledger;
    private readonly DeadLetterStore _deadLetters;
    private readonly ILogger _log;
    private readonly InfluxDBClient _client;
    private readonly WriteApiAsync _write;
    private readonly InfluxConnection _connection;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _inFlight;
    private Task? _loop;
    private volatile bool _databaseReady;
    private int _disposeOnce;

    public InfluxWriter(StorageOptions options, InfluxConnection connection, WriteAheadLog wal, Ledger ledger, DeadLetterStore deadLetters, ILogger<InfluxWriter> log)
    {
        _options = options;
        _connection = connection;
        _wal = wal;
        _ledger = ledger;
        _deadLetters = deadLetters;
        _log = log;
        _http = connection.CreateHttpClient(TimeSpan.FromSeconds(options.TimeoutSeconds));
        var builder = new InfluxDBClientOptions.Builder()
            .Url(connection.BaseUri.ToString())
            .TimeOut(TimeSpan.FromSeconds(options.TimeoutSeconds))
            .Org(connection.Org)
            .Bucket(connection.Bucket)
            .SetHttpClient(_http);
        if (connection.Token.Length > 0)
        {
            builder.AuthenticateToken(connection.Token);
        }

        _client = new InfluxDBClient(builder.Build());
        if (options.UsesGzip)
        {
            _client.EnableGzip();
        }

        _write = _client.GetWriteApiAsync();
        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
    }

    public bool Reachable { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset? LastErrorTime { get; private set; }

    public DateTimeOffset? LastWriteTime { get; private set; }

    public string? ServerVersion => _connection.ServerVersion;

    public bool UsesV1Compat => _connection.IsLegacy;

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            await EnsureDatabaseAsync(token).ConfigureAwait(false);
            var reader = _wal.Durable;
            var batch = new List<WalRecord>(256);
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                batch.Clear();
                var lines = 0;
                while (lines < _options.BatchLines && reader.TryRead(out var record))
                {
                    batch.Add(record);
                    lines += record.Lines;
                }

                await _inFlight.WaitAsync(token).ConfigureAwait(false);
                var records = batch.ToArray();
                _ = Task.Run(() => WriteRecordsAsync(records, token), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task EnsureDatabaseAsync(CancellationToken token)
    {
        var attempt = 0;
        while (!_databaseReady)
        {
            try
            {
                var version = await _connection.DetectVersionAsync(token).ConfigureAwait(false);
                var major = version.TrimStart('v').Split('.')[0];
                if (_options.CreateDatabase && major == "1")
                {
                    var create = $"CREATE DATABASE \"{_options.Database.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
                    if (_options.RetentionDays > 0)
                    {
                        create += $" WITH DURATION {_options.RetentionDays}d";
                    }

                    using var request = new HttpRequestMessage(HttpMethod.Post, _connection.QueryUri(create, string.Empty, inDatabase: false));
                    _connection.AuthorizeQuery(request);
                    using var response = await _http.SendAsync(request, token).ConfigureAwait(false);
                    response.EnsureSuccessStatusCode();
                }

                _databaseReady = true;
                Reachable = true;
                _log.LogInformation("InfluxDB {Version} at {Url}: database {Database} ready{Compat}", version, _options.Url, _options.Database, _connection.IsLegacy ? " (v1 /write compatibility)" : string.Empty);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !token.IsCancellationRequested)
            {
                Fail(e.Message);
                await Task.Delay(Backoff(attempt++), token).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var ms = Math.Min(_options.RetryMaxMs, _options.RetryInitialMs * Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromMilliseconds(ms * (0.5 + Random.Shared.NextDouble()));
    }

    private void Fail(string message)
    {
        Reachable = false;
        LastError = message;
        LastErrorTime = DateTimeOffset.UtcNow;
        GatewayCounters.Inc(ref _ledger.Counters.InfluxWriteErrors);
    }

    private async Task WriteRecordsAsync(WalRecord[] records, CancellationToken token)
    {
        try
        {
            var size = 0;
            var lines = 0;
            foreach (var r in records)
            {
                size += r.Data.Length;
                lines += r.Lines;
            }

            var body = new byte[size];
            var at = 0;
            foreach (var r in records)
            {
                r.Data.CopyTo(body, at);
                at += r.Data.Length;
            }

            var text = Encoding.UTF8.GetString(body);
            var outcome = await WriteWithRetryAsync(text, token).ConfigureAwait(false);
            if (outcome == Outcome.Written)
            {
                GatewayCounters.Add(ref _ledger.Counters.PointsWritten, lines);
            }
            else if (outcome == Outcome.Rejected)
            {
                await IsolateAsync(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), token).ConfigureAwait(false);
            }
            else
            {
                return; // stopping: the records stay in the WAL for the next start
            }

            foreach (var r in records)
            {
                _wal.Confirm(r);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // stopping: unconfirmed records are replayed on the next start
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private enum Outcome
    {
        Written,
        Rejected,
        Stopped,
    }

    /// <summary>Writes, retrying transient failures forever; returns Rejected for a 4xx.</summary>
    private async Task<Outcome> WriteWithRetryAsync(string body, CancellationToken token)
    {
        var attempt = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                GatewayCounters.Inc(ref _ledger.Counters.InfluxWriteRequests);
                await _write.WriteRecordAsync(body, WritePrecision.S, _connection.Bucket, _connection.Org, token).ConfigureAwait(false);
                Reachable = true;
                LastWriteTime = DateTimeOffset.UtcNow;
                return Outcome.Written;
            }
            catch (HttpException e) when (e.Status is >= 400 and < 500 and not 408 and not 429 and not 401 and not 403)
            {
                Reachable = true;
                LastError = $"InfluxDB refused lines: {e.Status} {e.Message}";
                LastErrorTime = DateTimeOffset.UtcNow;
                return Outcome.Rejected;
            }
            catch (Exception e) when (!token.IsCancellationRequested && e is not OperationCanceledException || e is TaskCanceledException && !token.IsCancellationRequested)
            {
                Fail(e is HttpException h ? $"{h.Status} {h.Message}" : e.Message);
                if (attempt % 10 == 0)
                {
                    _log.LogWarning("InfluxDB write failed (attempt {Attempt}), retrying: {Error}", attempt + 1, LastError);
                }

                try
                {
                    await Task.Delay(Backoff(attempt++), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return Outcome.Stopped;
                }
            }
        }

        return Outcome.Stopped;
    }

    /// <summary>Halves a refused batch until the refused lines are alone; those are dead-lettered.</summary>
    private async Task IsolateAsync(string[] lines, CancellationToken token)
    {
        var stack = new Stack<ArraySegment<string>>();
        stack.Push(lines);
        while (stack.Count > 0)
        {
            var part = stack.Pop();
            var outcome = await WriteWithRetryAsync(string.Join('\n', part.AsSpan()), token).ConfigureAwait(false);
            if (outcome == Outcome.Stopped)
            {
                throw new OperationCanceledException(token);
            }

            if (outcome == Outcome.Written)
            {
                GatewayCounters.Add(ref _ledger.Counters.PointsWritten, part.Count);
                continue;
            }

            if (part.Count == 1)
            {
                GatewayCounters.Inc(ref _ledger.Counters.PointsDeadLettered);
                GatewayCounters.Inc(ref _ledger.Counters.DeadLetters);
                _deadLetters.Add(new DeadLetter(DateTimeOffset.UtcNow, "gateway", "influxdb", "influx_rejected", Encoding.UTF8.GetBytes(part[0]), LastError));
                continue;
            }

            var half = part.Count / 2;
            stack.Push(part[half..]);
            stack.Push(part[..half]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // the lifecycle stops it, then the container disposes it again
        if (Interlocked.Exchange(ref _disposeOnce, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        // wait for requests in flight to finish or give up
        for (var i = 0; i < _options.MaxInFlight; i++)
        {
            await _inFlight.WaitAsync(TimeSpan.FromSeconds(_options.TimeoutSeconds)).ConfigureAwait(false);
        }

        _client.Dispose();
        _http.Dispose();
        _stop.Dispose();
    }
}
