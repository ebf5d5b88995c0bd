// A device's commands (POST/GET /api/v1/devices/{device}/commands): the recent ones with their states,
// and, for operators, a form to send one; reboot and clear_queue ask for an explicit confirmation.
import { api, esc, ago } from './api.js';
import { refusal } from './access.js';

const STATE_CLASS = { queued: 'info', acked: 'ok', failed: 'critical', expired: 'offline', unsent: 'critical' };
const COMMANDS = [
  ['sample_now', 'sample now'], ['upload_now', 'upload now'], ['set_interval', 'set interval'],
  ['time_sync', 'time sync'], ['reboot', 'reboot…'], ['clear_queue', 'clear queue…'],
];
const CONFIRM = {
  reboot: (d) => [`Reboot ${d}? It restarts when it receives the command, at its next connection.`, 'Reboot'],
  clear_queue: (d) => [`Delete the readings ${d} has not uploaded yet? They are lost for good.`, 'Delete unsent readings'],
};

export function renderCommands(box, list) {
  if (!list.length) { box.innerHTML = '<p class="note">No commands sent.</p>'; return; }
  box.innerHTML = `<table class="commands"><thead><tr><th>Sent</th><th>Command</th><th>State</th><th>By</th></tr></thead><tbody>${list.map((c) => `
    <tr class="command-row" data-command="${esc(c.id)}" data-state="${esc(c.state)}"><td title="${esc(c.at)}">${ago(c.at)}</td>
      <td>${esc(c.cmd)}${args(c.args)} <span class="note">${esc(c.id)}</span></td>
      <td class="state"><span class="badge ${STATE_CLASS[c.state] || 'offline'}">${esc(c.state)}</span> ${explain(c)}</td><td>${esc(c.by)}</td></tr>`).join('')}</tbody></table>`;
}

function args(a) {
  if (a?.sec != null) return ` <span class="args">${esc(a.sec)} s</span>`;
  if (a?.confirm) return ' <span class="args">(confirmed)</span>';
  return '';
}

function explain(c) {
  if (c.state === 'queued') return `<span class="note" title="expires ${esc(c.expires)}">pending — the node answers when it next connects</span>`;
  if (c.state === 'acked') return `<span class="note">${ago(c.ackedAt)}</span>`;
  if (c.state === 'failed') return `<strong class="err-name">${esc(c.errName)}</strong> <span class="note">${ago(c.ackedAt)}</span>`;
  if (c.state === 'expired') return '<span class="note">no answer before it expired</span>';
  if (c.state === 'unsent') return '<span class="note">the broker could not take it; not retried</span>';
  return '';
}

export function commandForm(box, device, onSent) {
  box.innerHTML = `<form class="command-form toolbar" novalidate>
      <select name="cmd" aria-label="command">${COMMANDS.map(([v, l]) => `<option value="${v}">${l}</option>`).join('')}</select>
      <label class="sec" hidden>every <input name="sec" inputmode="numeric" size="6" autocomplete="off"> s</label>
      <button type="submit">Send</button></form>
    <div class="confirm" hidden><p class="confirm-text"></p><button type="button" class="confirm-yes"></button> <button type="button" class="confirm-no link">Cancel</button></div>
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
      result.textContent = `${c.id} ${c.cmd} ${c.state} — the node answers when it next connects.`;
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
