using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests.Support;

/// <summary>One influxd for all end-to-end tests (each test uses its own database).</summary>
[CollectionDefinition(Name)]
public sealed class InfluxCollection : ICollectionFixture<InfluxDbFixture>
{
    public const string Name = "influxdb";
}
