// The return leg on the site page: per device, its remote config and recent commands, refreshed by
// the caller every REFRESH_MS (a node answers only when it next connects); write controls only for
// keys of the operator role or above.
import { api, esc } from './api.js';
import { whoami, canOperate } from './access.js';
import { t, zoned, zoneLabel } from './i18n.js';

// the time of the last refresh on the page's clock (the zone chosen in the header), zone named
const clockNow = () => { const p = zoned(Date.now()); return `${p.hour}:${p.minute}:${p.second} ${zoneLabel()}`; };
import { renderConfig, intervalForm } from './remote-config.js';
import { renderCommands, commandForm } from './commands.js';

export const REFRESH_MS = 10000;
const HISTORY = 10;

// fills box with one panel per device; returns refresh(), which reloads every panel's state
export async function mountDownlink(box, devices, onConfig) {
  let me = null, roleError = '';
  try { me = await whoami(); } catch (e) { roleError = e.message; }
  const operate = canOperate(me);
  box.innerHTML = `<h2>${esc(t('downlinkTitle'))} <span class="note updated"></span></h2>
    ${operate ? '' : `<p class="note readonly">${roleError ? esc(t('roleUnknown', roleError)) : esc(t('readOnly', me.name, me.role))}</p>`}
    ${devices.length ? '' : `<p class="note">${esc(t('noDevices'))}</p>`}`;
  const panels = devices.map((device) => panel(box, device, operate, onConfig));
  let running = null;
  const refresh = () => {
    running ??= Promise.all(panels.map((p) => p.refresh())).then(() => {
      box.querySelector('.updated').textContent = t('updated', clockNow(), REFRESH_MS / 1000);
    }).finally(() => { running = null; });
    return running;
  };
  await refresh();
  return refresh;
}

function panel(box, device, operate, onConfig) {
  const el = document.createElement('section');
  el.className = 'downlink';
  el.dataset.device = device;
  el.innerHTML = `<h3>${esc(device)}</h3><div class="downlink-grid">
      <div><h4>${esc(t('remoteConfig'))}</h4><div class="config-state">…</div>${operate ? '<div class="config-form"></div>' : ''}</div>
      <div><h4>${esc(t('recentCommands'))}</h4>${operate ? '<div class="command-box"></div>' : ''}<div class="command-list">…</div></div></div>`;
  box.append(el);
  const path = `/devices/${encodeURIComponent(device)}`;
  let follow = null; // the operator's form, told about each config read
  const showConfig = (doc) => {
    renderConfig(el.querySelector('.config-state'), doc);
    follow?.(doc);
    onConfig?.(device, doc);
  };
  const loadCommands = async () => {
    try { renderCommands(el.querySelector('.command-list'), await api(`${path}/commands?limit=${HISTORY}`)); }
    catch (e) { el.querySelector('.command-list').innerHTML = `<p class="error">${esc(e.message)}</p>`; }
  };
  const loadConfig = async () => {
    try { showConfig(await api(`${path}/config`)); }
    catch (e) { el.querySelector('.config-state').innerHTML = `<p class="error">${esc(e.message)}</p>`; }
  };
  if (operate) {
    follow = intervalForm(el.querySelector('.config-form'), device, showConfig);
    commandForm(el.querySelector('.command-box'), device, loadCommands);
  }
  return { refresh: () => Promise.all([loadConfig(), loadCommands()]) };
}
