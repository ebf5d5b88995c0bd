using System.Diagnostics;

namespace IoTMonitor.Testing.Tests;

public sealed class InfluxDbServerTests
{
    [Fact]
    public async Task Accepts_a_write_that_a_query_returns()
    {
        using var influx = await InfluxDbServer.StartNewAsync();
        await influx.CreateDatabaseAsync("fixture");
        await influx.WriteAsync("fixture", "water,site=yellow-river-01 ph=7.25,temp=14.5 1764000000000000000\nwater,site=yellow-river-01 ph=7.31,temp=14.7 1764000060000000000");

        var rows = await influx.RowsAsync("SELECT ph, temp FROM water WHERE site = 'yellow-river-01' ORDER BY time", "fixture");

        Assert.Equal(2, rows.Count);
        Assert.Equal(7.25, rows[0]["ph"].GetDouble());
        Assert.Equal(14.7, rows[1]["temp"].GetDouble());
        Assert.Equal(1764000060000000000, rows[1]["time"].GetInt64());
        Assert.Equal(2, await influx.CountAsync("fixture", "water", "ph"));
    }

    [Fact]
    public async Task Keeps_its_data_across_a_stop_and_start_and_leaves_no_process_behind()
    {
        var influx = await InfluxDbServer.StartNewAsync();
        var dataDir = influx.DataDir;
        try
        {
            await influx.CreateDatabaseAsync("fixture");
            await influx.WriteAsync("fixture", "air,site=a pm25=12 1764000000000000000");
            var pid = influx.Pid!.Value;

            influx.Stop();
            Assert.False(IsAlive(pid), "influxd still running after Stop");
            Assert.False(FreePort.IsListening(influx.HttpPort));

            await influx.StartAsync();
            Assert.Equal(1, await influx.CountAsync("fixture", "air", "pm25"));
        }
        finally
        {
            var pid = influx.Pid;
            influx.Dispose();
            if (pid is not null)
            {
                Assert.False(IsAlive(pid.Value), "influxd still running after Dispose");
            }
        }

        Assert.False(Directory.Exists(dataDir), "temporary data dir left behind");
    }

    internal static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
