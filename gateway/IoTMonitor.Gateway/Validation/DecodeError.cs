namespace IoTMonitor.Gateway.Validation;

/// <summary>Dead-letter reasons (docs/protocol.md §12).</summary>
public static class DecodeError
{
    public const string TooLarge = "too_large";
    public const string BadTopic = "bad_topic";
    public const string NotJson = "not_json";
    public const string BadVersion = "bad_version";
    public const string MissingField = "missing_field";
    public const string BadType = "bad_type";
    public const string BadReading = "bad_reading";
    public const string TooManyReadings = "too_many_readings";
    public const string UnknownQuantity = "unknown_quantity";
    public const string NotFinite = "not_finite";
    public const string NullWithoutFlag = "null_without_flag";
    public const string ImplausibleValue = "implausible_value";
    public const string FutureTime = "future_time";
    public const string UnsyncedTime = "unsynced_time";
    public const string DuplicateKey = "duplicate_key";
    public const string UnknownDevice = "unknown_device";
    public const string Unauthorized = "unauthorized";
}
