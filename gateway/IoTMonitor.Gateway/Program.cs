using IoTMonitor.Gateway;

await GatewayApp.Build(args).RunAsync();
