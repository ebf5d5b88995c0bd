using IoTMonitor.Firmware.Core.Storage;
using IoTMonitor.Firmware.Emulator.Flash;

namespace IoTMonitor.Firmware.Emulator.Tests.Wake;

/// <summary>
/// Read-only view of what the model's flash holds committed (as a reset would find it), for decoding
/// the app's files with the core's own readers (NodeState, FlashQueue).
/// </summary>
internal sealed class CommittedFiles(LittleFsVolume volume) : IFileStore
{
    private const string Root = "I:\\";

    public string[] List() => volume.Files.Select(f => f[Root.Length..]).ToArray();

    public int Read(string name, byte[] buffer, int offset, int count)
    {
        byte[]? content = volume.ReadCommitted(Root + name);
        if (content is null)
        {
            return -1;
        }

        int n = Math.Min(count, content.Length);
        Array.Copy(content, 0, buffer, offset, n);
        return n;
    }

    public void Append(string name, byte[] buffer, int offset, int count) => throw new InvalidOperationException("read-only view");

    public void Replace(string name, byte[] buffer, int offset, int count) => throw new InvalidOperationException("read-only view");

    public void Delete(string name) => throw new InvalidOperationException("read-only view");
}
