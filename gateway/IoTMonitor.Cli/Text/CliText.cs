using System.Globalization;

namespace IoTMonitor.Cli.Text;

/// <summary>
/// What <c>iotmon</c> prints for a technician on site (flash, check, provision), in the language of
/// <see cref="CliLanguage"/>. The English text is the key (a composite format string, as printed
/// before translation); <see cref="Chinese"/> holds its Simplified Chinese form with the same
/// placeholders. A text without an entry prints in English: commands, paths, codes and what nanoff
/// or the gateway said are shown as they are.
/// </summary>
public sealed class CliText(string language)
{
    public static readonly CliText EnglishText = new(CliLanguage.English);

    public string Language { get; } = language;

    public bool IsChinese => Language == CliLanguage.Chinese;

    /// <summary><paramref name="english"/> in this language.</summary>
    public string this[string english] => IsChinese && Chinese.TryGetValue(english, out var zh) ? zh : english;

    /// <summary>The format <paramref name="english"/> in this language, filled with <paramref name="args"/>.</summary>
    public string Format(string english, params object?[] args) => string.Format(CultureInfo.InvariantCulture, this[english], args);

    /// <summary>A check row's name: fixed names from the table, "probe {code}" with the quantity code kept.</summary>
    public string CheckName(string check) =>
        check.StartsWith("probe ", StringComparison.Ordinal) ? Format("probe {0}", check["probe ".Length..]) : this[check];

    /// <summary>What a nanoff step does (<see cref="NanoffStep.What"/>), in this language.</summary>
    public string Step(NanoffStep step, NanoffPlan plan) => !IsChinese ? step.What : step.Kind switch
    {
        NanoffStepKind.Firmware => Format(plan.MassErase ? "flash nanoCLR {0} {1} (mass erase: I: is wiped)" : "flash nanoCLR {0} {1} (I: is kept)", plan.Target, plan.FwVersion),
        NanoffStepKind.Files => plan.CaFile is null ? Format("upload the device config to {0}", NanoffPlan.DeviceConfigPath) : Format("upload the device config to {0} and the CA certificate to {1}", NanoffPlan.DeviceConfigPath, plan.CaDevicePath),
        _ => this["deploy the IoTMonitor application"],
    };

    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // flash
        ["Steps for {0}:"] = "{0} 的刷写步骤:",
        ["[{0}/{1}] {2}"] = "[{0}/{1}] {2}",
        ["  step {0} done"] = "  第 {0} 步完成",
        ["step {0} ({1}) failed: {2}. {3}"] = "第 {0} 步({1})失败:{2}。{3}",
        ["{0} flashed: config hash {1} on {2}."] = "{0} 已刷写完成:配置哈希 {1},位于 {2}。",
        ["It reboots into the application now. Proof that it reports: iotmon check --device {0} --config {1} (or flash with --verify)."] =
            "设备正在重启进入应用程序。确认其已上报:iotmon check --device {0} --config {1}(或刷写时加 --verify)。",
        ["flash nanoCLR {0} {1} (I: is kept)"] = "刷写 nanoCLR {0} {1}(保留 I: 盘)",
        ["flash nanoCLR {0} {1} (mass erase: I: is wiped)"] = "刷写 nanoCLR {0} {1}(整片擦除:I: 盘清空)",
        ["upload the device config to {0}"] = "上传设备配置到 {0}",
        ["upload the device config to {0} and the CA certificate to {1}"] = "上传设备配置到 {0},CA 证书到 {1}",
        ["deploy the IoTMonitor application"] = "部署 IoTMonitor 应用程序",
        ["check the USB cable and port (nanoff --listports); hold IO0 (BOOT) while pressing EN if the chip does not enter download mode"] =
            "检查 USB 线和串口(nanoff --listports);芯片未进入下载模式时,按住 IO0(BOOT)再按 EN",
        ["nanoCLR must be running: press EN (reset) once after the firmware step, then run iotmon flash --config-only"] =
            "nanoCLR 必须在运行:固件步骤后按一次 EN(复位),再运行 iotmon flash --config-only",
        ["press EN (reset) and run iotmon flash again; if it fails again the image does not match the firmware (firmware/README.md)"] =
            "按 EN(复位)后再次运行 iotmon flash;仍失败说明应用镜像与固件不匹配(firmware/README.md)",

        // flash --verify
        ["waiting up to {0} for {1}'s first status at {2} (power it up or press EN) ..."] = "最多等待 {0},等 {1} 向 {2} 发送第一条状态(请上电或按 EN)……",
        ["verified: {0} reported config {1} (cfgErr 0, boot {2}, firmware {3}) at {4:yyyy-MM-dd HH:mm:ss} UTC"] =
            "验证通过:{0} 上报配置 {1}(cfgErr 0,启动 {2},固件 {3}),时间 {4:yyyy-MM-dd HH:mm:ss} UTC",
        ["{0} booted but refused its config: cfgErr {1} (codes in docs/config.md); it runs the built-in defaults. Fix the file and flash again with --config-only."] =
            "{0} 已启动但拒绝了配置:cfgErr {1}(代码见 docs/config.md),正以内置默认值运行。请修正配置文件后用 --config-only 重新刷写。",
        ["{0} reports from site '{1}', the flashed file says '{2}'"] = "{0} 上报的站点是“{1}”,刷写的配置文件是“{2}”",
        ["{0} runs config {1}, the flashed file is {2}: the node booted another document (an older I:\\config.json if the file step did not land, or a remote config set at the gateway: iotmon config show)"] =
            "{0} 运行的配置是 {1},刷写的文件是 {2}:节点加载了另一份配置(文件步骤未成功时是旧的 I:\\config.json,或网关上设置了远程配置:iotmon config show)",
        ["no status from {0} within {1}. In order: the app did not start (serial console: CLR_E_ASSM_WRONG_CHECKSUM means the image does not match the packages, firmware/README.md); WiFi SSID/password; broker host/port reachable from the site; the device's MQTT secret (iotmon provision again). The node keeps its readings meanwhile."] =
            "{1} 内未收到 {0} 的状态。请依次排查:应用未启动(串口输出 CLR_E_ASSM_WRONG_CHECKSUM 表示镜像与程序包不匹配,见 firmware/README.md);WiFi 名称/密码;现场能否连通代理服务器地址/端口;设备的 MQTT 密钥(重新运行 iotmon provision)。在此期间节点会保留读数。",

        // provision
        ["Steps for the technician (board on {0}; `iotmon flash --config {1}` runs them):"] = "现场技术员操作步骤(开发板接在 {0};`iotmon flash --config {1}` 会依次执行):",
        ["  4. the node reboots into the app; `iotmon flash --verify` waits for its first status, `iotmon check --device <id> --config <file>` then shows its readings."] =
            "  4. 节点重启进入应用程序;`iotmon flash --verify` 等待其第一条状态,然后 `iotmon check --device <设备号> --config <配置文件>` 显示其读数。",
        ["device '{0}' is already registered; its secret was shown only when it was created. Use its existing config file, or register the node under a new device id."] =
            "设备“{0}”已注册;其密钥只在创建时显示过一次。请使用已有的配置文件,或用新的设备号注册该节点。",

        ["provisioned"] = "已登记",
        ["site"] = "站点",
        ["device"] = "设备",
        ["type"] = "类型",
        ["broker"] = "代理服务器",
        ["MQTT user"] = "MQTT 用户",
        ["config file"] = "配置文件",
        ["nanoff deployment"] = "nanoff 部署文件",

        // check
        ["commissioning check of {0}"] = "{0} 调试验收检查",
        ["check"] = "检查项",
        ["value"] = "实测",
        ["expected"] = "要求",
        ["result"] = "结果",
        ["note"] = "说明",
        ["PASS"] = "通过",
        ["WARN"] = "警告",
        ["FAIL"] = "不合格",
        ["info"] = "信息",
        ["PASSED"] = "合格",
        ["FAILED"] = "不合格",
        ["{0}: {1} pass, {2} warning, {3} fail. Report: {4}"] = "{0}:通过 {1} 项,警告 {2} 项,不合格 {3} 项。报告:{4}",
        ["registered"] = "已注册",
        ["last message"] = "最近消息",
        ["battery"] = "电池",
        ["WiFi RSSI"] = "WiFi 信号",
        ["sequence"] = "序号连续性",
        ["readings"] = "读数",
        ["probe {0}"] = "探头 {0}",
        ["clock sync"] = "时钟同步",
        ["wake cost (estimate)"] = "唤醒能耗(估算)",
        ["no"] = "否",
        ["yes"] = "是",
        ["enabled"] = "已启用",
        ["never"] = "从未",
        ["unknown"] = "未知",
        ["no gaps"] = "无缺号",
        ["no reading"] = "无读数",
        ["not available"] = "不可用",
        ["newest value per probe"] = "每个探头的最新值",
        ["register it with iotmon provision"] = "用 iotmon provision 注册",
        ["check WiFi/MQTT settings; the node keeps readings in flash meanwhile"] = "检查 WiFi/MQTT 设置;在此期间节点把读数保存在闪存中",
        ["no telemetry since the gateway started: power, WiFi, broker address, credentials"] = "网关启动以来未收到数据:检查电源、WiFi、代理服务器地址和凭据",
        ["charge the pack / check the panel and charger"] = "给电池充电 / 检查太阳能板和充电器",
        ["move or raise the antenna, or add a repeater"] = "移动或抬高天线,或加装中继器",
        ["readings missing: dropped (flash full) or still queued"] = "读数缺失:已丢弃(闪存已满)或仍在队列中",
        ["no value received for this quantity"] = "未收到该参数的数值",
        ["not a protocol quantity code: check the sensors of the config"] = "不是协议规定的参数代码:检查配置中的传感器",

        // check: the report file
        ["# Commissioning check: {0}"] = "# 调试验收检查:{0}",
        ["gateway: {0}"] = "网关:{0}",
        ["time: {0}"] = "时间:{0}",
        ["result: **{0}** ({1} failed check(s))"] = "结论:**{0}**(不合格 {1} 项)",
        ["INFO"] = "信息",
        ["Technician: ____________________  Signature: ____________________"] = "技术人员:____________________  签字:____________________",

        // devices
        ["{0} device(s) at {1}"] = "{1} 上的 {0} 台设备",
        ["last seen (UTC)"] = "最近上报(UTC)",
        ["last seen (UTC+8)"] = "最近上报(北京时间 UTC+8)",
        ["battery V"] = "电池 V",
        ["RSSI dBm"] = "信号 dBm",
        ["network"] = "蜂窝网络",
        ["boot"] = "启动次数",
        ["highest n"] = "最大序号",
        ["gaps"] = "缺号段",
        ["dups"] = "重复",
        ["remote config"] = "远程配置",
        ["pending r{0} (answered r{1})"] = "第 {0} 版待生效(已应答第 {1} 版)",
        ["{0} r{1}"] = "{0} 第 {1} 版",
        ["pending"] = "待生效",
        ["applied"] = "已生效",
        ["rejected"] = "被拒绝",
    };
}
