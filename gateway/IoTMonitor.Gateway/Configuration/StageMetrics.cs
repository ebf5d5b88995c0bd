using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Configuration;

/// <summary>
/// A stage's lines of <c>/metrics</c>. Each stage registers its own with
/// <see cref="StageMetrics.AddStageMetrics{T}"/> in its <c>Add&lt;Stage&gt;()</c>; the endpoint writes
/// every registered one, in registration order, and knows none of them. The counters stay plain
/// fields incremented with <see cref="Interlocked"/>: they are on the ingest hot path, where a
/// <c>System.Diagnostics.Metrics</c> instrument with tags costs more per message.
/// </summary>
public interface IStageMetrics
{
    void WriteTo(PrometheusText text);
}

public static class StageMetrics
{
    public static IServiceCollection AddStageMetrics<T>(this IServiceCollection services)
        where T : class, IStageMetrics
    {
        services.AddSingleton<IStageMetrics, T>();
        return services;
    }
}

/// <summary>The Prometheus text exposition format 0.0.4: <c># HELP</c>, <c># TYPE</c>, then <c>name{labels} value</c> lines.</summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _sb = new(4096);

    public void Counter(string name, string help, long value)
    {
        Header(name, "counter", help);
        Line(name, string.Empty, value);
    }

    public void Gauge(string name, string help, long value)
    {
        Header(name, "gauge", help);
        Line(name, string.Empty, value);
    }

    public void Header(string name, string type, string help) =>
        _sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    public void Line(string name, string labels, double value) =>
        _sb.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>Lines a stage renders itself (already in the format).</summary>
    public void Append(string lines) => _sb.Append(lines);

    /// <summary>A label value with backslash, double quote and line feed escaped, as the format asks.</summary>
    public static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public override string ToString() => _sb.ToString();
}
