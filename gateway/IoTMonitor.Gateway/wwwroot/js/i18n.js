// The dashboard's words in Simplified Chinese and English: the browser's language by default, a switch
// in the header (remembered in this browser), and the viewer's time zone (UTC+8 by default, switchable).
// Site and device names are shown as entered; rule names come from the rule pack's name / nameZh.
const LANG_KEY = 'iotmon.lang', ZONE_KEY = 'iotmon.zone';

const WORDS = {
  en: {
    sites: 'Sites', api: 'API', changeKey: 'Change key', keyTitle: 'API key',
    keyHelp: 'Enter the API key you were given (viewer for agencies, operator for technicians). It stays in this browser only.',
    open: 'Open', keyRefused: 'That key was not accepted.', site: 'Site', status: 'Status', basin: 'Basin', type: 'Type',
    devices: 'Devices', devicesTitle: 'Devices', device: 'Device', lastSeen: 'Last seen', nSites: (n) => `${n} sites`, allSites: '← all sites',
    battery: 'Battery', rssi: 'RSSI', backlog: 'Backlog', completeness: 'Completeness 24 h', missing: 'Missing (this boot)',
    network: 'Cellular network', iccid: 'ICCID', weakSignal: (v) => `Weak signal (${v}): uploads may fail; check the antenna and its cable, or move it higher`,
    remoteConfig: 'Remote config', alerts: 'Alerts', noAlerts: 'No open alerts.', raised: 'Raised', severity: 'Severity',
    quantity: 'Quantity', alert: 'Alert', value: 'Value', worst: 'worst', late: 'late', flapping: 'flapping',
    acknowledge: 'Acknowledge', resolve: 'Resolve', acknowledgedBy: (w) => `acknowledged by ${w}`, history: 'history (backlog)',
    needsOperator: 'This needs an operator key.', from: 'from', to: 'to', apply: 'Apply', resetZoom: 'Reset zoom',
    earlier: '◀ earlier', later: 'later ▶', noValues: 'No values received yet.', noData: 'no data in this range',
    time: 'Time', zone: 'Time zone', zoneLocal: 'this computer', language: 'Language',
    mapNote: 'Borders: Natural Earth 1:50m (world-atlas); sites at their registered coordinates.',
    mapLabel: 'Map of sites', flagged: 'flagged reading', limit: 'limit', plausible: 'plausible range',
    above: 'above', below: 'below', ruleLimits: 'Rule limits', dragZoom: 'drag across the chart to zoom',
    never: 'never', ago: (n, u) => `${n} ${u} ago`, units: { s: 's', min: 'min', h: 'h', d: 'd' },
    readOnly: (name, role) => `Read-only: the key "${name}" is a ${role}; acknowledging alerts, sending commands and changing the config need an operator key.`,
    roleUnknown: (e) => `The key's role could not be read (${e}); showing state only.`,
    downlinkTitle: 'Remote config and commands', recentCommands: 'Recent commands', noDevices: 'No devices.',
    updated: (at, every) => `updated ${at}, every ${every} s`,
    system: 'battery / device',
    rainfall: 'Rainfall', flood: 'Flash flood', floodWord: { none: 'no warning', prepare: 'Prepare to evacuate', immediate: 'Evacuate immediately' },
    floodShort: { prepare: 'Prepare', immediate: 'Evacuate' },
    floodTitle: 'Flash flood: rainfall and water level', rainPer: (w) => `Rainfall (mm per ${w})`, waterLevel: 'Water level',
    floodLine: { prepare: 'prepare to evacuate level', immediate: 'evacuate immediately level' },
    floodSums: 'Rainfall to the newest reading', floodLevelNow: 'Warning level now',
    // water metering (js/metering.js)
    metering: 'Water metering', meteringTitle: (d) => `Water metering: ${d}`, districts: 'Districts', noDistricts: 'No irrigation district is configured (Metering:Districts).',
    channel: 'Channel', volume: 'Volume', meanFlow: 'Mean flow', cumulative: 'Cumulative volume', flowPer: (w) => `Mean flow per ${w} (m³/s)`,
    cumulativeAxis: 'Cumulative volume (m³)', flowAxis: 'Flow (m³/s)', coverage: 'Completeness', gapTime: 'Not covered', flaggedTime: 'Flagged',
    allocation: 'Allocation', allocationUse: (id, used, of, pct) => `${id}: ${used} of ${of} m³ in this range (${pct} %)`,
    range: 'Range', last24h: 'last 24 h', last7d: 'last 7 days', last30d: 'last 30 days',
    meteringNote: 'Volumes from the stored readings: stage rated by the site\'s rating record, or the flow meter\'s totaliser differenced. Completeness is the share of the range the readings cover; gaps are not filled.',
    // commands (js/commands.js)
    cmdNames: { sample_now: 'sample now', upload_now: 'upload now', set_interval: 'set interval', time_sync: 'time sync', reboot: 'reboot…', clear_queue: 'clear queue…' },
    cmdStates: { queued: 'queued', acked: 'acked', failed: 'failed', expired: 'expired', unsent: 'unsent' },
    confirmReboot: (d) => `Reboot ${d}? It restarts when it receives the command, at its next connection.`, confirmRebootYes: 'Reboot',
    confirmClear: (d) => `Delete the readings ${d} has not uploaded yet? They are lost for good.`, confirmClearYes: 'Delete unsent readings',
    noCommands: 'No commands sent.', cmdSent: 'Sent', cmdCommand: 'Command', cmdState: 'State', cmdBy: 'By', confirmed: '(confirmed)',
    seconds: (n) => `${n} s`, expires: (at) => `expires ${at}`, cmdPending: 'pending — the node answers when it next connects',
    cmdExpired: 'no answer before it expired', cmdUnsent: 'the broker could not take it; not retried',
    cmdLabel: 'command', every: 'every', secUnit: 's', send: 'Send', cancel: 'Cancel',
    cmdResult: (id, cmd, state) => `${id} ${cmd} ${state} — the node answers when it next connects.`,
    // remote config (js/remote-config.js)
    cfgStates: { none: 'none', pending: 'pending', applied: 'applied', rejected: 'rejected' },
    cfgKeys: { sampleSec: 'Sampling interval', uploadSec: 'Upload interval', batchMax: 'Readings per upload', maxAwakeSec: 'Longest wake', calMaxAgeDays: 'Calibration valid (days)', thresholds: 'Node thresholds', calibrations: 'Calibrations' },
    cfgNone: 'no remote config: the node runs its flashed config',
    cfgPending: (rev, up) => `rev ${rev} is pending — the node answers when it next connects (${up ? `it uploads every ${up} s` : 'up to its upload interval away'})`,
    cfgApplied: (rev) => `the node runs rev ${rev}`,
    cfgRejected: (rev) => `: the node refused rev ${rev} and keeps its previous config`,
    cfgDesired: (rev, by, when) => `desired rev ${rev}, set by ${by} ${when}`,
    cfgAnswered: (rev, result, when) => `node answered rev ${rev} (${result}) ${when}`,
    cfgNoAnswer: 'no answer from the node yet', cfgEmpty: 'Empty overlay: the node is back on its flashed config.',
    flashed: 'flashed', cfgHelp: 'Empty = the flashed value. A set_interval command overrides sampleSec.',
    nothingChanged: 'Nothing changed.', cfgStored: (rev) => `Rev ${rev} stored — pending: the node answers when it next connects.`,
    // refused writes (js/access.js)
    notSent: (m) => `Not sent: ${m}`, refused403: (m) => `Refused (403): this needs an operator key. ${m}`,
    refused401: 'Refused (401): this key is not accepted any more; use "Change key".', refused400: (m) => `Refused (400): ${m}`,
    failed: (st, m) => `Failed (${st}): ${m}`,
    rev: (n) => `rev ${n}`,
    rangeWords: { '6h': '6h', '24h': '24h', '7d': '7d', '30d': '30d', '1y': '1y' },
    listSep: ', ',
  },
  zh: {
    sites: '站点', api: 'API', changeKey: '更换密钥', keyTitle: 'API 密钥',
    keyHelp: '请输入分配给您的 API 密钥(管理部门使用查看者密钥,技术人员使用操作员密钥)。密钥只保存在本浏览器中。',
    open: '打开', keyRefused: '该密钥未被接受。', site: '站点', status: '状态', basin: '流域', type: '类型',
    devices: '设备数', devicesTitle: '设备', device: '设备', lastSeen: '最近上报', nSites: (n) => `共 ${n} 个站点`, allSites: '← 全部站点',
    battery: '电池', rssi: '信号', backlog: '积压', completeness: '24 小时完整率', missing: '缺失(本次启动)',
    network: '蜂窝网络', iccid: 'ICCID', weakSignal: (v) => `信号弱(${v}):上传可能失败,请检查天线及馈线,或把天线架高`,
    remoteConfig: '远程配置', alerts: '告警', noAlerts: '没有未关闭的告警。', raised: '发生', severity: '级别',
    quantity: '监测项', alert: '告警', value: '数值', worst: '最差', late: '补传', flapping: '反复',
    acknowledge: '确认', resolve: '解除', acknowledgedBy: (w) => `已由 ${w} 确认`, history: '历史(补传数据)',
    needsOperator: '此操作需要操作员密钥。', from: '从', to: '至', apply: '应用', resetZoom: '重置缩放',
    earlier: '◀ 向前', later: '向后 ▶', noValues: '尚未收到数据。', noData: '此时间段内没有数据',
    time: '时间', zone: '时区', zoneLocal: '本机时区', language: '语言',
    mapNote: '边界:Natural Earth 1:50m(world-atlas);站点按登记坐标标注。',
    mapLabel: '站点地图', flagged: '标记读数', limit: '限值', plausible: '合理范围',
    above: '高于', below: '低于', ruleLimits: '规则限值', dragZoom: '在图上拖动可放大',
    never: '从未', ago: (n, u) => `${n} ${u}前`, units: { s: '秒', min: '分钟', h: '小时', d: '天' },
    readOnly: (name, role) => `只读:密钥"${name}"的角色是${ROLE.zh[role] || role};确认告警、发送命令和修改配置需要操作员密钥。`,
    roleUnknown: (e) => `无法读取密钥的角色(${e});仅显示状态。`,
    downlinkTitle: '远程配置与命令', recentCommands: '最近的命令', noDevices: '没有设备。',
    updated: (at, every) => `${at} 更新,每 ${every} 秒刷新`,
    system: '电池 / 设备',
    rainfall: '降雨量', flood: '山洪预警', floodWord: { none: '无预警', prepare: '准备转移', immediate: '立即转移' },
    floodShort: { prepare: '准备转移', immediate: '立即转移' },
    floodTitle: '山洪:降雨与水位', rainPer: (w) => `降雨量(毫米/${w})`, waterLevel: '水位',
    floodLine: { prepare: '准备转移水位', immediate: '立即转移水位' },
    floodSums: '截至最新读数的累计雨量', floodLevelNow: '当前预警等级',
    metering: '用水计量', meteringTitle: (d) => `用水计量:${d}`, districts: '灌区', noDistricts: '尚未配置灌区(Metering:Districts)。',
    channel: '渠道', volume: '水量', meanFlow: '平均流量', cumulative: '累计水量', flowPer: (w) => `每${w}平均流量(m³/s)`,
    cumulativeAxis: '累计水量 (m³)', flowAxis: '流量 (m³/s)', coverage: '数据完整率', gapTime: '无数据时段', flaggedTime: '存疑时段',
    allocation: '分配水量', allocationUse: (id, used, of, pct) => `${id}:本时段已用 ${used} m³,分配 ${of} m³(${pct}%)`,
    range: '时段', last24h: '最近 24 小时', last7d: '最近 7 天', last30d: '最近 30 天',
    meteringNote: '水量由已存读数计算:水位经站点的水位流量关系记录换算,或流量计累计值差分。数据完整率为读数覆盖的时段占比;缺测不插补。',
    cmdNames: { sample_now: '立即采样', upload_now: '立即上传', set_interval: '设置采样间隔', time_sync: '校时', reboot: '重启…', clear_queue: '清空未上传读数…' },
    cmdStates: { queued: '排队中', acked: '已执行', failed: '失败', expired: '已过期', unsent: '未发出' },
    confirmReboot: (d) => `重启 ${d}?设备在下次连接收到命令时重启。`, confirmRebootYes: '重启',
    confirmClear: (d) => `删除 ${d} 尚未上传的读数?删除后无法恢复。`, confirmClearYes: '删除未上传读数',
    noCommands: '尚未发送命令。', cmdSent: '发送时间', cmdCommand: '命令', cmdState: '状态', cmdBy: '发送人', confirmed: '(已确认)',
    seconds: (n) => `${n} 秒`, expires: (at) => `${at} 过期`, cmdPending: '等待中——节点下次连接时应答',
    cmdExpired: '过期前节点未应答', cmdUnsent: '消息服务器未接收;不会重发',
    cmdLabel: '命令', every: '每', secUnit: '秒', send: '发送', cancel: '取消',
    cmdResult: (id, cmd, state) => `${id} ${cmd} ${state}——节点下次连接时应答。`,
    cfgStates: { none: '无', pending: '待生效', applied: '已生效', rejected: '被拒绝' },
    cfgKeys: { sampleSec: '采样间隔', uploadSec: '上传间隔', batchMax: '每批读数上限', maxAwakeSec: '最长唤醒时间', calMaxAgeDays: '校准有效天数', thresholds: '节点阈值', calibrations: '校准' },
    cfgNone: '无远程配置:节点运行烧录时的配置',
    cfgPending: (rev, up) => `第 ${rev} 版待生效——节点下次连接时应答(${up ? `每 ${up} 秒上传一次` : '最长一个上传间隔'})`,
    cfgApplied: (rev) => `节点正在运行第 ${rev} 版`,
    cfgRejected: (rev) => `:节点拒绝了第 ${rev} 版,继续使用之前的配置`,
    cfgDesired: (rev, by, when) => `目标版本 ${rev},由 ${by} 于 ${when}设置`,
    cfgAnswered: (rev, result, when) => `节点应答第 ${rev} 版(${result}),${when}`,
    cfgNoAnswer: '节点尚未应答', cfgEmpty: '空配置:节点已恢复烧录时的配置。',
    flashed: '烧录值', cfgHelp: '留空 = 烧录时的值。“设置采样间隔”命令会覆盖采样间隔。',
    nothingChanged: '没有改动。', cfgStored: (rev) => `第 ${rev} 版已保存,待生效:节点下次连接时应答。`,
    notSent: (m) => `未发送:${m}`, refused403: (m) => `被拒绝(403):此操作需要操作员密钥。${m}`,
    refused401: '被拒绝(401):该密钥已失效,请点击“更换密钥”。', refused400: (m) => `被拒绝(400):${m}`,
    failed: (st, m) => `失败(${st}):${m}`,
    rev: (n) => `第 ${n} 版`,
    rangeWords: { '6h': '6 小时', '24h': '24 小时', '7d': '7 天', '30d': '30 天', '1y': '1 年' },
    listSep: '、',
  },
};

const ROLE = { zh: { viewer: '查看者', operator: '操作员', admin: '管理员' }, en: { viewer: 'viewer', operator: 'operator', admin: 'admin' } };
const STATUS = {
  en: { ok: 'ok', warning: 'warning', critical: 'critical', offline: 'offline', info: 'info' },
  zh: { ok: '正常', warning: '警告', critical: '严重', offline: '离线', info: '提示' },
};
const SITE_TYPES = {
  en: { river: 'river', lake: 'lake', reservoir: 'reservoir', canal: 'canal', wetland: 'wetland', irrigation_district: 'irrigation district', drinking_water_source: 'drinking water source', farmland: 'farmland', air_basin: 'air basin', indoor: 'indoor' },
  zh: { river: '河流', lake: '湖泊', reservoir: '水库', canal: '渠道', wetland: '湿地', irrigation_district: '灌区', drinking_water_source: '饮用水水源地', farmland: '农田', air_basin: '大气区域', indoor: '室内' },
};
// quantity names; units come from the gateway's quantity table (GET /api/v1/quantities)
const QUANTITIES = {
  en: {
    'water.ph': 'Water pH', 'water.ec': 'Water conductivity', 'water.tds': 'Total dissolved solids', 'water.turbidity': 'Turbidity',
    'water.do': 'Dissolved oxygen', 'water.temp': 'Water temperature', 'water.level': 'Water level', 'soil.moisture': 'Soil moisture',
    'soil.temp': 'Soil temperature', 'soil.ec': 'Soil conductivity', 'soil.n': 'Soil nitrogen', 'soil.p': 'Soil phosphorus', 'soil.k': 'Soil potassium',
    'soil.ph': 'Soil pH', 'air.temp': 'Air temperature', 'air.rh': 'Relative humidity', 'air.pressure': 'Air pressure', 'air.pm1': 'PM1',
    'air.pm25': 'PM2.5', 'air.pm10': 'PM10', 'air.co2': 'CO₂', 'device.battery': 'Battery voltage', 'device.rssi': 'Signal strength',
    'rain.amount': 'Rainfall', 'rain.total': 'Rainfall since boot', 'flow.rate': 'Flow', 'flow.total': 'Flow meter total',
  },
  zh: {
    'water.ph': '水体 pH', 'water.ec': '水体电导率', 'water.tds': '溶解性总固体', 'water.turbidity': '浊度',
    'water.do': '溶解氧', 'water.temp': '水温', 'water.level': '水位', 'soil.moisture': '土壤含水量',
    'soil.temp': '土壤温度', 'soil.ec': '土壤电导率', 'soil.n': '土壤氮', 'soil.p': '土壤磷', 'soil.k': '土壤钾',
    'soil.ph': '土壤 pH', 'air.temp': '气温', 'air.rh': '相对湿度', 'air.pressure': '气压', 'air.pm1': 'PM1',
    'air.pm25': 'PM2.5', 'air.pm10': 'PM10', 'air.co2': '二氧化碳', 'device.battery': '电池电压', 'device.rssi': '信号强度',
    'rain.amount': '降雨量', 'rain.total': '累计雨量（自启动）', 'flow.rate': '流量', 'flow.total': '流量计累计水量',
  },
};
// a cellular node's signal (protocol §4 health rsrp, rssi) in words. RSRP bands: Teltonika Networks wiki,
// "Mobile Signal Strength Recommendations", 4G (LTE) RSRP table; RSSI bands (when the modem reports no
// RSRP): the same page's 3G RSSI table (docs/references.md, "Dashboard: cellular signal words")
const SIGNAL = {
  zh: { excellent: '极好', good: '良好', fair: '一般', weak: '弱' },
  en: { excellent: 'excellent', good: 'good', fair: 'fair', weak: 'weak' },
};
// +COPS <AcT> (3GPP TS 27.007 §7.3; Quectel's LPWA modules report LTE-M as 8)
const ACCESS_TECH = {
  zh: { 0: 'GSM', 2: '3G', 3: 'GSM (EGPRS)', 7: '4G LTE', 8: 'LTE-M / EC-GSM-IoT', 9: 'NB-IoT' },
  en: { 0: 'GSM', 2: '3G', 3: 'GSM (EGPRS)', 7: '4G LTE', 8: 'LTE-M / EC-GSM-IoT', 9: 'NB-IoT' },
};
// reading flags as the gateway names them (Validation/ReadingFlags)
const FLAGS = {
  en: { OutOfRange: 'out of range', Stuck: 'stuck value', NoValue: 'no value', WarmingUp: 'warming up', Uncalibrated: 'not calibrated', TimeEstimated: 'time estimated', SensorFault: 'sensor fault' },
  zh: { OutOfRange: '超出量程', Stuck: '数值不变', NoValue: '无数值', WarmingUp: '预热中', Uncalibrated: '未校准', TimeEstimated: '时间为估计值', SensorFault: '传感器故障' },
};
const FLAG_BITS = [[1, 'OutOfRange'], [2, 'Stuck'], [4, 'NoValue'], [8, 'WarmingUp'], [16, 'Uncalibrated'], [32, 'TimeEstimated'], [64, 'SensorFault']];

// zones offered: China's (no daylight saving), this computer's, UTC
export const ZONES = [['Asia/Shanghai', 'UTC+8'], ['local', null], ['UTC', 'UTC']];

export function lang() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'zh' || saved === 'en') return saved;
  return (navigator.languages?.[0] || navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
export const setLang = (l) => localStorage.setItem(LANG_KEY, l);
export const t = (key, ...args) => { const w = WORDS[lang()][key] ?? WORDS.en[key] ?? key; return typeof w === 'function' ? w(...args) : w; };
export const statusWord = (s) => STATUS[lang()][s] || s;
export const roleWord = (r) => ROLE[lang()][r] || r;
export const siteType = (s) => (s ? SITE_TYPES[lang()][s] || s.replaceAll('_', ' ') : '');
export const quantityName = (code) => QUANTITIES[lang()][code] || code;
export const accessTech = (act) => (act == null ? null : ACCESS_TECH[lang()][act] || `AcT ${act}`);
// 'excellent' | 'good' | 'fair' | 'weak' from RSRP when given, else from RSSI; null without either
export function signalQuality(rsrp, rssi) {
  if (rsrp != null) return rsrp >= -80 ? 'excellent' : rsrp >= -90 ? 'good' : rsrp > -100 ? 'fair' : 'weak';
  if (rssi != null && rssi < 0) return rssi >= -70 ? 'excellent' : rssi >= -85 ? 'good' : rssi >= -100 ? 'fair' : 'weak';
  return null;
}
export const signalWord = (q) => SIGNAL[lang()][q] || q;
export const flagWords = (flags) => FLAG_BITS.filter(([b]) => flags & b).map(([, n]) => FLAGS[lang()][n]);
// a rule's name in the dashboard's language (the rule pack's nameZh, else its name)
export const ruleName = (rule, fallback) => (lang() === 'zh' && rule?.nameZh) || rule?.name || fallback || '';

export function zone() {
  const z = localStorage.getItem(ZONE_KEY);
  return ZONES.some(([id]) => id === z) ? z : 'Asia/Shanghai';
}
export const setZone = (z) => localStorage.setItem(ZONE_KEY, z);
export const zoneId = () => (zone() === 'local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : zone());
// "UTC+8" style name of the chosen zone at time ms (the local zone's offset can change over the year)
export function zoneLabel(ms = Date.now()) {
  const fixed = ZONES.find(([id]) => id === zone())[1];
  if (fixed) return fixed;
  const off = -new Date(ms).getTimezoneOffset();
  return `UTC${off >= 0 ? '+' : '−'}${Math.floor(Math.abs(off) / 60)}${Math.abs(off) % 60 ? ':' + String(Math.abs(off) % 60).padStart(2, '0') : ''}`;
}
// date and time parts of ms in the chosen zone
export function zoned(ms) {
  const p = {};
  for (const { type, value } of new Intl.DateTimeFormat('en-GB', { timeZone: zoneId(), year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(ms)) p[type] = value;
  return p;
}
export const dateTime = (ms) => { const p = zoned(ms); return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`; };

// a status reason from the gateway in words a person reads: worded from its code and facts (the API's
// reasonCodes, Query/StatusReason.cs), never from the English line beside it
const REASONS = {
  en: {
    no_device: () => 'no device',
    never_heard: (r) => `${r.device}: never reported`,
    silent: (r) => `${r.device}: silent since ${dateTime(Date.parse(r.since))}`,
    battery_low: (r) => `${r.device}: battery low, ${r.volts.toFixed(2)} V`,
    reading_flags: (r) => `${r.device} ${quantityName(r.quantity)}: ${r.flags.map((n) => FLAGS.en[n] || n).join(', ')}`,
    alert: (r, rules) => `Alert: ${ruleName(rules?.find((x) => x.id === r.rule), r.ruleName)}${r.device ? ` (${r.device})` : ''}`,
  },
  zh: {
    no_device: () => '没有设备',
    never_heard: (r) => `${r.device}:从未上报`,
    silent: (r) => `${r.device}:自 ${dateTime(Date.parse(r.since))} 起无上报`,
    battery_low: (r) => `${r.device}:电池电压低 ${r.volts.toFixed(2)} V`,
    reading_flags: (r) => `${r.device} ${quantityName(r.quantity)}:${r.flags.map((n) => FLAGS.zh[n] || n).join('、')}`,
    alert: (r, rules) => `告警:${ruleName(rules?.find((x) => x.id === r.rule), r.ruleName)}${r.device ? `(${r.device})` : ''}`,
  },
};
export function reason(r, rules) {
  const word = REASONS[lang()][r.code];
  return word ? word(r, rules) : r.code;
}

export function ago(iso) {
  if (!iso) return t('never');
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000), u = t('units');
  if (s < 90) return t('ago', s, u.s);
  if (s < 5400) return t('ago', Math.round(s / 60), u.min);
  if (s < 129600) return t('ago', Math.round(s / 3600), u.h);
  return t('ago', Math.round(s / 86400), u.d);
}
// a site's flash-flood warning level (none, prepare, immediate) in words
export const floodWord = (level) => t('floodWord')[level] || level;
