using IoTMonitor.Gateway.Storage;

namespace IoTMonitor.Gateway.Tests.Storage;

public sealed class StorageOptionsTests
{
    [Theory]
    [InlineData("auto", "http://127.0.0.1:8086", false)]
    [InlineData("auto", "http://localhost:8086", false)]
    [InlineData("auto", "http://[::1]:8086", false)]
    [InlineData("auto", "https://influx.example.org", true)]
    [InlineData("auto", "http://10.0.0.5:8086", true)]
    [InlineData("true", "http://127.0.0.1:8086", true)]
    [InlineData("FALSE", "https://influx.example.org", false)]
    public void Gzip_auto_compresses_only_when_influxdb_is_not_on_this_machine(string gzip, string url, bool expected)
    {
        var options = new StorageOptions { Gzip = gzip, Url = url };

        Assert.Equal(expected, options.UsesGzip);
        Assert.DoesNotContain(options.Validate(), e => e.Contains("Gzip", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_gzip_setting_is_a_clear_configuration_error()
    {
        var options = new StorageOptions { Gzip = "yes" };

        Assert.Contains("Storage:Gzip must be auto, true or false (got 'yes')", options.Validate());
    }
}
