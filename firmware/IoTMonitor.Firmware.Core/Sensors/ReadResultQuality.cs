using IoTMonitor.Firmware.Core.Protocol;

namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>Maps a driver's <see cref="ReadResult"/> to the protocol's quality flags.</summary>
    public static class ReadResultQuality
    {
        /// <summary>
        /// Flags a reading gets from its read result. Codes without a usable value give NO_VALUE
        /// (the value goes out as null); OutOfRange keeps the value and flags it.
        /// </summary>
        public static int ToFlags(ReadResult result)
        {
            switch (result)
            {
                case ReadResult.Ok:
                    return QualityFlags.None;
                case ReadResult.WarmingUp:
                    return QualityFlags.WarmingUp;
                case ReadResult.OutOfRange:
                    return QualityFlags.OutOfRange;
                case ReadResult.FaultWithValue:
                    return QualityFlags.SensorFault;
                default:
                    return QualityFlags.NoValue;
            }
        }

        /// <summary>True when the result carries values the pipeline may use.</summary>
        public static bool HasValue(ReadResult result)
        {
            return result == ReadResult.Ok || result == ReadResult.WarmingUp
                || result == ReadResult.OutOfRange || result == ReadResult.FaultWithValue;
        }
    }
}
