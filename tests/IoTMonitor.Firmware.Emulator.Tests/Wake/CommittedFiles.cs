using IoTMonitor.Firmware.Core.Storage;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Emulator.Tests.Wake;

/// <summary>
/// Read-only view of what the model's flash holds committed (as a reset would find it), for decoding
/// the app's files with the core's own readers (NodeState, FlashQueue).
/// </summary>
internal sealed class CommittedFiles(LittleFsVolume volume) : IFileStore
{
    public string[] List() => volume.List();

    public int Read(string name, byte[] buffer, int offset, int count)
    {
        if (!volume.Exists(name))
        {
            return -1;
        }

        byte[] content = volume.CommittedContent(name);

        int n = Math.Min(count, content.Length);
        Array.Copy(content, 0, buffer, offset, n);
        return n;
    }

    public void Append(string name, byte[] buffer, int offset, int count) => throw new InvalidOperationException("read-only view");

    public void Replace(string name, byte[] buffer, int offset, int count) => throw new InvalidOperationException("read-only view");

    public void Delete(string name) => throw new InvalidOperationException("read-only view");
}
