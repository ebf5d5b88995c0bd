using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.State.Leases;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Ingest.Cluster;
using IoTMonitor.Gateway.Ingest.Embedded;
using IoTMonitor.Gateway.Ingest.External;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Ingest;

public static class IngestRegistration
{
    /// <summary>The pipeline (decode, validate, WAL), the node status book and the MQTT listener of <c>Mqtt:Mode</c> (embedded broker, external MQTT broker, or RabbitMQ cluster).</summary>
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddStageOptions<MqttOptions>(builder.Configuration, MqttOptions.Section, o => o.Validate());
        s.AddSingleton(sp => new IngestPipeline(
            sp.GetRequiredService<ValidationOptions>(),
            sp.GetRequiredService<WriteAheadLog>(),
            sp.GetRequiredService<DeadLetterStore>(),
            sp.GetRequiredService<Ledger>(),
            sp.GetRequiredService<TimeProvider>()));
        s.AddSingleton(sp => new NodeStatusBook(sp.GetRequiredService<Ledger>().Counters, sp.GetRequiredService<DeadLetterStore>(), sp.GetRequiredService<TimeProvider>()));
        s.AddSingleton<IMqttListener>(sp =>
        {
            var mqtt = sp.GetRequiredService<MqttOptions>();
            var registryOptions = sp.GetRequiredService<RegistryOptions>();
            var registry = sp.GetRequiredService<DeviceRegistry>();
            var pipeline = sp.GetRequiredService<IngestPipeline>();
            var acks = sp.GetRequiredService<AckIngest>();
            var statuses = sp.GetRequiredService<NodeStatusBook>();
            var downlink = sp.GetRequiredService<DownlinkService>();
            var logs = sp.GetRequiredService<ILoggerFactory>();
            if (mqtt.Mode == MqttMode.Embedded)
            {
                var broker = new EmbeddedBroker(mqtt, registryOptions, registry, pipeline, acks, statuses, downlink, logs.CreateLogger<EmbeddedBroker>());
                downlink.Attach(broker.Downlink);
                return broker;
            }

            if (mqtt.Mode == MqttMode.Cluster)
            {
                var state = sp.GetRequiredService<StateOptions>();
                var leases = mqtt.Cluster.Balance && state.IsPostgres
                    ? new PartitionLeases(sp.GetRequiredService<PostgresState>().DataSource, "ingest_leases", mqtt.Cluster.Partitions, mqtt.Cluster.EffectiveReplica, TimeSpan.FromSeconds(mqtt.Cluster.LeaseSeconds), balance: true)
                    : null;
                var cluster = new ClusterBrokerClient(mqtt.Cluster, registryOptions, registry, pipeline, acks, statuses, downlink, logs.CreateLogger<ClusterBrokerClient>(), sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted, leases);
                downlink.Attach(cluster.Downlink);
                return cluster;
            }

            var client = new ExternalBrokerClient(mqtt.External, registryOptions, registry, pipeline, acks, statuses, downlink, logs.CreateLogger<ExternalBrokerClient>());
            downlink.Attach(client.Downlink);
            return client;
        });
        s.AddStageHealthCheck<BrokerHealthCheck>("broker");
        s.AddStageMetrics<ListenerMetrics>();
        return builder;
    }
}
