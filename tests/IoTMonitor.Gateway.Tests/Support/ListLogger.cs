using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Tests.Support;

/// <summary>Keeps what is logged, by level, for tests that check what an operator would read.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Text)> _lines = [];

    public List<string> Exceptions { get; } = [];

    public List<string> Lines(LogLevel level)
    {
        lock (_lines)
        {
            return _lines.Where(l => l.Level == level).Select(l => l.Text).ToList();
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add((logLevel, formatter(state, exception)));
            if (exception is not null)
            {
                Exceptions.Add(exception.Message);
            }
        }
    }
}
