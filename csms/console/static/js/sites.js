// Sites: each with its grid limit, sources and today's energy.

import { get, optional } from './api.js';
import { enc, errorText, h, kwh, link, notAvailable, pct, replace, table } from './ui.js';

export async function render(root) {
  const out = h('div');
  replace(root, h('h1', {}, 'Sites'), h('div', { class: 'panel' }, out));
  try {
    const sites = await optional('/sites');
    if (sites === null) { replace(out, notAvailable('Sites')); return; }
    const energy = await Promise.all(sites.map((s) => optional(`/sites/${enc(s.id)}/energy`)));
    const byId = new Map(sites.map((s, i) => [s.id, energy[i]]));
    const stations = await get('/stations');
    replace(out, table([
      { label: 'Site', get: (s) => link(`#/sites/${enc(s.id)}`, s.name) },
      { label: 'Id', get: (s) => s.id, wide: true },
      { label: 'Grid limit', get: (s) => `${s.grid_limit_kw} kW`, num: true },
      { label: 'Stations', get: (s) => stations.filter((st) => st.site_id === s.id).length, num: true },
      { label: 'Energy today', get: (s) => kwh(byId.get(s.id)?.energy_wh), num: true },
      { label: 'Green share', get: (s) => pct(byId.get(s.id)?.green_share), num: true },
      { label: 'Time zone', get: (s) => s.timezone || 'UTC', wide: true },
    ], sites, { empty: 'No sites yet: add one with POST /api/v1/sites.' }));
  } catch (err) {
    replace(out, errorText(err));
  }
}
