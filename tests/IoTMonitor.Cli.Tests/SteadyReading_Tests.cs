using IoTMonitor.Cli.Calibration;

namespace IoTMonitor.Cli.Tests;

public sealed class SteadyReading_Tests
{
    [Fact]
    public void A_reading_taken_while_the_probe_moved_breaks_the_run_and_the_window_slides_on()
    {
        var steady = new SteadyReading(3, 0.01);
        Assert.False(steady.Add(1.50)); // still in the pH 7 buffer
        Assert.False(steady.Add(1.93));
        Assert.False(steady.Add(1.925)); // 1.50 is still in the window
        Assert.True(steady.Add(1.921));
        Assert.Equal(1.925, steady.Median());
    }

    [Fact]
    public void The_median_of_an_even_window_is_the_mean_of_the_middle_two()
    {
        var steady = new SteadyReading(4, 0.1);
        foreach (var v in new[] { 1.0, 1.04, 1.02, 1.01 })
        {
            steady.Add(v);
        }

        Assert.Equal(1.015, steady.Median(), 9);
    }
}
