namespace IoTMonitor.Firmware.RuntimeModel.LittleFs;

/// <summary>
/// The modelled power failed (or the chip reset) in the middle of a flash operation. Unwinds the
/// caller like the end of the world it is: the volume has already dropped every uncommitted write.
/// </summary>
public sealed class PowerCutException() : Exception("power cut");
