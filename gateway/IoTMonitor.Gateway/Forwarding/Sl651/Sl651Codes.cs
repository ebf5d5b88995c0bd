namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>Control characters of a HEX/BCD frame (SL 651-2014, frame control characters).</summary>
public static class Sl651Control
{
    /// <summary>SOH of a HEX/BCD frame is two bytes 7E 7E (an ASCII frame begins with 01).</summary>
    public const byte Soh = 0x7E;
    public const byte Stx = 0x02;

    /// <summary>Start of a multi-packet body (packet count and number follow); not sent by this forwarder.</summary>
    public const byte Syn = 0x16;
    public const byte Etx = 0x03;
    public const byte Eot = 0x04;
    public const byte Enq = 0x05;
    public const byte Ack = 0x06;
    public const byte Nak = 0x15;
    public const byte Etb = 0x17;
    public const byte Esc = 0x1B;

    public static bool IsEnd(byte b) => b is Etx or Eot or Enq or Ack or Nak or Etb or Esc;
}

/// <summary>Function codes (SL 651-2014 table of function codes) this forwarder sends or answers.</summary>
public static class Sl651Function
{
    public const byte KeepAlive = 0x2F;
    public const byte Test = 0x30;
    public const byte UniformInterval = 0x31;
    public const byte Timed = 0x32;
    public const byte Additional = 0x33;
    public const byte Hourly = 0x34;
    public const byte RealTimeQuery = 0x37;
    public const byte PeriodQuery = 0x38;
    public const byte SetClock = 0x4A;
    public const byte ClockQuery = 0x51;

    /// <summary>The reports this forwarder stores in its outbox and sends until the platform confirms them.</summary>
    public static bool IsReport(byte f) => f is Timed or Additional or Hourly;
}

/// <summary>Identifiers (guide codes) of the body (SL 651-2014 element identifier table).</summary>
public static class Sl651Element
{
    /// <summary>Observation time: F0 F0 then YYMMDDhhmm BCD.</summary>
    public const byte ObservationTime = 0xF0;

    /// <summary>Station address: F1 F1 then the 5-byte station address.</summary>
    public const byte StationAddress = 0xF1;

    /// <summary>DRP: the rain of each 5 minutes of the hour, 12 bytes HEX in 0.1 mm, FF = no data.</summary>
    public const byte Rain5Minutes = 0xF4;

    /// <summary>DRZ1: the relative water level every 5 minutes of the hour, 12 × 2 bytes HEX in cm, FFFF = no data.</summary>
    public const byte Level5Minutes = 0xF5;

    public const byte WaterTemperature = 0x03;
    public const byte TimeStep = 0x04;
    public const byte Rain1Hour = 0x1A;
    public const byte RainDay = 0x1F;
    public const byte RainCurrent = 0x20;
    public const byte RainAccumulated = 0x26;
    public const byte Voltage = 0x38;
    public const byte RiverStage = 0x39;
    public const byte Ph = 0x46;
    public const byte DissolvedOxygen = 0x47;
    public const byte Conductivity = 0x48;
    public const byte Turbidity = 0x49;

    /// <summary>Data definition byte: high 5 bits the data's byte count, low 3 bits its decimals.</summary>
    public static byte Definition(int bytes, int decimals) => (byte)((bytes << 3) | decimals);
}

/// <summary>Station category codes (SL 651-2014 table of station categories): an ASCII letter.</summary>
public static class Sl651Category
{
    public static readonly IReadOnlyDictionary<char, string> Known = new Dictionary<char, string>
    {
        ['P'] = "rainfall",
        ['H'] = "river",
        ['K'] = "reservoir",
        ['Z'] = "sluice/dam",
        ['D'] = "pumping station",
        ['T'] = "tide",
        ['M'] = "soil moisture",
        ['G'] = "groundwater",
        ['Q'] = "water quality",
        ['I'] = "water intake",
        ['O'] = "drain outlet",
    };
}
