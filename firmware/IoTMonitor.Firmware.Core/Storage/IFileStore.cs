namespace IoTMonitor.Firmware.Core.Storage
{
    /// <summary>
    /// The node's flash as whole-file operations, shaped by LittleFS on the ESP32 (docs/references.md,
    /// "Flash storage"): a file is as it was at its last close, so every call here opens, works
    /// and closes; nothing stays open across calls, and a call that returns has committed.
    /// Implemented on the ESP32 over System.IO (volume I:) and on the host over the LittleFS
    /// behaviour model or plain files. Names are bare file names (no directory, no drive).
    /// </summary>
    /// <remarks>
    /// Cost rules the callers follow: append instead of writing inside a file (a write at offset p
    /// makes LittleFS copy the file from p's block to its end at every commit); replace small files
    /// whole (≤ 512 B lives in the directory log); every open, even for reading, writes metadata,
    /// so read a file once per wake. A full volume shows as an <c>IOException</c> from
    /// <see cref="Append"/> or <see cref="Replace"/> (the ESP32 reports no free space).
    /// </remarks>
    public interface IFileStore
    {
        /// <summary>Bare names of the files in the store, in no particular order.</summary>
        string[] List();

        /// <summary>
        /// Reads up to <paramref name="count"/> bytes of <paramref name="name"/> from its start into
        /// <paramref name="buffer"/> at <paramref name="offset"/> (one open). Returns the bytes read;
        /// −1 when the file does not exist.
        /// </summary>
        int Read(string name, byte[] buffer, int offset, int count);

        /// <summary>Appends bytes to <paramref name="name"/> (created if missing) and closes: committed on return.</summary>
        void Append(string name, byte[] buffer, int offset, int count);

        /// <summary>Sets the whole content of <paramref name="name"/> and closes: on return it is the new content; a cut before leaves the old one.</summary>
        void Replace(string name, byte[] buffer, int offset, int count);

        /// <summary>Deletes <paramref name="name"/>; nothing when it does not exist.</summary>
        void Delete(string name);
    }
}
