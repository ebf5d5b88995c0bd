namespace IoTMonitor.Gateway.Accounting;

/// <summary>A cellular node's last reported network (protocol §4): operator, access technology (7 LTE, 9 NB-IoT), RSRP in dBm, the SIM's ICCID.</summary>
public sealed record CellularHealth(string? Operator, long? AccessTech, long? Rsrp, string? Iccid);
