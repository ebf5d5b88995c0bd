using IoTMonitor.Firmware.Host.Sensors;

namespace IoTMonitor.Firmware.Host.Tests.Sensors;

/// <summary>Wire details of the simulated parts, against the documents' own examples.</summary>
public sealed class FrontEnd_Tests
{
    [Fact]
    public void Modbus_crc_matches_the_spec_example()
    {
        // Modbus over Serial Line v1.02 §6.2.2 style check: 01 03 00 00 00 0A → CRC C5 CD (low byte first).
        var frame = new byte[] { 0x01, 0x03, 0x00, 0x00, 0x00, 0x0A };
        Assert.Equal(0xCDC5, SimulatedModbusSoilProbe.Crc16(frame, frame.Length));
    }

    [Fact]
    public void Dallas_crc_of_the_datasheet_rom_example_is_zero_over_the_whole_code()
    {
        // A ROM code with its CRC appended checks to 0 (DS18B20 datasheet, "CRC Generation").
        var rom = new byte[] { 0x28, 0xFF, 0x4C, 0x92, 0x61, 0x16, 0x04, 0x00 };
        rom[7] = SimulatedDs18b20.Crc8(rom, 7);
        Assert.Equal(0, SimulatedDs18b20.Crc8(rom, 8));
    }

    [Fact]
    public void Pms5003_answers_a_passive_read_with_a_checksummed_frame_and_stays_silent_asleep()
    {
        var pms = new SimulatedPms5003(() => 1_750_000_000, _ => (10, 20, 30));
        var read = new byte[] { 0x42, 0x4D, 0xE2, 0x00, 0x00, 0x01, 0x71 };
        pms.Write(read, 0, read.Length);
        var frame = new byte[64];
        Assert.Equal(32, pms.Read(frame, 0, frame.Length));
        var sum = 0;
        for (var i = 0; i < 30; i++)
        {
            sum += frame[i];
        }

        Assert.Equal(sum, (frame[30] << 8) | frame[31]);
        Assert.Equal(20, (frame[12] << 8) | frame[13]); // PM2.5 atmospheric

        var sleep = new byte[] { 0x42, 0x4D, 0xE4, 0x00, 0x00, 0x01, 0x73 };
        pms.Write(sleep, 0, sleep.Length);
        pms.Write(read, 0, read.Length);
        Assert.Equal(0, pms.Read(frame, 0, frame.Length));
    }

    [Fact]
    public void Bme280_trimming_follows_the_datasheet_worked_example()
    {
        // BST-BME280-DS002 §8.1 example: adc_T 519888 with these dig_T values gives 25.08 °C.
        var (t, _) = SimulatedBme280.CompensateT(519888);
        Assert.Equal(25.08, t, 2);
    }
}
