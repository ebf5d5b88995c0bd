using System.Reflection;

[assembly: AssemblyTitle("IoTMonitor.Firmware")]
[assembly: AssemblyDescription("IoTMonitor ESP32 sensor node (nanoFramework)")]
[assembly: AssemblyProduct("IoTMonitor")]
[assembly: AssemblyVersion("1.0.0.0")]
