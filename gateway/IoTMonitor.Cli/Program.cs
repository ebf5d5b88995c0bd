using IoTMonitor.Cli;

return await CliApp.RunAsync(args, console: null, Console.Out, Console.Error);
