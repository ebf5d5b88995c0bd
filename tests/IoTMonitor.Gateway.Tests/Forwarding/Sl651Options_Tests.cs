using IoTMonitor.Gateway.Forwarding.Sl651;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>A wrong SL 651 key stops the start with a message naming it.</summary>
public sealed class Sl651Options_Tests
{
    [Fact]
    public void Each_wrong_key_is_named()
    {
        var o = new Sl651Options
        {
            TimedReportMinutes = 7,
            Platforms =
            [
                new Sl651Platform
                {
                    Name = "a b", Host = "127.0.0.1", Port = 5005, CentreAddress = 0, Password = "12G4",
                    Sites = [new Sl651Station { Site = "s1", Station = "123456789", Category = "X" }, new Sl651Station { Site = "s2", Station = "0012345678", LevelBaseMetres = double.NaN }],
                },
            ],
        };

        var problems = o.Validate().ToList();
        Assert.Contains(problems, p => p.StartsWith("Forwarding:Sl651:TimedReportMinutes", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Forwarding:Sl651:Platforms:0:Name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Forwarding:Sl651:Platforms:0:CentreAddress", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Forwarding:Sl651:Platforms:0:Password", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Forwarding:Sl651:Platforms:0:Sites:0:Station", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Forwarding:Sl651:Platforms:0:Sites:0:Category", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Forwarding:Sl651:Platforms:0:Sites:1:LevelBaseMetres", StringComparison.Ordinal));
        Assert.Equal(7, problems.Count);
    }

    [Fact]
    public void A_valid_configuration_has_no_problem()
    {
        var o = new Sl651Options
        {
            Platforms = [new Sl651Platform { Name = "county-flood", Host = "127.0.0.1", Port = 5005, CentreAddress = 1, Password = "1234", Sites = [new Sl651Station { Site = "river-1", Station = "0012345678", Category = "H", LevelBaseMetres = 312.5 }] }],
        };
        Assert.Empty(o.Validate());
    }
}
