using System.Globalization;

namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>One hydrology / flash-flood platform (centre station) the gateway reports to (<c>Forwarding:Sl651:Platforms:n</c>).</summary>
public sealed class Sl651Platform
{
    /// <summary>Name in the API, metrics and the outbox file (letters, digits, '-', '_').</summary>
    public string Name { get; set; } = string.Empty;

    public string Host { get; set; } = string.Empty;

    public int Port { get; set; }

    /// <summary>Centre station address, 1–255 (one byte HEX), given by the platform's operator.</summary>
    public int CentreAddress { get; set; } = 1;

    /// <summary>The 2-byte password as 4 hex digits, e.g. <c>1234</c>.</summary>
    public string Password { get; set; } = "0000";

    public List<Sl651Station> Sites { get; set; } = [];

    internal ushort PasswordValue => ushort.Parse(Password, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}

/// <summary>An IoTMonitor site as a remote telemetry station of the platform.</summary>
public sealed class Sl651Station
{
    public string Site { get; set; } = string.Empty;

    /// <summary>Remote station address: 10 decimal digits (5 bytes BCD), assigned by the agency.</summary>
    public string Station { get; set; } = string.Empty;

    /// <summary>Station category letter: P rainfall, H river, K reservoir, Q water quality … (default H).</summary>
    public string Category { get; set; } = "H";

    /// <summary>Added to <c>water.level</c> (m) to give the river stage Z (element 39); the 5-minute series (F5) stays relative.</summary>
    public double LevelBaseMetres { get; set; }
}

/// <summary>The SL 651-2014 forwarder (appsettings section <c>Forwarding:Sl651</c>); no platforms = off.</summary>
public sealed class Sl651Options
{
    public const string Section = "Forwarding:Sl651";

    public List<Sl651Platform> Platforms { get; set; } = [];

    /// <summary>UTC offset of every time in the frames, hours (platforms expect Beijing time).</summary>
    public double UtcOffsetHours { get; set; } = 8;

    /// <summary>Seconds the platform has to confirm a report before it is sent again.</summary>
    public int AnswerTimeoutSeconds { get; set; } = 10;

    /// <summary>Times a report is sent again on one connection without a confirmation before the connection is dropped and opened anew.</summary>
    public int RetryCount { get; set; } = 2;

    public int ReconnectSeconds { get; set; } = 5;

    /// <summary>Hourly reports (34) with the 5-minute rain and level series.</summary>
    public bool Hourly { get; set; } = true;

    /// <summary>Period of the timed report (32), minutes, a divisor of 1440; 0 = none.</summary>
    public int TimedReportMinutes { get; set; } = 60;

    /// <summary>Send an additional report (33) when a flash-flood warning of a configured site is raised or escalated.</summary>
    public bool FlashFloodEvents { get; set; } = true;

    /// <summary>Send an additional report (33) when the rain of the last <see cref="EventRainMinutes"/> reaches this many mm (checked every 5 minutes, once per crossing); 0 = off.</summary>
    public double EventRainMm { get; set; }

    public int EventRainMinutes { get; set; } = 60;

    /// <summary>A period is built this many seconds after it ends (node upload delay and the writer's batching).</summary>
    public int SettleSeconds { get; set; } = 120;

    /// <summary>Where reports begin when a platform's outbox is new: null = the period open at that first start.</summary>
    public DateTimeOffset? StartFrom { get; set; }

    public int PollSeconds { get; set; } = 15;

    public int KeepDays { get; set; } = 90;

    internal TimeSpan Offset => TimeSpan.FromHours(UtcOffsetHours);

    internal IEnumerable<string> Validate()
    {
        if (UtcOffsetHours is < -14 or > 14 || UtcOffsetHours * 4 != Math.Floor(UtcOffsetHours * 4))
        {
            yield return "Forwarding:Sl651:UtcOffsetHours must be -14–14 in quarter hours";
        }

        if (AnswerTimeoutSeconds is < 1 or > 600 || RetryCount is < 0 or > 100 || ReconnectSeconds is < 1 or > 3600)
        {
            yield return "Forwarding:Sl651:AnswerTimeoutSeconds (1–600), RetryCount (0–100) and ReconnectSeconds (1–3600) are out of range";
        }

        if (TimedReportMinutes < 0 || (TimedReportMinutes > 0 && (1440 % TimedReportMinutes != 0 || TimedReportMinutes % 5 != 0)))
        {
            yield return "Forwarding:Sl651:TimedReportMinutes must be 0 or a multiple of 5 that divides 1440";
        }

        if (EventRainMm < 0 || EventRainMinutes is < 5 or > 1440 || EventRainMinutes % 5 != 0)
        {
            yield return "Forwarding:Sl651:EventRainMm must be ≥ 0 and EventRainMinutes a multiple of 5 in 5–1440";
        }

        if (SettleSeconds is < 0 or > 86400 || PollSeconds is < 1 or > 3600 || KeepDays is < 1 or > 3650)
        {
            yield return "Forwarding:Sl651:SettleSeconds (0–86400), PollSeconds (1–3600) and KeepDays (1–3650) are out of range";
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Platforms.Count; i++)
        {
            var p = Platforms[i];
            var key = $"Forwarding:Sl651:Platforms:{i}";
            if (string.IsNullOrEmpty(p.Name) || p.Name.Length > 32 || !p.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || !names.Add(p.Name))
            {
                yield return $"{key}:Name must be a unique name of letters, digits, '-' or '_'";
            }

            if (string.IsNullOrWhiteSpace(p.Host) || p.Port is < 1 or > 65535)
            {
                yield return $"{key}:Host and Port must name the platform's TCP address";
            }

            if (p.CentreAddress is < 1 or > 255)
            {
                yield return $"{key}:CentreAddress must be 1–255 (one byte)";
            }

            if (p.Password is not { Length: 4 } || !p.Password.All(char.IsAsciiHexDigit))
            {
                yield return $"{key}:Password must be 4 hex digits (2 bytes)";
            }

            if (p.Sites.Count == 0)
            {
                yield return $"{key}:Sites must list at least one site with its station address";
            }

            var stations = new HashSet<string>(StringComparer.Ordinal);
            for (var j = 0; j < p.Sites.Count; j++)
            {
                var s = p.Sites[j];
                if (string.IsNullOrWhiteSpace(s.Site))
                {
                    yield return $"{key}:Sites:{j}:Site must be set";
                }

                if (s.Station is not { Length: 10 } || !s.Station.All(char.IsAsciiDigit) || !stations.Add(s.Station))
                {
                    yield return $"{key}:Sites:{j}:Station must be a unique address of 10 decimal digits";
                }

                if (s.Category is not { Length: 1 } || !Sl651Category.Known.ContainsKey(s.Category[0]))
                {
                    yield return $"{key}:Sites:{j}:Category must be one of {string.Join(' ', Sl651Category.Known.Keys)}";
                }

                if (!double.IsFinite(s.LevelBaseMetres) || Math.Abs(s.LevelBaseMetres) > 9999)
                {
                    yield return $"{key}:Sites:{j}:LevelBaseMetres must be a finite number of metres";
                }
            }
        }
    }
}
