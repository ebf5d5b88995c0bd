using System.Text.Json.Serialization;

namespace IoTMonitor.Gateway.Query;

/// <summary>
/// One reason for a status colour, as a stable code with its facts, so a reader in any language words it
/// (the dashboard does, in zh-CN and en). <see cref="Text"/> is the English line the API has always sent
/// in <c>reasons</c>; the structured form goes out beside it as <c>reasonCodes</c>.
/// Codes: <c>no_device</c>, <c>never_heard</c>, <c>silent</c> (<see cref="Since"/>), <c>battery_low</c>
/// (<see cref="Volts"/>), <c>reading_flags</c> (<see cref="Quantity"/>, <see cref="Flags"/>: the reading
/// flag names), <c>alert</c> (<see cref="Rule"/> id, <see cref="RuleName"/>, <see cref="Severity"/>).
/// </summary>
public sealed record StatusReason(string Code)
{
    public const string NoDevice = "no_device";
    public const string NeverHeard = "never_heard";
    public const string Silent = "silent";
    public const string BatteryLow = "battery_low";
    public const string ReadingFlags = "reading_flags";
    public const string Alert = "alert";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Device { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Quantity { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Flags { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Volts { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Since { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Rule { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RuleName { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Severity { get; init; }

    /// <summary>The English line of <c>reasons</c> (kept word for word for existing readers of the API).</summary>
    [JsonIgnore]
    public string Text => Code switch
    {
        NoDevice => "no device",
        NeverHeard => $"{Device}: never heard",
        Silent => $"{Device}: silent since {Since:u}",
        BatteryLow => $"{Device}: battery {Volts:0.00} V",
        ReadingFlags => $"{Device} {Quantity}: {string.Join(", ", Flags ?? [])}",
        Alert => $"alert: {RuleName}{(string.IsNullOrEmpty(Device) ? string.Empty : " (" + Device + ")")}",
        _ => Code,
    };
}
