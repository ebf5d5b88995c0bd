using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Rain;
using IoTMonitor.Firmware.Core.Time;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Tests.Signals;

/// <summary>Design storms and the catchment: the properties their definitions give (Keifer and Chu 1957; linear reservoir).</summary>
public sealed class StormSignalsTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(60)]
    [InlineData(180)]
    public void A_chicago_storm_holds_the_idf_depth_of_every_duration_around_its_peak(double minutes)
    {
        var storm = StormScenario.DefaultDesignStorm();
        var peakSec = storm.R * storm.DurationSec;
        var around = storm.DepthMm(peakSec + ((1 - storm.R) * minutes * 60)) - storm.DepthMm(peakSec - (storm.R * minutes * 60));
        Assert.Equal(storm.IdfDepthMm(minutes), around, 9);
    }

    [Fact]
    public void A_chicago_storms_intensity_integrates_to_its_depth_and_its_total_is_the_idf_depth_of_its_length()
    {
        var storm = StormScenario.DefaultDesignStorm();
        double sum = 0;
        const double step = 1; // s
        for (var t = 0.0; t < storm.DurationSec; t += step)
        {
            sum += storm.IntensityMmPerHour(t + (step / 2)) * step / 3600;
        }

        Assert.Equal(storm.DepthMm(storm.DurationSec), sum, 1);
        Assert.Equal(storm.IdfDepthMm(180), storm.DepthMm(storm.DurationSec), 9);
        Assert.InRange(storm.IdfDepthMm(60), 65, 75); // the documented ≈ 70 mm in 1 h
    }

    [Fact]
    public void A_recorded_storm_sums_its_table()
    {
        var storm = RecordedStorm.ConvectiveBurst();
        Assert.Equal(storm.Depths.Sum(), storm.DepthMm(storm.DurationSec), 9);
        Assert.Equal(storm.Depths[0] + (storm.Depths[1] / 2), storm.DepthMm(7.5 * 60), 9);
    }

    [Fact]
    public void The_catchment_returns_the_runoff_share_of_the_rain_and_its_level_peaks_after_the_rain()
    {
        var storm = StormScenario.DefaultDesignStorm();
        var scenario = new StormScenario(storm, startUtc: 0, tailHours: 24);
        var c = scenario.Catchment;
        double volume = 0, q = 0, peakLevel = 0, peakAt = 0;
        for (var i = 1; i * 60 <= storm.DurationSec + (24 * 3600); i++)
        {
            var mmPerHour = (storm.DepthMm(i * 60) - storm.DepthMm((i - 1) * 60)) * 60;
            var before = q;
            q = c.Step(q, mmPerHour, 60);
            volume += (before + q) / 2 * 60; // m³, trapezoid
            if (scenario.LevelM(i * 60) > peakLevel)
            {
                (peakLevel, peakAt) = (scenario.LevelM(i * 60), i * 60);
            }
        }

        var rainVolume = c.RunoffCoefficient * storm.DepthMm(storm.DurationSec) / 1000 * c.AreaKm2 * 1e6;
        Assert.Equal(rainVolume, volume, rainVolume * 0.01);
        Assert.True(peakAt > storm.R * storm.DurationSec, "the outlet peaks after the rain's peak");
        Assert.True(peakLevel > scenario.BaseLevelM + 0.5, $"peak {peakLevel:0.00} m over base {scenario.BaseLevelM:0.00} m");
        Assert.Equal(scenario.BaseLevelM, scenario.LevelM(-60));
    }

    [Fact]
    public void The_boards_pcf8593_gauge_counts_the_storms_whole_tips_through_the_core_driver()
    {
        var storm = new StormScenario(StormScenario.DefaultDesignStorm(), startUtc: 1_000_000);
        var env = new SiteEnvironment("flood-test", 30, 103, 600, new EnvironmentOptions { RainProbabilityPerBlock = 0, Storm = storm });
        long now = 1_000_000;
        var board = new NodeBoard("water", env, () => now, () => 3.9, _ => ProbeFault.None, 1);
        var factory = new SimulatedSensorFactory(board, new NoClock()) { RainTally = new TipTally() };
        var gauge = factory.Create(new SensorConfig { Id = "rain", Kind = "rain-pcf8593", Quantities = [Quantities.RainTotal], Bus = 1, MmPerTip = 0.2 });
        var raw = new double[1];
        Assert.Equal(ReadResult.Ok, gauge.Read(raw)); // the first read sets the counter up
        now += 3600;
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(Math.Floor(storm.DepthMm(now) / 0.2) * 0.2, raw[0], 9);
        Assert.Equal(board.TippingBucket.TipsAt(now), Math.Round(raw[0] / 0.2));

        // the counter's supply is cut: it counts again from its next set-up, whole tips from there
        board.TippingBucket.PowerCut();
        var before = raw[0];
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(before, raw[0], 9);
        now += 600;
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(before + ((board.TippingBucket.TipsAt(now) - board.TippingBucket.TipsWhenZeroed) * 0.2), raw[0], 9);
        Assert.Equal(Math.Floor((storm.DepthMm(now) / 0.2) + 1e-9) - Math.Floor((storm.DepthMm(now - 600) / 0.2) + 1e-9), board.TippingBucket.TipsAt(now) - board.TippingBucket.TipsWhenZeroed);
        Assert.Equal(storm.LevelM(now), env.WaterLevelM(now));
    }

    private sealed class NoClock : IClock
    {
        public long UtcSeconds => 0;

        public long Millis => 0;

        public void Sleep(int ms)
        {
        }
    }
}
