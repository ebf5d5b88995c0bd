// A device's commands (POST/GET /api/v1/devices/{device}/commands): the recent ones with their states,
// and, for operators, a form to send one; reboot and clear_queue ask for an explicit confirmation.
import { api, esc, ago } from './api.js';
import { refusal } from './access.js';
import { t } from './i18n.js';

const STATE_CLASS = { queued: 'info', acked: 'ok', failed: 'critical', expired: 'offline', unsent: 'critical' };
const COMMANDS = ['sample_now', 'upload_now', 'set_interval', 'time_sync', 'reboot', 'clear_queue'];
const CONFIRM = {
  reboot: (d) => [t('confirmReboot', d), t('confirmRebootYes')],
  clear_queue: (d) => [t('confirmClear', d), t('confirmClearYes')],
};
// the wire names (cmd, state) stay in data attributes and titles; people read the words
const stateWord = (s) => t('cmdStates')[s] || s;
const cmdWord = (c) => (t('cmdNames')[c] || c).replace('…', '');

export function renderCommands(box, list) {
  if (!list.length) { box.innerHTML = `<p class="note">${esc(t('noCommands'))}</p>`; return; }
  box.innerHTML = `<table class="commands"><thead><tr><th>${esc(t('cmdSent'))}</th><th>${esc(t('cmdCommand'))}</th><th>${esc(t('cmdState'))}</th><th>${esc(t('cmdBy'))}</th></tr></thead><tbody>${list.map((c) => `
    <tr class="command-row" data-command="${esc(c.id)}" data-state="${esc(c.state)}"><td title="${esc(c.at)}">${ago(c.at)}</td>
      <td>${esc(cmdWord(c.cmd))}${args(c.args)} <span class="note">${esc(c.cmd)} · ${esc(c.id)}</span></td>
      <td class="state"><span class="badge ${STATE_CLASS[c.state] || 'offline'}" title="${esc(c.state)}">${esc(stateWord(c.state))}</span> ${explain(c)}</td><td>${esc(c.by)}</td></tr>`).join('')}</tbody></table>`;
}

function args(a) {
  if (a?.sec != null) return ` <span class="args">${esc(t('seconds', a.sec))}</span>`;
  if (a?.confirm) return ` <span class="args">${esc(t('confirmed'))}</span>`;
  return '';
}

function explain(c) {
  if (c.state === 'queued') return `<span class="note" title="${esc(t('expires', c.expires))}">${esc(t('cmdPending'))}</span>`;
  if (c.state === 'acked') return `<span class="note">${ago(c.ackedAt)}</span>`;
  if (c.state === 'failed') return `<strong class="err-name">${esc(c.errName)}</strong> <span class="note">${ago(c.ackedAt)}</span>`;
  if (c.state === 'expired') return `<span class="note">${esc(t('cmdExpired'))}</span>`;
  if (c.state === 'unsent') return `<span class="note">${esc(t('cmdUnsent'))}</span>`;
  return '';
}

export function commandForm(box, device, onSent) {
  box.innerHTML = `<form class="command-form toolbar" novalidate>
      <select name="cmd" aria-label="${esc(t('cmdLabel'))}">${COMMANDS.map((v) => `<option value="${v}">${esc(t('cmdNames')[v])}</option>`).join('')}</select>
      <label class="sec" hidden>${esc(t('every'))} <input name="sec" inputmode="numeric" size="6" autocomplete="off"> ${esc(t('secUnit'))}</label>
      <button type="submit">${esc(t('send'))}</button></form>
    <div class="confirm" hidden><p class="confirm-text"></p><button type="button" class="confirm-yes"></button> <button type="button" class="confirm-no link">${esc(t('cancel'))}</button></div>
    <p class="error command-error" role="alert"></p><p class="note command-result"></p>`;
  const form = box.querySelector('form'), confirm = box.querySelector('.confirm');
  const error = box.querySelector('.command-error'), result = box.querySelector('.command-result');
  const cmd = () => form.elements.cmd.value;
  form.elements.cmd.addEventListener('change', () => {
    box.querySelector('label.sec').hidden = cmd() !== 'set_interval';
    confirm.hidden = true;
  });
  const send = async () => {
    error.textContent = ''; result.textContent = '';
    const body = { cmd: cmd() };
    if (body.cmd === 'set_interval') {
      const text = form.elements.sec.value.trim();
      body.sec = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    }
    if (body.cmd === 'clear_queue') body.confirm = true;
    form.querySelector('button').disabled = true;
    try {
      const c = await api(`/devices/${encodeURIComponent(device)}/commands`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      result.textContent = t('cmdResult', c.id, c.cmd, stateWord(c.state));
      onSent(c);
    } catch (e) {
      error.textContent = refusal(e);
    } finally {
      form.querySelector('button').disabled = false;
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ask = CONFIRM[cmd()];
    if (!ask) { confirm.hidden = true; send(); return; }
    const [text, yes] = ask(device);
    confirm.querySelector('.confirm-text').textContent = text;
    confirm.querySelector('.confirm-yes').textContent = yes;
    confirm.hidden = false;
  });
  confirm.querySelector('.confirm-yes').addEventListener('click', () => { confirm.hidden = true; send(); });
  confirm.querySelector('.confirm-no').addEventListener('click', () => { confirm.hidden = true; });
}
