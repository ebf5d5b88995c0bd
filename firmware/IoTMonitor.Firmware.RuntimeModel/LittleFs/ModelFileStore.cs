using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.RuntimeModel.LittleFs;

/// <summary>
/// The core's <see cref="IFileStore"/> on the LittleFS model, making the same calls as the ESP32
/// adapter (firmware/IoTMonitor.Firmware/Adapters/LittleFsFileStore.cs) makes on System.IO: one
/// open per operation, closed before returning.
/// </summary>
public sealed class ModelFileStore(LittleFsVolume volume) : IFileStore
{
    public LittleFsVolume Volume { get; } = volume;

    public string[] List() => Volume.List();

    public int Read(string name, byte[] buffer, int offset, int count)
    {
        if (!Volume.Exists(name))
        {
            return -1;
        }

        using var s = Volume.Open(name, FileMode.Open, FileAccess.Read, FileShare.Read);
        var done = 0;
        while (done < count)
        {
            var n = s.Read(buffer, offset + done, count - done);
            if (n <= 0)
            {
                break;
            }

            done += n;
        }

        return done;
    }

    public void Append(string name, byte[] buffer, int offset, int count)
    {
        using var s = Volume.Open(name, FileMode.Append, FileAccess.Write, FileShare.None);
        s.Write(buffer, offset, count);
    }

    public void Replace(string name, byte[] buffer, int offset, int count)
    {
        using var s = Volume.Open(name, FileMode.Create, FileAccess.Write, FileShare.None);
        s.Write(buffer, offset, count);
    }

    public void Delete(string name) => Volume.Delete(name);
}
