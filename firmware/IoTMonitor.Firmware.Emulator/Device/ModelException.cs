namespace IoTMonitor.Firmware.Emulator.Device;

/// <summary>The app did something the model cannot run (a modelling gap, not a device behaviour).</summary>
public sealed class ModelException : Exception
{
    public ModelException()
    {
    }

    public ModelException(string message)
        : base(message)
    {
    }

    public ModelException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
