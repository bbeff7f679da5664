// observatory.test.mjs — the observatory's library statistics (issue 7):
// GET /observatoire (charts and map of France), its CSV files
// (/observatoire/NAME.csv) and GET /api/v1/stats/library.
//
// What it proves: every SVG the page sends is well-formed XML (checked by
// the strict checker of xml.mjs, itself tested on broken samples here);
// the map has exactly one path per département code (the 101 of the API),
// the five overseas ones inside their insets, each in a link to the
// département's page named "Nom (code) : valeur" (and every such page
// exists); the figures of each table equal the JSON and the CSV; the
// counts equal the facets of /api/v1/usecases (visible records); the
// statistics follow a publication at once; a draft is never counted;
// labels are escaped.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  assertApiError,
  assertHtmlPage,
  createRecord,
  csvRows,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
} from './lib.mjs';
import { checkXml } from './xml.mjs';

const OVERSEAS = ['971', '972', '973', '974', '976'];
const CHARTS = { themes: 'by_theme', statuts: 'by_status', techniques: 'by_ai_technique', strates: 'by_population_band', regions: 'by_region' };

let env;
let srv;

before(async () => {
  env = setupLibrary();
  srv = await startServer(env.db);
  // published records of a Corsican and an overseas département, and a draft
  await createRecord(srv, env.tokens.curator, validRecord({
    title: 'Fiche corse', owner: 'departement-2A', theme: 'mobility', status: 'deployed', state: 'published' }));
  await createRecord(srv, env.tokens.curator, validRecord({
    title: 'Fiche réunionnaise', owner: 'departement-974', theme: 'citizenship', status: 'idea', state: 'published' }));
  await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Brouillon jamais compté', theme: 'citizenship' }));
  // a published reuse (by Lyon) of the Corsican record, and a technique
  const corse = (await srv.request('GET', '/api/v1/usecases?q=corse')).json.data[0];
  const reuse = await srv.request('POST', `/api/v1/usecases/${corse.id}/reuses`, {
    token: env.tokens.curator, json: { owner: 'commune-69123', reuse_context: 'Reprise.', status: 'experiment', state: 'published' } });
  assert.equal(reuse.status, 201, reuse.text);
  await createRecord(srv, env.tokens.curator, validRecord({
    title: 'Fiche à deux techniques', owner: 'commune-69123', ai_techniques: ['nlp', 'generative_ai'], state: 'published' }));
});

after(async () => {
  if (srv) await stopServerClean(srv);
});

const decode = (s) => s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&#39;/g, "'").replace(/&amp;/g, '&').trim();
const num = (s) => Number(decode(s).replace(/[\u00a0\u202f ]/g, '').replace('\u2212', '-').replace(',', '.'));

/** Rows of the data table with id: [[header cell, td cells...]] (text). */
function tableRows(html, id) {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start > 0, `table #${id}`);
  const body = html.slice(start, html.indexOf('</table>', start));
  return [...body.matchAll(/<tr><th scope="row">(.*?)<\/th>(.*?)<\/tr>/g)].map((m) =>
    [decode(m[1]), ...[...m[2].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1])]);
}

/** The top-level <svg>…</svg> elements of a page (legend keys are separate, never nested). */
function svgs(html) {
  return [...html.matchAll(/<svg[\s>][\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

test('the XML checker refuses what an XML parser refuses', () => {
  assert.equal(checkXml('<svg xmlns="http://www.w3.org/2000/svg"><g><text x="1">a &amp; b</text></g></svg>'), null);
  for (const bad of ['<svg><g></svg>', '<svg a=1/>', '<svg>&nbsp;</svg>', '<svg a="1" a="2"/>', '<svg>a < b</svg>',
    '<svg/><svg/>', '<svg a="<"/>', '<svg>x & y</svg>', '<svg>', '<svg><g></g>'])
    assert.notEqual(checkXml(bad), null, bad);
});

test('GET /observatoire: every SVG is well-formed XML, accessible, without script', async () => {
  const r = await srv.request('GET', '/observatoire');
  assertHtmlPage(r);
  assert.match(r.text, /<h1>Statistiques de la bibliothèque<\/h1>/);
  const all = svgs(r.text);
  assert.ok(all.length >= 5, `${all.length} svg`);
  for (const s of all) {
    assert.equal(checkXml(s), null, `${checkXml(s)} in ${s.slice(0, 200)}`);
    assert.doesNotMatch(s, /<script|\son[a-z]+=/i);
    assert.match(s, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  }
  const charts = all.filter((s) => /class="chart"/.test(s));
  assert.equal(charts.length, 7);
  for (const s of charts) {
    assert.match(s, /role="img"/);
    const id = s.match(/aria-labelledby="([^"]+)"/)[1];
    assert.match(s, new RegExp(`<title id="${id}">[^<]+</title>`));
    const d = s.match(/aria-describedby="([^"]+)"/)[1];
    assert.match(s, new RegExp(`<desc id="${d}">[^<]+</desc>`));
    assert.match(s, /width="100%"/);
  }
  // a CSV link per chart and for the map; linked from the header navigation
  for (const name of ['themes', 'statuts', 'types-statuts', 'techniques', 'strates', 'regions', 'mois', 'departements'])
    assert.match(r.text, new RegExp(`href="/observatoire/${name}\\.csv"`));
  assert.match(r.text, /<a href="\/observatoire" aria-current="page">Statistiques<\/a>/);
  const home = await srv.request('GET', '/');
  assert.match(home.text, /href="\/observatoire"/);
});

test('the map: one path per département, overseas in insets, each a named link', async () => {
  const [page, api] = await Promise.all([srv.request('GET', '/observatoire'), srv.request('GET', '/api/v1/stats/library')]);
  const map = svgs(page.text).find((s) => /class="map"/.test(s));
  assert.ok(map);
  const deps = api.json.data.by_departement;
  assert.equal(deps.length, 101);
  const paths = [...map.matchAll(/<path data-code="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(paths.length, 101);
  assert.equal((map.match(/<path[\s>]/g) || []).length, 101, 'no other <path> in the map');
  assert.deepEqual([...paths].sort(), deps.map((d) => d.code).sort());
  assert.ok(paths.includes('2A') && paths.includes('2B') && !paths.includes('20'));
  for (const code of OVERSEAS) {
    const g = map.match(new RegExp(`<g class="map-inset" data-code="${code}">([\\s\\S]*?)</g>`));
    assert.ok(g, `inset ${code}`);
    assert.match(g[1], new RegExp(`<path data-code="${code}"`));
    assert.match(g[1], /<text class="map-name"[^>]*>[^<]+<\/text>/);
  }
  const metro = map.match(/<g class="map-metro">([\s\S]*?)<\/g>/)[1];
  for (const code of OVERSEAS) assert.doesNotMatch(metro, new RegExp(`data-code="${code}"`));
  for (const d of deps) {
    const name = d.name.replace(/&/g, '&amp;').replace(/'/g, '&#39;');
    const link = `<a href="/organisations/departement-${d.code}" aria-label="${name} (${d.code}) : ${d.count}"><path data-code="${d.code}"`;
    assert.ok(map.includes(link), `link of ${d.code}: ${link}`);
  }
  assert.doesNotMatch(map, /<title>/); // no tooltips
  assert.match(page.text, /Licence Ouverte/);
  // the legend's classes hold every département
  const legend = page.text.match(/<ul class="map-legend"[\s\S]*?<\/ul>/)[0];
  const held = [...legend.matchAll(/\((\d+) départements?\)/g)].reduce((s, m) => s + Number(m[1]), 0);
  assert.equal(held, 101);
  // every link leads to an existing page
  for (const d of deps) {
    const r = await srv.request('GET', `/organisations/departement-${d.code}`);
    assert.equal(r.status, 200, `/organisations/departement-${d.code}`);
  }
});

test('tables = JSON = CSV, and counts = the facets of /api/v1/usecases', async () => {
  const [page, api, list] = await Promise.all([srv.request('GET', '/observatoire'), srv.request('GET', '/api/v1/stats/library'),
    srv.request('GET', '/api/v1/usecases?per_page=1')]);
  assert.equal(api.status, 200);
  const st = api.json.data;
  assert.equal(st.total, list.json.meta.total);
  const facets = list.json.meta.facets;
  const facetMap = (name) => Object.fromEntries(facets[name].map((f) => [f.value, f.count]));
  const nonzero = (arr) => Object.fromEntries(arr.filter((x) => x.count > 0).map((x) => [x.code, x.count]));
  assert.deepEqual(nonzero(st.by_theme), facetMap('theme'));
  assert.deepEqual(nonzero(st.by_status), facetMap('status'));
  assert.deepEqual(Object.fromEntries(st.by_org_kind_status.map((k) => [k.code, k.total])), facetMap('org_kind'));
  assert.deepEqual(nonzero(st.by_departement), facetMap('departement'));
  // techniques, bands, régions, the label: the same as the facets ("" = not given, not a facet value)
  const given = (arr) => { const o = nonzero(arr); delete o['']; return o; };
  assert.deepEqual(given(st.by_ai_technique), facetMap('ai_technique'));
  assert.deepEqual(given(st.by_population_band), facetMap('population_band'));
  assert.deepEqual(given(st.by_region), facetMap('region'));
  assert.equal(st.impact_label_awarded, facetMap('impact_label').awarded || 0);
  assert.deepEqual(st.by_population_band.filter((b) => b.code).map((b) => b.code), ['lt_3500', '3500_20000', '20000_100000', 'gt_100000'], 'bands in order, all of them');
  for (const r of st.by_region.filter((x) => x.code)) assert.doesNotMatch(r.label, /^\d+$/, `région ${r.code} has its name`);
  // reuses: from the records themselves
  const all = await srv.request('GET', '/api/v1/usecases?per_page=100');
  assert.ok(all.json.meta.total <= 100);
  assert.equal(st.reuses.reusing_records, all.json.data.filter((u) => u.reuse_of).length);
  assert.equal(st.reuses.reused_records, all.json.data.filter((u) => u.reuses > 0).length);
  assert.ok(st.reuses.reusing_records >= 1 && st.reuses.reused_records >= 1, 'the fixture has a reuse');
  assert.ok(st.by_ai_technique.find((t) => t.code === 'generative_ai').count >= 1);
  assert.match(page.text, /fiches? (est|sont) (la réutilisation|des réutilisations)/);
  assert.match(page.text, /le label <a href="\/impact-demontre">/);
  // every breakdown adds up to the total
  const sum = (arr, k = 'count') => arr.reduce((s, x) => s + x[k], 0);
  assert.equal(sum(st.by_theme), st.total);
  assert.equal(sum(st.by_status), st.total);
  assert.equal(sum(st.by_org_kind_status, 'total'), st.total);
  assert.equal(sum(st.published_by_month) + st.undated, st.total);
  assert.equal(sum(st.by_departement) + st.without_departement, st.total);
  assert.equal(sum(st.by_population_band), st.total);
  assert.equal(sum(st.by_region), st.total);
  assert.ok(sum(st.by_ai_technique) >= st.total, 'a record counts once per technique, or once as none');

  // simple charts: table rows = JSON = CSV rows
  for (const [name, key] of Object.entries(CHARTS)) {
    const rows = tableRows(page.text, `${name}-table`);
    const expected = st[key].map((x) => [x.label, x.count]);
    assert.deepEqual(rows.map((r) => [r[0], num(r[1])]), expected);
    const csv = await srv.request('GET', `/observatoire/${name}.csv`);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(csv.headers.get('content-disposition'), new RegExp(`attachment; filename="iat-${name}\\.csv"`));
    const crows = csvRows(csv.text);
    assert.deepEqual(crows.slice(1).map((r) => [r[0], Number(r[1])]), expected);
  }
  // organisation kind × status
  const ks = tableRows(page.text, 'types-statuts-table');
  const kcsv = csvRows((await srv.request('GET', '/observatoire/types-statuts.csv')).text);
  assert.deepEqual(kcsv[0].slice(1), st.by_status.map((s) => s.label));
  st.by_org_kind_status.forEach((k, i) => {
    const want = st.by_status.map((s) => k.by_status[s.code]);
    assert.equal(ks[i][0], k.label);
    assert.deepEqual(ks[i].slice(1, 1 + want.length).map(num), want);
    assert.equal(num(ks[i][1 + want.length]), k.total);
    assert.deepEqual(kcsv[i + 1], [k.label, ...want.map(String)]);
  });
  // months
  const ms = tableRows(page.text, 'mois-table');
  const mcsv = csvRows((await srv.request('GET', '/observatoire/mois.csv')).text);
  assert.deepEqual(ms.map((r) => [r[0], num(r[1]), num(r[2])]), st.published_by_month.map((m) => [m.month, m.count, m.cumulative]));
  assert.deepEqual(mcsv.slice(1).map((r) => [r[0], Number(r[1]), Number(r[2])]), st.published_by_month.map((m) => [m.month, m.count, m.cumulative]));
  // départements
  const ds = tableRows(page.text, 'departements-table');
  const dcsv = csvRows((await srv.request('GET', '/observatoire/departements.csv')).text);
  assert.deepEqual(dcsv[0], ['code', 'departement', 'Fiches']);
  assert.equal(ds.length, 101);
  st.by_departement.forEach((d, i) => {
    assert.equal(ds[i][0], d.name);
    assert.equal(decode(ds[i][1]), d.code);
    assert.equal(num(ds[i][2]), d.count);
    assert.deepEqual(dcsv[i + 1], [d.code, d.name, String(d.count)]);
  });
  assert.equal(st.by_departement.find((d) => d.code === '2A').count, 1);
  assert.equal(st.by_departement.find((d) => d.code === '974').count, 1);
  // the draft is not counted
  assert.equal(st.by_theme.find((t) => t.code === 'citizenship').count, 1);
});

test('the statistics follow a publication at once', async () => {
  const before = (await srv.request('GET', '/api/v1/stats/library')).json.data;
  await createRecord(srv, env.tokens.curator, validRecord({
    title: 'Fiche guyanaise', owner: 'departement-973', theme: 'governance', status: 'ended', state: 'published' }));
  const now = (await srv.request('GET', '/api/v1/stats/library')).json.data;
  assert.equal(now.total, before.total + 1);
  const c = (st, code) => st.by_departement.find((d) => d.code === code).count;
  assert.equal(c(now, '973'), c(before, '973') + 1);
  const month = new Date().toISOString().slice(0, 7);
  const m = (st) => (st.published_by_month.find((x) => x.month === month) || { count: 0 }).count;
  assert.equal(m(now), m(before) + 1);
  const page = await srv.request('GET', '/observatoire');
  assert.ok(page.text.includes('aria-label="Guyane (973) : 1"'));
});

test('bad requests', async () => {
  for (const p of ['/observatoire/inconnu.csv', '/observatoire/themes', '/observatoire/themes.json', '/observatoire/.csv'])
    assert.equal((await srv.request('GET', p)).status, 404, p);
  assert.equal((await srv.request('GET', '/observatoire?x=1')).status, 400);
  assertApiError(await srv.request('GET', '/api/v1/stats/library?x=1'), 400);
  assert.equal((await srv.request('POST', '/api/v1/stats/library')).status, 405);
});
