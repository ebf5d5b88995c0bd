using IoTMonitor.Gateway.Query;

namespace IoTMonitor.Gateway.Api;

/// <summary>A site in the overview.</summary>
/// <remarks><c>Reasons</c> are English lines; <c>ReasonCodes</c> the same reasons as codes with their facts, in the same order.</remarks>
public sealed record SiteSummary(string Id, string Name, double? Lat, double? Lon, string? Basin, string? Type, HealthStatus Status, IReadOnlyList<string> Reasons, int Devices, DateTimeOffset? LastSeen, string? Flood = null, IReadOnlyList<StatusReason>? ReasonCodes = null);

/// <summary>A device's health as the gateway knows it (cache + sequence ledger).</summary>
public sealed record DeviceHealth(
    string Id,
    bool Enabled,
    HealthStatus Status,
    IReadOnlyList<string> Reasons,
    DateTimeOffset? LastSeen,
    double? Battery,
    long? Rssi,
    long? Backlog,
    long? Dropped,
    long? Boot,
    string? Firmware,
    double ReportIntervalSeconds,
    long HighestSequence,
    long Missing,
    IReadOnlyList<long[]> Gaps,
    long Duplicates,
    IReadOnlyList<StatusReason>? ReasonCodes = null,
    CellularNetwork? Cellular = null);

/// <summary>
/// A cellular node's last reported network (protocol §4 health op, act, rsrp, iccid): operator as the
/// modem names it, access technology as 3GPP TS 27.007 +COPS &lt;AcT&gt; (7 E-UTRAN, 9 NB-IoT), RSRP in
/// dBm, the SIM's ICCID. Null for a node that never reported them (Wi-Fi).
/// </summary>
public sealed record CellularNetwork(string? Operator, long? Act, long? Rsrp, string? Iccid);

/// <summary>The newest value of one (site, device, quantity); time in Unix seconds; <c>raw</c> and <c>cal</c> as the node sent them.</summary>
public sealed record LatestValue(string Site, string Device, string Quantity, string Unit, long T, double? Value, long Flags, double? Raw, string? Cal);

/// <summary>A site with its devices and newest values.</summary>
public sealed record SiteDetail(SiteSummary Site, IReadOnlyList<DeviceHealth> Devices, IReadOnlyList<LatestValue> Latest, IReadOnlyList<string> Quantities);

/// <summary>Creates or updates a site with its profile (admin).</summary>
public sealed record SiteProfileRequest(string? Name, double? Lat, double? Lon, string? Basin, string? Type);

/// <summary>A line drawn across a chart.</summary>
public sealed record Threshold(string Label, double Value);

public sealed record SeriesLine(string Site, string Device, IReadOnlyList<double[]> Points);

/// <summary>A series answer: points are [time (Unix s, window start), value].</summary>
public sealed record SeriesResponse(string Quantity, string Unit, string Agg, string Window, long WindowSeconds, long From, long To, IReadOnlyList<SeriesLine> Series, IReadOnlyList<Threshold> Thresholds);

public sealed record CompletenessPoint(long T, long Received, long Expected, double? Ratio);

public sealed record DeviceCompletenessLine(string Device, long Received, long Expected, double? Ratio, IReadOnlyList<CompletenessPoint> Windows);

public sealed record CompletenessResponse(string Site, long From, long To, string Window, long Received, long Expected, double? Ratio, IReadOnlyList<DeviceCompletenessLine> Devices);

public sealed record QuantityInfo(string Code, string Domain, string Unit, double Min, double Max);

public sealed record CreateKeyRequest(string Name, string Role);

public sealed record KeyInfo(string Id, string Name, string Role, DateTimeOffset Created, bool Revoked);

/// <summary>The calling key as <c>GET /api/v1/me</c> answers it.</summary>
public sealed record KeyIdentity(string Name, string Role);

/// <summary>A new key: <c>Key</c> is shown this once and stored only as a hash.</summary>
public sealed record CreatedKey(string Id, string Name, string Role, string Key);
