using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.State;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Forwarding;

/// <summary>
/// Opens a platform's outbox where <c>State:Provider</c> says: a SQLite file <c>{name}.db</c> in the
/// data dir, or the shared PostgreSQL database, where this gateway is one lease holder among the replicas.
/// </summary>
public sealed class ForwardingOutboxes(IServiceProvider services)
{
    /// <summary>This process's name as a lease holder: host, process id and a random part, so a restarted process is a new holder.</summary>
    public string Holder { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <param name="name">the outbox's name, <c>{protocol}-{platform}</c></param>
    /// <param name="answerTimeout">the longest wait for one answer: the lease lasts twice that and 30 s more</param>
    public IForwardingOutbox Open(string name, TimeSpan answerTimeout)
    {
        if (services.GetRequiredService<StateOptions>().IsPostgres)
        {
            return new PostgresForwardingOutbox(services.GetRequiredService<PostgresState>(), name, Holder, (2 * answerTimeout) + TimeSpan.FromSeconds(30));
        }

        return new SqliteForwardingOutbox(services.GetRequiredService<GatewayOptions>().Resolve($"{name}.db"));
    }
}
