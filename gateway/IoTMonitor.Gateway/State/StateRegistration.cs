using IoTMonitor.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.State;

/// <summary>
/// Shared state: the <c>State</c> options, and with <c>postgres</c> the database (<see cref="PostgresState"/>),
/// connected and migrated when the host starts, before any stage serves, so a wrong connection string
/// or a too-new schema stops the start instead of failing the first request.
/// </summary>
public static class StateRegistration
{
    public static WebApplicationBuilder AddState(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddStageOptions<StateOptions>(builder.Configuration, StateOptions.Section, o => o.Validate());
        s.AddSingleton<PostgresState>();
        s.AddHostedService<StateStartup>();
        return builder;
    }

    private sealed class StateStartup(IServiceProvider services, StateOptions options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.IsPostgres)
            {
                services.GetRequiredService<PostgresState>();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
