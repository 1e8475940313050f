// Overview: the network at a glance, per site the power against the grid limit and the sun,
// today's energy and green share, and recent alerts (kept live from the event stream).

import { get, optional } from './api.js';
import { badge, card, enc, errorText, h, kwh, link, panel, pct, replace, table, when } from './ui.js';

const STALE_MS = 15 * 60 * 1000;  // a connected station silent for longer "stopped reporting"

export function stationHealth(st) {
  const statuses = st.evses.flatMap((e) => e.connectors.map((c) => c.status));
  if (statuses.includes('Faulted')) return 'faulted';
  return st.connected ? 'online' : 'offline';
}

function alertsFrom(stations, plans, sites) {
  const out = [];
  for (const s of sites) {  // the import measured above the limit despite the site's guard
    if (s.local_guard && s.guard_failure) {
      out.push({ at: s.guard_failure.at, kind: 'limit', station: null,
                 text: `${s.name}: ${s.guard_failure.import_kw} kW imported against a ${s.grid_limit_kw} kW limit; its local guard is not counted on until declared again` });
    }
  }
  const now = Date.now();
  for (const st of stations) {
    for (const e of st.evses) {
      for (const c of e.connectors) {
        if (c.status === 'Faulted') {
          out.push({ at: c.updated_at, kind: 'fault', station: st.id,
                     text: `EVSE ${e.evse_id} connector ${c.connector_id} faulted (${c.error_code || 'no code'})` });
        }
      }
    }
    if (st.connected && st.last_seen && now - new Date(st.last_seen).getTime() > STALE_MS) {
      out.push({ at: st.last_seen, kind: 'silent', station: st.id, text: 'connected but stopped reporting' });
    }
  }
  for (const plan of plans) {
    for (const u of plan?.unmanaged_stations || []) {
      out.push({ at: plan.computed_at, kind: 'profile', station: u.station_id,
                 text: `not managed by the planner: ${u.reason}` });
    }
  }
  return out;
}

function alertTable(alerts) {
  return table([
    { label: 'When', get: (a) => when(a.at) },
    { label: 'Kind', get: (a) => badge(a.kind, ['fault', 'security', 'limit'].includes(a.kind) ? 'Faulted' : 'Occupied') },
    { label: 'Station', get: (a) => (a.station ? link(`#/stations/${enc(a.station)}`, a.station) : '–') },
    { label: 'What', get: (a) => a.text },
  ], alerts.slice(0, 20), { empty: 'No alerts.' });
}

function siteBlock(site, plan, energy, stations, active) {
  const ids = new Set(stations.filter((s) => s.site_id === site.id).map((s) => s.id));
  const charging = active.filter((t) => ids.has(t.station_id)).length;
  const loadNow = plan?.load_kw?.length ? plan.load_kw[0] : null;
  const greenNow = plan?.forecast?.green_kw?.length ? plan.forecast.green_kw[0] : null;
  // the latest readings (no older than a slot); else the mean of the last slot measured
  const measured = (plan?.forecast?.measured_kw || []).filter((x) => x !== null);
  const latest = plan?.forecast?.latest_kw ?? null;
  const greenMeasured = latest !== null ? latest : (measured.length ? measured[measured.length - 1] : null);
  const share = loadNow !== null && site.grid_limit_kw ? Math.min(1, loadNow / site.grid_limit_kw) : null;
  return h('section', { class: 'panel site-block', 'aria-label': `Site ${site.name}`, dataset: { site: site.id } },
    h('h2', {}, link(`#/sites/${enc(site.id)}`, site.name), ' ', h('span', { class: 'muted' }, site.id)),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Power now (planned) / grid limit'),
      h('dd', {}, loadNow === null ? '–' : `${loadNow.toFixed(1)} kW`, ' / ', `${site.grid_limit_kw} kW`,
        share === null ? '' : h('meter', { min: 0, max: 1, value: share, 'aria-label': 'share of the grid limit' })),
      h('dt', {}, 'Green production now'),
      h('dd', {}, greenMeasured === null ? 'no reading' : `${greenMeasured.toFixed(1)} kW measured`,
        greenNow === null ? '' : ` · ${greenNow.toFixed(1)} kW expected`),
      h('dt', {}, 'Charging now'), h('dd', {}, String(charging)),
      h('dt', {}, 'Today'),
      h('dd', {}, energy ? `${kwh(energy.energy_wh)}, ${kwh(energy.green_energy_wh)} green (${pct(energy.green_share)})` : '–')));
}

export async function render(root, ctx) {
  const body = h('div');
  const live = [];
  replace(root, h('h1', {}, 'Overview'), body);

  async function refresh() {
    try {
      const [stations, active, sites] = await Promise.all([
        get('/stations'), get('/transactions', { active: true, limit: 1000 }), optional('/sites')]);
      const health = stations.map(stationHealth);
      const count = (x) => health.filter((v) => v === x).length;
      const list = sites || [];
      const [plans, energy] = await Promise.all([
        Promise.all(list.map((s) => optional(`/sites/${enc(s.id)}/plan`))),
        Promise.all(list.map((s) => optional(`/sites/${enc(s.id)}/energy`)))]);
      const blocks = list.map((s, i) => siteBlock(s, plans[i], energy[i], stations, active));
      const totalWh = energy.reduce((a, e) => a + (e?.energy_wh || 0), 0);
      const greenWh = energy.reduce((a, e) => a + (e?.green_energy_wh || 0), 0);
      const alerts = [...live, ...alertsFrom(stations, plans, list)]
        .sort((a, b) => String(b.at).localeCompare(String(a.at)));
      replace(body,
        h('div', { class: 'cards' },
          card('Online', count('online'), 'online'), card('Offline', count('offline'), 'offline'),
          card('Faulted', count('faulted'), 'faulted'), card('Charging now', active.length, 'charging'),
          card('Energy today at sites', kwh(totalWh), 'energy'),
          card('Green share today', totalWh ? pct(greenWh / totalWh) : '–', 'green-share')),
        sites === null ? null : h('div', { class: 'grid' }, blocks.length ? blocks : h('p', { class: 'muted' }, 'No sites yet.')),
        panel('Recent alerts', alertTable(alerts)));
    } catch (err) {
      replace(body, errorText(err));
    }
  }

  const note = (kind, text) => (d) => {
    live.unshift({ at: new Date().toISOString(), kind, station: d.station_id, text: text(d) });
    live.splice(50);
  };
  ctx.on('station.security_event', note('security', (d) => `security event ${d.type || d.event_type || ''}`.trim()));
  ctx.on('station.disconnected', note('offline', () => 'disconnected'));
  ctx.on('status.changed', (d) => { if (d.status === 'Faulted') note('fault', () => `connector ${d.connector_id ?? ''} faulted`)(d); });
  ctx.live(['station.connected', 'station.disconnected', 'status.changed', 'transaction.started',
    'transaction.stopped', 'station.security_event', 'site.guard_failed'], refresh);
  ctx.every(30_000, refresh);
  await refresh();
}
