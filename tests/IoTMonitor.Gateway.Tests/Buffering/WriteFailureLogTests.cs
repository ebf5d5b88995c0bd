using System.Text;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Tests.Buffering;

/// <summary>A failing disk fails every group commit; the log gets the first failure and summaries, not one line per group.</summary>
public sealed class WriteFailureLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-wal-fail-").FullName;

    [Fact]
    public async Task Hundreds_of_failed_group_commits_log_one_error_and_are_all_counted()
    {
        var log = new ListLogger();
        var options = new BufferingOptions { SegmentBytes = 64 * 1024, MaxBytes = 64L * 1024 * 1024 };
        await using (var wal = WriteAheadLog.Open(options, _dir, log))
        {
            wal.FailNextWrite = _ => new IOException("injected: No space left on device");
            const int Appends = 300;
            var refused = 0;
            for (var i = 0; i < Appends; i++)
            {
                try
                {
                    await wal.AppendAsync(Encoding.UTF8.GetBytes($"water,device=d,quantity=ph,site=s value={i},flags=0i,seq={i}i,boot=1i 1764316800\n"), 1);
                }
                catch (IOException)
                {
                    refused++;
                }
            }

            Assert.Equal(Appends, refused);
            Assert.Equal(Appends, wal.FailedGroups); // one append at a time: one group each
            Assert.Equal(Appends, wal.FailedAppends);
            var errors = log.Lines(LogLevel.Error);
            Assert.True(errors.Count == 1, $"{errors.Count} error lines for {Appends} failed group commits (within one summary interval):\n{string.Join('\n', errors.Take(5))}");
            Assert.Contains("No space left on device", log.Exceptions[0], StringComparison.Ordinal);

            wal.FailNextWrite = null;
            await wal.AppendAsync(Encoding.UTF8.GetBytes("water,device=d,quantity=ph,site=s value=1,flags=0i,seq=1i,boot=1i 1764316801\n"), 1);
            Assert.Contains(log.Lines(LogLevel.Warning), l => l.Contains($"after {Appends} failed group commits", StringComparison.Ordinal));
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
