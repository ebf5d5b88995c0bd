using IoTMonitor.Gateway.Alerts.Engine;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Engine;

/// <summary>
/// The engine's lock lets a waiting caller in between two groups of the evaluation loop. A plain
/// <see cref="Monitor"/> lets the releasing thread enter again first, so a loop working off a backlog
/// kept the lease round (and the hand-over of partitions to a joining replica) out for the whole backlog.
/// </summary>
public sealed class EngineGateTests
{
    [Fact]
    public async Task A_caller_waiting_while_the_loop_runs_group_after_group_enters_between_two_groups()
    {
        var gate = new EngineGate();
        const int Groups = 300;
        var group = 0;
        var startedWaiting = -1;
        var enteredAt = -1;
        using var looping = new ManualResetEventSlim();

        var loop = Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < Groups; i++)
                {
                    using (gate.Enter())
                    {
                        Volatile.Write(ref group, i);
                        if (i == 10)
                        {
                            looping.Set();
                        }

                        Thread.Sleep(2); // a group's work, under the lock
                    }

                    gate.LetWaitingIn();
                }
            },
            TaskCreationOptions.LongRunning);

        looping.Wait(TimeSpan.FromSeconds(30));
        var caller = Task.Factory.StartNew(
            () =>
            {
                Volatile.Write(ref startedWaiting, Volatile.Read(ref group));
                using (gate.Enter())
                {
                    Volatile.Write(ref enteredAt, Volatile.Read(ref group));
                }
            },
            TaskCreationOptions.LongRunning);

        await Task.WhenAll(loop, caller).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.InRange(startedWaiting, 10, Groups - 1);

        // in at the next release, or (the loop stands aside 100 ms at most, should the caller be slow to wake) one of the few after it
        Assert.InRange(enteredAt, startedWaiting, startedWaiting + 10);
    }
}
