using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>One InfluxDB for the suite; each test has its own gateway process and database.</summary>
[CollectionDefinition("stranger")]
public sealed class StrangerCollection : ICollectionFixture<InfluxDbFixture>;
