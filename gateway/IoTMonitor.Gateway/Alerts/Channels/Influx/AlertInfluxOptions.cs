namespace IoTMonitor.Gateway.Alerts.Channels.Influx;

/// <summary><c>Alerts:Influx</c> (or <c>Alerts:Channels:Influx</c>); the server is <c>Storage:*</c>.</summary>
public sealed class AlertInfluxOptions
{
    /// <summary>Write every alert event to the measurement below (through the outbox, so it is retried).</summary>
    public bool Enabled { get; set; } = true;

    public string Measurement { get; set; } = "alerts";

    public IEnumerable<string> Validate()
    {
        if (Enabled && string.IsNullOrWhiteSpace(Measurement))
        {
            yield return "Alerts:Influx:Measurement must be set when Alerts:Influx:Enabled is on";
        }
    }
}
