// The model runs one device at a time: the app's nanoFramework facades reach the running device
// through Esp32Device.Current, as the app's code reaches the one chip it runs on. Two test classes
// running wakes at once would hand each other's app the wrong device.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
