// What the key in this browser may do: its role from GET /api/v1/me (asked once per key), and how a
// refused write is explained to the person at the desk.
import { api, apiKey, ApiError } from './api.js';
import { t } from './i18n.js';

const RANK = { viewer: 1, operator: 2, admin: 3 };
let asked = null; // { key, answer }

export function whoami() {
  const key = apiKey.get();
  if (!asked || asked.key !== key) {
    const answer = api('/me').catch((e) => { asked = null; throw e; });
    asked = { key, answer };
  }
  return asked.answer;
}

export const canOperate = (me) => (RANK[me?.role] || 0) >= RANK.operator;

// the API's own message, with what the status means for the operator
export function refusal(e) {
  if (!(e instanceof ApiError)) return t('notSent', e.message);
  if (e.status === 403) return t('refused403', e.message);
  if (e.status === 401) return t('refused401');
  if (e.status === 400) return t('refused400', e.message);
  return t('failed', e.status, e.message);
}
