using System.CommandLine;
using IoTMonitor.Cli.Commands;
using IoTMonitor.Cli.Text;
using Spectre.Console;

namespace IoTMonitor.Cli;

/// <summary>
/// The <c>iotmon</c> command tree. <see cref="RunAsync"/> is the whole program (Main calls it; the
/// tests call it in-process with their own writers). Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class CliApp
{
    public const string DefaultGateway = "http://127.0.0.1:8080";

    public static readonly Option<string> GatewayOption = new("--gateway")
    {
        Description = "Gateway HTTP address (env IOTMON_GATEWAY; default " + DefaultGateway + ")",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("IOTMON_GATEWAY") is { Length: > 0 } g ? g : DefaultGateway,
    };

    public static readonly Option<string?> ApiKeyOption = new("--api-key")
    {
        Description = "API key sent as X-Api-Key (env IOTMON_API_KEY)",
        Recursive = true,
    };

    public static readonly Option<FileInfo?> ApiKeyFileOption = new("--api-key-file")
    {
        Description = "File holding the API key (e.g. .local/admin.key written by scripts/run.sh)",
        Recursive = true,
    };

    public static readonly Option<string?> LangOption = new("--lang")
    {
        Description = "Language of the messages for the technician: zh-CN or en (default: LC_ALL, LC_MESSAGES or LANG; zh_CN → Chinese, else English)",
        Recursive = true,
    };

    /// <summary>Runs <c>iotmon</c> with <paramref name="args"/>; output goes to <paramref name="console"/> (or one built on <paramref name="stdout"/>).</summary>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default, TextReader? stdin = null)
    {
        console ??= ReferenceEquals(stdout, Console.Out)
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        if (!console.Profile.Capabilities.Interactive && console.Profile.Width < 140)
        {
            console.Profile.Width = 140; // redirected output: do not wrap tables at 80 columns
        }

        var context = new CliContext(console, stdout, stderr, stdin ?? Console.In);
        var root = Build(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await stderr.WriteLineAsync("iotmon: " + e.Message).ConfigureAwait(false);
            }

            await stderr.WriteLineAsync("Run 'iotmon " + string.Join(' ', CommandPath(parse)) + " --help' for usage.").ConfigureAwait(false);
            return ExitCodes.BadArguments;
        }

        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(20) };
        return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        System.CommandLine.Parsing.SymbolResult? r = parse.CommandResult;
        while (r is System.CommandLine.Parsing.CommandResult c && c.Parent is not null)
        {
            names.Insert(0, c.Command.Name);
            r = c.Parent;
        }

        return names;
    }

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("""
            iotmon — register, flash and check IoTMonitor nodes, run a simulated fleet, and read the gateway's data.

            Examples:
              iotmon provision --site wei-xianyang --device wq-0001 --type water --mqtt-host gw.example.org --api-key-file .local/admin.key
              iotmon simulate --devices 36 --profile mix --speedup 60 --duration 10m --api-key-file .local/admin.key
              iotmon devices --api-key-file .local/admin.key
              iotmon config --device wq-0001 --sample-sec 300 --wait 20m --api-key-file .local/operator.key
            """);
        root.Add(GatewayOption);
        root.Add(ApiKeyOption);
        root.Add(ApiKeyFileOption);
        root.Add(LangOption);
        root.Add(ProvisionCommand.Create(context));
        root.Add(FlashCommand.Create(context));
        root.Add(CheckCommand.Create(context));
        root.Add(SimulateCommand.Create(context));
        root.Add(DevicesCommand.Create(context));
        root.Add(QueryCommand.Create(context));
        root.Add(ExportCommand.Create(context));
        root.Add(AlertsCommand.Create(context));
        root.Add(ForwardingCommand.Create(context));
        root.Add(ConfigCommand.Create(context));
        root.Add(NodeCommandCommand.Create(context));
        root.Add(CalibrateCommand.Create(context));
        return root;
    }
}

/// <summary>What every command gets: the console, the writers, and the gateway client for its options.</summary>
public sealed class CliContext(IAnsiConsole console, TextWriter stdout, TextWriter stderr, TextReader stdin)
{
    /// <summary>What the user types (the steps of <c>calibrate</c>).</summary>
    public TextReader In { get; } = stdin;

    public IAnsiConsole Console { get; } = console;

    public TextWriter Out { get; } = stdout;

    public TextWriter Err { get; } = stderr;

    /// <summary>Whether the console can redraw in place (live display, progress bars).</summary>
    public bool Interactive => Console.Profile.Capabilities.Interactive && Console.Profile.Capabilities.Ansi;

    /// <summary>The technician's language (<c>--lang</c>, else the locale environment: <see cref="CliLanguage"/>).</summary>
    public static CliText Text(ParseResult parse) => new(CliLanguage.Resolve(parse.GetValue(CliApp.LangOption), Environment.GetEnvironmentVariable));

    public GatewayClient Gateway(ParseResult parse, TimeSpan? timeout = null)
    {
        var raw = parse.GetValue(CliApp.GatewayOption) ?? CliApp.DefaultGateway;
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
        {
            throw new CliException($"--gateway '{raw}' is not an http(s) URL (example: {CliApp.DefaultGateway})", ExitCodes.BadArguments);
        }

        return new GatewayClient(url, ApiKey(parse), timeout);
    }

    public static string? ApiKey(ParseResult parse)
    {
        if (parse.GetValue(CliApp.ApiKeyOption) is { Length: > 0 } key)
        {
            return key;
        }

        if (parse.GetValue(CliApp.ApiKeyFileOption) is { } file)
        {
            if (!file.Exists)
            {
                throw new CliException($"--api-key-file {file.FullName} does not exist", ExitCodes.BadArguments);
            }

            return File.ReadAllText(file.FullName).Trim();
        }

        return Environment.GetEnvironmentVariable("IOTMON_API_KEY") is { Length: > 0 } env ? env : null;
    }

    /// <summary>Sets <paramref name="command"/>'s action with the CLI's error handling around it.</summary>
    public void Action(Command command, Func<ParseResult, CancellationToken, Task<int>> run)
    {
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await run(parse, ct).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                await Err.WriteLineAsync($"iotmon {command.Name}: {e.Message}").ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (HttpProblem e)
            {
                await Err.WriteLineAsync($"iotmon {command.Name}: the gateway answered {(int)e.Status}: {e.Message}").ConfigureAwait(false);
                return e.Status == System.Net.HttpStatusCode.BadRequest ? ExitCodes.BadArguments : ExitCodes.Failed;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await Err.WriteLineAsync($"iotmon {command.Name}: interrupted").ConfigureAwait(false);
                return ExitCodes.Interrupted;
            }
            catch (IOException e)
            {
                await Err.WriteLineAsync($"iotmon {command.Name}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
        });
    }
}
