using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Ads1115;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Ads1115;

/// <summary>
/// The ADS1115 driver against TI SBAS444D: Config register fields and reset value (§9.6, Table 8),
/// full-scale range and LSB per PGA (§9.3.3, Table 1), output codes (§9.5.4, Table 3), conversion
/// time per data rate (§9.3.6, ±10 % data-rate variation), the register access sequence (pointer
/// byte, then MSB, LSB: §9.5.3) and OS polling in single-shot mode (§9.4.2).
/// </summary>
public sealed class Ads1115Tests
{
    /// <summary>
    /// The chip as a master sees it: pointer register, Config/Conversion, OS reads 0 for
    /// <see cref="BusyReads"/> Config reads after a start. Records every write.
    /// </summary>
    private sealed class Chip : II2cBus
    {
        private int _pointer;
        private int _busy;

        public int Config { get; private set; } = Ads1115Register.ConfigReset;

        public int Conversion { get; set; }

        public int BusyReads { get; set; } = 2;

        public ReadResult Forced { get; set; } = ReadResult.Ok;

        public List<byte[]> Writes { get; } = [];

        public int ConfigReads { get; private set; }

        public ReadResult WriteRead(int address, byte[] write, int writeCount, byte[] read, int readCount)
        {
            if (Forced != ReadResult.Ok || address != 0x48)
            {
                return Forced != ReadResult.Ok ? Forced : ReadResult.NoResponse;
            }

            if (writeCount > 0)
            {
                Writes.Add(write.AsSpan(0, writeCount).ToArray());
                _pointer = write[0] & 3;
                if (_pointer == 1 && writeCount == 3)
                {
                    Config = (write[1] << 8) | write[2];
                    _busy = BusyReads;
                }
            }

            if (readCount == 2)
            {
                int v;
                if (_pointer == 1)
                {
                    ConfigReads++;
                    v = (Config & 0x7FFF) | (_busy > 0 ? 0 : 0x8000);
                    if (_busy > 0)
                    {
                        _busy--;
                    }
                }
                else
                {
                    v = Conversion & 0xFFFF;
                }

                read[0] = (byte)(v >> 8);
                read[1] = (byte)v;
            }

            return ReadResult.Ok;
        }
    }

    [Fact]
    public void Reset_config_8583h_decodes_to_the_datasheet_defaults()
    {
        // Table 8: OS 1, MUX 000 (AIN0–AIN1), PGA 010 (±2.048 V), MODE 1 (single-shot), DR 100 (128 SPS), COMP_QUE 11
        const int c = Ads1115Register.ConfigReset;
        Assert.Equal(1, c >> 15);
        Assert.Equal(0, (c >> Ads1115Register.MuxShift) & 7);
        Assert.Equal(2, (c >> Ads1115Register.PgaShift) & 7);
        Assert.Equal(Ads1115Register.ModeSingleShot, c & Ads1115Register.ModeSingleShot);
        Assert.Equal(Ads1115Settings.DefaultDataRate, (c >> Ads1115Register.DataRateShift) & 7);
        Assert.Equal(Ads1115Register.ComparatorDisabled, c & 3);
        // the same fields through the driver's encoder give the reset value back
        Assert.Equal(0x8583, Ads1115Settings.SingleShotWord(0, 2, 4));
    }

    [Theory]
    [InlineData(4, 1, 4, 0xC383)] // AIN0/GND, ±4.096 V, 128 SPS
    [InlineData(5, 4, 4, 0xD983)] // AIN1/GND, ±0.512 V, 128 SPS
    [InlineData(7, 5, 7, 0xFBE3)] // AIN3/GND, ±0.256 V, 860 SPS
    [InlineData(6, 0, 0, 0xE103)] // AIN2/GND, ±6.144 V, 8 SPS
    public void Single_shot_config_words_follow_table_8(int mux, int pga, int dr, int expected)
    {
        Assert.Equal(expected, Ads1115Settings.SingleShotWord(mux, pga, dr));
    }

    [Theory]
    [InlineData(6144, 187.5)]
    [InlineData(4096, 125.0)]
    [InlineData(2048, 62.5)]
    [InlineData(1024, 31.25)]
    [InlineData(512, 15.625)]
    [InlineData(256, 7.8125)]
    public void Lsb_per_full_scale_range_is_table_1(int fullScaleMv, double lsbMicrovolts)
    {
        var pga = Ads1115Settings.PgaForFullScaleMv(fullScaleMv);
        Assert.InRange(pga, 0, 5);
        Assert.Equal(lsbMicrovolts, Ads1115Settings.LsbVolts(pga) * 1e6, 9);
        Assert.Equal(-1, Ads1115Settings.PgaForFullScaleMv(3300));
    }

    [Theory]
    [InlineData(0x7F, 0xFF, 2.048 * 32767 / 32768)] // +FS (2^15 − 1)/2^15
    [InlineData(0x00, 0x01, 2.048 / 32768)] // +FS/2^15
    [InlineData(0x00, 0x00, 0.0)]
    [InlineData(0xFF, 0xFF, -2.048 / 32768)] // −FS/2^15
    [InlineData(0x80, 0x00, -2.048)] // ≤ −FS
    public void Output_codes_are_table_3(int msb, int lsb, double volts)
    {
        Assert.Equal(volts, Ads1115Settings.ToVolts(msb, lsb, 2), 12);
    }

    [Theory]
    [InlineData(0, 138)] // 8 SPS: 125 ms × 1.1 + 25 µs
    [InlineData(4, 9)] // 128 SPS: 7.8 ms × 1.1
    [InlineData(7, 2)] // 860 SPS: 1.16 ms × 1.1
    public void Conversion_time_is_one_over_the_data_rate_with_its_tolerance(int dr, int maxMs)
    {
        Assert.Equal(maxMs, Ads1115Settings.MaxConversionMs(dr));
    }

    [Fact]
    public void A_conversion_writes_config_polls_os_then_reads_the_conversion_register()
    {
        var chip = new Chip { Conversion = 0x2000 }; // 8192 counts
        var adc = new Ads1115Adc(chip, 0x48, new FakeClock());
        Assert.Equal(ReadResult.Ok, adc.Convert(4, 1, 4, out var volts));
        Assert.Equal(1.024, volts, 12); // 8192 × 125 µV
        Assert.Equal(new byte[] { 0x01, 0xC3, 0x83 }, chip.Writes[0]); // pointer to Config, MSB, LSB
        Assert.Equal(new byte[] { 0x01 }, chip.Writes[1]); // Config read for OS
        Assert.Equal(new byte[] { 0x00 }, chip.Writes[^1]); // pointer to Conversion, then the read
        Assert.Equal(3, adc.LastPolls); // OS 0 twice, then 1
    }

    [Fact]
    public void A_channel_reads_negative_codes_and_clips_at_full_scale()
    {
        var chip = new Chip { BusyReads = 0, Conversion = 0xFFFF };
        var channel = new Ads1115Channel(new Ads1115Adc(chip, 0x48, new FakeClock()), 1, 4, 4);
        Assert.True(channel.TryReadVolts(out var v));
        Assert.Equal(-15.625e-6, v, 12);
        Assert.Equal(0xD983, chip.Config); // AIN1, ±0.512 V
        chip.Conversion = 0x7FFF;
        Assert.True(channel.TryReadVolts(out v));
        Assert.Equal(ReadResult.OutOfRange, channel.LastResult);
        Assert.Equal(0.512 * 32767 / 32768, v, 12);
    }

    [Fact]
    public void A_conversion_that_never_finishes_gives_up_after_its_time()
    {
        var clock = new FakeClock();
        var chip = new Chip { BusyReads = int.MaxValue };
        var adc = new ClockedChip(chip, clock);
        var driver = new Ads1115Adc(adc, 0x48, clock);
        Assert.Equal(ReadResult.NotReady, driver.Convert(4, 1, 4, out var v));
        Assert.True(double.IsNaN(v));
        Assert.InRange(clock.Millis, Ads1115Settings.MaxConversionMs(4), Ads1115Settings.MaxConversionMs(4) + 3);
    }

    [Fact]
    public void Another_chip_or_a_silent_bus_is_reported_not_read()
    {
        var chip = new Chip { Forced = ReadResult.NoResponse };
        Assert.Equal(ReadResult.NoResponse, new Ads1115Adc(chip, 0x48, new FakeClock()).Convert(4, 1, 4, out _));
        var channel = new Ads1115Channel(new Ads1115Adc(chip, 0x48, new FakeClock()), 0, 1, 4);
        Assert.False(channel.TryReadVolts(out _));

        // a device that ignores the Config write (reads back the reset value) is not an ADS1115 doing our conversion
        var deaf = new DeafChip();
        Assert.Equal(ReadResult.Fault, new Ads1115Adc(deaf, 0x48, new FakeClock()).Convert(4, 1, 4, out _));
    }

    [Fact]
    public void The_catalog_puts_an_analog_entry_with_adc_ads1115_on_its_channel_and_range()
    {
        var json = """
            {"v":1,"device":"d","site":"s","type":"water","wifi":{"ssid":"","password":""},"mqtt":{"host":"h"},
             "sensors":[{"id":"ec","kind":"analog","quantity":"water.ec","adc":"ads1115","bus":1,"address":72,"channel":1},
                        {"id":"ph","kind":"analog","quantity":"water.ph","adc":"ads1115","bus":1,"channel":0,"pga":2048}]}
            """u8.ToArray();
        var config = new DeviceConfig();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(json, 0, json.Length, config));
        Assert.Equal(SensorConfig.AdcAds1115, config.Sensors[0].Adc);
        Assert.Equal(1, config.Sensors[0].Channel);
        Assert.Equal(SensorCatalog.EcFullScaleMv, SensorCatalog.FullScaleMv(config.Sensors[0]));
        Assert.Equal(2048, SensorCatalog.FullScaleMv(config.Sensors[1]));

        var chip = new Chip { BusyReads = 0, Conversion = 5333 }; // 83.3 mV: 0.51 mS/cm on the DFR0300 curve
        var buses = new OneI2cBus(chip);
        var sensor = new SensorCatalog(buses, new FakeClock()).Create(config.Sensors[0]);
        Assert.NotNull(sensor);
        Assert.Equal(ReadResult.Ok, sensor.Initialize());
        var raw = new double[2];
        Assert.Equal(ReadResult.Ok, sensor.Read(raw));
        Assert.Equal(0xD983, chip.Config); // AIN1 at ±0.512 V
        Assert.Equal(1000 * (5333 * 15.625e-3) / 820 / 200 * 1000, raw[0], 6); // DFR0300: µS/cm at 25 °C, K = 1
    }

    [Theory]
    [InlineData("\"adc\":\"ads1015\",\"channel\":0", ConfigError.BadValue)]
    [InlineData("\"adc\":\"ads1115\"", ConfigError.MissingField)]
    [InlineData("\"adc\":\"ads1115\",\"channel\":4", ConfigError.BadValue)]
    [InlineData("\"adc\":\"ads1115\",\"channel\":0,\"pga\":3300", ConfigError.BadValue)]
    public void Bad_ads1115_keys_are_config_errors(string keys, ConfigError expected)
    {
        var json = System.Text.Encoding.UTF8.GetBytes("{\"v\":1,\"device\":\"d\",\"site\":\"s\",\"type\":\"water\",\"wifi\":{\"ssid\":\"\"},\"mqtt\":{\"host\":\"h\"},\"sensors\":[{\"id\":\"ph\",\"kind\":\"analog\",\"quantity\":\"water.ph\",\"bus\":1," + keys + "}]}");
        Assert.Equal(expected, new ConfigParser().ParseDevice(json, 0, json.Length, new DeviceConfig()));
    }

    private sealed class ClockedChip(II2cBus inner, FakeClock clock) : II2cBus
    {
        public ReadResult WriteRead(int address, byte[] write, int writeCount, byte[] read, int readCount)
        {
            clock.Advance(1); // each transfer takes time
            return inner.WriteRead(address, write, writeCount, read, readCount);
        }
    }

    private sealed class DeafChip : II2cBus
    {
        public ReadResult WriteRead(int address, byte[] write, int writeCount, byte[] read, int readCount)
        {
            if (readCount == 2)
            {
                read[0] = 0x85;
                read[1] = 0x83;
            }

            return ReadResult.Ok;
        }
    }

    private sealed class OneI2cBus(II2cBus bus) : IBusProvider
    {
        public IAnalogInput? Analog(int pin) => null;

        public II2cBus? I2c(int b) => b == 1 ? bus : null;

        public IUart? Uart(int tx, int rx, int baudRate) => null;

        public IOneWireBus? OneWire(int tx, int rx) => null;
    }
}
