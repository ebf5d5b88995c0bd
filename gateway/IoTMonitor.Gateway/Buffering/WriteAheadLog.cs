using System.Buffers.Binary;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Buffering;

/// <summary>A durable record: line protocol of one message, and where it lives in the log.</summary>
public sealed class WalRecord(long segment, byte[] data, int lines)
{
    public long Segment { get; } = segment;

    /// <summary>Line protocol, UTF-8, each line ended by '\n'.</summary>
    public byte[] Data { get; } = data;

    public int Lines { get; } = lines;
}

/// <summary>The WAL is at its size bound: the caller must not acknowledge the message.</summary>
public sealed class WalFullException(string message) : Exception(message);

/// <summary>
/// Write-ahead log: append-only segment files, each record <c>[u32 length][u32 lines][u32 crc32]
/// [payload]</c>. Appends are queued and written by one loop that fsyncs once per group (group
/// commit); an append's task completes only when its record is durable. Durable records go to
/// <see cref="Durable"/> for the writer, which calls <see cref="Confirm"/> once InfluxDB has them;
/// a sealed segment whose records are all confirmed is deleted. <see cref="Open"/> replays what a
/// previous run left, tolerating (and reporting) a torn or corrupt tail.
/// </summary>
public sealed class WriteAheadLog : IAsyncDisposable
{
    private const int HeaderBytes = 12;
    private const int MaxRecordBytes = 1 << 20;

    private readonly BufferingOptions _options;
    private readonly string _dir;
    private readonly ILogger _log;
    private readonly Channel<Pending> _appends = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<WalRecord> _durable = Channel.CreateUnbounded<WalRecord>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Dictionary<long, Segment> _segments = new();
    private readonly object _gate = new();
    private Task? _loop;
    private FileStream? _active;
    private long _activeNo;
    private long _totalBytes;
    private long _pendingRecords;

    private WriteAheadLog(BufferingOptions options, string dir, ILogger log)
    {
        _options = options;
        _dir = dir;
        _log = log;
    }

    /// <summary>Records replayed from a previous run.</summary>
    public long ReplayedRecords { get; private set; }

    /// <summary>Bytes cut off the end of segments because they were torn or corrupt.</summary>
    public long TruncatedBytes { get; private set; }

    /// <summary>Human-readable account of the torn or corrupt tails found by <see cref="Open"/>.</summary>
    public IReadOnlyList<string> RecoveryReports => _reports;

    private readonly List<string> _reports = new();

    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    public long MaxBytes => _options.MaxBytes;

    /// <summary>Records durable but not yet confirmed by InfluxDB.</summary>
    public long PendingRecords => Interlocked.Read(ref _pendingRecords);

    public int SegmentCount
    {
        get
        {
            lock (_gate)
            {
                return _segments.Count;
            }
        }
    }

    public bool IsNearFull => TotalBytes * 100 >= _options.MaxBytes * _options.WarnPercent;

    public long GroupCommits { get; private set; }

    /// <summary>Durable records, in log order, for the writer.</summary>
    public ChannelReader<WalRecord> Durable => _durable.Reader;

    public static WriteAheadLog Open(BufferingOptions options, string dir, ILogger log)
    {
        Directory.CreateDirectory(dir);
        var wal = new WriteAheadLog(options, dir, log);
        wal.Replay();
        wal.StartNewSegment(wal._activeNo + 1);
        wal._loop = Task.Run(wal.CommitLoopAsync);
        return wal;
    }

    /// <summary>Appends one record; completes when it is on disk (fsync), or throws <see cref="WalFullException"/>.</summary>
    public Task AppendAsync(byte[] data, int lines)
    {
        if (data.Length > MaxRecordBytes)
        {
            throw new ArgumentException($"record of {data.Length} bytes is over the {MaxRecordBytes}-byte limit", nameof(data));
        }

        if (Interlocked.Read(ref _totalBytes) + data.Length + HeaderBytes > _options.MaxBytes)
        {
            throw new WalFullException($"write-ahead log full ({TotalBytes} of {_options.MaxBytes} bytes, Buffering:MaxBytes)");
        }

        var pending = new Pending(data, lines);
        if (!_appends.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(WriteAheadLog));
        }

        return pending.Done.Task;
    }

    /// <summary>InfluxDB has every line of <paramref name="record"/>: it may leave the log.</summary>
    public void Confirm(WalRecord record)
    {
        Interlocked.Decrement(ref _pendingRecords);
        string? delete = null;
        lock (_gate)
        {
            if (_segments.TryGetValue(record.Segment, out var seg))
            {
                seg.Pending--;
                if (seg.Sealed && seg.Pending == 0)
                {
                    _segments.Remove(record.Segment);
                    delete = seg.Path;
                    Interlocked.Add(ref _totalBytes, -seg.Bytes);
                }
            }
        }

        if (delete is not null)
        {
            File.Delete(delete);
        }
    }

    private sealed class Pending(byte[] data, int lines)
    {
        public byte[] Data { get; } = data;

        public int Lines { get; } = lines;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Segment(string path)
    {
        public string Path { get; } = path;

        public long Bytes { get; set; }

        public int Pending { get; set; }

        public bool Sealed { get; set; }
    }

    private string SegmentPath(long no) => Path.Combine(_dir, $"{no:D12}.wal");

    private void Replay()
    {
        var files = Directory.GetFiles(_dir, "*.wal");
        Array.Sort(files, StringComparer.Ordinal);
        var header = new byte[HeaderBytes];
        foreach (var path in files)
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(path), out var no))
            {
                continue;
            }

            _activeNo = Math.Max(_activeNo, no);
            var seg = new Segment(path) { Sealed = true };
            long good = 0;
            using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                var length = file.Length;
                string? problem = null;
                while (good < length)
                {
                    file.Position = good;
                    if (length - good < HeaderBytes || file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes)
                    {
                        problem = "torn record header";
                        break;
                    }

                    var size = BinaryPrimitives.ReadInt32LittleEndian(header);
                    var lines = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
                    var crc = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
                    if (size <= 0 || size > MaxRecordBytes || lines <= 0)
                    {
                        problem = "corrupt record header";
                        break;
                    }

                    if (length - good - HeaderBytes < size)
                    {
                        problem = "torn record";
                        break;
                    }

                    var data = new byte[size];
                    file.ReadExactly(data);
                    if (Crc32.Compute(data, Crc32.Compute(header.AsSpan(4, 4))) != crc)
                    {
                        problem = "CRC mismatch";
                        break;
                    }

                    good += HeaderBytes + size;
                    seg.Pending++;
                    _pendingRecords++;
                    ReplayedRecords++;
                    _durable.Writer.TryWrite(new WalRecord(no, data, lines));
                }

                if (problem is not null)
                {
                    var cut = length - good;
                    TruncatedBytes += cut;
                    var report = $"WAL segment {Path.GetFileName(path)}: {problem} at offset {good}; {cut} bytes after it dropped";
                    _reports.Add(report);
                    _log.LogWarning("{Report}", report);
                    file.SetLength(good);
                    file.Flush(flushToDisk: true);
                }
            }

            seg.Bytes = good;
            if (seg.Pending == 0)
            {
                File.Delete(path);
                continue;
            }

            _segments[no] = seg;
            _totalBytes += good;
        }

        if (ReplayedRecords > 0)
        {
            _log.LogInformation("WAL replay: {Records} records in {Segments} segments waiting for InfluxDB", ReplayedRecords, _segments.Count);
        }
    }

    private void StartNewSegment(long no)
    {
        _activeNo = no;
        var path = SegmentPath(no);
        _active = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
        lock (_gate)
        {
            _segments[no] = new Segment(path);
        }
    }

    private void SealActive()
    {
        _active!.Flush(flushToDisk: _options.Fsync);
        _active.Dispose();
        string? delete = null;
        lock (_gate)
        {
            var seg = _segments[_activeNo];
            seg.Sealed = true;
            if (seg.Pending == 0)
            {
                _segments.Remove(_activeNo);
                delete = seg.Path;
                Interlocked.Add(ref _totalBytes, -seg.Bytes);
            }
        }

        if (delete is not null)
        {
            File.Delete(delete);
        }
    }

    private async Task CommitLoopAsync()
    {
        var group = new List<Pending>(256);
        var header = new byte[HeaderBytes];
        while (await _appends.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            long groupBytes = 0;
            while (groupBytes < 4 * 1024 * 1024 && _appends.Reader.TryRead(out var p))
            {
                group.Add(p);
                groupBytes += p.Data.Length + HeaderBytes;
            }

            try
            {
                Segment seg;
                lock (_gate)
                {
                    seg = _segments[_activeNo];
                }

                if (seg.Bytes > 0 && seg.Bytes + groupBytes > _options.SegmentBytes)
                {
                    SealActive();
                    StartNewSegment(_activeNo + 1);
                    lock (_gate)
                    {
                        seg = _segments[_activeNo];
                    }
                }

                foreach (var p in group)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(header, p.Data.Length);
                    BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), p.Lines);
                    BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Crc32.Compute(p.Data, Crc32.Compute(header.AsSpan(4, 4))));
                    _active!.Write(header);
                    _active.Write(p.Data);
                }

                _active!.Flush(flushToDisk: _options.Fsync);
                GroupCommits++;
                lock (_gate)
                {
                    seg.Bytes += groupBytes;
                    seg.Pending += group.Count;
                }

                Interlocked.Add(ref _totalBytes, groupBytes);
                Interlocked.Add(ref _pendingRecords, group.Count);
                foreach (var p in group)
                {
                    _durable.Writer.TryWrite(new WalRecord(_activeNo, p.Data, p.Lines));
                    p.Done.TrySetResult();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogError(e, "WAL write failed; {Count} appends refused", group.Count);
                foreach (var p in group)
                {
                    p.Done.TrySetException(e);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _durable.Writer.TryComplete();
        if (_active is not null)
        {
            await _active.FlushAsync().ConfigureAwait(false);
            await _active.DisposeAsync().ConfigureAwait(false);
        }
    }
}
