using System.Reflection;
using System.Runtime.Loader;
using IoTMonitor.Firmware.Emulator.Device;

namespace IoTMonitor.Firmware.Emulator.Runner;

/// <summary>
/// Runs the ESP32 app's <c>Program.Main</c> once per wake as the device does: a wake is a full reboot,
/// so every wake loads the app into a fresh collectible AssemblyLoadContext (empty statics and heap,
/// reference §5); only the <see cref="Esp32Device"/> (clock, flash, radio) carries over.
/// </summary>
/// <remarks>
/// A wake ends when the model powers off (deep sleep, reboot, power cut). Main returning or throwing
/// without that is a hang (reference §8: the CLR waits in the debugger loop, no reset, no sleep).
/// </remarks>
public sealed class WakeRunner
{
    /// <summary>Real time one wake may take before the runner calls it a runaway (the model's time is virtual).</summary>
    public static readonly TimeSpan RealLimit = TimeSpan.FromSeconds(60);

    private readonly string _appPath;

    /// <param name="appPath">IoTMonitor.Firmware.Emulator.App.dll: the app compiled with the model's API facades.</param>
    public WakeRunner(string appPath)
    {
        _appPath = appPath;
    }

    /// <summary>Runs one wake of <paramref name="device"/>; optionally cuts the power at model step <paramref name="cutAtStep"/> among <paramref name="cutKinds"/>.</summary>
    public WakeOutcome Run(Esp32Device device, WakeCause cause, long cutAtStep = -1, string? cutKinds = null)
    {
        device.BeginWake(cause, cutAtStep, cutKinds);
        var context = new WakeContext();
        string? hang = null;
        try
        {
            Assembly app = context.LoadFromAssemblyPath(_appPath);
            MethodInfo main = app.GetType("IoTMonitor.Firmware.Program", true)!.GetMethod("Main", BindingFlags.Public | BindingFlags.Static)!;
            Exception? error = null;
            var thread = new Thread(
                () =>
                {
                    try
                    {
                        main.Invoke(null, null);
                    }
                    catch (TargetInvocationException e)
                    {
                        error = e.InnerException;
                    }
                },
                4 * 1024 * 1024)
            {
                IsBackground = true,
                Name = "nanoCLR main",
            };
            thread.Start();
            if (!thread.Join(RealLimit))
            {
                throw new ModelException("wake did not end within " + RealLimit + " of real time (virtual " + device.TickCount64 + " ms)");
            }

            if (!device.IsOff)
            {
                hang = error == null
                    ? "Main returned without deep sleep: the CLR waits in the debugger loop"
                    : "Main threw " + error.GetType().Name + ": " + error.Message;
            }
            else if (error != null && error is not DeviceResetException && device.OffKind == ResetKind.Hang)
            {
                hang = error.Message;
            }
        }
        finally
        {
            context.Unload();
        }

        return device.EndWake(hang != null ? ResetKind.Hang : device.OffKind!.Value, hang);
    }

    private sealed class WakeContext : AssemblyLoadContext
    {
        public WakeContext()
            : base("esp32-wake", isCollectible: true)
        {
        }

        // The app is loaded explicitly per wake; the model and everything else is shared with the harness.
        protected override Assembly? Load(AssemblyName assemblyName) => null;
    }
}
