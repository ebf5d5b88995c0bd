using IoTMonitor.Firmware.Core.Filters;

namespace IoTMonitor.Firmware.Core.Tests.Filters;

public class SampleFilterTests
{
    [Theory]
    [InlineData(FilterKind.Median, new[] { 5.0, 1, 100, 3, 4 }, 4.0)]
    [InlineData(FilterKind.Median, new[] { 1.0, 2, 3, 10 }, 2.5)]
    [InlineData(FilterKind.TrimmedMean, new[] { 5.0, 1, 100, 3, 4 }, 4.0)]
    [InlineData(FilterKind.TrimmedMean, new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9, 1000 }, 5.5)]
    [InlineData(FilterKind.None, new[] { 1.0, 2, 3 }, 3.0)]
    [InlineData(FilterKind.Median, new[] { 7.0 }, 7.0)]
    public void Reduces_samples(FilterKind kind, double[] samples, double expected)
    {
        Assert.Equal(expected, SampleFilter.Reduce(kind, (double[])samples.Clone(), samples.Length), 12);
    }
}
