using System.Text;
using IoTMonitor.Gateway.Buffering;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Tests.Buffering;

public sealed class WriteAheadLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-wal-test-").FullName;

    private static BufferingOptions Options(long segmentBytes = 64 * 1024) => new() { SegmentBytes = segmentBytes, MaxBytes = 64L * 1024 * 1024 };

    private static byte[] Record(int i) => Encoding.UTF8.GetBytes($"water,device=d,quantity=ph,site=s value={i},flags=0i,seq={i}i,boot=1i 1764316800\n");

    private static async Task<List<WalRecord>> DrainAsync(WriteAheadLog wal, int expected)
    {
        var list = new List<WalRecord>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (list.Count < expected)
        {
            list.Add(await wal.Durable.ReadAsync(timeout.Token));
        }

        return list;
    }

    [Fact]
    public async Task Replays_every_unconfirmed_record_after_a_restart()
    {
        await using (var wal = WriteAheadLog.Open(Options(), _dir, NullLogger.Instance))
        {
            await Task.WhenAll(Enumerable.Range(1, 100).Select(i => wal.AppendAsync(Record(i), 1)));
            var durable = await DrainAsync(wal, 100);
            foreach (var r in durable.Take(40))
            {
                wal.Confirm(r);
            }
        }

        await using var reopened = WriteAheadLog.Open(Options(), _dir, NullLogger.Instance);
        var replayed = await DrainAsync(reopened, (int)reopened.ReplayedRecords);

        // one segment held all 100: nothing could be deleted, so all 100 come back (InfluxDB dedups)
        Assert.Equal(100, reopened.ReplayedRecords);
        Assert.Equal(Record(1), replayed[0].Data);
        Assert.Equal(Record(100), replayed[99].Data);
        Assert.Empty(reopened.RecoveryReports);
    }

    [Fact]
    public async Task Deletes_a_sealed_segment_only_when_every_record_in_it_is_confirmed()
    {
        await using var wal = WriteAheadLog.Open(Options(segmentBytes: 64 * 1024), _dir, NullLogger.Instance);
        var big = new byte[20_000];
        Array.Fill(big, (byte)'x');
        for (var i = 0; i < 8; i++)
        {
            await wal.AppendAsync(big, 1); // one group each: three records fit a 64 KiB segment
        }

        var records = await DrainAsync(wal, 8);
        var segments = Directory.GetFiles(_dir, "*.wal").Length;
        Assert.True(segments >= 3, $"expected several segments, found {segments}");

        foreach (var r in records.Skip(1))
        {
            wal.Confirm(r);
        }

        var firstSegment = records[0].Segment;
        Assert.True(File.Exists(Path.Combine(_dir, $"{firstSegment:D12}.wal")), "segment with an unconfirmed record was deleted");
        wal.Confirm(records[0]);
        Assert.False(File.Exists(Path.Combine(_dir, $"{firstSegment:D12}.wal")));
        Assert.Equal(0, wal.PendingRecords);
    }

    [Theory]
    [InlineData("torn")]
    [InlineData("garbage")]
    [InlineData("flipped")]
    public async Task Tolerates_and_reports_a_torn_or_corrupt_tail(string damage)
    {
        await using (var wal = WriteAheadLog.Open(Options(), _dir, NullLogger.Instance))
        {
            for (var i = 1; i <= 10; i++)
            {
                await wal.AppendAsync(Record(i), 1);
            }
        }

        var segment = Directory.GetFiles(_dir, "*.wal").Select(f => new FileInfo(f)).Where(f => f.Length > 0).Single();
        var bytes = File.ReadAllBytes(segment.FullName);
        var recordSize = 12 + Record(10).Length;
        switch (damage)
        {
            case "torn":
                File.WriteAllBytes(segment.FullName, bytes[..^(recordSize / 2)]); // half of record 10 missing
                break;
            case "garbage":
                File.WriteAllBytes(segment.FullName, [.. bytes, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
                break;
            case "flipped":
                bytes[^5] ^= 0xFF; // payload byte of record 10: CRC mismatch
                File.WriteAllBytes(segment.FullName, bytes);
                break;
        }

        await using var reopened = WriteAheadLog.Open(Options(), _dir, NullLogger.Instance);
        var expected = damage == "garbage" ? 10 : 9;
        Assert.Equal(expected, reopened.ReplayedRecords);
        Assert.Single(reopened.RecoveryReports);
        Assert.True(reopened.TruncatedBytes > 0);
        var replayed = await DrainAsync(reopened, expected);
        Assert.Equal(Record(expected), replayed[^1].Data);

        // the log keeps working after the repair
        await reopened.AppendAsync(Record(11), 1);
        Assert.Equal(Record(11), (await DrainAsync(reopened, 1))[0].Data);
    }

    [Fact]
    public async Task Refuses_appends_beyond_its_size_bound()
    {
        var options = new BufferingOptions { SegmentBytes = 64 * 1024, MaxBytes = 128 * 1024 };
        await using var wal = WriteAheadLog.Open(options, _dir, NullLogger.Instance);
        var big = new byte[30_000];
        for (var i = 0; i < 4; i++)
        {
            await wal.AppendAsync(big, 1);
        }

        Assert.True(wal.IsNearFull);
        Assert.Throws<WalFullException>(() => { _ = wal.AppendAsync(big, 1); });
    }

    [Fact]
    public async Task A_failed_group_is_refused_whole_and_later_records_go_to_a_fresh_segment()
    {
        var acknowledged = Enumerable.Range(1, 10).ToList();
        await using (var wal = WriteAheadLog.Open(Options(), _dir, NullLogger.Instance))
        {
            await Task.WhenAll(Enumerable.Range(1, 10).Select(i => wal.AppendAsync(Record(i), 1)));
            var firstSegment = (await DrainAsync(wal, 10))[0].Segment;

            // How appends fall into groups depends on timing, so the test learns the failed group's
            // size from the log and holds the outcome to exactly that: its records refused, every
            // other append acknowledged.
            var failedGroupSize = 0;
            wal.FailNextWrite = records => Interlocked.CompareExchange(ref failedGroupSize, records, 0) == 0 ? new IOException("injected: disk failed mid-group") : null;
            var batch = Enumerable.Range(1000, 5).Select(i => (Id: i, Append: wal.AppendAsync(Record(i), 1))).ToList();
            var refused = new List<int>();
            foreach (var (id, append) in batch)
            {
                try
                {
                    await append;
                    acknowledged.Add(id);
                }
                catch (IOException)
                {
                    refused.Add(id);
                }
            }

            Assert.Equal(1, wal.FailedGroups);
            Assert.Equal(Volatile.Read(ref failedGroupSize), refused.Count);
            Assert.Equal(Enumerable.Range(1000, refused.Count), refused); // the first group written after the fault: a prefix

            await Task.WhenAll(Enumerable.Range(11, 10).Select(i => wal.AppendAsync(Record(i), 1)));
            acknowledged.AddRange(Enumerable.Range(11, 10));
            var later = await DrainAsync(wal, acknowledged.Count - 10);
            Assert.All(later, r => Assert.True(r.Segment > firstSegment, "appends after a failed group must go to a fresh segment"));

            // the half group written before the fault was cut off: the files hold acknowledged records only
            var onDisk = Directory.GetFiles(_dir, "*.wal").Sum(f => new FileInfo(f).Length);
            Assert.Equal(acknowledged.Sum(i => Record(i).Length + 12), onDisk);
        }

        // every acknowledged record comes back, none of the refused group, and nothing is reported torn
        await using var reopened = WriteAheadLog.Open(Options(), _dir, NullLogger.Instance);
        Assert.Equal(acknowledged.Count, reopened.ReplayedRecords);
        Assert.Equal(0, reopened.TruncatedBytes);
        var replayed = await DrainAsync(reopened, acknowledged.Count);
        Assert.Equal(acknowledged.Select(i => Encoding.UTF8.GetString(Record(i))), replayed.Select(r => Encoding.UTF8.GetString(r.Data)));
    }

    [Fact]
    public async Task Holds_at_most_MaxMemoryBytes_in_memory_and_reads_the_rest_back_in_order()
    {
        var options = new BufferingOptions { SegmentBytes = 256 * 1024, MaxBytes = 64L * 1024 * 1024, MaxMemoryBytes = 1024 * 1024 };
        await using var wal = WriteAheadLog.Open(options, _dir, NullLogger.Instance);
        const int Count = 60; // 60 x 50 kB = 3 MB on disk, 1 MiB in memory at most
        var records = Enumerable.Range(0, Count).Select(i =>
        {
            var data = new byte[50_000];
            Array.Fill(data, (byte)('a' + (i % 26)));
            BitConverter.TryWriteBytes(data, i);
            return data;
        }).ToList();
        foreach (var r in records)
        {
            await wal.AppendAsync(r, 1); // one group each
        }

        Assert.True(wal.MemoryBytes <= options.MaxMemoryBytes, $"{wal.MemoryBytes} bytes in memory");
        var handedOver = 0;
        while (wal.Durable.TryRead(out _))
        {
            handedOver++;
        }

        Assert.InRange(handedOver, 1, 21); // only what fits the memory bound

        // a fresh log over the same backlog: replay also stays within the bound, then confirm as we go
        await wal.DisposeAsync();
        await using var reopened = WriteAheadLog.Open(options, _dir, NullLogger.Instance);
        Assert.Equal(Count, reopened.ReplayedRecords);
        Assert.True(reopened.MemoryBytes <= options.MaxMemoryBytes);
        var seen = new List<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (seen.Count < Count)
        {
            var r = await reopened.Durable.ReadAsync(timeout.Token);
            Assert.True(reopened.MemoryBytes <= options.MaxMemoryBytes);
            seen.Add(BitConverter.ToInt32(r.Data));
            reopened.Confirm(r);
        }

        Assert.Equal(Enumerable.Range(0, Count), seen);
        Assert.True(reopened.ReadBackRecords > 0);
        Assert.Equal(0, reopened.PendingRecords);
        Assert.Equal(0, reopened.MemoryBytes);

        // appends after the backlog drained are handed over directly again
        await reopened.AppendAsync(Record(1), 1);
        Assert.Equal(Record(1), (await DrainAsync(reopened, 1))[0].Data);
    }

    [Fact]
    public void Record_checksum_is_the_standard_crc32_over_line_count_then_data()
    {
        // CRC-32 check value of "123456789" (IEEE 802.3), split where a record splits: line count, data
        Assert.Equal(0xCBF43926u, RecordChecksum.Of("1234"u8, "56789"u8));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
