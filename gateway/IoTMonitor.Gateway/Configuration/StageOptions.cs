using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IoTMonitor.Gateway.Configuration;

/// <summary>
/// The one way a stage binds its options: bound from its section, checked by the options class's own
/// <c>Validate()</c> (each message names the key), validated when the host starts, so a bad key stops
/// the start with <see cref="OptionsValidationException"/> listing every message. The bound instance
/// is also registered as <typeparamref name="T"/> itself, so stages take their options class directly.
/// </summary>
public static class StageOptions
{
    public static OptionsBuilder<T> AddStageOptions<T>(this IServiceCollection services, IConfiguration configuration, string section, Func<T, IEnumerable<string>> validate)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new Validation<T>(validate));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>
    /// For options a stage must bind while registering (its parts depend on them, e.g. which alert
    /// channels exist): that instance is registered as <typeparamref name="T"/> and checked at start
    /// like the others, by the same validation.
    /// </summary>
    public static void AddStageCheck<T>(this IServiceCollection services, T bound, Func<T, IEnumerable<string>> validate)
        where T : class
    {
        services.AddSingleton(bound);
        services.AddSingleton<IValidateOptions<T>>(new Validation<T>(_ => validate(bound)));
        services.AddOptions<T>().ValidateOnStart();
    }

    private sealed class Validation<T>(Func<T, IEnumerable<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = validate(options).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => "Invalid gateway configuration: " + e));
        }
    }
}
