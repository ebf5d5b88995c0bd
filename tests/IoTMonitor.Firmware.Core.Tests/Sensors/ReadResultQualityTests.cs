using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors;

public class ReadResultQualityTests
{
    [Theory]
    [InlineData(ReadResult.Ok, QualityFlags.None, true)]
    [InlineData(ReadResult.WarmingUp, QualityFlags.WarmingUp, true)]
    [InlineData(ReadResult.OutOfRange, QualityFlags.OutOfRange, true)]
    [InlineData(ReadResult.FaultWithValue, QualityFlags.SensorFault, true)]
    [InlineData(ReadResult.NoResponse, QualityFlags.NoValue, false)]
    [InlineData(ReadResult.BadCrc, QualityFlags.NoValue, false)]
    [InlineData(ReadResult.OpenCircuit, QualityFlags.NoValue, false)]
    [InlineData(ReadResult.NotReady, QualityFlags.NoValue, false)]
    public void Maps_result_to_protocol_flags(ReadResult result, int flags, bool hasValue)
    {
        Assert.Equal(flags, ReadResultQuality.ToFlags(result));
        Assert.Equal(hasValue, ReadResultQuality.HasValue(result));
    }

    [Fact]
    public void Flag_bits_match_protocol_section_4()
    {
        Assert.Equal(new[] { 1, 2, 4, 8, 16, 32, 64 }, new[]
        {
            QualityFlags.OutOfRange, QualityFlags.Stuck, QualityFlags.NoValue, QualityFlags.WarmingUp,
            QualityFlags.Uncalibrated, QualityFlags.TimeEstimated, QualityFlags.SensorFault,
        });
    }
}
