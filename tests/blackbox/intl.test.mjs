// intl.test.mjs — international references (issue 6 §2): `iat import
// nl-algoritmeregister | uk-atrs | eu-pstw` of each real file of the
// registers abroad (data/demo/registers, copies of ../shared/data) with the
// report's counts checked exactly, idempotence, updates, the
// all-or-nothing rule, --skip-invalid, --dry-run; then the pages
// (/references-internationales, /references-internationales/{id}), the
// API (/api/v1/international-references) and the proof that the use-case
// statistics, search and facets do not change.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  SOURCE_DIR,
  assertHtmlPage,
  cloneDb,
  h1Text,
  htmlUnescape,
  iat,
  importCsv,
  initDb,
  loadOrgs,
  makeTempDir,
  request,
  startServer,
  stopServerClean,
} from './lib.mjs';

const FIX = path.join(SOURCE_DIR, 'data/demo/registers');
const NL_SCRAPE = path.join(FIX, 'algoritmes.json');
const NL_FULL = path.join(FIX, 'pub_data.json');
const UK = path.join(FIX, 'atrs_records.json');
const EU = path.join(FIX, 'pstw_dataset.csv');

const ukDoc = JSON.parse(fs.readFileSync(UK, 'utf8'));
const slugOf = (url) => url.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop();

// "import uk-atrs : 136 références (136 créées, 0 mises à jour, 0 inchangées[, 1 refusée]), 0 avertissements, 0.03 s"
function report(stdout) {
  const m = /^import (\S+)( \(essai, rien n'a été écrit\))? : (\d+) références? \((\d+) créées?, (\d+) mises? à jour, (\d+) inchangées?(?:, (\d+) refusées?)?\), (\d+) avertissements?, ([\d.]+) s$/m.exec(stdout);
  assert.ok(m, `report line in: ${stdout}`);
  return {
    format: m[1], dry: !!m[2], rows: +m[3], created: +m[4], updated: +m[5], unchanged: +m[6],
    rejected: m[7] ? +m[7] : 0, warnings: +m[8], seconds: +m[9],
  };
}

function importOk(format, db, file, extra = []) {
  const r = iat(['import', format, '--db', db, ...extra, file]);
  assert.equal(r.code, 0, `iat import ${format} ${file}: ${r.stdout}\n${r.stderr}`);
  return { ...report(r.stdout), stdout: r.stdout, stderr: r.stderr };
}

let dir;
let base;      // init + organisations + the Interconnectés library (23 records)
let full;      // base + every register, in the order of the files above
let srv;       // on full
const times = {};
const before_ = {};  // use-case figures before any reference

async function useCaseFigures(s) {
  const list = await request(s.base, 'GET', '/api/v1/usecases?per_page=100');
  const search = await request(s.base, 'GET', '/api/v1/usecases?q=donn%C3%A9es');
  const health = await request(s.base, 'GET', '/healthz');
  const page = await request(s.base, 'GET', '/recherche');
  return {
    total: list.json.meta.total,
    facets: list.json.meta.facets,
    ids: list.json.data.map((h) => h.id),
    searchTotal: search.json.meta.total,
    published: health.json.data.published_usecases,
    heading: /<h2 id="titre-resultats">([^<]*)/.exec(page.text)[1],
  };
}

before(async () => {
  dir = makeTempDir();
  base = path.join(dir, 'base.db');
  initDb(base);
  loadOrgs(base);
  importCsv(base, path.join(SOURCE_DIR, 'tests/fixtures/interconnectes/data.csv'));
  const s0 = await startServer(base);
  Object.assign(before_, await useCaseFigures(s0));
  await stopServerClean(s0);
});

after(async () => {
  if (srv) await stopServerClean(srv);
});

test('each real file imports with exact counts (times measured)', async () => {
  full = cloneDb(base, path.join(dir, 'full.db'));
  const scrape = importOk('nl-algoritmeregister', full, NL_SCRAPE);
  assert.deepEqual([scrape.rows, scrape.created, scrape.updated, scrape.unchanged, scrape.rejected, scrape.warnings],
    [1530, 1530, 0, 0, 0, 0]);
  // the full export shares the scrape's identifiers (its "lars"): 111 of
  // its 117 records enrich references that exist, 6 are new
  const fullExp = importOk('nl-algoritmeregister', full, NL_FULL);
  assert.deepEqual([fullExp.rows, fullExp.created, fullExp.updated, fullExp.unchanged, fullExp.rejected],
    [117, 6, 111, 0, 0]);
  // free-text websites and revision dates are kept raw, with a warning naming the record
  assert.equal(fullExp.warnings, 14);
  assert.match(fullExp.stderr, /iat: avertissement : enregistrement 14 \(id 93839192\) : site \(website\) « www\.ptvgroup\.com » n'est pas une adresse http\(s\)/);
  const uk = importOk('uk-atrs', full, UK);
  assert.deepEqual([uk.rows, uk.created, uk.updated, uk.unchanged, uk.rejected, uk.warnings], [136, 136, 0, 0, 0, 0]);
  const eu = importOk('eu-pstw', full, EU);
  assert.deepEqual([eu.rows, eu.created, eu.updated, eu.unchanged, eu.rejected], [2291, 2291, 0, 0, 0]);
  // two websites without http(s), one control character (U+0002) dropped from a description
  assert.equal(eu.warnings, 3);
  assert.match(eu.stderr, /ligne \d+ \(id PSTW-2285\) : champ « description » : caractère de contrôle retiré/);
  for (const [k, r] of Object.entries({ scrape, full: fullExp, uk, eu })) times[k] = r.seconds;
  console.log(`# import times (s): ${JSON.stringify(times)}`);
  srv = await startServer(full);
  const all = await request(srv.base, 'GET', '/api/v1/international-references?per_page=1');
  assert.equal(all.json.meta.total, 1530 + 6 + 136 + 2291);
});

test('re-importing every file changes nothing', () => {
  const db = cloneDb(full, path.join(dir, 'again.db'));
  for (const [fmt, file, n] of [['nl-algoritmeregister', NL_SCRAPE, 1530], ['nl-algoritmeregister', NL_FULL, 117],
    ['uk-atrs', UK, 136], ['eu-pstw', EU, 2291]]) {
    const r = importOk(fmt, db, file);
    assert.deepEqual([r.rows, r.created, r.updated, r.unchanged], [n, 0, 0, n], `${file}: ${r.stdout}`);
  }
});

test('the Dutch files join on the register id in either order', () => {
  const db = path.join(dir, 'nl.db');
  initDb(db);
  const a = importOk('nl-algoritmeregister', db, NL_FULL);
  assert.deepEqual([a.created, a.updated], [117, 0]);
  const b = importOk('nl-algoritmeregister', db, NL_SCRAPE);
  assert.deepEqual([b.created, b.updated, b.unchanged], [1530 - 111, 111, 0]);
  // and the scrape again leaves the export's part alone
  const c = importOk('nl-algoritmeregister', db, NL_SCRAPE);
  assert.deepEqual([c.created, c.updated, c.unchanged], [0, 0, 1530]);
});

function ukVariant(name, change) {
  const doc = JSON.parse(JSON.stringify(ukDoc));
  change(doc.records);
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify(doc));
  return f;
}

test('a modified copy updates the reference, and its page shows the new value', async () => {
  const db = cloneDb(full, path.join(dir, 'modified.db'));
  const rec = ukDoc.records[2];
  const f = ukVariant('atrs-modified.json', (rs) => { rs[2].description = 'Nouvelle description <b>modifiée</b> à la source.'; });
  const r = importOk('uk-atrs', db, f);
  assert.deepEqual([r.rows, r.created, r.updated, r.unchanged], [136, 0, 1, 135]);
  const s = await startServer(db);
  try {
    const list = await request(s.base, 'GET', `/api/v1/international-references?source=uk-atrs&q=${encodeURIComponent('modifiée')}`);
    assert.equal(list.json.meta.total, 1);
    const hit = list.json.data[0];
    assert.equal(hit.source_id, slugOf(rec.url));
    const page = await request(s.base, 'GET', hit.url);
    assertHtmlPage(page);
    assert.ok(page.text.includes('Nouvelle description &lt;b&gt;modifiée&lt;/b&gt; à la source.'));
    const one = await request(s.base, 'GET', `/api/v1/international-references/${hit.id}`);
    assert.equal(one.json.data.fields.description, 'Nouvelle description <b>modifiée</b> à la source.');
    assert.ok(one.json.data.provenance.last_changed_at >= one.json.data.provenance.first_imported_at);
  } finally {
    await stopServerClean(s);
  }
});

test('one bad record: exit 1, nothing written, the reason names the record; --skip-invalid imports the rest', async () => {
  const db = path.join(dir, 'bad.db');
  initDb(db);
  const bad = ukDoc.records[4];
  const f = ukVariant('atrs-bad.json', (rs) => { rs[4].tool_name = '  '; rs[4].title = ''; });
  const r = iat(['import', 'uk-atrs', '--db', db, f]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const reason = `enregistrement 5 (id ${slugOf(bad.url)}) : titre manquant`;
  assert.ok(r.stderr.includes(`iat: refusé : ${reason}\n`), r.stderr);
  assert.match(r.stderr, /iat: import uk-atrs : 1 enregistrement refusé : rien n'a été importé\n$/);
  const s = await startServer(db);
  try {
    const all = await request(s.base, 'GET', '/api/v1/international-references');
    assert.equal(all.json.meta.total, 0, 'nothing written');
  } finally {
    await stopServerClean(s);
  }
  const k = importOk('uk-atrs', db, f, ['--skip-invalid']);
  assert.deepEqual([k.rows, k.created, k.rejected], [136, 135, 1]);
  assert.ok(k.stdout.includes(`refusé : ${reason}\n`), k.stdout);
  // a file-level error stops before the database: a JSON syntax error
  const broken = path.join(dir, 'broken.json');
  fs.writeFileSync(broken, '{"records": [');
  const e = iat(['import', 'uk-atrs', '--db', db, broken]);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /iat: import uk-atrs : JSON invalide, ligne 1/);
  // an unknown shape
  const e2 = iat(['import', 'nl-algoritmeregister', '--db', db, UK]);
  assert.equal(e2.code, 1);
  assert.match(e2.stderr, /forme de fichier inconnue/);
  // a CSV record with an unknown country
  const csv = fs.readFileSync(EU, 'utf8').split('\n');
  const eubad = path.join(dir, 'pstw-bad.csv');
  fs.writeFileSync(eubad, [csv[0], csv[1].replace(',Austria,', ',Atlantis,')].join('\n') + '\n');
  const e3 = iat(['import', 'eu-pstw', '--db', db, eubad]);
  assert.equal(e3.code, 1);
  assert.match(e3.stderr, /iat: refusé : ligne 2 \(id PSTW-1\) : colonne « Geographical coverage \(country\) » : pays inconnu « Atlantis »/);
});

test('--dry-run checks everything and writes nothing', async () => {
  const db = path.join(dir, 'dry.db');
  initDb(db);
  const r = importOk('eu-pstw', db, EU, ['--dry-run']);
  assert.ok(r.dry);
  assert.deepEqual([r.rows, r.created], [2291, 2291]);
  const again = importOk('eu-pstw', db, EU, ['--dry-run']);
  assert.equal(again.created, 2291, 'the first dry run wrote nothing');
});

test('an imported title with markup is escaped on the pages', async () => {
  const db = path.join(dir, 'xss.db');
  initDb(db);
  const f = ukVariant('atrs-xss.json', (rs) => { rs[0].tool_name = '<script>alert(1)</script>'; });
  importOk('uk-atrs', db, f);
  const s = await startServer(db);
  try {
    const list = await request(s.base, 'GET', '/references-internationales?q=alert');
    assertHtmlPage(list);
    assert.ok(!list.text.includes('<script>alert'));
    assert.ok(list.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    const id = /href="\/references-internationales\/(\d+)"/.exec(list.text)[1];
    const page = await request(s.base, 'GET', `/references-internationales/${id}`);
    assertHtmlPage(page);
    assert.ok(!page.text.includes('<script>alert'));
    assert.equal(htmlUnescape(h1Text(page.text)), '<script>alert(1)</script>');
  } finally {
    await stopServerClean(s);
  }
});

test('the list page: search, each filter with its counts, pagination', async () => {
  const all = await request(srv.base, 'GET', '/references-internationales');
  assertHtmlPage(all);
  assert.match(all.text, /<h2 id="titre-resultats">3\u00a0963 références <span class="page-of">— page 1 sur 199<\/span><\/h2>/);
  assert.match(all.text, /href="\/references-internationales\?country=NL">Pays-Bas <span class="count">\(1\u00a0744/);
  const api = await request(srv.base, 'GET', '/api/v1/international-references');
  const facet = (name, v) => api.json.meta.facets[name].find((x) => x.value === v).count;
  assert.equal(facet('source', 'nl-algoritmeregister'), 1536);
  assert.equal(facet('source', 'uk-atrs'), 136);
  assert.equal(facet('source', 'eu-pstw'), 2291);
  // the EU data set's French rows ("France" and "France "): references of country FR
  assert.equal(facet('country', 'FR'), 92);
  assert.equal(facet('lang', 'nl'), 1536);
  for (const [param, value, expect] of [['country', 'GB', /Royaume-Uni/], ['source', 'eu-pstw', /Public Sector Tech Watch/],
    ['status', 'retired', /Arrêté/], ['lang', 'nl', /lang="nl"/]]) {
    const p = await request(srv.base, 'GET', `/references-internationales?${param}=${value}`);
    assertHtmlPage(p);
    const n = facet(param, value);
    const heading = /<h2 id="titre-resultats">([^<]*)/.exec(p.text)[1].replace(/\u00a0/g, '');
    assert.ok(heading.startsWith(`${n} référence`), `${param}=${value}: ${heading} vs ${n}`);
    const hits = p.text.split('<li class="hit">').slice(1);
    assert.equal(hits.length, Math.min(n, 20));
    for (const h of hits) assert.match(h, expect, `${param}=${value}`);
    assert.match(p.text, /Filtres actifs/);
    const a = await request(srv.base, 'GET', `/api/v1/international-references?${param}=${value}&per_page=100`);
    assert.equal(a.json.meta.total, n);
    for (const h of a.json.data) assert.equal(h[param], value);
  }
  // text and filter together, in the original language
  const q = await request(srv.base, 'GET', '/references-internationales?q=parkeren&country=NL');
  assertHtmlPage(q);
  assert.match(q.text, /<h2 id="titre-resultats">\d+ références pour « parkeren »/);
  const page2 = await request(srv.base, 'GET', '/references-internationales?source=eu-pstw&page=2');
  assertHtmlPage(page2);
  assert.match(page2.text, /page 2 sur 115/);
  const badStatus = await request(srv.base, 'GET', '/references-internationales?status=nope');
  assertHtmlPage(badStatus, 400);
  assert.match(badStatus.text, /statut|status/);
  const apiBad = await request(srv.base, 'GET', '/api/v1/international-references?country=XX');
  assert.equal(apiBad.status, 400);
  assert.equal(apiBad.json.error.code, 'request.invalid_parameter');
  assert.equal(apiBad.json.error.field, 'country');
});

test('the reference page: every field in its original language, provenance, attribution', async () => {
  // a Dutch reference fed by both files
  const a = await request(srv.base, 'GET', '/api/v1/international-references?source=nl-algoritmeregister&q=Betalingsbereidheid');
  const hit = a.json.data.find((h) => h.source_id === '51939364');
  assert.ok(hit, JSON.stringify(a.json.data));
  const api = await request(srv.base, 'GET', `/api/v1/international-references/${hit.id}`);
  const d = api.json.data;
  assert.equal(d.country, 'NL');
  assert.equal(d.lang, 'nl');
  assert.equal(d.title, 'Betalingsbereidheid parkeren');                 // the scrape's (newer) title
  assert.equal(d.fields.department, 'Vergunningen, Toezicht en Handhaving (VTH)');  // from the full export
  assert.deepEqual(d.provenance.parts.map((p) => p.file).sort(), ['algoritmes.json', 'pub_data.json']);
  assert.equal(d.source.licence.includes('EUPL-1.2'), true);
  const page = await request(srv.base, 'GET', `/references-internationales/${hit.id}`);
  assertHtmlPage(page);
  assert.match(page.text, /<h1 class="intl-ref" lang="nl">Betalingsbereidheid parkeren<\/h1>/);
  assert.match(page.text, /<dt>Service<\/dt><dd><div class="text" lang="nl">Vergunningen, Toezicht en Handhaving \(VTH\)<\/div>/);
  assert.match(page.text, /Source : Algoritmeregister \(Pays-Bas\), identifiant <code>51939364<\/code>, importée le <time datetime="\d{4}-\d\d-\d\d">[^<]+<\/time>, mise à jour le <time/);
  assert.ok(page.text.includes('<a href="https://algoritmes.overheid.nl/nl/algoritme/51939364">Voir la fiche d&#39;origine') ||
    page.text.includes('<a href="https://algoritmes.overheid.nl/nl/algoritme/51939364">Voir la fiche d\'origine'));
  assert.match(page.text, /relevé quotidien du registre : fichier « algoritmes\.json »/);
  assert.match(page.text, /export complet du registre : fichier « pub_data\.json »/);
  // the French page stays French around the Dutch texts
  assert.match(page.text, /<html[^>]*lang="fr"/);

  // an EU reference of a French project, in English; PSTW has no record page
  const fr = await request(srv.base, 'GET', '/api/v1/international-references?country=FR&source=eu-pstw&q=Aria');
  const aria = fr.json.data.find((h) => h.source_id === 'PSTW-44');
  assert.ok(aria);
  const p2 = await request(srv.base, 'GET', aria.url);
  assertHtmlPage(p2);
  assert.match(p2.text, /<h1 class="intl-ref" lang="en">Aria - Chatbot answering retired people<\/h1>/);
  assert.match(p2.text, /ce n(&#39;|')est pas une fiche déposée dans la bibliothèque/);
  assert.match(p2.text, /Voir le jeu de données d(&#39;|')origine/);
  assert.match(p2.text, /licence <a href="https:\/\/creativecommons\.org\/licenses\/by\/4\.0\/deed\.fr">CC-BY 4\.0<\/a>/);

  // UK: the gov.uk record, OGL
  const uk = await request(srv.base, 'GET', '/api/v1/international-references?source=uk-atrs&per_page=1');
  const p3 = await request(srv.base, 'GET', uk.json.data[0].url);
  assertHtmlPage(p3);
  assert.match(p3.text, /<h1 class="intl-ref" lang="en">/);
  assert.match(p3.text, /Open Government Licence v3\.0/);
  assert.ok(p3.text.includes(`href="${uk.json.data[0].source_url}"`));

  // unknown ids
  assertHtmlPage(await request(srv.base, 'GET', '/references-internationales/999999'), 404);
  assertHtmlPage(await request(srv.base, 'GET', '/references-internationales/abc'), 404);
  const nf = await request(srv.base, 'GET', '/api/v1/international-references/999999');
  assert.equal(nf.status, 404);
  assert.equal(nf.json.error.code, 'resource.not_found');
});

test('the use cases are unchanged: counts, facets, search, statistics; /recherche links the references', async () => {
  const after_ = await useCaseFigures(srv);
  assert.deepEqual(after_, before_);
  const p = await request(srv.base, 'GET', '/recherche?q=chatbot');
  assertHtmlPage(p);
  const api = await request(srv.base, 'GET', '/api/v1/international-references?q=chatbot&per_page=1');
  const n = api.json.meta.total;
  assert.ok(n > 100);
  const text = p.text.replace(/\u00a0/g, '');
  assert.ok(text.includes(`${n} références internationales correspondent à votre recherche.`), 'block on /recherche');
  assert.match(p.text, /href="\/references-internationales\?q=chatbot"/);
  // no block without words
  const p0 = await request(srv.base, 'GET', '/recherche');
  assert.ok(!p0.text.includes('références internationales correspond'));
  // the home page links the references
  const home = await request(srv.base, 'GET', '/');
  assertHtmlPage(home);
  assert.match(home.text, /<a href="\/references-internationales">Consulter les références internationales<\/a>/);
});
