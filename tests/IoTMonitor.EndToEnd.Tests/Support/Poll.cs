using System.Net.Http.Json;
using System.Text.Json;

namespace IoTMonitor.EndToEnd.Tests.Support;

/// <summary>Waits for a condition with a generous deadline (never asserts on elapsed time).</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var value = await read();
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {seconds} s waiting for {what}; last: {value}");
            }

            await Task.Delay(100);
            value = await read();
        }

        return value;
    }

    /// <summary>Polls a JSON document of the API until <paramref name="done"/> holds.</summary>
    public static Task<JsonElement> JsonAsync(HttpClient http, string path, Func<JsonElement, bool> done, string what) =>
        UntilAsync(() => http.GetFromJsonAsync<JsonElement>(path), done, what);
}
