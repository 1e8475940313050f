// Members and statements: per id token, token group or site and month, the energy, the green
// energy, the green share and the cost. Printable, and as CSV.

import { ApiError, download, get, hasRoute } from './api.js';
import { errorText, field, h, notAvailable, replace, table } from './ui.js';

const LABELS = { id_token: 'Id token', group: 'Group', group_id: 'Group', site: 'Site',
  site_id: 'Site', member: 'Member', sessions: 'Sessions', energy_wh: 'Energy (kWh)',
  green_energy_wh: 'Green (kWh)', energy_kwh: 'Energy (kWh)', green_kwh: 'Green (kWh)',
  green_energy_kwh: 'Green (kWh)', green_share: 'Green share', cost: 'Cost', currency: 'Currency' };

function rowsOf(out) {
  if (Array.isArray(out)) return out;
  for (const k of ['members', 'rows', 'items', 'statements', 'lines']) if (Array.isArray(out?.[k])) return out[k];
  return [];
}

function cell(key, value) {
  if (value === null || value === undefined) return '–';
  if (key.endsWith('_wh') && typeof value === 'number') return (value / 1000).toFixed(2);
  if (key === 'green_share' && typeof value === 'number') return `${Math.round(value * 100)} %`;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export async function render(root) {
  const now = new Date();
  const month = h('input', { name: 'month', type: 'month', required: true,
    value: `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}` });
  const by = h('select', { name: 'by' }, [['id_token', 'id token'], ['group', 'token group'], ['site', 'site']]
    .map(([v, t]) => h('option', { value: v }, t)));
  const out = h('div', { 'aria-live': 'polite' });
  const title = h('h2', {});
  const actions = h('div', { class: 'row no-print' });
  const available = await hasRoute('GET', '/statements');
  const csv = await hasRoute('GET', '/statements.csv');

  async function show() {
    replace(title, `Statement for ${month.value}, by ${by.selectedOptions[0].textContent}`);
    try {
      const rows = rowsOf(await get('/statements', { month: month.value, by: by.value }));
      const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'costs' || rows.some((r) => Object.keys(r.costs || {}).length > 1));
      const numeric = (k) => rows.some((r) => typeof r[k] === 'number');
      replace(out, table(keys.map((k) => ({ label: LABELS[k] || k, num: numeric(k), get: (r) => cell(k, r[k]) })),
        rows, { empty: 'No charging in this month.' }));
    } catch (err) {
      replace(out, err instanceof ApiError && err.missing ? notAvailable('Statements') : errorText(err));
    }
  }

  const form = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); show(); } },
    field('Month', month), field('Per', by), h('button', { type: 'submit', class: 'primary' }, 'Show'));
  replace(root, h('h1', {}, 'Members and statements'),
    h('p', { class: 'muted' }, 'How green was your charging? Per member and month: energy, green energy, green share and cost.'),
    form, actions, h('div', { class: 'panel' }, title, out));
  if (!available) { replace(out, notAvailable('Statements')); return; }
  const status = h('span', { role: 'status', class: 'muted' });
  replace(actions, h('button', { type: 'button', onclick: () => window.print() }, 'Print'),
    csv ? h('button', { type: 'button', onclick: () => download('/statements.csv', { month: month.value, by: by.value },
      `statement-${month.value}-${by.value}.csv`).then(() => replace(status, 'Downloaded'), (e) => replace(status, e.message)) }, 'CSV')
      : notAvailable('Statement CSV'), status);
  await show();
}
