using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Bme280;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Bme280;

/// <summary>
/// Vectors from the reference (standards-and-datasheets.md B1): the worked compensation example of
/// BST-BMP280-DS001-11 (temperature and pressure are the same on the BME280) and the reference's
/// computed humidity vector (Bosch publishes none).
/// </summary>
public class Bme280Tests
{
    private const int AdcT = 519888;
    private const int AdcP = 415148;

    internal static Bme280CalibrationData DatasheetCalibration()
    {
        var c = new Bme280CalibrationData();
        c.Decode(Block1(), 0, Block2(), 0);
        return c;
    }

    private static byte[] Block1()
    {
        var b = new byte[26];
        int[] words = { 27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000 };
        for (int i = 0; i < words.Length; i++)
        {
            b[2 * i] = (byte)words[i];
            b[(2 * i) + 1] = (byte)(words[i] >> 8);
        }

        b[25] = 75; // dig_H1
        return b;
    }

    // dig_H2 = 362, H3 = 0, H4 = 313 (0x13, low nibble 9), H5 = 50 (0x03, high nibble 2), H6 = 30.
    private static byte[] Block2() => new byte[] { 0x6A, 0x01, 0x00, 0x13, 0x29, 0x03, 0x1E };

    [Fact]
    public void Calibration_words_decode_to_the_datasheet_example()
    {
        var c = DatasheetCalibration();
        Assert.Equal(
            new[] { 27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000, 75, 362, 0, 313, 50, 30 },
            new[] { c.DigT1, c.DigT2, c.DigT3, c.DigP1, c.DigP2, c.DigP3, c.DigP4, c.DigP5, c.DigP6, c.DigP7, c.DigP8, c.DigP9, c.DigH1, c.DigH2, c.DigH3, c.DigH4, c.DigH5, c.DigH6 });
    }

    [Fact]
    public void H4_and_H5_take_their_sign_from_the_high_byte_like_the_Bosch_driver()
    {
        var c = new Bme280CalibrationData();
        c.Decode(Block1(), 0, new byte[] { 0, 0, 0, 0x80, 0x21, 0xFF, 0 }, 0);
        Assert.Equal((-128 * 16) | 1, c.DigH4);
        Assert.Equal((-1 * 16) | 2, c.DigH5);
    }

    [Fact]
    public void Temperature_integer_matches_datasheet_worked_example()
    {
        int t = Bme280Compensation.CompensateTemperature(DatasheetCalibration(), AdcT, out int tFine);
        Assert.Equal(128422, tFine);
        Assert.Equal(2508, t); // 25.08 °C
    }

    [Fact]
    public void Temperature_double_matches_datasheet_worked_example()
    {
        double t = Bme280Compensation.CompensateTemperatureDouble(DatasheetCalibration(), AdcT, out double tFine);
        Assert.Equal(25.0825, t, 4);
        Assert.Equal(128422.287, tFine, 3);
    }

    [Fact]
    public void Pressure_int64_gives_the_published_formula_result_not_the_misprint()
    {
        // The datasheet prints 25767236; its own formula yields 25767233 (reference B1).
        Assert.True(Bme280Compensation.TryCompensatePressure(DatasheetCalibration(), AdcP, 128422, out long p));
        Assert.Equal(25767233L, p);
        Assert.Equal(100653.25, p / 256.0, 2);
    }

    [Fact]
    public void Pressure_double_matches_datasheet_worked_example()
    {
        var c = DatasheetCalibration();
        Bme280Compensation.CompensateTemperatureDouble(c, AdcT, out double tFine);
        Assert.True(Bme280Compensation.TryCompensatePressureDouble(c, AdcP, tFine, out double p));
        Assert.Equal(100653.27, p, 2);
        Assert.True(Bme280Compensation.TryCompensatePressureDouble(c, AdcP, 128422, out double pInt));
        Assert.Equal(100653.258, pInt, 3);
    }

    [Fact]
    public void Humidity_matches_the_reference_computed_vector()
    {
        var c = DatasheetCalibration();
        Assert.Equal(56317, Bme280Compensation.CompensateHumidity(c, 30000, 128422));
        Assert.Equal(55.0007, Bme280Compensation.CompensateHumidityDouble(c, 30000, 128422), 4);
    }

    [Fact]
    public void Humidity_is_clamped_to_0_and_100_percent()
    {
        var c = DatasheetCalibration();
        Assert.Equal(0, Bme280Compensation.CompensateHumidity(c, 0, 128422));
        Assert.Equal(100 * 1024, Bme280Compensation.CompensateHumidity(c, 65535, 128422));
    }

    [Fact]
    public void Zero_dig_P1_is_refused_instead_of_dividing_by_zero()
    {
        var c = DatasheetCalibration();
        c.DigP1 = 0;
        Assert.False(Bme280Compensation.TryCompensatePressure(c, AdcP, 128422, out _));
        Assert.False(Bme280Compensation.TryCompensatePressureDouble(c, AdcP, 128422, out _));
    }

    internal static FakeI2cBus DatasheetChip()
    {
        var bus = new FakeI2cBus(0x76);
        bus.SetRegisters(0xD0, 0x60);
        bus.SetRegisters(0x88, Block1());
        bus.SetRegisters(0xE1, Block2());
        bus.SetRegisters(0xF7, 0x65, 0x5A, 0xC0, 0x7E, 0xED, 0x00, 0x75, 0x30);
        return bus;
    }

    [Fact]
    public void Driver_reads_calibration_and_returns_T_RH_P_in_display_units()
    {
        var bus = DatasheetChip();
        var s = new Bme280Sensor(bus);
        Assert.Equal(ReadResult.Ok, s.Initialize());
        Assert.Equal(0x01, bus.Registers[0xF2]); // ctrl_hum osrs_h ×1
        Assert.Equal(ReadResult.Ok, s.Start());
        Assert.Equal(0x25, bus.Registers[0xF4]); // forced, ×1/×1
        Assert.Equal(10, s.WarmupMs);

        var raw = new double[3];
        Assert.Equal(ReadResult.Ok, s.Read(raw));
        Assert.Equal(25.08, raw[Bme280Sensor.TemperatureChannel], 10);
        Assert.Equal(56317 / 1024.0, raw[Bme280Sensor.HumidityChannel], 10);
        Assert.Equal(25767233 / 25600.0, raw[Bme280Sensor.PressureChannel], 10);

        s.Sleep();
        Assert.Equal(0x24, bus.Registers[0xF4]);
    }

    [Fact]
    public void Driver_reports_not_ready_while_measuring()
    {
        var bus = DatasheetChip();
        var s = new Bme280Sensor(bus);
        s.Initialize();
        s.Start();
        bus.Registers[0xF3] = 0x08;
        Assert.Equal(ReadResult.NotReady, s.Read(new double[3]));
    }

    [Fact]
    public void Faults_are_result_codes()
    {
        var raw = new double[3];
        var absent = new Bme280Sensor(new FakeI2cBus(0x77));
        Assert.Equal(ReadResult.NoResponse, absent.Initialize());
        Assert.Equal(ReadResult.NotInitialized, absent.Read(raw));
        Assert.Equal(ReadResult.NotInitialized, absent.Start());
        absent.Sleep();

        var bmp = DatasheetChip();
        bmp.Registers[0xD0] = 0x58;
        Assert.Equal(ReadResult.Fault, new Bme280Sensor(bmp).Initialize());

        var erased = DatasheetChip();
        erased.SetRegisters(0x88, new byte[26]);
        Assert.Equal(ReadResult.Fault, new Bme280Sensor(erased).Initialize());

        var skipped = DatasheetChip();
        var s = new Bme280Sensor(skipped);
        s.Initialize();
        skipped.SetRegisters(0xF7, 0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00);
        Assert.Equal(ReadResult.Fault, s.Read(raw));

        var lost = DatasheetChip();
        var s2 = new Bme280Sensor(lost);
        s2.Initialize();
        lost.ForcedResult = ReadResult.BusError;
        Assert.Equal(ReadResult.BusError, s2.Read(raw));
    }

    [Fact]
    public void Out_of_range_values_are_kept_and_flagged()
    {
        var bus = DatasheetChip();
        var s = new Bme280Sensor(bus);
        s.Initialize();
        // adc_P near full scale gives a pressure below 300 hPa.
        bus.SetRegisters(0xF7, 0xFF, 0xFF, 0x00);
        var raw = new double[3];
        Assert.Equal(ReadResult.OutOfRange, s.Read(raw));
        Assert.True(raw[Bme280Sensor.PressureChannel] < 300);
    }

    [Fact]
    public void Read_allocates_nothing()
    {
        var s = new Bme280Sensor(DatasheetChip());
        s.Initialize();
        s.Start();
        var raw = new double[3];
        s.Read(raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            s.Read(raw);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
