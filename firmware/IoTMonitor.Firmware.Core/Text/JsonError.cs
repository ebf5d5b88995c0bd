namespace IoTMonitor.Firmware.Core.Text
{
    /// <summary>Why <see cref="JsonReader"/> stopped with <see cref="JsonToken.Error"/>.</summary>
    public enum JsonError
    {
        /// <summary>No error.</summary>
        None = 0,

        /// <summary>Input ended inside a value.</summary>
        UnexpectedEnd,

        /// <summary>A byte that cannot start or continue a token here.</summary>
        UnexpectedCharacter,

        /// <summary>Bad escape, control character or invalid UTF-8 in a string.</summary>
        BadString,

        /// <summary>A number that breaks JSON's grammar or does not fit a double.</summary>
        BadNumber,

        /// <summary>Nesting deeper than <see cref="JsonReader.MaxDepth"/>.</summary>
        TooDeep,

        /// <summary>Something after the top-level value.</summary>
        TrailingData,
    }
}
