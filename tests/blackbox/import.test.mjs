// import.test.mjs — `iat import interconnectes` of both CSV variants of Les
// Interconnectés' library into fresh databases, checked field by field
// through the API against the CSV itself, then the record pages.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  DATA_CSV,
  PROCESSED_CSV,
  assertHtmlPage,
  cloneDb,
  createAccount,
  h1Text,
  htmlUnescape,
  iat,
  initDb,
  lines,
  loadOrgs,
  makeTempDir,
  readCsv,
  startServer,
  stopServerClean,
} from './lib.mjs';

// data.csv has 23 records. processed_data.csv (the "processed" export, ';'
// separated, schema column names) has 21: the issue speaks of "all 23", but
// that file simply holds 21 rows (SOURCES.md), so 21 is the right count.
const dataRows = readCsv(DATA_CSV, ',');
const procRows = readCsv(PROCESSED_CSV, ';');

let dir;
let base; // init + organisations, no record
const dbs = {};
const srvs = {};
const tokens = {};
const importOut = {};

before(async () => {
  dir = makeTempDir();
  base = path.join(dir, 'base.db');
  initDb(base);
  loadOrgs(base);
  for (const [name, csv] of [['data', DATA_CSV], ['processed', PROCESSED_CSV]]) {
    dbs[name] = cloneDb(base, path.join(dir, `${name}.db`));
    importOut[name] = iat(['import', 'interconnectes', '--db', dbs[name], csv]);
    tokens[name] = createAccount(dbs[name], `agent-${name}@lyon.example.fr`, 'agent', '69123');
  }
  for (const name of Object.keys(dbs)) {
    if (importOut[name].code === 0) srvs[name] = await startServer(dbs[name]);
  }
});

after(async () => {
  for (const s of Object.values(srvs)) await s.stop();
});

// ==== Expected values, computed from the CSV ====

const STATUS = { 'En expérimentation': 'experiment', 'En déploiement': 'deployed', Terminé: 'ended' };
const THEME = {
  'Transition écologique et énergétique': 'ecological_transition',
  'Transition écologique': 'ecological_transition',
  Mobilités: 'mobility',
  'Administration et organisation interne': 'administration',
  'Gouvernance et socles technologiques': 'governance',
};
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
const AUDIENCE = { agent: 'agents', elu: 'elected_officials', collectivites: 'local_authorities', 'grand public': 'general_public', amenageurs: 'planners' };
const squash = (s) => s.replace(/[\s,;-]+/g, '').toLowerCase(); // case: suggestions' spelling
const oneLine = (s) => s.replace(/\s+/g, ' ').trim();
const multiLine = (s) => s.replace(/\r\n?/g, '\n').trim();

function monthDate(s) {
  const m = /^(\d{2})\/(\d{4})$/.exec(s.trim());
  return m ? `${m[2]}-${m[1]}` : undefined;
}
function dayDate(s) {
  s = s.trim();
  let m = /^(\d{2})[/.-](\d{2})[/.-](\d{4})$/.exec(s);
  if (m) return `${m[3]}-${m[2]}-${m[1]}`;
  m = /^\d{5}$/.exec(s);
  if (m) {
    const d = new Date(Date.UTC(1899, 11, 30) + Number(s) * 86400000);
    return d.toISOString().slice(0, 10);
  }
  return undefined;
}

// column names of both spellings
const COLS = {
  data: { title: 'Nom_du_projet', siret: 'SIRET', lat: 'Latitude', lon: 'Longitude', start: 'Date_de_demarrage', status: 'Statut_du_projet',
    partners: 'Partenaires', desc: 'Description_service', theme: 'Theme', sub: 'Sous_Theme', aud: 'Audience', url: 'URL_Service', logo: 'URL_Logo', date: 'Date_de_derniere_mise_a_jour', org: 'Nom_collectivite' },
  processed: { title: 'nom_projet', siret: 'coll_siret', lat: 'latitude', lon: 'longitude', start: 'projet_date', status: 'projet_status',
    partners: 'partenaires', desc: 'usage_description', theme: 'theme', sub: 'sous_theme', aud: 'audience_service', url: 'url_infos', logo: 'image_url', date: 'date', org: 'coll_nom' },
};

function expected(row, variant) {
  const c = COLS[variant];
  const url = (v) => (/^https?:\/\/\S+$/.test((v || '').trim()) ? v.trim() : null);
  return {
    title: oneLine(row[c.title]),
    status: STATUS[row[c.status].trim()],
    theme: THEME[row[c.theme].trim()],
    start_date: monthDate(row[c.start]) ?? null,
    description: multiLine(row[c.desc]) || null,
    latitude: row[c.lat].trim() ? Number(row[c.lat]) : null,
    longitude: row[c.lon].trim() ? Number(row[c.lon]) : null,
    info_url: url(row[c.url]),
    image_url: url(row[c.logo]),
    info_updated_on: dayDate(row[c.date]) ?? null,
    // the split rule (',' ';' or '-' outside compound words) is the
    // importer's; here the items must give back the cell's text
    sub_themes: row[c.sub].trim() ? squash(row[c.sub]) : null,
    audiences: row[c.aud].trim() ? [...new Set(row[c.aud].split(/[,;-]/).map((s) => AUDIENCE[fold(s)]))] : null,
  };
}

// owners known for sure (SIREN of the reference data, or resolved by name)
const OWNERS = {
  Stacoptim: 'epci-243300316',
  ViPARE: 'commune-57463',
  'DIAT Vendée Numérique': 'departement-85',
  'PEP-BIOccIA': 'region-76',
  PREVIZO: 'region-24',
  'IA rbre': 'epci-200046977',
  'IMMERSION IA': 'epci-200046977',
  "PRECI : prévention automatisée des conflits d'intérêt": 'epci-200046977',
  'IADATA lutte contre le gaspillage alimentaire': 'epci-243100518',
  'IADATA catégorisation des délibérations ou des participations citoyennes': 'epci-243100518',
  'IADATA, calcul des ilots de chaleur urbains': 'epci-243100518',
  "IADATA, lutte contre les confits d'intérêts": 'epci-243100518',
  "Expérimentation IA pour la détection des fuites d'eau": 'epci-243100633',
  'Expérimentation assistance rédactionnelle': 'epci-243100633',
  'Expérimentation IA avec le relevé de dégradations pour la GMAO de voirie': 'commune-75056',
  'Mission 90+': 'syndicat-254300882',
};

async function allRecords(name) {
  const r = await srvs[name].request('GET', '/api/v1/usecases?per_page=100');
  assert.equal(r.status, 200);
  const out = [];
  for (const x of r.json.data) {
    const g = await srvs[name].request('GET', `/api/v1/usecases/${x.id}`, { token: tokens[name] });
    assert.equal(g.status, 200);
    out.push(g.json.data);
  }
  return out;
}

// ==== Tests ====

for (const [name, count, file] of [['data', 23, 'data.csv'], ['processed', 21, 'processed_data.csv']]) {
  test(`import ${file} into a fresh database: ${count} published records, one summary line`, async () => {
    const out = importOut[name];
    assert.equal(out.code, 0, `import failed: ${out.stderr}`);
    assert.equal(lines(out.stdout).length, 1, `one summary line: ${out.stdout}`);
    assert.match(out.stdout, new RegExp(`\\b${count} fiches \\(${count} créées, 0 mises à jour, 0 inchangées\\)`));
    for (const l of lines(out.stderr)) assert.match(l, /^iat: avertissement : ligne \d+/, `warnings name their line: ${l}`);
    const rows = name === 'data' ? dataRows : procRows;
    assert.equal(rows.length, count, 'the CSV itself has this many records');
    const h = await srvs[name].request('GET', '/healthz');
    assert.equal(h.json.data.published_usecases, count);
    const l = await srvs[name].request('GET', '/api/v1/usecases');
    assert.equal(l.json.meta.total, count);
  });

  test(`import ${file}: every record matches its CSV row (title, status, theme, dates, texts, URLs, coordinates, lists)`, async () => {
    const rows = name === 'data' ? dataRows : procRows;
    const recs = await allRecords(name);
    assert.equal(recs.length, rows.length);
    const byTitle = new Map(recs.map((r) => [r.title, r]));
    rows.forEach((row, i) => {
      const e = expected(row, name);
      const r = byTitle.get(e.title);
      assert.ok(r, `record for CSV row ${i + 2} « ${e.title} »`);
      for (const [k, v] of Object.entries(e)) {
        const got = k === 'sub_themes' && r[k] ? squash(r[k].join(',')) : r[k];
        assert.deepEqual(got, v, `« ${e.title} ».${k}`);
      }
      if (r.sub_themes) for (const st of r.sub_themes) assert.equal(st, st.trim(), 'sub-themes trimmed');
      assert.equal(r.state, 'published');
      assert.ok(!/[\r\n]/.test(r.title), 'one-line title');
      assert.ok([...r.summary].length <= 350, 'summary within 350 characters');
      assert.ok(r.summary.length > 0);
      if (OWNERS[e.title]) assert.equal(r.owner.id, OWNERS[e.title], `« ${e.title} ».owner`);
      assert.equal(r.provenance.source, 'interconnectes');
      assert.equal(r.provenance.file, file);
      assert.ok(Number.isInteger(r.provenance.line) && r.provenance.line >= 2);
      assert.equal(typeof r.provenance.imported_at, 'string');
      assert.equal(r.provenance.raw.nom_projet, row[COLS[name].title], 'raw keeps the original value');
      assert.equal(r.provenance.raw.coll_nom, row[COLS[name].org]);
    });
    // lines are the physical CSV lines of the records: in order, distinct
    const ls = rows.map((row) => byTitle.get(oneLine(row[COLS[name].title])).provenance.line);
    for (let i = 1; i < ls.length; i++) assert.ok(ls[i] > ls[i - 1], 'provenance lines increase');
    assert.equal(ls[0], 2);
  });
}

test('data.csv: Stacoptim field by field', async () => {
  const recs = await allRecords('data');
  const s = recs.find((r) => r.title === 'Stacoptim');
  const row = dataRows.find((r) => r.Nom_du_projet === 'Stacoptim');
  assert.deepEqual(s.owner, { id: 'epci-243300316', name: 'Bordeaux Métropole', kind: 'epci', siren: '243300316' });
  assert.equal(s.status, 'experiment');
  assert.equal(s.theme, 'ecological_transition');
  assert.equal(s.start_date, '2024-01');
  assert.deepEqual(s.partners, ['DRYAS', 'Kocliko', 'Domofrance', 'ENERLAB']);
  assert.deepEqual(s.audiences, ['agents']);
  assert.deepEqual(s.sub_themes, ['Modélisation et jumeau numérique', 'Performance énergétique']);
  assert.equal(s.info_url, row.URL_Service);
  assert.equal(s.info_url, 'https://www.bordeaux-metropole.fr/sites/MET-BXMETRO-DRUPAL/files/2024-06/DP%20-%20Conseil%20de%20m%C3%A9tropole%2007.06.2024.pdf');
  assert.equal(s.image_url, row.URL_Logo);
  assert.equal(s.latitude, 44.8380737);
  assert.equal(s.longitude, -0.5844559);
  assert.equal(s.info_updated_on, '2025-04-16');
  assert.equal(s.description, row.Description_service);
  // summary: the description cut at a word boundary, with an ellipsis
  assert.ok(row.Description_service.length > 350);
  assert.match(s.summary, /…$/);
  assert.ok([...s.summary].length <= 350);
  const cut = s.summary.slice(0, -1);
  assert.ok(row.Description_service.startsWith(cut), 'summary is the start of the description');
  assert.match(row.Description_service.slice(cut.length), /^[\s,.;:]/, 'cut at a word boundary');
  assert.ok(cut.length > 300, 'not cut much shorter than needed');
  for (const k of ['contact', 'funding', 'budget_band', 'hosting', 'algorithm_operations', 'data_access', 'cost_one_off',
    'cost_yearly', 'staff_time']) assert.equal(s[k], null, k);
  assert.equal(s.provenance.line, 2);
  assert.equal(s.provenance.raw.coll_siret, '24330031600011');
});

test('processed_data.csv: Stacoptim keeps that file\'s values', async () => {
  const recs = await allRecords('processed');
  const s = recs.find((r) => r.title === 'Stacoptim');
  assert.equal(s.owner.id, 'epci-243300316', 'SIRET "243 300 316 00011" with spaces');
  assert.equal(s.latitude, 44.8380737304687);
  assert.equal(s.longitude, -0.5844559073);
  assert.equal(s.info_updated_on, '2025-01-21');
  assert.equal(s.theme, 'ecological_transition', '"Transition écologique" alone');
  assert.deepEqual(s.partners, ['DRYAS', 'Kocliko', 'Domofrance', 'ENERLAB']);
  assert.equal(s.provenance.raw.coll_siret, '243 300 316 00011');
});

test('data.csv: the SICOVAL record whose CSV title spans three lines gets a one-line title', async () => {
  const row = dataRows.find((r) => r.Nom_du_projet.includes('\n'));
  assert.ok(row, 'the CSV has a title with embedded new lines');
  assert.equal(row.Nom_du_projet, "Expérimentation IA \npour la détection \ndes fuites d'eau ");
  const recs = await allRecords('data');
  const s = recs.find((r) => r.title === "Expérimentation IA pour la détection des fuites d'eau");
  assert.ok(s, `one-line title; titles: ${recs.map((r) => JSON.stringify(r.title)).join(', ')}`);
  assert.equal(s.owner.id, 'epci-243100633');
  assert.equal(s.owner.name.toUpperCase().includes('SICOVAL'), true);
  assert.equal(s.status, 'deployed');
  assert.equal(s.theme, 'ecological_transition');
  assert.equal(s.slug, 'experimentation-ia-pour-la-detection-des-fuites-d-eau');
  assert.equal(s.provenance.raw.nom_projet, row.Nom_du_projet, 'the original spelling stays in the provenance');
  assert.equal(s.description, multiLine(row.Description_service));
  // the record after it in the file: line numbers count physical lines
  const next = recs.find((r) => r.title === 'Expérimentation assistance rédactionnelle');
  assert.ok(next.provenance.line > s.provenance.line + 1);
});

test('data.csv: owners found by name when the SIRET is wrong (Toulouse Métropole)', async () => {
  const recs = await allRecords('data');
  const tls = recs.filter((r) => r.title.startsWith('IADATA'));
  assert.equal(tls.length, 4);
  for (const r of tls) assert.equal(r.owner.id, 'epci-243100518', r.title);
  const warn = importOut.data.stderr;
  assert.match(warn, /ligne \d+, colonne SIRET : .*24410051800170/);
  const org = await srvs.data.request('GET', '/api/v1/organisations/epci-243100518');
  assert.equal(org.json.meta.total, 4);
});

test('re-import of the same file: nothing created or changed, versions kept', async () => {
  const before = await allRecords('data');
  const out = iat(['import', 'interconnectes', '--db', dbs.data, DATA_CSV]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(lines(out.stdout).length, 1);
  assert.match(out.stdout, /23 fiches \(0 créées, 0 mises à jour, 23 inchangées\)/);
  const afterRecs = await allRecords('data');
  assert.deepEqual(afterRecs.map((r) => [r.id, r.version, r.updated_at]), before.map((r) => [r.id, r.version, r.updated_at]));
  const h = await srvs.data.request('GET', '/healthz');
  assert.equal(h.json.data.published_usecases, 23);
});

test('the two variants into one database: processed_data.csv updates the same records, adds none', async () => {
  const db = cloneDb(dbs.data, path.join(dir, 'both.db'));
  const out = iat(['import', 'interconnectes', '--db', db, PROCESSED_CSV]);
  assert.equal(out.code, 0, out.stderr);
  // every processed record is one of data.csv's (same owner, same title)
  assert.match(out.stdout, /21 fiches \(0 créées, \d+ mises à jour, \d+ inchangées\)/);
});

test('--dry-run writes nothing', async () => {
  const db = cloneDb(base, path.join(dir, 'dry.db'));
  const dry = iat(['import', 'interconnectes', '--dry-run', '--db', db, DATA_CSV]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /23 fiches/);
  const real = iat(['import', 'interconnectes', '--db', db, DATA_CSV]);
  assert.equal(real.code, 0);
  assert.match(real.stdout, /23 créées/, 'the dry run had created nothing');
});

test('a CSV with restricted columns: values mapped, hidden from anonymous readers (fields and raw provenance)', async () => {
  const db = cloneDb(base, path.join(dir, 'restricted.db'));
  const csv = path.join(dir, 'restricted.csv');
  fs.writeFileSync(csv, [
    'coll_nom;nom_projet;coll_siret;projet_status;theme;usage_description;projet_contact;financement;budget;herbergement;algorithme_operations;donnees_acces;audience_service',
    'Bordeaux Métropole;Projet Restreint Okapi;24330031600011;En expérimentation;Transition écologique;Description publique Okapi.;SECRETRAW-contact@example.fr;SECRETRAW financement;moins de 50k€;en interne;SECRETRAW opérations;par API;Agent',
    '',
  ].join('\n'));
  const out = iat(['import', 'interconnectes', '--db', db, csv]);
  assert.equal(out.code, 0, out.stderr);
  const tok = createAccount(db, 'agent@lyon.example.fr', 'agent', '69123');
  const srv = await startServer(db);
  try {
    const list = await srv.request('GET', '/api/v1/usecases?q=okapi');
    assert.equal(list.json.meta.total, 1);
    const id = list.json.data[0].id;
    const agent = (await srv.request('GET', `/api/v1/usecases/${id}`, { token: tok })).json.data;
    assert.equal(agent.contact, 'SECRETRAW-contact@example.fr');
    assert.equal(agent.funding, 'SECRETRAW financement');
    assert.equal(agent.budget_band, 'lt_50k');
    assert.equal(agent.hosting, 'internal');
    assert.equal(agent.algorithm_operations, 'SECRETRAW opérations');
    assert.equal(agent.data_access, 'api');
    assert.equal(agent.provenance.raw.projet_contact, 'SECRETRAW-contact@example.fr');
    for (const p of [`/api/v1/usecases/${id}`, list.json.data[0].url, '/api/v1/usecases?q=okapi', '/recherche?q=okapi', '/organisations/epci-243300316']) {
      const r = await srv.request('GET', p);
      assert.equal(r.status, 200, p);
      assert.ok(!r.text.includes('SECRETRAW'), `${p}: restricted value leaked`);
      for (const raw of ['moins de 50k', 'en interne', 'par API']) assert.ok(!r.text.includes(raw), `${p}: raw « ${raw} » leaked`);
    }
    const anon = (await srv.request('GET', `/api/v1/usecases/${id}`)).json.data;
    for (const col of ['projet_contact', 'financement', 'budget', 'herbergement', 'algorithme_operations', 'donnees_acces']) {
      assert.ok(!(col in anon.provenance.raw), `raw column ${col} hidden`);
    }
    assert.equal(anon.provenance.raw.nom_projet, 'Projet Restreint Okapi');
  } finally {
    await stopServerClean(srv);
  }
});

test('every imported record page renders with its title', async () => {
  for (const name of ['data', 'processed']) {
    const list = (await srvs[name].request('GET', '/api/v1/usecases?per_page=100')).json.data;
    for (const x of list) {
      const r = await srvs[name].request('GET', x.url);
      assertHtmlPage(r);
      assert.equal(htmlUnescape(h1Text(r.text)), x.title, x.url);
      assert.match(r.text, /Origine de la fiche/);
      assert.match(r.text, /Bibliothèque IA territoriale/);
    }
    const org = await srvs[name].request('GET', '/organisations/epci-200046977');
    assertHtmlPage(org);
  }
});

test('the servers stop cleanly on SIGTERM (exit 0, no sanitizer report)', async () => {
  for (const s of Object.values(srvs)) await stopServerClean(s);
});
