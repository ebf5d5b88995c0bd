using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>One agency platform the gateway sends HJ 212-2017 packets to (<c>Forwarding:Hj212:Platforms:n</c>).</summary>
public sealed class Hj212Platform
{
    /// <summary>Name in the API, metrics and the outbox file (letters, digits, '-', '_').</summary>
    public string Name { get; set; } = string.Empty;

    public string Host { get; set; } = string.Empty;

    public int Port { get; set; }

    /// <summary>Access password PW (up to 6 characters, Table 3), given by the platform's operator.</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary>Ask the platform to answer every data packet with CN 9014 (Flag bit A) and resend until it does.</summary>
    public bool RequireAnswer { get; set; } = true;

    public List<Hj212Station> Sites { get; set; } = [];
}

/// <summary>An IoTMonitor site as a station of the platform: its station code MN and system code ST (Table 5).</summary>
public sealed class Hj212Station
{
    public string Site { get; set; } = string.Empty;

    /// <summary>Station code MN (up to 24 characters), assigned by the agency.</summary>
    public string Mn { get; set; } = string.Empty;

    /// <summary>System code ST: 21 surface water, 22 air quality, … (Table 5).</summary>
    public string St { get; set; } = "21";
}

/// <summary>The HJ 212-2017 forwarder (appsettings section <c>Forwarding:Hj212</c>); no platforms = off.</summary>
public sealed class Hj212Options
{
    public const string Section = "Forwarding:Hj212";

    public List<Hj212Platform> Platforms { get; set; } = [];

    /// <summary>UTC offset of every time in the packets, hours (the standard names none; platforms expect Beijing time).</summary>
    public double UtcOffsetHours { get; set; } = 8;

    /// <summary>Seconds the platform has to answer a packet with 9014 before it is sent again.</summary>
    public int AnswerTimeoutSeconds { get; set; } = 5;

    /// <summary>Times a packet is sent again on one connection without an answer before the connection is dropped and opened anew.</summary>
    public int RetryCount { get; set; } = 3;

    /// <summary>Wait before connecting again after a failure, seconds.</summary>
    public int ReconnectSeconds { get; set; } = 5;

    public bool RealTime { get; set; } = true;

    /// <summary>Readings whose sampling time is older than this when they arrive are late (a node's backlog): not sent as real-time data; their minute/hour/day periods are sent again.</summary>
    public int RealTimeMaxAgeSeconds { get; set; } = 600;

    /// <summary>Length of the minute-data period (CN 2051), minutes; a divisor of 60. 0 = no minute data.</summary>
    public int MinuteDataMinutes { get; set; } = 10;

    public bool Hourly { get; set; } = true;

    public bool Daily { get; set; } = true;

    /// <summary>A period is aggregated this many seconds after it ends (covers node upload delay and the writer's batching).</summary>
    public int SettleSeconds { get; set; } = 120;

    /// <summary>
    /// Where a platform's minute/hour/day data begins when its outbox is new: null = the period open at
    /// that first start. An earlier time back-fills the periods since then from InfluxDB once.
    /// </summary>
    public DateTimeOffset? StartFrom { get; set; }

    /// <summary>How often closed periods are looked for, seconds.</summary>
    public int PollSeconds { get; set; } = 15;

    /// <summary>Packets sent or answered are kept this many days (counts, audits, and so that the same data offered again is recognised), then deleted.</summary>
    public int KeepDays { get; set; } = 90;

    /// <summary>Quantities without an HJ 212-2017 code mapped to a code the platform agreed on, e.g. <c>"water.turbidity": "w01003"</c>; sent in the quantity's own unit.</summary>
    public Dictionary<string, string> ExtraCodes { get; set; } = new(StringComparer.Ordinal);

    internal TimeSpan Offset => TimeSpan.FromHours(UtcOffsetHours);

    internal IEnumerable<string> Validate()
    {
        if (UtcOffsetHours is < -14 or > 14 || UtcOffsetHours * 4 != Math.Floor(UtcOffsetHours * 4))
        {
            yield return "Forwarding:Hj212:UtcOffsetHours must be -14–14 in quarter hours";
        }

        if (AnswerTimeoutSeconds is < 1 or > 600)
        {
            yield return "Forwarding:Hj212:AnswerTimeoutSeconds must be 1–600";
        }

        if (RetryCount is < 0 or > 100)
        {
            yield return "Forwarding:Hj212:RetryCount must be 0–100";
        }

        if (ReconnectSeconds is < 1 or > 3600)
        {
            yield return "Forwarding:Hj212:ReconnectSeconds must be 1–3600";
        }

        if (MinuteDataMinutes < 0 || (MinuteDataMinutes > 0 && 60 % MinuteDataMinutes != 0))
        {
            yield return "Forwarding:Hj212:MinuteDataMinutes must be 0 or a divisor of 60";
        }

        if (KeepDays is < 1 or > 3650)
        {
            yield return "Forwarding:Hj212:KeepDays must be 1–3650";
        }

        if (SettleSeconds is < 0 or > 86400 || PollSeconds is < 1 or > 3600 || RealTimeMaxAgeSeconds < 1)
        {
            yield return "Forwarding:Hj212:SettleSeconds (0–86400), PollSeconds (1–3600) and RealTimeMaxAgeSeconds (≥ 1) are out of range";
        }

        foreach (var (quantity, code) in ExtraCodes)
        {
            if (Quantities.Find(quantity) is null)
            {
                yield return $"Forwarding:Hj212:ExtraCodes:{quantity} is not a quantity of docs/protocol.md §8";
            }

            if (!IsAsciiToken(code, 1, 16))
            {
                yield return $"Forwarding:Hj212:ExtraCodes:{quantity} must be a code of letters and digits";
            }
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Platforms.Count; i++)
        {
            var p = Platforms[i];
            var key = $"Forwarding:Hj212:Platforms:{i}";
            if (!IsAsciiToken(p.Name, 1, 32, "-_") || !names.Add(p.Name))
            {
                yield return $"{key}:Name must be a unique name of letters, digits, '-' or '_'";
            }

            if (string.IsNullOrWhiteSpace(p.Host) || p.Port is < 1 or > 65535)
            {
                yield return $"{key}:Host and Port must name the platform's TCP address";
            }

            if (!IsAsciiToken(p.Password, 1, 6))
            {
                yield return $"{key}:Password must be 1–6 letters or digits (PW, HJ 212-2017 Table 3)";
            }

            if (p.Sites.Count == 0)
            {
                yield return $"{key}:Sites must list at least one site with its MN and ST";
            }

            for (var j = 0; j < p.Sites.Count; j++)
            {
                var s = p.Sites[j];
                if (string.IsNullOrWhiteSpace(s.Site))
                {
                    yield return $"{key}:Sites:{j}:Site must be set";
                }

                if (!IsAsciiToken(s.Mn, 1, 24))
                {
                    yield return $"{key}:Sites:{j}:Mn must be 1–24 letters or digits (MN, Table 3)";
                }

                if (s.St.Length != 2 || !s.St.All(char.IsAsciiDigit))
                {
                    yield return $"{key}:Sites:{j}:St must be 2 digits (ST, Table 5)";
                }
            }
        }
    }

    private static bool IsAsciiToken(string? s, int min, int max, string extra = "") =>
        s is not null && s.Length >= min && s.Length <= max && s.All(c => char.IsAsciiLetterOrDigit(c) || extra.Contains(c, StringComparison.Ordinal));
}
