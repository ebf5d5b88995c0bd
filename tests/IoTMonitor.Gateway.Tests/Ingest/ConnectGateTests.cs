using System.Net;
using IoTMonitor.Gateway.Ingest.Embedded;

namespace IoTMonitor.Gateway.Tests.Ingest;

/// <summary>The waiting room before CONNECT: a new connection over a cap closes the oldest waiting one of its address, then of all.</summary>
public sealed class ConnectGateTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    private static IPEndPoint At(string address, int port) => new(IPAddress.Parse(address), port);

    [Fact]
    public void Over_the_per_address_cap_the_oldest_of_that_address_is_closed()
    {
        var cuts = new List<(ConnectGate.Cut Why, EndPoint? Remote)>();
        using var gate = new ConnectGate(Long, maxTotal: 10, maxPerAddress: 2, (why, remote, _) => cuts.Add((why, remote)));
        var closed = new List<int>();
        gate.Admit(At("10.0.0.1", 1), () => closed.Add(1));
        gate.Admit(At("10.0.0.2", 2), () => closed.Add(2));
        gate.Admit(At("10.0.0.1", 3), () => closed.Add(3));
        gate.Admit(At("10.0.0.1", 4), () => closed.Add(4));
        Assert.Equal([1], closed);
        Assert.Equal([(ConnectGate.Cut.Evicted, (EndPoint?)At("10.0.0.1", 1))], cuts);
        Assert.Equal(3, gate.Count);
    }

    [Fact]
    public void Over_the_total_cap_the_oldest_of_all_is_closed_and_one_through_its_CONNECT_no_longer_counts()
    {
        using var gate = new ConnectGate(Long, maxTotal: 2, maxPerAddress: 10, (_, _, _) => { });
        var closed = new List<int>();
        var first = gate.Admit(At("10.0.0.1", 1), () => closed.Add(1));
        first.Dispose(); // its CONNECT arrived
        gate.Admit(At("10.0.0.2", 2), () => closed.Add(2));
        gate.Admit(At("10.0.0.3", 3), () => closed.Add(3));
        Assert.Empty(closed);
        gate.Admit(At("10.0.0.4", 4), () => closed.Add(4));
        Assert.Equal([2], closed);
        Assert.Equal(2, gate.Count);
    }

    [Fact]
    public async Task A_connection_without_CONNECT_is_closed_at_the_deadline_and_one_with_it_is_not()
    {
        var deadlines = 0;
        using var gate = new ConnectGate(TimeSpan.FromMilliseconds(200), 10, 10, (why, _, _) => deadlines += why == ConnectGate.Cut.Deadline ? 1 : 0);
        var idle = new TaskCompletionSource();
        var deviceClosed = false;
        gate.Admit(At("10.0.0.1", 1), () => idle.TrySetResult());
        var device = gate.Admit(At("10.0.0.1", 2), () => deviceClosed = true);
        device.Dispose();
        await idle.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(400);
        Assert.False(deviceClosed);
        Assert.Equal(1, deadlines);
        Assert.Equal(0, gate.Count);
    }
}
