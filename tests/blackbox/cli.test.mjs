// cli.test.mjs — the `iat` command line: help, misuse (one line on stderr,
// exit 2) and failures (one line, exit 1), idempotent init / orgs load /
// import, all-or-nothing import of malformed CSV files, online backup,
// tokens.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import {
  DATA_CSV,
  ORGS_DIR,
  PROCESSED_CSV,
  cloneDb,
  createAccount,
  createRecord,
  iat,
  lines,
  makeTempDir,
  startServer,
  stopServerClean,
  validRecord,
} from './lib.mjs';

let dir;
let db; // the main database: init, orgs, data.csv, accounts
let orgsOnly; // a copy taken right after the organisations were loaded
const out = {}; // outputs of the setup commands
let srv;
let agentToken;

before(async () => {
  dir = makeTempDir();
  db = path.join(dir, 'iat.db');
  out.init1 = iat(['init', '--db', db]);
  out.init2 = iat(['init', '--db', db]);
  out.orgs1 = iat(['orgs', 'load', '--db', db, ORGS_DIR]);
  orgsOnly = cloneDb(db, path.join(dir, 'orgs-only.db'));
  out.import1 = iat(['import', 'interconnectes', '--db', db, DATA_CSV]);
  agentToken = createAccount(db, 'agent@bordeaux-metropole.example.fr', 'agent', '243300316');
  srv = await startServer(db);
});

after(async () => {
  if (srv) await srv.stop();
});

const get = (p, o) => srv.request('GET', p, o);
async function published(s = srv) {
  const h = await s.request('GET', '/healthz');
  assert.equal(h.status, 200);
  return h.json.data.published_usecases;
}

/** A failed command: exit code, nothing on stdout, exactly one line on stderr. */
function assertOneLineFailure(r, code, what) {
  const ctx = `${what}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.notEqual(r.code, 0, ctx);
  if (code !== undefined) assert.equal(r.code, code, ctx);
  assert.equal(r.signal, null, ctx);
  assert.equal(r.stdout, '', ctx);
  assert.equal(lines(r.stderr).length, 1, `exactly one line on stderr — ${ctx}`);
  assert.ok(r.stderr.endsWith('\n'), ctx);
  return r.stderr.trim();
}

// ==== Help ====

const HELPS = [
  ['--help'], ['-h'], ['help'],
  ['serve', '--help'], ['init', '--help'], ['orgs', '--help'], ['orgs', 'load', '--help'], ['orgs', 'add', '--help'],
  ['import', '--help'], ['import', 'interconnectes', '--help'], ['user', '--help'], ['user', 'add', '--help'],
  ['token', '--help'], ['token', 'create', '--help'], ['backup', '--help'], ['synth', '--help'], ['init', '-h'],
];

for (const args of HELPS) {
  test(`iat ${args.join(' ')}: usage on stdout, exit 0`, () => {
    const r = iat(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /usage/i);
    assert.equal(r.stderr, '');
  });
}

test('iat without a command: usage on stderr, exit 2', () => {
  const r = iat([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage/);
});

// ==== Misuse and failures ====

// [args, exit code, pattern of the message]
const MISUSE = () => [
  [['frobnicate'], 2, /commande inconnue « frobnicate »/],
  [['init', '--bogus'], 2, /option inconnue « --bogus »/],
  [['init', '-x'], 2, /option inconnue/],
  [['init', '--db'], 2, /--db attend une valeur/],
  [['init', '--db', db, 'extra'], 2, /argument inattendu/],
  [['serve', '--db', db, '--threads', 'abc'], 2, /--threads/],
  [['serve', '--db', db, '--threads', '0'], 2, /--threads/],
  [['serve', '--db', db, '--write-rate', '-1'], 2, /--write-rate/],
  [['serve', '--db', db, '--quiet=yes'], 2, /--quiet/],
  [['serve', '--db', db, '--listen', 'nonsense'], 1, /nonsense/],
  [['serve', '--db', db, '--listen', '127.0.0.1:99999'], 1, /99999/],
  [['serve', '--db', path.join(dir, 'missing.db')], 1, /introuvable/],
  [['orgs'], 2, /sous-commande/],
  [['orgs', 'frob'], 2, /inconnue « frob »/],
  [['orgs', 'load', '--db', db, 'a', 'b'], 2, /un seul dossier/],
  [['orgs', 'load', '--db', db, path.join(dir, 'no-such-dir')], 1, /./],
  [['orgs', 'load', '--db', path.join(dir, 'missing.db'), ORGS_DIR], 1, /introuvable/],
  [['orgs', 'add', '--db', db, '--siren', '254300999', 'Syndicat X'], 2, /--kind/],
  [['orgs', 'add', '--db', db, '--kind', 'club', '--siren', '254300999', 'Club X'], 2, /--kind « club »/],
  [['orgs', 'add', '--db', db, '--kind', 'syndicat', '--siren', '254300998', 'Syndicat X'], 1, /SIREN/],
  [['import'], 2, /format/],
  [['import', 'foo', DATA_CSV], 2, /format inconnu « foo »/],
  [['import', 'interconnectes', '--db', db], 2, /fichier/],
  [['import', 'interconnectes', '--db', db, DATA_CSV, DATA_CSV], 2, /./],
  [['import', 'interconnectes', '--db', db, '--nope', DATA_CSV], 2, /option inconnue/],
  [['import', 'interconnectes', '--db', db, path.join(dir, 'missing.csv')], 1, /missing\.csv/],
  [['user'], 2, /sous-commande/],
  [['user', 'add', '--db', db], 2, /adresse/],
  [['user', 'add', '--db', db, 'x@example.fr', '--org', '243300316'], 2, /--role/],
  [['user', 'add', '--db', db, 'x@example.fr', '--org', '243300316', '--role'], 2, /--role attend une valeur/],
  [['user', 'add', '--db', db, 'x@example.fr', '--org', '243300316', '--role', 'king'], 1, /rôle inconnu « king »/],
  [['user', 'add', '--db', db, 'not-an-email', '--org', '243300316', '--role', 'agent'], 1, /adresse électronique invalide/],
  [['user', 'add', '--db', db, 'a@b', '--org', '243300316', '--role', 'agent'], 1, /adresse électronique invalide/],
  [['user', 'add', '--db', db, 'x@example.fr', '--org', '999999999', '--role', 'agent'], 1, /organisation introuvable/],
  [['user', 'add', '--db', db, 'x@example.fr', '--org', 'commune-99999', '--role', 'referent'], 1, /organisation introuvable/],
  [['user', 'add', '--db', db, 'x@example.fr', '--role', 'agent'], 1, /organisation/],
  [['token'], 2, /sous-commande/],
  [['token', 'create', '--db', db], 2, /adresse/],
  [['token', 'create', '--db', db, 'nobody@example.fr'], 1, /aucun compte actif pour « nobody@example\.fr »/],
  [['backup', '--db', db], 2, /destination/],
  [['backup', '--db', db, 'a', 'b'], 2, /destination/],
  [['backup', '--db', db, path.join(dir, 'no-such-dir', 'x.db')], 1, /./],
  [['backup', '--db', path.join(dir, 'missing.db'), path.join(dir, 'x.db')], 1, /introuvable/],
  [['synth', '--db', db], 2, /--records/],
  [['synth', '--db', db, '--records', 'many'], 2, /--records/],
];

test('misuse and failures: exit 2 (misuse) or 1 (failure), exactly one line on stderr, nothing on stdout', () => {
  const problems = [];
  for (const [args, code, re] of MISUSE()) {
    try {
      const r = iat(args);
      const msg = assertOneLineFailure(r, code, `iat ${args.join(' ')}`);
      assert.match(msg, re, `iat ${args.join(' ')}: ${msg}`);
    } catch (e) {
      problems.push(e.message);
    }
  }
  assert.deepEqual(problems, [], `${problems.length} command(s) misbehaved:\n\n${problems.join('\n\n')}`);
  // none of that created a database or changed the main one
  assert.ok(!fs.existsSync(path.join(dir, 'missing.db')));
});

test('failures change nothing: the library is intact', async () => {
  assert.equal(await published(), 23);
  const r = await get('/api/v1/organisations/254300999');
  assert.equal(r.status, 404, 'no organisation created by a failed command');
});

// ==== init ====

test('iat init: creates the base, and is idempotent', () => {
  assert.equal(out.init1.code, 0, out.init1.stderr);
  assert.equal(lines(out.init1.stdout).length, 1);
  const m1 = /schéma (\d+) \((\d+) migrations? appliquées?, version précédente 0\)/.exec(out.init1.stdout);
  assert.ok(m1, out.init1.stdout);
  assert.ok(Number(m1[2]) >= 1);
  assert.equal(out.init2.code, 0, out.init2.stderr);
  const m2 = /schéma (\d+) \(0 migration appliquée, version précédente (\d+)\)/.exec(out.init2.stdout);
  assert.ok(m2, out.init2.stdout);
  assert.equal(m2[1], m1[1]);
  assert.equal(m2[2], m1[1]);
  // and on a base in use, full of data, with the server running
  const again = iat(['init', '--db', db]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /0 migration/);
});

// ==== orgs load ====

function orgSummary(stdout) {
  const m = /^organisations : (\d+) communes, (\d+) EPCI, (\d+) EPT, (\d+) départements, (\d+) régions \((\d+) désactivées?\)/.exec(stdout);
  assert.ok(m, `summary line: ${stdout}`);
  return m.slice(1, 7).map(Number);
}

test('iat orgs load twice: same organisations, same ids, same counts, memberships and records kept', async () => {
  assert.equal(out.orgs1.code, 0, out.orgs1.stderr);
  assert.equal(lines(out.orgs1.stdout).length, 1, 'one summary line');
  const first = orgSummary(out.orgs1.stdout);
  assert.ok(first[0] > 34000, 'communes');
  assert.ok(first[1] > 1200, 'EPCI');
  assert.equal(first[2], 11, 'EPT');
  assert.ok(first[3] >= 101, 'départements');
  assert.ok(first[4] >= 18, 'régions');
  assert.equal(first[5], 0);
  const keys = ['commune-69123', 'epci-243300316', 'departement-69', 'region-84', 'epci-200046977', 'syndicat-254300882'];
  const before = {};
  for (const k of keys) before[k] = (await get(`/api/v1/organisations/${k}`)).text;
  const searchBefore = (await get('/api/v1/organisations?q=lyon&per_page=100')).text;
  const recBefore = (await get('/api/v1/usecases/1')).text;
  // reload while the server is running
  const second = iat(['orgs', 'load', '--db', db, ORGS_DIR]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(lines(second.stdout).length, 1);
  assert.deepEqual(orgSummary(second.stdout), first);
  for (const k of keys) assert.equal((await get(`/api/v1/organisations/${k}`)).text, before[k], `${k} unchanged`);
  assert.equal((await get('/api/v1/organisations?q=lyon&per_page=100')).text, searchBefore);
  // same content (the key order of the nested provenance object may change
  // when records are re-rendered: JSON objects are unordered)
  assert.deepEqual((await get('/api/v1/usecases/1')).json, JSON.parse(recBefore), 'records keep their owners');
  assert.equal(await published(), 23);
  // the agent's membership (by internal organisation id) still works
  const d = await createRecord(srv, agentToken, validRecord({ title: 'Après rechargement' }));
  assert.equal(d.owner.id, 'epci-243300316');
});

// ==== import ====

test('iat import data.csv: 23 records, one summary line; re-import creates none', async () => {
  assert.equal(out.import1.code, 0, out.import1.stderr);
  assert.equal(lines(out.import1.stdout).length, 1);
  assert.match(out.import1.stdout, /^import interconnectes : 23 fiches \(23 créées, 0 mises à jour, 0 inchangées\), \d+ avertissements?, [\d.]+ s\n$/);
  assert.equal(await published(), 23);
  const v1 = (await get('/api/v1/usecases/1')).json.data.version;
  const again = iat(['import', 'interconnectes', '--db', db, DATA_CSV]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(lines(again.stdout).length, 1);
  assert.match(again.stdout, /23 fiches \(0 créées, 0 mises à jour, 23 inchangées\)/);
  assert.equal(await published(), 23);
  assert.equal((await get('/api/v1/usecases/1')).json.data.version, v1, 'no new version');
});

test('iat import processed_data.csv (";" separated, schema column names): 21 records', async () => {
  const fresh = cloneDb(orgsOnly, path.join(dir, 'processed.db'));
  const r = iat(['import', 'interconnectes', '--db', fresh, PROCESSED_CSV]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /21 fiches \(21 créées, 0 mises à jour, 0 inchangées\)/);
  const s = await startServer(fresh);
  try {
    assert.equal(await published(s), 21);
  } finally {
    await stopServerClean(s);
  }
});

test('iat import before the organisations are loaded: one-line failure, nothing imported', () => {
  const empty = path.join(dir, 'empty.db');
  iat(['init', '--db', empty]);
  const r = iat(['import', 'interconnectes', '--db', empty, DATA_CSV]);
  // the usage says the official organisations must be loaded first;
  // importing anyway creates "autre" organisations for every owner
  // (autre-243300316 for Bordeaux Métropole...), which a later
  // `iat orgs load` does not merge: the records stay attached to them
  assert.notEqual(r.code, 0, `import without organisations must fail, got exit ${r.code}: ${r.stdout.trim()} / ${lines(r.stderr)[0]}`);
  assertOneLineFailure(r, 1, 'import without organisations');
});

// ---- malformed CSV files: error naming the line (and column), nothing imported ----

const HEADER = fs.readFileSync(DATA_CSV, 'utf8').split('\n')[0].replace(/\r$/, '');
const row = (title, over = {}) => {
  const f = {
    org: 'Bordeaux Métropole', title, siret: '24330031600011', lat: '44.8', lon: '-0.58', type: 'Métropole', start: '01/2024',
    status: 'En expérimentation', partners: '', desc: `Description de ${title}.`, theme: 'Transition écologique et énergétique',
    sub: '', aud: 'Agent', url: '', logo: '', date: '16/04/2025', ...over,
  };
  return [f.org, f.title, f.siret, f.lat, f.lon, f.type, f.start, f.status, f.partners, f.desc, f.theme, f.sub, f.aud, f.url, f.logo, f.date].join(',');
};
// line 2 creates an organisation (unknown SIREN, valid key: "created"), line
// 3 is a new record: both must be rolled back when line 4 is bad
const GOOD_LINES = [
  row('Projet Quokka Alpha', { org: 'Syndicat mixte des eaux de Quokka', siret: '25430099900019', type: 'Syndicat', lat: '', lon: '' }),
  row('Projet Quokka Bravo'),
];
const BAD_CSVS = [
  ['unterminated quote', row('Projet Quokka Charlie').replace('Description de', '"Description de'), /ligne 4, colonne 10 \(Description_service\) : guillemet non fermé/],
  ['wrong number of fields (one too many)', row('Projet Quokka Charlie') + ',en trop', /ligne 4, colonne 17 : champ en trop/],
  ['wrong number of fields (one too few)', row('Projet Quokka Charlie').replace(/,16\/04\/2025$/, ''), /ligne 4\b.*(champ|colonne)/],
  ['unknown status value', row('Projet Quokka Charlie', { status: 'Peut-être' }), /ligne 4, colonne (Statut_du_projet|projet_status) : .*« Peut-être »/],
  ['unknown theme', row('Projet Quokka Charlie', { theme: 'Astronautique' }), /ligne 4, colonne (Theme|theme) : .*Astronautique/],
  ['bad date', row('Projet Quokka Charlie', { start: '13/2024' }), /ligne 4, colonne (Date_de_demarrage|projet_date)/],
  ['unknown owner', row('Projet Quokka Charlie', { org: 'Commune imaginaire', siret: '12345678900000' }), /ligne 4, colonne (SIRET|coll_siret)/],
  ['invalid UTF-8', null, /ligne 4\b/],
];

for (const [name, bad, re] of BAD_CSVS) {
  test(`iat import of a malformed CSV (${name}): one line naming line and column, nothing imported`, async () => {
    const file = path.join(dir, `bad-${name.replace(/\W+/g, '-')}.csv`);
    const head = [HEADER, ...GOOD_LINES].join('\n') + '\n';
    if (bad === null) {
      fs.writeFileSync(file, Buffer.concat([Buffer.from(head + row('Projet Quokka Charlie').slice(0, 40)), Buffer.from([0xff, 0xfe]),
        Buffer.from(row('Projet Quokka Charlie').slice(40) + '\n')]));
    } else {
      fs.writeFileSync(file, head + bad + '\n');
    }
    const before = await published();
    const r = iat(['import', 'interconnectes', '--db', db, file]);
    // warnings about the lines before may come first ("iat: avertissement :
    // ..."); a CSV syntax error is one line, the last; a bad row is one
    // line "iat: refusé : <reason>" followed by the summary line
    const errors = lines(r.stderr).filter((l) => !/^iat: avertissement : /.test(l));
    assert.equal(r.code, 1, `import ${name}: exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.equal(lines(r.stderr).at(-1), errors.at(-1), 'the error is the last line');
    assert.ok(errors.length === 1 || errors.length === 2, `one error line, or one refusal and the summary: ${errors.join(' / ')}`);
    if (errors.length === 2) {
      assert.match(errors[0], /^iat: refusé : /);
      assert.equal(errors[1], "iat: import interconnectes : 1 enregistrement refusé : rien n'a été importé");
    }
    const msg = errors[0];
    assert.match(msg, re, msg);
    assert.equal(await published(), before, 'no record imported');
    const s = await get('/api/v1/usecases?q=quokka');
    assert.equal(s.json.meta.total, 0, 'neither line 2 nor line 3 was imported');
    const o = await get('/api/v1/organisations/254300999');
    assert.equal(o.status, 404, 'the organisation created for line 2 was rolled back');
  });
}

test('the same file without its bad line imports (2 records, 1 organisation created)', async () => {
  const copy = cloneDb(orgsOnly, path.join(dir, 'good-lines.db'));
  const file = path.join(dir, 'good-lines.csv');
  fs.writeFileSync(file, [HEADER, ...GOOD_LINES].join('\n') + '\n');
  const r = iat(['import', 'interconnectes', '--db', copy, file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 fiches \(2 créées/);
  assert.match(r.stderr, /ligne 2, colonne SIRET : .*créé/);
});

// ==== backup ====

test('iat backup while the server is running (and writing): a consistent copy that iat serves', async () => {
  const dest = path.join(dir, 'backups', 'copy.db');
  fs.mkdirSync(path.dirname(dest));
  // writes in flight during the backup
  const writes = Promise.all(Array.from({ length: 5 }, (_, i) =>
    srv.request('POST', '/api/v1/usecases', { token: agentToken, json: validRecord({ title: `Pendant la sauvegarde ${i}` }) })));
  const r = iat(['backup', '--db', db, dest]);
  const ws = await writes;
  for (const w of ws) assert.equal(w.status, 201, w.text);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lines(r.stdout).length, 1);
  assert.match(r.stdout, /^sauvegarde : .* → .*copy\.db \(\d+ octets, [\d.]+ s\)\n$/);
  assert.deepEqual(fs.readdirSync(path.dirname(dest)).filter((f) => !/-(wal|shm)$/.test(f)), ['copy.db'], 'no temporary file left');
  const init = iat(['init', '--db', dest]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /0 migration/);
  const copy = await startServer(dest);
  try {
    assert.equal(await published(copy), await published(srv));
    const a = (await copy.request('GET', '/api/v1/usecases?per_page=100')).json;
    const b = (await get('/api/v1/usecases?per_page=100')).json;
    assert.deepEqual(a.data.map((x) => [x.id, x.title]), b.data.map((x) => [x.id, x.title]));
    assert.equal((await copy.request('GET', '/api/v1/usecases/1')).text, (await get('/api/v1/usecases/1')).text);
    assert.equal((await copy.request('GET', '/api/v1/organisations/commune-69123')).text, (await get('/api/v1/organisations/commune-69123')).text);
    // the token works on the copy (accounts are part of the backup)
    const t = await copy.request('GET', '/api/v1/usecases/1', { token: agentToken });
    assert.equal(t.status, 200);
    assert.ok('contact' in t.json.data);
  } finally {
    await stopServerClean(copy);
  }
  // backing up again over an existing file replaces it
  const again = iat(['backup', '--db', db, dest]);
  assert.equal(again.code, 0, again.stderr);
});

// ==== tokens and accounts ====

test('iat token create: one token on stdout that works; unknown email fails', async () => {
  const r = iat(['token', 'create', '--db', db, '--label', 'essai', 'agent@bordeaux-metropole.example.fr']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lines(r.stdout).length, 1);
  const tok = r.stdout.trim();
  assert.match(tok, /^iat_[A-Za-z0-9_-]{20,}$/);
  const g = await get('/api/v1/usecases/1', { token: tok });
  assert.equal(g.status, 200);
  assert.ok('contact' in g.json.data, 'an agent token');
  const r2 = iat(['token', 'create', '--db', db, 'agent@bordeaux-metropole.example.fr']);
  assert.notEqual(r2.stdout.trim(), tok, 'a new token each time');
  const bad = iat(['token', 'create', '--db', db, 'unknown@example.fr']);
  assertOneLineFailure(bad, 1, 'token create for an unknown email');
});

test('iat user add: a second call updates the role (agent → referent can publish)', async () => {
  const email = 'promu@bordeaux-metropole.example.fr';
  const tok = createAccount(db, email, 'agent', '243300316');
  let r = await srv.request('POST', '/api/v1/usecases', { token: tok, json: validRecord({ state: 'published', title: 'Promotion' }) });
  assert.equal(r.status, 403);
  const up = iat(['user', 'add', '--db', db, email, '--org', 'epci-243300316', '--role', 'referent']);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(lines(up.stdout).length, 1);
  r = await srv.request('POST', '/api/v1/usecases', { token: tok, json: validRecord({ state: 'published', title: 'Promotion' }) });
  assert.equal(r.status, 201, r.text);
});

test('iat serve: the server stops cleanly on SIGTERM (exit 0, no sanitizer report)', async () => {
  const r = await stopServerClean(srv);
  assert.match(r.stdout, /IA·T .*http:\/\/127\.0\.0\.1:\d+\//);
});

test('iat init after a change of the representations: every record is re-rendered once', () => {
  // simulate a library written by an older binary: an older representation
  // version and a stale cached JSON (no reuse_of, no impact_label)
  const copy = cloneDb(db, path.join(dir, 'render-upgrade.db'));
  const sql = (q) => {
    const r = spawnSync('sqlite3', [copy, q], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  sql("UPDATE meta SET value = '1' WHERE key = 'render_version'; UPDATE usecase_blob SET json_public = '{\"id\":1}', json_agent = '{\"id\":1}'");
  const r = iat(['init', '--db', copy]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /re-rendering \d+ records/);
  const stale = Number(sql("SELECT count(*) FROM usecase_blob WHERE instr(json_public, '\"impact_label\"') = 0 OR instr(json_agent, '\"reuse_of\"') = 0"));
  assert.equal(stale, 0, 'every cached representation was rewritten');
  assert.equal(sql("SELECT value FROM meta WHERE key = 'render_version'"), '3');
  // a second start does nothing
  const again = iat(['init', '--db', copy]);
  assert.equal(again.code, 0);
  assert.doesNotMatch(again.stderr, /re-rendering/);
});
