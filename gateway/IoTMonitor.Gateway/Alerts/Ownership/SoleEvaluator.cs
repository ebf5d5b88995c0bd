using IoTMonitor.Gateway.Alerts.Engine;

namespace IoTMonitor.Gateway.Alerts.Ownership;

/// <summary>One gateway evaluates every site: nothing is ever handed off.</summary>
internal sealed class SoleEvaluator : EvaluatorOwnership
{
    public static readonly SoleEvaluator Instance = new();

    private SoleEvaluator()
    {
    }

    public override long Generation => 0;

    public override bool Shared => false;

    public override bool Owns(string site) => true;

    public override IReadOnlyList<Work> Reload(Action reloadState)
    {
        reloadState();
        return [];
    }

    public override void HandOff(in Work work) =>
        throw new InvalidOperationException("a sole evaluator owns every site: nothing is handed off");

    public override bool Take(long handOff) =>
        throw new InvalidOperationException("a sole evaluator owns every site: nothing is handed off");
}
