using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Validation;

public static class ValidationRegistration
{
    /// <summary>Decoding limits and the dead-letter store every stage records refusals in.</summary>
    public static IHostApplicationBuilder AddValidation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<ValidationOptions>(builder.Configuration, ValidationOptions.Section, o => o.Validate());
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<ValidationOptions>();
            return new DeadLetterStore(sp.GetRequiredService<GatewayOptions>().Resolve(o.DeadLetterPath), o.DeadLetterMaxBytes, o.DeadLetterQueueLength);
        });
        builder.Services.AddStageHealthCheck<DeadLetterHealthCheck>("deadLetters");
        builder.Services.AddStageMetrics<DeadLetterMetrics>();
        return builder;
    }
}
