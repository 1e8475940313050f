// Sessions: filters, a page at a time, live while charging, and the CSV export.

import { download, get, hasRoute, optional, totalOf } from './api.js';
import { badge, enc, errorText, field, h, kwh, link, notAvailable, pct, replace, table, when } from './ui.js';

const PAGE = 50;

function isoDay(value, endOfDay) {
  if (!value) return undefined;
  return new Date(`${value}T${endOfDay ? '23:59:59.999' : '00:00:00'}`).toISOString();
}

export async function render(root, ctx) {
  const q = ctx.params.query;
  const site = h('select', { name: 'site_id' }, h('option', { value: '' }, 'all sites'));
  const station = h('input', { name: 'station_id', value: q.station || '', placeholder: 'station id' });
  const token = h('input', { name: 'id_token', placeholder: 'id token' });
  const from = h('input', { name: 'from', type: 'date' });
  const to = h('input', { name: 'to', type: 'date' });
  const active = h('select', { name: 'active' }, h('option', { value: '' }, 'all'),
    h('option', { value: 'true' }, 'charging now'), h('option', { value: 'false' }, 'finished'));
  const out = h('div', { 'aria-live': 'polite' });
  const exportBox = h('div', { class: 'row no-print' });
  let offset = 0;
  const [sites, stations] = await Promise.all([optional('/sites'), get('/stations')]);
  for (const s of sites || []) site.append(h('option', { value: s.id }, s.name));
  const siteOf = new Map(stations.map((s) => [s.id, s.site_id]));

  function filters() {
    return { station_id: station.value.trim(), id_token: token.value.trim(), site_id: site.value,
      from: isoDay(from.value, false), to: isoDay(to.value, true), active: active.value };
  }

  // The server may not know every filter yet: whatever it ignored is applied here too.
  function keep(t, f) {
    return (!f.station_id || t.station_id === f.station_id)
      && (!f.id_token || t.id_token === f.id_token)
      && (!f.site_id || siteOf.get(t.station_id) === f.site_id)
      && (!f.from || new Date(t.started_at) >= new Date(f.from))
      && (!f.to || new Date(t.started_at) <= new Date(f.to))
      && (f.active === '' || String(t.active) === f.active);
  }

  async function refresh() {
    const f = filters();
    try {
      const page = await get('/transactions', { ...f, limit: PAGE, offset });
      const total = totalOf(page);
      const rows = page.filter((t) => keep(t, f));
      replace(out, table([
        { label: 'Session', get: (t) => link(`#/sessions/${enc(t.id)}?station=${enc(t.station_id)}`, t.id) },
        { label: 'Station', get: (t) => link(`#/stations/${enc(t.station_id)}`, t.station_id) },
        { label: 'EVSE', get: (t) => t.evse_id, wide: true },
        { label: 'Token', get: (t) => t.id_token || '–' },
        { label: 'Started', get: (t) => when(t.started_at) },
        { label: 'Stopped', get: (t) => (t.active ? badge('charging', 'Charging') : when(t.stopped_at)), wide: true },
        { label: 'Energy', get: (t) => kwh(t.energy_wh, 2), num: true },
        { label: 'Green', get: (t) => (t.energy_wh ? pct(t.green_energy_wh / t.energy_wh) : '–'), num: true },
        { label: 'Cost', get: (t) => (t.cost ? `${t.cost.total.toFixed(2)} ${t.cost.currency}` : '–'), num: true, wide: true },
      ], rows, { empty: 'No sessions match.' }),
      h('div', { class: 'row no-print' },
        h('button', { type: 'button', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); refresh(); } }, 'Previous'),
        h('span', { class: 'muted' }, rows.length ? `${offset + 1}–${offset + rows.length}${total === null ? '' : ` of ${total}`}` : ''),
        h('button', { type: 'button', disabled: page.length < PAGE, onclick: () => { offset += PAGE; refresh(); } }, 'Next')));
    } catch (err) {
      replace(out, errorText(err));
    }
  }

  async function exportCsv() {
    const status = exportBox.querySelector('[role=status]');
    try {
      const f = filters();
      await download('/transactions.csv', f, 'transactions.csv');
      replace(status, 'Downloaded transactions.csv');
    } catch (err) {
      replace(status, h('span', { class: 'error' }, err.message));
    }
  }

  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); offset = 0; refresh(); } },
    field('Site', site), field('Station', station), field('Id token', token), field('From', from),
    field('To', to), field('State', active), h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  replace(root, h('h1', {}, 'Sessions'), form, exportBox, h('div', { class: 'panel' }, out));
  if (await hasRoute('GET', '/transactions.csv')) {
    replace(exportBox, h('button', { type: 'button', onclick: exportCsv, dataset: { testid: 'export-csv' } },
      'Export CSV'), h('span', { role: 'status', class: 'muted' }));
  } else {
    replace(exportBox, notAvailable('CSV export'));
  }
  ctx.live(['transaction.started', 'transaction.stopped'], refresh);
  ctx.every(30_000, refresh);
  await refresh();
}
