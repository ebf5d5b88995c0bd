using Microsoft.Extensions.Logging;

namespace IoTMonitor.Testing;

/// <summary>Keeps what was logged, so a test can check what an operator would read, not only what was counted.</summary>
public sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Text)> _entries = [];
    private readonly List<string> _exceptions = [];

    public IReadOnlyList<(LogLevel Level, string Text)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>The messages of the exceptions logged with an entry.</summary>
    public IReadOnlyList<string> Exceptions
    {
        get
        {
            lock (_entries)
            {
                return [.. _exceptions];
            }
        }
    }

    public List<string> Lines(LogLevel level) => Entries.Where(e => e.Level == level).Select(e => e.Text).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception)));
            if (exception is not null)
            {
                _exceptions.Add(exception.Message);
            }
        }
    }
}
