namespace IoTMonitor.Firmware.Core.Storage
{
    /// <summary>
    /// A fixed-size region of persistent storage that keeps its bytes across deep sleep and power
    /// loss, implemented by the host (ESP32: a preallocated file on the LittleFS volume I:, opened
    /// once per wake; .NET virtual node: a file; tests: FakeBlockStore with power cuts).
    /// </summary>
    /// <remarks>
    /// Lifecycle: the host opens the store before building the node and disposes it after the
    /// node cycle returns. Guarantees the core relies on: bytes written and then
    /// <see cref="Flush"/>ed survive power loss; a write interrupted by power loss may leave any
    /// prefix of its bytes written (the core's CRCs detect the torn rest); a never-written region
    /// reads as anything (0x00 or 0xFF). Methods may throw the host's I/O exception on a hardware
    /// fault; the core treats that as "store unavailable" for this wake.
    /// </remarks>
    public interface IBlockStore
    {
        /// <summary>Size of the region in bytes (constant).</summary>
        int Size { get; }

        /// <summary>Reads <paramref name="count"/> bytes at <paramref name="address"/> into <paramref name="buffer"/>.</summary>
        void Read(int address, byte[] buffer, int offset, int count);

        /// <summary>Writes <paramref name="count"/> bytes from <paramref name="buffer"/> at <paramref name="address"/>.</summary>
        void Write(int address, byte[] buffer, int offset, int count);

        /// <summary>Makes every write so far durable (fsync).</summary>
        void Flush();
    }
}
