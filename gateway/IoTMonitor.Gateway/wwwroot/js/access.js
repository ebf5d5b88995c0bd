// What the key in this browser may do: its role from GET /api/v1/me (asked once per key), and how a
// refused write is explained to the person at the desk.
import { api, apiKey, ApiError } from './api.js';

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
  if (!(e instanceof ApiError)) return `Not sent: ${e.message}`;
  if (e.status === 403) return `Refused (403): this needs an operator key. ${e.message}`;
  if (e.status === 401) return 'Refused (401): this key is not accepted any more; use "Change key".';
  if (e.status === 400) return `Refused (400): ${e.message}`;
  return `Failed (${e.status}): ${e.message}`;
}
