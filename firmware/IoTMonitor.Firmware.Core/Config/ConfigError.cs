namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>
    /// Config error codes, reported as <c>cfgErr</c> in the status message and <c>err</c> in
    /// config/ack (docs/config.md lists them; the numbers are part of the contract).
    /// </summary>
    public enum ConfigError
    {
        /// <summary>0: the config is valid.</summary>
        None = 0,

        /// <summary>1: not JSON, or not a JSON object (includes truncated and over-deep input).</summary>
        NotJson = 1,

        /// <summary>2: <c>v</c> missing or not 1.</summary>
        BadVersion = 2,

        /// <summary>3: a key has the wrong type or a value out of its range.</summary>
        BadValue = 3,

        /// <summary>4: a required key is missing.</summary>
        MissingField = 4,

        /// <summary>5: <c>device</c> or <c>site</c> not matching <c>^[a-z0-9][a-z0-9_-]{0,31}$</c>.</summary>
        BadId = 5,

        /// <summary>6: a sensor or threshold names a quantity not in protocol §8.</summary>
        UnknownQuantity = 6,

        /// <summary>7: a sensor <c>kind</c>, <c>filter</c> or calibration <c>kind</c> is unknown.</summary>
        UnknownKind = 7,

        /// <summary>8: too many sensors (16), thresholds (16), remote calibrations (16), quantities per sensor (8) or calibration points (8).</summary>
        TooMany = 8,

        /// <summary>
        /// 9: calibration points unusable (too few for the kind, equal raw values); in a remote
        /// <c>calibrations</c> entry also a record the sensor's probe refuses (another kind,
        /// points outside its limits) or a sensor that takes no record.
        /// </summary>
        BadCalibration = 9,

        /// <summary>10: no config stored; built-in defaults in force.</summary>
        Missing = 10,

        /// <summary>11: a remote <c>calibrations</c> entry names a sensor id the config does not have.</summary>
        UnknownSensor = 11,

        /// <summary>12: a remote config larger than <see cref="ConfigParser.MaxRemoteBytes"/>: refused whole, never truncated.</summary>
        TooLarge = 12,
    }
}
