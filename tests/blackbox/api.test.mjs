// api.test.mjs — every endpoint of the JSON API (doc/api.md) against the
// real server: reading, searching (French behaviour), organisations,
// caching, CORS, methods, and the write life cycle with its rights.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import {
  reviveServer,
  BORDEAUX_METROPOLE,
  LYON,
  DATA_CSV,
  assertApiError,
  createRecord,
  readCsv,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
} from './lib.mjs';

let env; // {db, tokens}
let srv;
const csvRows = readCsv(DATA_CSV);

before(async () => {
  env = setupLibrary();
  srv = await startServer(env.db);
});

after(async () => {
  if (srv) await srv.stop();
});

// a crash fails the test that caused it; later tests get a new server
const crashes = [];
beforeEach(async () => {
  srv = await reviveServer(srv, () => startServer(env.db), crashes);
});

const get = (p, o) => srv.request('GET', p, o);
const RESTRICTED = ['contact', 'funding', 'budget_band', 'hosting', 'algorithm_operations', 'data_access', 'cost_one_off',
  'cost_yearly', 'staff_time'];
const META_KEYS = ['id', 'slug', 'url', 'schema_version', 'state', 'version', 'created_at', 'updated_at', 'published_at', 'retract_reason',
  'reuse_of', 'impact_label'];
const FACETS = ['theme', 'status', 'org_kind', 'region', 'departement', 'population_band', 'ai_technique', 'risk_level',
  'impact_label'];

async function total(q = '') {
  const r = await get(`/api/v1/usecases${q ? '?' + q : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.json.meta.total;
}

async function ids(q) {
  const r = await get(`/api/v1/usecases?per_page=100&${q}`);
  assert.equal(r.status, 200, r.text);
  return r.json.data.map((x) => x.id);
}

let schema;

// ==== Reading ====

test('GET /healthz: status, migration and the 23 published records', async () => {
  const r = await get('/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(r.json.ok, true);
  assert.equal(r.json.data.status, 'ok');
  assert.ok(Number.isInteger(r.json.data.schema_migration) && r.json.data.schema_migration >= 1);
  assert.equal(r.json.data.published_usecases, 23);
});

test('GET /api/v1/schema: the field table with types, visibility, limits and vocabularies', async () => {
  const r = await get('/api/v1/schema');
  assert.equal(r.status, 200);
  assert.equal(r.json.ok, true);
  schema = r.json.data;
  const types = new Set(['string', 'text', 'markdown', 'enum', 'enum_list', 'string_list', 'url', 'url_list', 'boolean',
    'integer', 'number', 'date', 'organisation', 'organisation_list', 'supplier_list', 'legal_basis_list',
    'indicator_list', 'reuse_kit']);
  assert.ok(Array.isArray(schema.fields) && schema.fields.length > 30);
  const byName = Object.fromEntries(schema.fields.map((f) => [f.name, f]));
  for (const f of schema.fields) {
    for (const k of ['name', 'label', 'help', 'type', 'visibility', 'required', 'section']) assert.ok(k in f, `${f.name}.${k}`);
    assert.ok(types.has(f.type), `${f.name}: type ${f.type}`);
    assert.ok(['public', 'restricted'].includes(f.visibility));
    assert.ok('interconnectes_column' in f);
  }
  assert.deepEqual(schema.fields.filter((f) => f.visibility === 'restricted').map((f) => f.name).sort(), [...RESTRICTED].sort());
  assert.deepEqual(schema.fields.filter((f) => f.required).map((f) => f.name).sort(), ['owner', 'status', 'summary', 'theme', 'title']);
  // items of the indicator list and the reuse kit: their members, vocabularies listed
  for (const name of ['indicators', 'reuse_kit']) {
    const items = byName[name].item_fields;
    assert.ok(Array.isArray(items) && items.length >= 5, `${name}.item_fields`);
    assert.ok(items.some((m) => m.name === 'visibility' && m.vocabulary === 'visibility'), `${name}: item visibility`);
    for (const m of items) if (m.vocabulary) assert.ok(Array.isArray(schema.vocabularies[m.vocabulary]), `${name}.${m.name}: vocabulary ${m.vocabulary}`);
  }
  assert.ok(schema.vocabularies.common_indicators.some((c) => c.code === 'processing_delay' && c.unit === 'jours'));
  assert.deepEqual(schema.vocabularies.evidence_level.map((e) => e.code), ['declared', 'measured', 'independent']);
  assert.equal(byName.title.max_length, 200);
  assert.equal(byName.title.type, 'string');
  assert.equal(byName.summary.max_length, 350);
  assert.equal(byName.description.type, 'markdown');
  assert.equal(byName.partners.max_items, 50);
  assert.equal(byName.owner.type, 'organisation');
  assert.equal(byName.latitude.minimum, -90);
  assert.equal(byName.latitude.maximum, 90);
  assert.ok(byName.theme.enum.some((e) => e.code === 'ecological_transition' && e.label === 'Transition écologique'));
  assert.ok(byName.status.enum.some((e) => e.code === 'experiment'));
  assert.equal(byName.title.interconnectes_column, 'nom_projet');
  for (const v of ['state', 'org_kind', 'population_band']) {
    assert.ok(Array.isArray(schema.vocabularies[v]) && schema.vocabularies[v].length > 0, v);
  }
  assert.deepEqual(schema.vocabularies.population_band.map((x) => x.code), ['lt_3500', '3500_20000', '20000_100000', 'gt_100000']);
});

test('GET /api/v1/usecases: default list, item shape, meta', async () => {
  const r = await get('/api/v1/usecases');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
  const { data, meta } = r.json;
  assert.equal(meta.total, 23);
  assert.equal(meta.page, 1);
  assert.equal(meta.per_page, 20);
  assert.equal(meta.pages, 2);
  assert.equal(meta.sort, 'updated');
  assert.equal(data.length, 20);
  for (const x of data) {
    for (const k of ['id', 'slug', 'url', 'title', 'summary', 'state', 'theme', 'status', 'updated_at', 'owner', 'snippet_html']) {
      assert.ok(k in x, `item key ${k}`);
    }
    assert.equal(x.url, `/fiches/${x.id}-${x.slug}`);
    assert.equal(x.state, 'published');
    assert.deepEqual(Object.keys(x.owner).sort(), ['id', 'kind', 'name']);
    assert.equal(x.snippet_html, null, 'no snippet without q');
  }
  for (let i = 1; i < data.length; i++) assert.ok(data[i - 1].updated_at >= data[i].updated_at, 'sorted by update, newest first');
});

test('GET /api/v1/usecases: page and per_page cover every record once', async () => {
  const seen = [];
  for (let page = 1; page <= 5; page++) {
    const r = await get(`/api/v1/usecases?per_page=5&page=${page}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.meta.pages, 5);
    assert.equal(r.json.meta.page, page);
    assert.equal(r.json.data.length, page < 5 ? 5 : 3);
    seen.push(...r.json.data.map((x) => x.id));
  }
  assert.equal(new Set(seen).size, 23);
  const p2 = await get('/api/v1/usecases?page=2');
  assert.equal(p2.json.data.length, 3);
  const beyond = await get('/api/v1/usecases?page=9');
  assert.equal(beyond.status, 200);
  assert.equal(beyond.json.data.length, 0);
  assert.equal(beyond.json.meta.total, 23);
});

test('GET /api/v1/usecases: facets with counts over the whole result set, sorted by count', async () => {
  const r = await get('/api/v1/usecases?per_page=1');
  const facets = r.json.meta.facets;
  assert.deepEqual(Object.keys(facets).sort(), [...FACETS].sort());
  for (const name of FACETS) {
    const arr = facets[name];
    assert.ok(Array.isArray(arr), name);
    for (const f of arr) {
      assert.deepEqual(Object.keys(f).sort(), ['count', 'label', 'value']);
      assert.ok(f.count > 0);
    }
    for (let i = 1; i < arr.length; i++) assert.ok(arr[i - 1].count >= arr[i].count, `${name} sorted by count`);
  }
  // one theme, one status, one owner kind, one label value per record: counts add up
  for (const name of ['theme', 'status', 'org_kind', 'impact_label']) {
    assert.equal(facets[name].reduce((s, f) => s + f.count, 0), 23, name);
  }
  // theme counts agree with the CSV (13 "Transition écologique et énergétique")
  const csvEco = csvRows.filter((x) => x.Theme === 'Transition écologique et énergétique').length;
  assert.equal(facets.theme.find((f) => f.value === 'ecological_transition').count, csvEco);
  assert.equal(facets.region.find((f) => f.value === '84').label, 'Auvergne-Rhône-Alpes');
});

test('GET /api/v1/usecases: each facet filter gives its facet count', async () => {
  const facets = (await get('/api/v1/usecases?per_page=1')).json.meta.facets;
  for (const name of FACETS) {
    for (const f of facets[name]) {
      const r = await get(`/api/v1/usecases?per_page=100&${name}=${encodeURIComponent(f.value)}`);
      assert.equal(r.status, 200, `${name}=${f.value}: ${r.text}`);
      assert.equal(r.json.meta.total, f.count, `${name}=${f.value}`);
      if (name === 'theme') assert.ok(r.json.data.every((x) => x.theme === f.value));
      if (name === 'status') assert.ok(r.json.data.every((x) => x.status === f.value));
      if (name === 'org_kind') assert.ok(r.json.data.every((x) => x.owner.kind === f.value));
      // the filtered facet still lists the value with the same count
      assert.equal(r.json.meta.facets[name].find((x) => x.value === f.value).count, f.count);
    }
  }
  // valid codes with no record: an empty result, not an error
  for (const [name, value] of [['ai_technique', 'nlp'], ['risk_level', 'high'], ['population_band', 'lt_3500'], ['departement', '2A'], ['region', '94']]) {
    const r = await get(`/api/v1/usecases?${name}=${value}`);
    assert.equal(r.status, 200, `${name}=${value}: ${r.text}`);
    assert.ok(r.json.meta.total >= 0);
  }
  const lyonRhone = await get('/api/v1/usecases?departement=69');
  assert.equal(lyonRhone.json.meta.total, csvRows.filter((x) => x.SIRET.startsWith('200046977')).length);
});

test('GET /api/v1/usecases: repeated values are OR within a facet, AND across facets', async () => {
  const exp = await total('status=experiment');
  const ended = await total('status=ended');
  assert.ok(exp > 0 && ended > 0);
  assert.equal(await total('status=experiment&status=ended'), exp + ended);
  const both = await get('/api/v1/usecases?per_page=100&theme=administration&status=ended');
  assert.ok(both.json.meta.total > 0);
  assert.ok(both.json.data.every((x) => x.theme === 'administration' && x.status === 'ended'));
  assert.ok(both.json.meta.total <= Math.min(await total('theme=administration'), ended));
  const csvBoth = csvRows.filter((x) => x.Theme === 'Administration et organisation interne' && x.Statut_du_projet === 'Terminé').length;
  assert.equal(both.json.meta.total, csvBoth);
});

test('GET /api/v1/usecases?owner=: any organisation key form', async () => {
  const lyonMetro = csvRows.filter((x) => x.SIRET.startsWith('200046977')).length;
  assert.equal(lyonMetro, 3);
  for (const key of ['epci-200046977', '200046977']) {
    const r = await get(`/api/v1/usecases?owner=${key}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.meta.total, lyonMetro, key);
    assert.ok(r.json.data.every((x) => x.owner.id === 'epci-200046977'));
  }
  const bdx = await get(`/api/v1/usecases?owner=${BORDEAUX_METROPOLE.siren}`);
  assert.ok(bdx.json.data.some((x) => x.title === 'Stacoptim'));
  assert.ok(bdx.json.data.every((x) => x.owner.id === BORDEAUX_METROPOLE.key));
  const none = await get(`/api/v1/usecases?owner=${LYON.key}`);
  assert.equal(none.status, 200);
  assert.equal(none.json.meta.total, 0);
});

test('GET /api/v1/usecases: sort', async () => {
  const upd = await get('/api/v1/usecases?sort=updated&per_page=100');
  assert.equal(upd.json.meta.sort, 'updated');
  const rel = await get('/api/v1/usecases?q=eau&per_page=100');
  assert.equal(rel.json.meta.sort, 'relevance', 'relevance is the default with q');
  assert.equal(rel.json.meta.query, 'eau');
  assert.ok(rel.json.meta.total > 0);
  const relUpd = await get('/api/v1/usecases?q=eau&sort=updated&per_page=100');
  assert.equal(relUpd.json.meta.sort, 'updated');
  assert.deepEqual(relUpd.json.data.map((x) => x.id).sort(), rel.json.data.map((x) => x.id).sort());
  const d = relUpd.json.data;
  for (let i = 1; i < d.length; i++) assert.ok(d[i - 1].updated_at >= d[i].updated_at);
  const relNoQ = await get('/api/v1/usecases?sort=relevance');
  assert.equal(relNoQ.status, 200);
});

test('GET /api/v1/usecases/{id}: metadata then every public field in schema order', async () => {
  const list = await get('/api/v1/usecases?owner=epci-243300316');
  const id = list.json.data.find((x) => x.title === 'Stacoptim').id;
  const r = await get(`/api/v1/usecases/${id}`);
  assert.equal(r.status, 200);
  const d = r.json.data;
  assert.equal(d.id, id);
  assert.equal(d.url, `/fiches/${id}-${d.slug}`);
  assert.equal(d.state, 'published');
  assert.ok(d.version >= 1);
  assert.equal(typeof d.schema_version, 'string');
  const publicFields = schema.fields.filter((f) => f.visibility === 'public').map((f) => f.name);
  const keys = Object.keys(d).filter((k) => k !== 'provenance');
  assert.deepEqual(keys, [...META_KEYS, ...publicFields], 'metadata, then public fields in schema order');
  for (const k of RESTRICTED) assert.ok(!(k in d), `restricted ${k} absent for anonymous`);
  assert.deepEqual(d.owner, { id: 'epci-243300316', name: 'Bordeaux Métropole', kind: 'epci', siren: '243300316' });
  assert.equal(d.provenance.source, 'interconnectes');
  assert.equal(d.provenance.file, 'data.csv');
  assert.ok(Number.isInteger(d.provenance.line));
  assert.equal(typeof d.provenance.raw, 'object');
  // an agent (any organisation) gets the restricted fields, as null when empty
  const a = await get(`/api/v1/usecases/${id}`, { token: env.tokens.agentLyon });
  assert.equal(a.status, 200);
  for (const k of RESTRICTED) assert.ok(k in a.json.data, `restricted ${k} present for an agent`);
  const allFields = schema.fields.map((f) => f.name);
  assert.deepEqual(Object.keys(a.json.data).filter((k) => k !== 'provenance'), [...META_KEYS, ...allFields]);
});

test('404s: unknown record, bad id, unknown path, unknown organisation', async () => {
  for (const p of ['/api/v1/usecases/999999', '/api/v1/usecases/0', '/api/v1/usecases/abc', '/api/v1/usecases/1x',
    '/api/v1/usecases/-1', '/api/v1/usecases/99999999999999999999']) {
    const r = await get(p);
    assertApiError(r, 404, 'resource.not_found');
  }
  assertApiError(await get('/api/v1/nothing-here'), 404, 'resource.not_found');
  assertApiError(await get('/api/v2/usecases'), 404, 'resource.not_found');
  for (const k of ['commune-00000', 'epci-999999999', 'nobody', '999999999', 'region-00', 'commune-69123x']) {
    assertApiError(await get(`/api/v1/organisations/${k}`), 404, 'resource.not_found');
  }
});

// ==== Organisations ====

const ORG_KEYS = ['id', 'name', 'kind', 'kind_label', 'subtype', 'code', 'siren', 'population', 'population_band',
  'departement', 'region', 'official', 'active', 'url'];

async function orgSearch(q, extra = '') {
  const r = await get(`/api/v1/organisations?q=${encodeURIComponent(q)}&per_page=100${extra}`);
  assert.equal(r.status, 200, `${q}: ${r.text}`);
  return r.json.data;
}

test('GET /api/v1/organisations?q=: by name prefix, accents and case folded', async () => {
  const bdx = await orgSearch('bordeaux');
  assert.ok(bdx.some((o) => o.id === 'commune-33063' && o.name === 'Bordeaux'), 'Bordeaux (commune)');
  assert.ok(bdx.some((o) => o.id === 'epci-243300316' && o.name === 'Bordeaux Métropole'), 'Bordeaux Métropole');
  for (const o of bdx) assert.deepEqual(Object.keys(o), ORG_KEYS);
  const lyo = await orgSearch('lyo');
  assert.ok(lyo.some((o) => o.id === 'commune-69123' && o.name === 'Lyon'), 'prefix "lyo" finds Lyon');
  assert.ok(lyo.some((o) => o.id === 'epci-200046977'), 'prefix "lyo" finds Métropole de Lyon');
  const lyon = lyo.find((o) => o.id === 'commune-69123');
  assert.equal(lyon.kind, 'commune');
  assert.equal(lyon.code, '69123');
  assert.equal(lyon.siren, '216901231');
  assert.equal(lyon.departement, '69');
  assert.equal(lyon.region, '84');
  assert.equal(lyon.population_band, 'gt_100000');
  assert.equal(lyon.official, true);
  assert.equal(lyon.active, true);
  assert.equal(lyon.url, '/organisations/commune-69123');
  // folding: without accents, upper case, with other accents
  for (const q of ['beziers', 'BÉZIERS', 'Béziers', 'bézier']) {
    assert.ok((await orgSearch(q)).some((o) => o.id === 'commune-34032'), `${q} finds Béziers`);
  }
  for (const q of ['metropole de lyon', 'MÉTROPOLE DE LYON']) {
    assert.ok((await orgSearch(q)).some((o) => o.id === 'epci-200046977'), q);
  }
  const r = await get('/api/v1/organisations?q=lyon&per_page=2');
  assert.equal(r.json.data.length, 2);
  assert.equal(r.json.meta.per_page, 2);
  const r2 = await get('/api/v1/organisations?q=lyon&per_page=2&page=2');
  assert.equal(r2.json.meta.page, 2);
  assert.notDeepEqual(r2.json.data.map((o) => o.id), r.json.data.map((o) => o.id));
});

test('GET /api/v1/organisations?q=: by SIREN and by INSEE code', async () => {
  const s = await orgSearch('243300316');
  assert.equal(s.length, 1);
  assert.equal(s[0].id, 'epci-243300316');
  assert.equal(s[0].siren, '243300316');
  assert.equal(s[0].kind, 'epci');
  const spaced = await orgSearch('243 300 316');
  assert.equal(spaced.length, 1);
  assert.equal(spaced[0].id, 'epci-243300316');
  const i = await orgSearch('69123');
  assert.ok(i.length >= 1);
  assert.equal(i[0].id, 'commune-69123');
  assert.equal(i[0].name, 'Lyon');
  const dep = await orgSearch('2A');
  assert.ok(dep.some((o) => o.id === 'departement-2A'), 'département 2A (Corse-du-Sud)');
});

test('GET /api/v1/organisations/{key}: every key form gives the same organisation', async () => {
  const forms = [
    ['commune-69123', 'commune-69123'], ['69123', 'commune-69123'], ['216901231', 'commune-69123'],
    ['epci-243300316', 'epci-243300316'], ['243300316', 'epci-243300316'],
    ['departement-69', 'departement-69'], ['69', 'departement-69'], ['region-84', 'region-84'],
    ['departement-2A', 'departement-2A'], ['2A', 'departement-2A'],
  ];
  for (const [key, id] of forms) {
    const r = await get(`/api/v1/organisations/${key}`);
    assert.equal(r.status, 200, `${key}: ${r.text}`);
    assert.equal(r.json.data.organisation.id, id, key);
    assert.ok(Array.isArray(r.json.data.usecases));
    assert.equal(typeof r.json.meta.total, 'number');
  }
  const lyon = (await get('/api/v1/organisations/commune-69123')).json.data.organisation;
  assert.equal(lyon.departement_name, 'Rhône');
  assert.equal(lyon.region_name, 'Auvergne-Rhône-Alpes');
  const bdx = await get('/api/v1/organisations/epci-243300316');
  assert.ok(bdx.json.data.usecases.some((u) => u.title === 'Stacoptim'));
  for (const u of bdx.json.data.usecases) assert.equal(u.url, `/fiches/${u.id}-${u.url.split('-').slice(1).join('-')}`);
  const lm = await get('/api/v1/organisations/epci-200046977?per_page=2');
  assert.equal(lm.json.meta.total, 3);
  assert.equal(lm.json.data.usecases.length, 2);
  const lm2 = await get('/api/v1/organisations/epci-200046977?per_page=2&page=2');
  assert.equal(lm2.json.data.usecases.length, 1);
});

// ==== Caching, CORS, methods ====

test('ETag on GET 200 and If-None-Match gives 304', async () => {
  for (const p of ['/api/v1/usecases/1', '/api/v1/usecases?theme=mobility', '/api/v1/schema', '/api/v1/organisations/69123']) {
    const r = await get(p);
    assert.equal(r.status, 200);
    const etag = r.headers.get('etag');
    assert.ok(etag, `${p}: ETag`);
    assert.match(etag, /^"[^"]+"$/, 'a strong ETag');
    const again = await get(p);
    assert.equal(again.headers.get('etag'), etag, 'stable');
    const nm = await get(p, { headers: { 'If-None-Match': etag } });
    assert.equal(nm.status, 304, `${p}: 304`);
    assert.equal(nm.buffer.length, 0);
    const other = await get(p, { headers: { 'If-None-Match': '"0000000000000000"' } });
    assert.equal(other.status, 200);
  }
  // a different representation has a different ETag
  const anon = await get('/api/v1/usecases/1');
  const agent = await get('/api/v1/usecases/1', { token: env.tokens.agentLyon });
  assert.notEqual(anon.headers.get('etag'), agent.headers.get('etag'));
  assert.match(anon.headers.get('vary') || '', /Authorization/);
});

test('CORS: public GETs allow any origin; writes do not', async () => {
  for (const p of ['/healthz', '/api/v1/schema', '/api/v1/usecases', '/api/v1/usecases/1', '/api/v1/organisations?q=lyon', '/api/v1/organisations/69123']) {
    const r = await get(p, { headers: { Origin: 'https://example.org' } });
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('access-control-allow-origin'), '*', p);
  }
  const w = await srv.request('POST', '/api/v1/usecases', { json: validRecord(), headers: { Origin: 'https://example.org' } });
  assert.equal(w.status, 401);
  assert.equal(w.headers.get('access-control-allow-origin'), null, 'no CORS on writes');
});

test('OPTIONS pre-flight answers for GET only', async () => {
  for (const p of ['/api/v1/usecases', '/api/v1/usecases/1', '/api/v1/organisations']) {
    const r = await srv.request('OPTIONS', p, {
      headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(r.status, 204, `${p}: ${r.status} ${r.text}`);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const methods = r.headers.get('access-control-allow-methods') || '';
    assert.match(methods, /GET/);
    assert.doesNotMatch(methods, /POST|PATCH|DELETE|PUT/);
  }
});

test('405 with Allow for a method the path does not take', async () => {
  let r = await srv.request('DELETE', '/api/v1/usecases/1');
  assertApiError(r, 405, 'request.method_not_allowed');
  const allow = r.headers.get('allow') || '';
  assert.match(allow, /GET/);
  assert.match(allow, /PATCH/);
  r = await srv.request('PUT', '/api/v1/usecases');
  assertApiError(r, 405, 'request.method_not_allowed');
  assert.match(r.headers.get('allow') || '', /GET/);
  assert.match(r.headers.get('allow') || '', /POST/);
  r = await srv.request('POST', '/api/v1/schema', { json: {} });
  assertApiError(r, 405, 'request.method_not_allowed');
  assert.match(r.headers.get('allow') || '', /GET/);
  r = await srv.request('GET', '/api/v1/usecases/1/retract');
  assertApiError(r, 405, 'request.method_not_allowed');
  assert.match(r.headers.get('allow') || '', /POST/);
  // still readable afterwards
  assert.equal((await get('/api/v1/usecases/1')).status, 200);
});

// ==== French search ====

const searchRecords = {};

test('search fixtures: records created and published through the API', async () => {
  const mk = async (name, over) => {
    const d = await createRecord(srv, env.tokens.refBdx, validRecord({ state: 'published', ...over }));
    assert.equal(d.state, 'published');
    searchRecords[name] = d.id;
  };
  await mk('velo', { title: 'Comptage des vélos Zorglubien', summary: 'Compter les passages de vélos sur les pistes cyclables.' });
  await mk('coeur', { title: 'Animation du cœur de ville Quokkaville', summary: 'Revitaliser le cœur de ville.' });
  await mk('phrase1', { title: 'Essai Tamarinus alpha bravo', summary: 'Premier essai de phrase.' });
  await mk('phrase2', { title: 'Essai Tamarinus bravo alpha', summary: 'Second essai de phrase.' });
  await mk('titleHit', { title: 'Le Wombatique en titre', summary: 'Un résumé sans le mot.' });
  await mk('bodyHit', {
    title: 'Un autre projet de test',
    summary: 'Un autre résumé sans le mot.',
    description: 'Un long texte. '.repeat(20) + 'Ici le Wombatique apparaît une fois. ' + 'Encore du texte. '.repeat(20),
  });
  await mk('escaped', {
    title: 'Projet échappement',
    summary: 'Résumé neutre.',
    human_oversight: 'Contrôle <b>Ornithorynque</b> & "associés" <script>x</script>',
  });
  assert.equal(await total(), 23 + 7);
});

test('search: accents, case and ligatures are folded', async () => {
  for (const q of ['velo', 'vélo', 'VÉLO', 'Velos', 'vélos']) {
    assert.ok((await ids(`q=${encodeURIComponent(q)}`)).includes(searchRecords.velo), `${q} finds « vélos »`);
  }
  for (const q of ['coeur', 'cœur', 'CŒUR', 'Coeur']) {
    assert.ok((await ids(`q=${encodeURIComponent(q + ' quokkaville')}`)).includes(searchRecords.coeur), `${q} finds « cœur »`);
  }
  assert.deepEqual(await ids('q=zorglubien'), [searchRecords.velo]);
  assert.deepEqual(await ids('q=ZORGLUBIEN'), [searchRecords.velo]);
});

test('search: prefix match on the last word only', async () => {
  assert.deepEqual(await ids('q=zorglu'), [searchRecords.velo]);
  assert.deepEqual(await ids(`q=${encodeURIComponent('vélos zorgl')}`), [searchRecords.velo]);
  const r = await get(`/api/v1/usecases?q=${encodeURIComponent('vélos zorgl')}`);
  assert.match(r.json.meta.fts, /\*$/, 'the FTS expression ends with a prefix');
  assert.deepEqual(await ids(`q=${encodeURIComponent('zorgl vélos')}`), [], 'no prefix on a word that is not the last');
});

test('search: French stop words are dropped', async () => {
  const a = await get(`/api/v1/usecases?per_page=100&q=${encodeURIComponent('la détection des fuites')}`);
  const b = await get(`/api/v1/usecases?per_page=100&q=${encodeURIComponent('détection fuites')}`);
  assert.ok(b.json.meta.total > 0, 'the SICOVAL record mentions the detection of leaks');
  assert.deepEqual(a.json.data.map((x) => x.id), b.json.data.map((x) => x.id));
  assert.equal(a.json.meta.fts, b.json.meta.fts);
  assert.doesNotMatch(a.json.meta.fts, /"la"|"des"/);
  assert.ok(a.json.data.some((x) => /fuites d'eau/.test(x.title)));
});

test('search: quoted phrases', async () => {
  const loose = await ids(`q=${encodeURIComponent('tamarinus alpha bravo')}`);
  assert.deepEqual(loose.sort(), [searchRecords.phrase1, searchRecords.phrase2].sort());
  assert.deepEqual(await ids(`q=${encodeURIComponent('tamarinus "alpha bravo"')}`), [searchRecords.phrase1]);
  assert.deepEqual(await ids(`q=${encodeURIComponent('"bravo alpha" tamarinus')}`), [searchRecords.phrase2]);
  assert.deepEqual(await ids(`q=${encodeURIComponent('tamarinus « alpha bravo »')}`), [searchRecords.phrase1], 'French quotes');
});

test('search: a title match ranks above a body match', async () => {
  const r = await get('/api/v1/usecases?q=wombatique');
  assert.equal(r.json.meta.sort, 'relevance');
  assert.deepEqual(r.json.data.map((x) => x.id), [searchRecords.titleHit, searchRecords.bodyHit]);
  // by update, the body hit (created last) comes first
  const u = await get('/api/v1/usecases?q=wombatique&sort=updated');
  assert.deepEqual(u.json.data.map((x) => x.id), [searchRecords.bodyHit, searchRecords.titleHit]);
});

test('search: snippet_html marks matches with <mark> and escapes the text', async () => {
  const r = await get('/api/v1/usecases?q=wombatique');
  const body = r.json.data.find((x) => x.id === searchRecords.bodyHit);
  assert.match(body.snippet_html, /<mark>Wombatique<\/mark>/);
  const e = await get('/api/v1/usecases?q=ornithorynque');
  assert.equal(e.json.data.length, 1);
  const s = e.json.data[0].snippet_html;
  assert.match(s, /<mark>Ornithorynque<\/mark>/);
  assert.match(s, /&lt;b&gt;/);
  assert.match(s, /&amp;/);
  const withoutMarks = s.replace(/<\/?mark>/g, '');
  assert.doesNotMatch(withoutMarks, /[<>]/, 'no markup besides <mark>');
  assert.doesNotMatch(e.text, /<script/i, 'JSON escapes < as \\u003c');
});

test('search: a query made only of stop words or punctuation is harmless', async () => {
  for (const q of ['la des les', '!!!', '"', '*', 'NEAR(a b)', 'a OR b', '-', '""']) {
    const r = await get(`/api/v1/usecases?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, `${q}: ${r.text}`);
  }
});

// ==== Writes and rights ====

let draftId;
let draftVersion;

test('POST: create (201, Location, draft by default), visible to its organisation only', async () => {
  const before = await total();
  const r = await srv.request('POST', '/api/v1/usecases', {
    token: env.tokens.agentBdx,
    json: validRecord({ title: 'Brouillon de Bordeaux', contact: 'dpo@bordeaux-metropole.example.fr' }),
  });
  assert.equal(r.status, 201, r.text);
  const d = r.json.data;
  assert.equal(r.headers.get('location'), `/api/v1/usecases/${d.id}`);
  assert.equal(d.state, 'draft');
  assert.equal(d.version, 1);
  assert.equal(d.title, 'Brouillon de Bordeaux');
  assert.equal(d.contact, 'dpo@bordeaux-metropole.example.fr', 'the author reads restricted fields');
  assert.equal(d.published_at, null);
  assert.equal(d.owner.id, BORDEAUX_METROPOLE.key);
  draftId = d.id;
  draftVersion = d.version;
  // invisible to anonymous readers, lists and other organisations
  assertApiError(await get(`/api/v1/usecases/${draftId}`), 404, 'resource.not_found');
  assertApiError(await get(`/api/v1/usecases/${draftId}`, { token: env.tokens.agentLyon }), 404, 'resource.not_found');
  assert.equal(await total(), before);
  assert.ok(!(await ids('q=brouillon')).includes(draftId));
  const page = await get(`/fiches/${draftId}`);
  assert.equal(page.status, 404);
  // visible to the author, to the organisation's referent, to a curator
  for (const t of ['agentBdx', 'refBdx', 'curator']) {
    const g = await get(`/api/v1/usecases/${draftId}`, { token: env.tokens[t] });
    assert.equal(g.status, 200, t);
    assert.equal(g.json.data.state, 'draft');
  }
});

test('publishing needs a referent: 403 auth.forbidden_publish for a plain agent, nothing written', async () => {
  const before = await total();
  let r = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, { token: env.tokens.agentBdx, json: { state: 'published' } });
  assertApiError(r, 403, 'auth.forbidden_publish', 'state');
  r = await srv.request('POST', '/api/v1/usecases', { token: env.tokens.agentBdx, json: validRecord({ state: 'published', title: 'Publication interdite' }) });
  assertApiError(r, 403, 'auth.forbidden_publish', 'state');
  assert.equal(await total(), before);
  const g = await get(`/api/v1/usecases/${draftId}`, { token: env.tokens.agentBdx });
  assert.equal(g.json.data.state, 'draft');
  assert.equal(g.json.data.version, draftVersion);
});

test('a referent publishes; the record becomes public', async () => {
  const before = await total();
  const r = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, {
    token: env.tokens.refBdx,
    json: { state: 'published', version: draftVersion },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.state, 'published');
  assert.equal(r.json.data.version, draftVersion + 1);
  assert.ok(r.json.data.published_at);
  draftVersion = r.json.data.version;
  const pub = await get(`/api/v1/usecases/${draftId}`);
  assert.equal(pub.status, 200);
  assert.equal(pub.json.data.state, 'published');
  assert.ok(!('contact' in pub.json.data));
  assert.equal(await total(), before + 1);
  assert.ok((await ids('q=brouillon bordeaux')).includes(draftId));
});

test('PATCH: every save is a new version; a stale version is a 409', async () => {
  // the record is published: only those who may publish it edit it (workflow.c)
  const denied = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, {
    token: env.tokens.agentBdx,
    json: { summary: 'Agent seul', version: draftVersion },
  });
  assertApiError(denied, 403, 'auth.forbidden');
  let r = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, {
    token: env.tokens.refBdx,
    json: { summary: 'Résumé modifié.', version: draftVersion },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.version, draftVersion + 1);
  assert.equal(r.json.data.summary, 'Résumé modifié.');
  assert.equal(r.json.data.title, 'Brouillon de Bordeaux', 'other fields kept');
  const stale = draftVersion;
  draftVersion = r.json.data.version;
  r = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, {
    token: env.tokens.refBdx,
    json: { summary: 'Écrasement', version: stale },
  });
  assertApiError(r, 409, 'resource.conflict', 'version');
  let g = await get(`/api/v1/usecases/${draftId}`);
  assert.equal(g.json.data.summary, 'Résumé modifié.');
  assert.equal(g.json.data.version, draftVersion);
  // without version: last writer wins, new version
  r = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, { token: env.tokens.refBdx, json: { partners: ['ADEME'] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.version, draftVersion + 1);
  assert.deepEqual(r.json.data.partners, ['ADEME']);
  draftVersion = r.json.data.version;
  // null and "" clear a field
  r = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, { token: env.tokens.refBdx, json: { partners: null, contact: '' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.partners, null);
  assert.equal(r.json.data.contact, null);
  draftVersion = r.json.data.version;
  // a published record does not go back to draft
  r = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, { token: env.tokens.refBdx, json: { state: 'draft' } });
  assertApiError(r, 409, 'resource.conflict');
  g = await get(`/api/v1/usecases/${draftId}`);
  assert.equal(g.json.data.state, 'published');
  assert.equal(g.json.data.version, draftVersion);
});

test('writes by an agent of another organisation: 403 auth.forbidden, nothing written', async () => {
  const before = await total();
  let r = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, { token: env.tokens.agentLyon, json: { summary: 'Piraté' } });
  assertApiError(r, 403, 'auth.forbidden');
  r = await srv.request('POST', `/api/v1/usecases/${draftId}/retract`, { token: env.tokens.agentLyon, json: { reason: 'Piraté' } });
  assertApiError(r, 403, 'auth.forbidden');
  r = await srv.request('POST', '/api/v1/usecases', { token: env.tokens.agentLyon, json: validRecord({ title: 'Pour Bordeaux' }) });
  assertApiError(r, 403, 'auth.forbidden', 'owner');
  // moving one's record to another organisation needs rights there too
  r = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, { token: env.tokens.refBdx, json: { owner: LYON.key } });
  assertApiError(r, 403, 'auth.forbidden', 'owner');
  const g = await get(`/api/v1/usecases/${draftId}`);
  assert.equal(g.json.data.summary, 'Résumé modifié.');
  assert.equal(g.json.data.owner.id, BORDEAUX_METROPOLE.key);
  assert.equal(g.json.data.version, draftVersion);
  assert.equal(await total(), before);
  // but it may write for its own organisation
  const own = await createRecord(srv, env.tokens.agentLyon, validRecord({ owner: LYON.insee, title: 'Projet lyonnais' }));
  assert.equal(own.owner.id, LYON.key, 'owner given as an INSEE code is stored as the key');
  assert.equal(own.state, 'draft');
});

test('a curator may publish for any organisation', async () => {
  const d = await createRecord(srv, env.tokens.curator, validRecord({ owner: LYON.key, title: 'Publié par la curation', state: 'published' }));
  assert.equal(d.state, 'published');
  assert.equal((await get(`/api/v1/usecases/${d.id}`)).status, 200);
});

test('retract: reason kept, still public, no more changes', async () => {
  const before = await total();
  // retracting needs the right to publish (workflow.c): a plain agent may not
  const denied = await srv.request('POST', `/api/v1/usecases/${draftId}/retract`, {
    token: env.tokens.agentBdx,
    json: { reason: 'Projet arrêté faute de données.' },
  });
  assertApiError(denied, 403, 'auth.forbidden');
  const r = await srv.request('POST', `/api/v1/usecases/${draftId}/retract`, {
    token: env.tokens.refBdx,
    json: { reason: 'Projet arrêté faute de données.' },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.state, 'retracted');
  assert.equal(r.json.data.retract_reason, 'Projet arrêté faute de données.');
  const pub = await get(`/api/v1/usecases/${draftId}`);
  assert.equal(pub.status, 200);
  assert.equal(pub.json.data.state, 'retracted');
  assert.equal(pub.json.data.retract_reason, 'Projet arrêté faute de données.');
  assert.equal(await total(), before, 'retracted records stay listed');
  const listed = (await get('/api/v1/usecases?per_page=100')).json.data.find((x) => x.id === draftId);
  assert.equal(listed.state, 'retracted');
  const v = pub.json.data.version;
  let p = await srv.request('PATCH', `/api/v1/usecases/${draftId}`, { token: env.tokens.refBdx, json: { summary: 'Encore' } });
  assertApiError(p, 409, 'resource.conflict');
  p = await srv.request('POST', `/api/v1/usecases/${draftId}/retract`, { token: env.tokens.refBdx, json: { reason: 'Deux fois' } });
  assertApiError(p, 409, 'resource.conflict');
  const g = await get(`/api/v1/usecases/${draftId}`);
  assert.equal(g.json.data.version, v);
  assert.equal(g.json.data.retract_reason, 'Projet arrêté faute de données.');
});

test('retract a draft: 409', async () => {
  const d = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Autre brouillon' }));
  const r = await srv.request('POST', `/api/v1/usecases/${d.id}/retract`, { token: env.tokens.agentBdx, json: { reason: 'Pas publié' } });
  assertApiError(r, 409, 'resource.conflict');
  const g = await get(`/api/v1/usecases/${d.id}`, { token: env.tokens.agentBdx });
  assert.equal(g.json.data.state, 'draft');
  assert.equal(g.json.data.version, 1);
});

test('authentication: no token 401 auth.missing_token, bad token 401 auth.invalid_token (also on GET)', async () => {
  const before = await total();
  let r = await srv.request('POST', '/api/v1/usecases', { json: validRecord({ state: 'published' }) });
  assertApiError(r, 401, 'auth.missing_token');
  assert.match(r.headers.get('www-authenticate') || '', /^Bearer/);
  r = await srv.request('PATCH', '/api/v1/usecases/1', { json: { summary: 'x' } });
  assertApiError(r, 401, 'auth.missing_token');
  r = await srv.request('POST', '/api/v1/usecases/1/retract', { json: { reason: 'x' } });
  assertApiError(r, 401, 'auth.missing_token');
  const bad = [
    { Authorization: 'Bearer iat_notarealtokennotarealtokennotarealtoken' },
    { Authorization: 'Bearer ' + env.tokens.agentBdx + 'x' },
    { Authorization: 'Bearer x' },
    { Authorization: 'Basic dXNlcjpwYXNz' },
    { Authorization: 'Bearer' },
    { Authorization: env.tokens.agentBdx },
  ];
  for (const headers of bad) {
    r = await srv.request('POST', '/api/v1/usecases', { headers, json: validRecord({ state: 'published' }) });
    assertApiError(r, 401, 'auth.invalid_token');
    for (const p of ['/api/v1/usecases', '/api/v1/usecases/1', '/api/v1/schema', '/api/v1/organisations/69123']) {
      r = await get(p, { headers });
      assertApiError(r, 401, 'auth.invalid_token');
    }
  }
  assert.equal(await total(), before);
  assert.equal((await get('/api/v1/usecases/1')).json.data.version, 1);
});

test('write rate limit: 429 rate.limited with Retry-After (--write-rate 3)', async () => {
  const limited = await startServer(env.db, ['--write-rate', '3']);
  try {
    let statuses;
    let last;
    for (let attempt = 0; attempt < 2; attempt++) {
      const m0 = Math.floor(Date.now() / 60000);
      statuses = [];
      for (let i = 0; i < 4; i++) {
        last = await limited.request('POST', '/api/v1/usecases', { token: env.tokens.agentBdx, json: validRecord({ title: `Rafale ${attempt}-${i}` }) });
        statuses.push(last.status);
      }
      if (Math.floor(Date.now() / 60000) === m0) break; // no minute boundary crossed
    }
    assert.deepEqual(statuses, [201, 201, 201, 429]);
    assertApiError(last, 429, 'rate.limited');
    const ra = Number(last.headers.get('retry-after'));
    assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= 60, `Retry-After ${last.headers.get('retry-after')}`);
    // other accounts and reads are not limited
    assert.equal((await limited.request('GET', '/api/v1/usecases/1')).status, 200);
    const other = await limited.request('POST', '/api/v1/usecases', { token: env.tokens.refBdx, json: validRecord({ title: 'Autre compte' }) });
    assert.equal(other.status, 201);
  } finally {
    await stopServerClean(limited);
  }
});

test('concurrent reads and writes on two threads', async () => {
  const before = await total();
  const jobs = [];
  for (let i = 0; i < 40; i++) {
    jobs.push(get(i % 2 ? '/api/v1/usecases?q=eau' : `/api/v1/usecases/${(i % 23) + 1}`).then((r) => r.status));
    if (i % 4 === 0) {
      jobs.push(srv.request('POST', '/api/v1/usecases', {
        token: env.tokens.refBdx,
        json: validRecord({ title: `Concurrence ${i}`, state: 'published' }),
      }).then((r) => r.status));
    }
    if (i % 8 === 0) jobs.push(get('/recherche?q=concurrence').then((r) => r.status));
  }
  const statuses = await Promise.all(jobs);
  assert.ok(statuses.every((s) => s === 200 || s === 201), `statuses: ${statuses.join(' ')}`);
  assert.equal(await total(), before + 10);
  assert.equal((await get('/api/v1/usecases?q=concurrence')).json.meta.total, 10);
});

test('the server stops cleanly on SIGTERM (exit 0, no sanitizer report), and never crashed', async () => {
  await stopServerClean(srv);
  assert.deepEqual(crashes, [], `the server crashed ${crashes.length} time(s):\n\n${crashes.join('\n\n')}`);
});
