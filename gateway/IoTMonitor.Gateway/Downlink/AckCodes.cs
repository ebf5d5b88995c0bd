namespace IoTMonitor.Gateway.Downlink;

/// <summary>Names of the <c>err</c> codes in acks (docs/config.md: config error table, command ack codes).</summary>
public static class AckCodes
{
    private static readonly string[] ConfigNames =
    [
        "None", "NotJson", "BadVersion", "BadValue", "MissingField", "BadId", "UnknownQuantity", "UnknownKind", "TooMany", "BadCalibration", "Missing", "UnknownSensor", "TooLarge",
    ];

    private static readonly string[] CommandNames = ["None", "UnknownCommand", "Malformed", "BadArgument"];

    public static string ConfigError(int code) => code >= 0 && code < ConfigNames.Length ? ConfigNames[code] : $"Unknown({code})";

    public static string CommandError(int code) => code >= 0 && code < CommandNames.Length ? CommandNames[code] : $"Unknown({code})";
}
