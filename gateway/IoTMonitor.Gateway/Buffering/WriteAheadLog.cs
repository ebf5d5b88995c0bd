using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
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
/// [payload]</c>. Appends are queued and written by one loop: all appends queued at that moment (from
/// every connection) are written with one write and one fsync (group commit), and their tasks are
/// completed together. A new segment file is followed by an fsync of the directory, so the file
/// itself survives a crash. A group whose write or fsync fails is refused as a whole: the segment is
/// cut back to its last durable length, sealed, and the next group goes to a fresh segment, so a torn
/// group never sits in front of later, acknowledged records. Durable records go to
/// <see cref="Durable"/> for the writer, which calls <see cref="Confirm"/> once InfluxDB has them; a
/// sealed segment whose records are all confirmed is deleted. At most
/// <see cref="BufferingOptions.MaxMemoryBytes"/> of unconfirmed records are held in memory: past that
/// the log stops handing records over and later reads them back from the segment files (in log order)
/// as the writer confirms, so memory stays bounded while the backlog on disk grows up to
/// <see cref="BufferingOptions.MaxBytes"/>. <see cref="Open"/> replays what a previous run left,
/// tolerating (and reporting) a torn or corrupt tail.
/// </summary>
public sealed class WriteAheadLog : IAsyncDisposable
{
    private const int HeaderBytes = 12;
    private const int MaxRecordBytes = 1 << 20;

    private readonly BufferingOptions _options;
    private readonly string _dir;
    private readonly ILogger _log;
    private readonly WriteFailureLog _writeFailures;
    private long _failedGroups;
    private long _failedAppends;
    private readonly Channel<Pending> _appends = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<WalRecord> _durable = Channel.CreateUnbounded<WalRecord>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Channel<bool> _refill = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SortedDictionary<long, Segment> _segments = new();
    private readonly object _gate = new();
    private Task? _loop;
    private Task? _refillLoop;
    private SafeFileHandle? _active;
    private long _activeNo;
    private long _totalBytes;
    private long _pendingRecords;
    private long _memoryBytes;

    // Under _gate: when _spilled, records from (_spillSegment, _spillOffset) on are on disk only.
    private bool _spilled;
    private long _spillSegment;
    private long _spillOffset;

    private WriteAheadLog(BufferingOptions options, string dir, ILogger log)
    {
        _options = options;
        _dir = dir;
        _log = log;
        _writeFailures = new WriteFailureLog(log, TimeProvider.System);
    }

    /// <summary>Records replayed from a previous run.</summary>
    public long ReplayedRecords { get; private set; }

    /// <summary>Bytes cut off the end of segments because they were torn or corrupt.</summary>
    public long TruncatedBytes { get; private set; }

    /// <summary>Human-readable account of the torn or corrupt tails found by <see cref="Open"/>.</summary>
    public IReadOnlyList<string> RecoveryReports => _reports;

    private readonly List<string> _reports = new();
    private int _disposeOnce;

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

    /// <summary>Bytes of unconfirmed records held in memory (bounded by MaxMemoryBytes).</summary>
    public long MemoryBytes => Interlocked.Read(ref _memoryBytes);

    /// <summary>Records read back from the segment files because memory was at its bound.</summary>
    public long ReadBackRecords { get; private set; }

    /// <summary>Groups whose write or fsync failed (each rolled the log over to a fresh segment).</summary>
    public long FailedGroups => Interlocked.Read(ref _failedGroups);

    /// <summary>Appends refused because their group's write or fsync failed.</summary>
    public long FailedAppends => Interlocked.Read(ref _failedAppends);

    /// <summary>Test hook, given the group's record count: an exception returned is thrown in place of the group's write, as a failing disk would.</summary>
    internal Func<int, IOException?>? FailNextWrite { get; set; }

    /// <summary>Durable records, in log order, for the writer.</summary>
    public ChannelReader<WalRecord> Durable => _durable.Reader;

    public static WriteAheadLog Open(BufferingOptions options, string dir, ILogger log)
    {
        Directory.CreateDirectory(dir);
        var wal = new WriteAheadLog(options, dir, log);
        wal.Replay();
        wal.StartNewSegment(wal._activeNo + 1);
        wal._loop = Task.Run(wal.CommitLoopAsync);
        wal._refillLoop = Task.Run(wal.RefillLoopAsync);
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
        var memory = Interlocked.Add(ref _memoryBytes, -record.Data.Length);
        if (memory <= _options.MaxMemoryBytes / 2 && Volatile.Read(ref _spilled))
        {
            _refill.Writer.TryWrite(true);
        }

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
                    if (RecordChecksum.Of(header.AsSpan(4, 4), data) != crc)
                    {
                        problem = "CRC mismatch";
                        break;
                    }

                    seg.Pending++;
                    _pendingRecords++;
                    ReplayedRecords++;
                    if (!_spilled && (_memoryBytes == 0 || _memoryBytes + size <= _options.MaxMemoryBytes))
                    {
                        _memoryBytes += size;
                        _durable.Writer.TryWrite(new WalRecord(no, data, lines));
                    }
                    else if (!_spilled)
                    {
                        _spilled = true;
                        _spillSegment = no;
                        _spillOffset = good;
                    }

                    good += HeaderBytes + size;
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
        _active = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        lock (_gate)
        {
            _segments[no] = new Segment(path);
        }

        if (_options.Fsync)
        {
            SyncDirectory(_dir);
        }
    }

    /// <summary>fsync of the folder, so a newly created segment file is itself durable (Linux, macOS).</summary>
    private static void SyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals the directory entry; there is no directory handle to flush
        }

        var fd = Posix.Open(dir, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"cannot open WAL directory {dir} for fsync (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Posix.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of WAL directory {dir} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Posix.Close(fd);
        }
    }

    private static class Posix
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        public static extern int Close(int fd);
    }

    private void SealActive(long goodLength)
    {
        try
        {
            if (_active is not null)
            {
                RandomAccess.SetLength(_active, goodLength);
                if (_options.Fsync)
                {
                    RandomAccess.FlushToDisk(_active);
                }
            }
        }
        catch (IOException e)
        {
            // the torn tail stays; replay cuts it off (it is after every durable record of this segment)
            _log.LogWarning("WAL segment {Segment}: could not cut back to {Length} bytes: {Error}", _activeNo, goodLength, e.Message);
        }
        finally
        {
            _active?.Dispose();
            _active = null;
        }

        string? delete = null;
        lock (_gate)
        {
            if (!_segments.TryGetValue(_activeNo, out var seg))
            {
                return;
            }

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
        var buffer = new byte[64 * 1024];
        while (await _appends.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            var groupBytes = 0;
            while (groupBytes < 4 * 1024 * 1024 && _appends.Reader.TryRead(out var p))
            {
                group.Add(p);
                groupBytes += p.Data.Length + HeaderBytes;
            }

            if (buffer.Length < groupBytes)
            {
                buffer = new byte[Math.Max(groupBytes, buffer.Length * 2)];
            }

            var at = 0;
            foreach (var p in group)
            {
                var header = buffer.AsSpan(at, HeaderBytes);
                BinaryPrimitives.WriteInt32LittleEndian(header, p.Data.Length);
                BinaryPrimitives.WriteInt32LittleEndian(header[4..], p.Lines);
                BinaryPrimitives.WriteUInt32LittleEndian(header[8..], RecordChecksum.Of(header.Slice(4, 4), p.Data));
                p.Data.CopyTo(buffer, at + HeaderBytes);
                at += HeaderBytes + p.Data.Length;
            }

            Segment? seg = null;
            try
            {
                if (_active is null)
                {
                    StartNewSegment(_activeNo + 1); // the previous group failed and sealed its segment
                }

                lock (_gate)
                {
                    seg = _segments[_activeNo];
                }

                if (seg.Bytes > 0 && seg.Bytes + groupBytes > _options.SegmentBytes)
                {
                    SealActive(seg.Bytes);
                    StartNewSegment(_activeNo + 1);
                    lock (_gate)
                    {
                        seg = _segments[_activeNo];
                    }
                }

                if (FailNextWrite?.Invoke(group.Count) is { } injected)
                {
                    RandomAccess.Write(_active!, buffer.AsSpan(0, groupBytes / 2), seg.Bytes); // half a group reaches the file
                    throw injected;
                }

                RandomAccess.Write(_active!, buffer.AsSpan(0, groupBytes), seg.Bytes);
                if (_options.Fsync)
                {
                    RandomAccess.FlushToDisk(_active!);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Interlocked.Increment(ref _failedGroups);
                Interlocked.Add(ref _failedAppends, group.Count);
                _writeFailures.Failed(e, group.Count, _activeNo);
                if (_active is not null)
                {
                    SealActive(seg?.Bytes ?? 0);
                }

                foreach (var p in group)
                {
                    p.Done.TrySetException(e);
                }

                continue;
            }

            GroupCommits++;
            _writeFailures.Succeeded();
            var offset = seg.Bytes;
            Interlocked.Add(ref _totalBytes, groupBytes);
            Interlocked.Add(ref _pendingRecords, group.Count);
            lock (_gate)
            {
                seg.Bytes += groupBytes;
                seg.Pending += group.Count;
                if (!_spilled && (Interlocked.Read(ref _memoryBytes) == 0 || Interlocked.Read(ref _memoryBytes) + groupBytes <= _options.MaxMemoryBytes))
                {
                    Interlocked.Add(ref _memoryBytes, groupBytes - (HeaderBytes * group.Count));
                    foreach (var p in group)
                    {
                        _durable.Writer.TryWrite(new WalRecord(_activeNo, p.Data, p.Lines));
                    }
                }
                else if (!_spilled)
                {
                    _spilled = true;
                    _spillSegment = _activeNo;
                    _spillOffset = offset;
                }
            }

            foreach (var p in group)
            {
                p.Done.TrySetResult();
            }
        }
    }

    /// <summary>
    /// While the log is spilled, reads records back from the segment files in log order whenever
    /// memory has room, until it has caught up with the durable end of the log.
    /// </summary>
    private async Task RefillLoopAsync()
    {
        var header = new byte[HeaderBytes];
        while (await _refill.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _refill.Reader.TryRead(out _);
            try
            {
                RefillOnce(header);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogError(e, "WAL read-back failed; retrying");
                await Task.Delay(1000).ConfigureAwait(false);
                _refill.Writer.TryWrite(true);
            }
        }
    }

    private void RefillOnce(byte[] header)
    {
        while (true)
        {
            long no, offset, end;
            string path;
            lock (_gate)
            {
                if (!_spilled)
                {
                    return;
                }

                if (!_segments.TryGetValue(_spillSegment, out var seg) || _spillOffset >= seg.Bytes)
                {
                    if (seg is not null && (!seg.Sealed || _spillSegment == _activeNo))
                    {
                        _spilled = false; // caught up with the durable end: the commit loop hands over again
                        return;
                    }

                    var next = _segments.Keys.FirstOrDefault(k => k > _spillSegment);
                    if (next == 0)
                    {
                        _spilled = false;
                        return;
                    }

                    _spillSegment = next;
                    _spillOffset = 0;
                    continue;
                }

                no = _spillSegment;
                offset = _spillOffset;
                end = seg.Bytes;
                path = seg.Path;
            }

            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            while (offset < end)
            {
                RandomAccess.Read(file, header, offset);
                var size = BinaryPrimitives.ReadInt32LittleEndian(header);
                var lines = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
                var memory = Interlocked.Read(ref _memoryBytes);
                if (memory > 0 && memory + size > _options.MaxMemoryBytes)
                {
                    lock (_gate)
                    {
                        _spillOffset = offset;
                    }

                    return; // the next Confirm below half the bound wakes the loop again
                }

                var data = new byte[size];
                if (RandomAccess.Read(file, data, offset + HeaderBytes) != size)
                {
                    throw new IOException($"WAL segment {Path.GetFileName(path)}: short read at offset {offset}");
                }

                Interlocked.Add(ref _memoryBytes, size);
                ReadBackRecords++;
                _durable.Writer.TryWrite(new WalRecord(no, data, lines));
                offset += HeaderBytes + size;
            }

            lock (_gate)
            {
                _spillOffset = offset;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // the lifecycle stops it, then the container disposes it again
        if (Interlocked.Exchange(ref _disposeOnce, 1) != 0)
        {
            return;
        }

        _appends.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _refill.Writer.TryComplete();
        if (_refillLoop is not null)
        {
            await _refillLoop.ConfigureAwait(false);
        }

        _durable.Writer.TryComplete();
        _active?.Dispose();
    }
}
