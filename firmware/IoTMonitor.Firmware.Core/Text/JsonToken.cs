namespace IoTMonitor.Firmware.Core.Text
{
    /// <summary>Tokens of <see cref="JsonReader"/>.</summary>
    public enum JsonToken
    {
        /// <summary>Nothing read yet.</summary>
        None = 0,

        /// <summary><c>{</c></summary>
        StartObject,

        /// <summary><c>}</c></summary>
        EndObject,

        /// <summary><c>[</c></summary>
        StartArray,

        /// <summary><c>]</c></summary>
        EndArray,

        /// <summary>An object key (the colon is consumed).</summary>
        PropertyName,

        /// <summary>A string value.</summary>
        String,

        /// <summary>A number value.</summary>
        Number,

        /// <summary><c>true</c></summary>
        True,

        /// <summary><c>false</c></summary>
        False,

        /// <summary><c>null</c></summary>
        Null,

        /// <summary>The single top-level value is complete and only whitespace followed.</summary>
        End,

        /// <summary>Malformed input; see <see cref="JsonReader.Error"/>. Every later Read returns Error too.</summary>
        Error,
    }
}
