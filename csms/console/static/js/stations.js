// Stations: a filterable list that follows the stream (a station appears as it connects).

import { get, optional } from './api.js';
import { stationHealth } from './overview.js';
import { badge, enc, errorText, field, h, link, replace, table, when } from './ui.js';

export async function render(root, ctx) {
  const q = h('input', { type: 'search', name: 'q', placeholder: 'id, vendor, model' });
  const state = h('select', { name: 'state' },
    ['all', 'online', 'offline', 'faulted'].map((v) => h('option', { value: v }, v)));
  const site = h('select', { name: 'site' }, h('option', { value: '' }, 'all sites'));
  const out = h('div', { 'aria-live': 'polite' });
  let stations = [];
  const sites = await optional('/sites');
  for (const s of sites || []) site.append(h('option', { value: s.id }, s.name));

  function show() {
    const text = q.value.trim().toLowerCase();
    const rows = stations.filter((st) =>
      (!text || [st.id, st.vendor, st.model, st.description].some((v) => v && v.toLowerCase().includes(text)))
      && (state.value === 'all' || stationHealth(st) === state.value)
      && (!site.value || st.site_id === site.value));
    replace(out, h('p', { class: 'muted' }, `${rows.length} of ${stations.length} stations`), table([
      { label: 'Station', get: (s) => link(`#/stations/${enc(s.id)}`, s.id) },
      { label: 'State', get: (s) => badge(stationHealth(s), { online: 'on', offline: 'off', faulted: 'Faulted' }[stationHealth(s)]) },
      { label: 'Connectors', get: (s) => s.evses.flatMap((e) => e.connectors.map((c) =>
        h('span', {}, badge(`${e.evse_id}/${c.connector_id} ${c.status || '?'}`, c.status), ' '))) },
      { label: 'Protocol', get: (s) => s.protocol || '–', wide: true },
      { label: 'Vendor / model', get: (s) => [s.vendor, s.model].filter(Boolean).join(' ') || '–', wide: true },
      { label: 'Firmware', get: (s) => s.firmware_version || '–', wide: true },
      { label: 'Site', get: (s) => s.site_id || '–' },
      { label: 'Last seen', get: (s) => when(s.last_seen), wide: true },
    ], rows, { empty: 'No stations match.' }));
  }

  async function refresh() {
    try {
      stations = await get('/stations');
      show();
    } catch (err) {
      replace(out, errorText(err));
    }
  }

  for (const el of [q, state, site]) el.addEventListener('input', show);
  replace(root, h('h1', {}, 'Stations'),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
      field('Search', q), field('State', state), field('Site', site)),
    h('div', { class: 'panel' }, out));
  ctx.live(['station.connected', 'station.disconnected', 'station.booted', 'status.changed'], refresh, 300);
  await refresh();
}
