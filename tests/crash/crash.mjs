// crash.mjs — crash-safety driver: kill -9 `iat serve`, `iat import` and
// `iat backup` at a random moment and check that nothing acknowledged is
// lost and nothing is half-written. A library (tests/blackbox/crash.test.mjs
// runs a few trials in `make test`) and a command line (`make crashtest`).
//
//   IAT_BIN=build/iat IAT_SOURCE_DIR=. node tests/crash/crash.mjs \
//       [--trials 100] [--backup-trials 20] [--seed S] [--backup-seed S] [--verbose]
//
// --seed S runs the write/import trial of seed S only (--backup-seed: the
// backup trial); the seeds of failed trials are printed at the end.
//
// Design notes
// - One trial: a clone of a template database (organisations, the demo
//   library, accounts; made once), `iat serve`, then concurrently
//   (a) writers: API clients that POST published records and PATCH them
//       with their version, and a web client that creates drafts through the
//       form; every reply the client saw (201/200/303) is an acknowledged
//       write, recorded with its id, version and content (a per-trial marker
//       word in the title, a per-write marker in the summary);
//   (b) `iat import interconnectes` of data.csv repeated COPIES times with
//       the import marker in every title (so every row is a new record,
//       and the import lasts long enough to be hit);
//   and SIGKILL of both processes at a moment drawn from the seed
//   (mulberry32). The timing of the machine still varies, so a seed
//   reproduces the plan (delays, kill time), not the exact interleaving.
// - After the kill: `sqlite3 DB 'PRAGMA integrity_check'` is ok and
//   foreign_key_check is empty (the sqlite3 CLI, not iat: an independent
//   reader); the import is all-or-nothing (0 or every row; every row when
//   the importer had exited 0 before the kill); the server restarts and
//   serves; every acknowledged write is there with its acknowledged version
//   and content (or, for the record whose next PATCH was in flight, that
//   next version); the full-text search (API, so the FTS table and the
//   in-process search index) finds exactly the published records of the
//   table that carry each marker; a new write succeeds; SIGTERM stops the
//   server cleanly.
// - Backup trial: `iat backup DEST` of a database that a running server is
//   writing to, killed at a random moment, DEST sometimes pre-existing
//   (an older backup). DEST is then absent, the old backup or a complete
//   database (integrity ok, as many records as the source had at the
//   start at least); the source is unharmed; the next backup to the same
//   DEST succeeds and leaves no DEST.tmp-* file behind (db_backup removes
//   the temporary files of dead backups).
// - What this does NOT test: power loss (an OS crash drops what was not
//   fsync'ed; WAL with synchronous=NORMAL may lose the last transactions
//   then, but never corrupts). See doc/hacking.md, "Crash safety".
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BORDEAUX_METROPOLE,
  DATA_CSV,
  IAT_BIN,
  IS_ASAN,
  cloneDb,
  createWebAccount,
  iatOk,
  makeTempDir,
  readCsv,
  setupLibrary,
  sleep,
  startServer,
  stopServerClean,
  validRecord,
  webClient,
} from '../blackbox/lib.mjs';

export const COPIES = 20; // data.csv (23 rows) repeated: 460 records per import
const WEB_EMAIL = 'web@bordeaux-metropole.example.fr';
const API_WRITERS = 3;

// ==== Seeded randomness ====

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A word of letters only (the search tokenizer keeps it whole). */
function word(n) {
  let s = '';
  n = n >>> 0;
  do {
    s += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

export function randomSeed() {
  return Math.floor(Math.random() * 2 ** 31);
}

// ==== sqlite3 CLI ====

function sql(db, query) {
  const r = spawnSync('sqlite3', ['-batch', db, query], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`sqlite3 ${query}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

function integrity(db) {
  return sql(db, 'PRAGMA integrity_check;');
}

// ==== CSV ====

function csvField(v) {
  v = v ?? '';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** data.csv repeated `copies` times, the marker and a copy word in every title. */
function markedCsv(file, marker, copies) {
  const rows = readCsv(DATA_CSV);
  const header = Object.keys(rows[0]);
  const out = [header.map(csvField).join(',')];
  for (let c = 0; c < copies; c++) {
    for (const r of rows) {
      const row = { ...r, Nom_du_projet: `${marker} ${word(c + 1000)} ${r.Nom_du_projet}` };
      out.push(header.map((h) => csvField(row[h])).join(','));
    }
  }
  fs.writeFileSync(file, out.join('\r\n') + '\r\n');
  return rows.length * copies;
}

// ==== Template ====

/**
 * The database every trial clones: organisations, the demo library, an API
 * referent and curator, a web agent. Also measures how long an import of
 * the marked CSV takes (to spread the kill times over it).
 */
export async function prepareTemplate() {
  const env = setupLibrary({
    accounts: {
      ref: ['referent@bordeaux-metropole.example.fr', 'referent', BORDEAUX_METROPOLE.siren],
      curator: ['curator@observatoire.example.fr', 'curator', null],
    },
  });
  createWebAccount(env.db, WEB_EMAIL, 'agent', BORDEAUX_METROPOLE.siren);
  // calibration: one full import on a throw-away clone
  const dir = makeTempDir('iat-crash-cal-');
  const db = cloneDb(env.db, path.join(dir, 'cal.db'));
  const csv = path.join(dir, 'cal.csv');
  const rows = markedCsv(csv, 'calibration', COPIES);
  const t0 = Date.now();
  iatOk(['import', 'interconnectes', '--db', db, csv]);
  const importMs = Date.now() - t0;
  assert.equal(Number(sql(db, "SELECT count(*) FROM usecase WHERE title LIKE '%calibration%';")), rows);
  const t1 = Date.now();
  iatOk(['backup', '--db', env.db, path.join(dir, 'cal-backup.db')]);
  const backupMs = Date.now() - t1;
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...env, importMs, backupMs, rows };
}

// ==== Writers ====

/**
 * API writer: create a published record, PATCH it twice with its version,
 * next record. Every acknowledged write updates `recs`; `pending` is the
 * write in flight (its outcome is unknown when the server dies).
 */
async function apiWriter(ctx, w) {
  const { srv, tpl, marks, stop } = ctx;
  const token = tpl.tokens.ref;
  for (let i = 0; !stop.now; i++) {
    const title = `Fiche ${marks.write} ${word(w)} ${i}`;
    const summary = `Résumé ${marks.write} w${w} n${i} v1.`;
    const create = { kind: 'create', title, summary };
    ctx.inflight.add(create);
    let r;
    try {
      r = await srv.request('POST', '/api/v1/usecases', { token, json: validRecord({ title, summary, state: 'published' }) });
    } catch {
      return; // the server is gone
    } finally {
      ctx.inflight.delete(create);
    }
    if (r.status !== 201) throw new Error(`POST: ${r.status} ${r.text.slice(0, 300)}`);
    const rec = { id: r.json.data.id, title, summary, version: r.json.data.version, published: true, next: null };
    ctx.recs.push(rec);
    ctx.acks++;
    for (let v = 0; v < 2 && !stop.now; v++) {
      const s2 = `Résumé ${marks.write} w${w} n${i} v${rec.version + 1}.`;
      rec.next = { summary: s2, version: rec.version + 1 };
      try {
        r = await srv.request('PATCH', `/api/v1/usecases/${rec.id}`, { token, json: { summary: s2, version: rec.version } });
      } catch {
        return;
      }
      if (r.status !== 200) throw new Error(`PATCH ${rec.id}: ${r.status} ${r.text.slice(0, 300)}`);
      assert.equal(r.json.data.version, rec.version + 1);
      rec.version = r.json.data.version;
      rec.summary = s2;
      rec.next = null;
      ctx.acks++;
    }
  }
}

/** Web writer: drafts through the form (the 303 is the acknowledgement). */
async function webWriter(ctx) {
  const { srv, marks, stop } = ctx;
  const c = webClient(srv);
  try {
    await c.signIn(WEB_EMAIL);
  } catch (e) {
    if (stop.now) return;
    throw e;
  }
  for (let i = 0; !stop.now; i++) {
    const title = `Brouillon ${marks.write} web ${i}`;
    const summary = `Résumé web ${marks.write} n${i}.`;
    let r;
    try {
      r = await c.post('/fiches/nouvelle', {
        title,
        summary,
        owner: BORDEAUX_METROPOLE.key,
        theme: 'ecological_transition',
        status: 'experiment',
      });
    } catch {
      return;
    }
    if (r.status !== 303) throw new Error(`POST /fiches/nouvelle: ${r.status} ${r.text.slice(0, 300)}`);
    const m = /^\/fiches\/(\d+)-/.exec(r.location || '');
    if (!m) throw new Error(`POST /fiches/nouvelle: Location ${r.location}`);
    ctx.recs.push({ id: Number(m[1]), title, summary, version: 1, published: false, next: null });
    ctx.acks++;
  }
}

// ==== Processes ====

function spawnIat(args) {
  const child = spawn(IAT_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const p = { child, out: '', err: '', exit: null };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => (p.out += d));
  child.stderr.on('data', (d) => (p.err += d));
  p.done = new Promise((resolve) => child.on('exit', (code, signal) => resolve((p.exit = { code, signal }))));
  return p;
}

// ==== One write/import trial ====

/**
 * Run one trial. Returns {seed, phase ('import' | 'writes'), acks,
 * imported (rows found), failures: [messages]}.
 */
export async function runTrial(tpl, seed, opts = {}) {
  const rng = mulberry32(seed);
  const dir = makeTempDir('iat-crash-');
  const db = cloneDb(tpl.db, path.join(dir, 'iat.db'));
  const marks = { write: `ecr${word(seed)}`, import: `imp${word(seed)}` };
  const csv = path.join(dir, 'import.csv');
  const rows = markedCsv(csv, marks.import, COPIES);
  // the plan: the import starts after importDelay, the kill comes at killAt
  // (ms after the writers start), spread over the import and beyond
  const importDelay = Math.floor(rng() * 150);
  let killAt = 20 + Math.floor(rng() * (importDelay + tpl.importMs * 1.5 + 100));
  // opts.killDuringImport: a fraction of the import's calibrated duration
  if (opts.killDuringImport !== undefined) killAt = importDelay + Math.floor(tpl.importMs * opts.killDuringImport);
  const res = { seed, phase: null, acks: 0, imported: null, failures: [], plan: { importDelay, killAt } };
  const fail = (m) => res.failures.push(m);

  let srv = await startServer(db, ['--write-rate', '0']);
  const stop = { now: false };
  const ctx = { srv, tpl, marks, stop, recs: [], acks: 0, inflight: new Set() };
  const writers = [];
  for (let w = 0; w < API_WRITERS; w++) writers.push(apiWriter(ctx, w));
  writers.push(webWriter(ctx));
  const writersDone = Promise.allSettled(writers);
  let imp = null;
  const impTimer = setTimeout(() => {
    imp = spawnIat(['import', 'interconnectes', '--db', db, csv]);
  }, importDelay);
  await sleep(killAt);
  // kill -9 both processes, at the same moment
  clearTimeout(impTimer);
  const importRunning = imp !== null && imp.exit === null;
  res.phase = importRunning ? 'import' : 'writes';
  srv.child.kill('SIGKILL');
  if (importRunning) imp.child.kill('SIGKILL');
  stop.now = true;
  await srv.stop();
  if (imp) await imp.done;
  for (const s of await writersDone) if (s.status === 'rejected') fail(`writer: ${s.reason && s.reason.message}`);
  res.acks = ctx.acks;
  const importAcked = imp !== null && imp.exit.code === 0 && !importRunning;
  if (imp && !importRunning && imp.exit.code !== 0) fail(`the import failed before the kill: exit ${imp.exit.code}\n${imp.err.slice(-800)}`);

  // 1. the file, read by an independent program
  const ic = integrity(db);
  if (ic !== 'ok') fail(`integrity_check: ${ic.slice(0, 500)}`);
  const fk = sql(db, 'PRAGMA foreign_key_check;');
  if (fk !== '') fail(`foreign_key_check: ${fk.slice(0, 500)}`);
  // 2. the import: all or nothing
  const n = Number(sql(db, `SELECT count(*) FROM usecase WHERE title LIKE '%${marks.import}%';`));
  res.imported = n;
  if (n !== 0 && n !== rows) fail(`half-imported file: ${n} of ${rows} rows`);
  if (importAcked && n !== rows) fail(`the import exited 0 but ${n} of ${rows} rows are there`);
  // every record has its blob and its versions up to its version
  const orphans = sql(db, 'SELECT count(*) FROM usecase u WHERE NOT EXISTS (SELECT 1 FROM usecase_blob b WHERE b.id = u.id) ' +
    'OR (SELECT count(*) FROM usecase_version v WHERE v.usecase_id = u.id) <> u.version;');
  if (orphans !== '0') fail(`${orphans} records without their blob or with missing versions`);

  // 3. restart and serve
  try {
    srv = await startServer(db, ['--write-rate', '0']);
  } catch (e) {
    fail(`restart: ${e.message.slice(0, 800)}`);
    return res;
  }
  try {
    await checkWrites(srv, tpl, db, ctx, marks, fail);
    const nb = await searchTotal(srv, marks.import);
    if (nb !== n) fail(`search for the import marker: ${nb} records, the table has ${n}`);
    // a new write works
    const r = await srv.request('POST', '/api/v1/usecases', { token: tpl.tokens.ref, json: validRecord({ title: `Après ${marks.write}` }) });
    if (r.status !== 201) fail(`write after restart: ${r.status} ${r.text.slice(0, 300)}`);
  } finally {
    try {
      await stopServerClean(srv);
    } catch (e) {
      fail(`stop after restart: ${e.message.slice(0, 500)}`);
    }
  }
  if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  return res;
}

async function searchTotal(srv, q) {
  const r = await srv.get(`/api/v1/usecases?q=${encodeURIComponent(q)}&per_page=1`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r.json.meta.total;
}

async function searchIds(srv, q) {
  const ids = new Set();
  for (let page = 1; ; page++) {
    const r = await srv.get(`/api/v1/usecases?q=${encodeURIComponent(q)}&per_page=100&page=${page}`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    for (const x of r.json.data) ids.add(x.id);
    if (r.json.data.length < 100) return ids;
  }
}

async function checkWrites(srv, tpl, db, ctx, marks, fail) {
  for (const rec of ctx.recs) {
    const r = await srv.request('GET', `/api/v1/usecases/${rec.id}`, { token: tpl.tokens.curator });
    if (r.status !== 200) {
      fail(`acknowledged record ${rec.id} (${rec.title}) lost: GET ${r.status}`);
      continue;
    }
    const d = r.json.data;
    const cur = d.version === rec.version && d.summary === rec.summary;
    const next = rec.next && d.version === rec.next.version && d.summary === rec.next.summary;
    if (d.title !== rec.title || !(cur || next)) {
      fail(`record ${rec.id}: acknowledged version ${rec.version} « ${rec.summary} », found version ${d.version} « ${d.summary} » (title « ${d.title} »)`);
    }
  }
  // search index and table agree on the published records with the marker
  const inTable = new Set(
    lines(sql(db, `SELECT id FROM usecase WHERE visible = 1 AND title LIKE '%${marks.write}%';`)).map(Number),
  );
  const found = await searchIds(srv, marks.write);
  const missing = [...inTable].filter((id) => !found.has(id));
  const extra = [...found].filter((id) => !inTable.has(id));
  if (missing.length || extra.length) fail(`search for the write marker: missing ${missing.slice(0, 10)}, extra ${extra.slice(0, 10)}`);
  for (const rec of ctx.recs) if (rec.published && !found.has(rec.id)) fail(`acknowledged record ${rec.id} not found by the search`);
}

function lines(s) {
  return s.split('\n').filter((l) => l !== '');
}

// ==== One backup trial ====

/**
 * `iat backup DEST` killed at a random moment while a server writes to the
 * source. Returns {seed, killed (true when the backup was still running),
 * outcome ('absent' | 'old' | 'new'), failures}.
 */
export async function runBackupTrial(tpl, seed, opts = {}) {
  const rng = mulberry32(seed ^ 0x5bd1e995);
  const dir = makeTempDir('iat-crash-bk-');
  const db = cloneDb(tpl.db, path.join(dir, 'iat.db'));
  const dest = path.join(dir, 'backup.db');
  const res = { seed, killed: false, outcome: null, failures: [] };
  const fail = (m) => res.failures.push(m);
  const preexisting = rng() < 0.5;
  if (preexisting) {
    iatOk(['backup', '--db', db, dest]);
    sql(dest, "INSERT INTO meta(key, value) VALUES ('crash_old_backup', '1');");
  }
  const killAt = Math.floor(rng() * (tpl.backupMs * 2.5 + 20));
  const before = Number(sql(db, 'SELECT count(*) FROM usecase;'));
  const srv = await startServer(db, ['--write-rate', '0']);
  const stop = { now: false };
  const ctx = { srv, tpl, marks: { write: `bk${word(seed)}` }, stop, recs: [], acks: 0, inflight: new Set() };
  const writer = apiWriter(ctx, 0).catch((e) => fail(`writer: ${e.message}`));
  await sleep(20);
  const bk = spawnIat(['backup', '--db', db, dest]);
  await sleep(killAt);
  if (bk.exit === null) {
    res.killed = true;
    bk.child.kill('SIGKILL');
  }
  await bk.done;
  if (!res.killed && bk.exit.code !== 0) fail(`backup failed: exit ${bk.exit.code} ${bk.err}`);
  stop.now = true;
  await writer;

  // DEST: absent, the old backup, or a complete new one
  if (!fs.existsSync(dest)) {
    res.outcome = 'absent';
    if (preexisting) fail('the previous backup disappeared');
    if (!res.killed) fail('the backup exited 0 but DEST is absent');
  } else {
    const ic = integrity(dest);
    if (ic !== 'ok') fail(`integrity_check of DEST: ${ic.slice(0, 300)}`);
    const old = sql(dest, "SELECT count(*) FROM meta WHERE key = 'crash_old_backup';") === '1';
    res.outcome = old ? 'old' : 'new';
    if (!old) {
      const jm = sql(dest, 'PRAGMA journal_mode;');
      if (jm !== 'delete') fail(`DEST journal_mode ${jm}, expected delete (a standalone file)`);
      const n = Number(sql(dest, 'SELECT count(*) FROM usecase;'));
      if (n < before) fail(`DEST has ${n} records, the source had ${before} before the backup`);
    } else if (!res.killed) fail('the backup exited 0 but DEST is still the old backup');
    if (fs.existsSync(dest + '-wal') || fs.existsSync(dest + '-journal')) fail('DEST has a -wal or -journal file');
  }
  // the source is unharmed and still served
  const h = await srv.get('/healthz');
  if (h.status !== 200) fail(`the server after the backup: /healthz ${h.status}`);
  try {
    await stopServerClean(srv);
  } catch (e) {
    fail(`stop: ${e.message.slice(0, 300)}`);
  }
  const ic = integrity(db);
  if (ic !== 'ok') fail(`integrity_check of the source: ${ic.slice(0, 300)}`);
  // the next backup to the same DEST works and removes the dead one's files
  const again = spawnSync(IAT_BIN, ['backup', '--db', db, dest], { encoding: 'utf8' });
  if (again.status !== 0) fail(`backup after the kill: exit ${again.status} ${again.stderr}`);
  else if (integrity(dest) !== 'ok') fail('integrity_check of DEST after the second backup');
  const left = fs.readdirSync(dir).filter((f) => f.startsWith('backup.db.tmp-'));
  if (left.length) fail(`temporary files left behind: ${left.join(' ')}`);
  if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  return res;
}

// ==== Runs ====

/**
 * Run `trials` write/import trials and `backupTrials` backup trials (seeds
 * from opts.seed/opts.backupSeed when given, else random). log(line) reports
 * progress. Returns the summary object.
 */
export async function runMany({ trials = 0, backupTrials = 0, seeds = null, backupSeeds = null, log = () => {}, verbose = false } = {}) {
  const t0 = Date.now();
  const tpl = await prepareTemplate();
  log(`template ready: import of ${tpl.rows} rows ${tpl.importMs} ms, backup ${tpl.backupMs} ms${IS_ASAN ? ' (ASan build)' : ''}`);
  const sum = { trials: 0, importKills: 0, writeKills: 0, acks: 0, importsPresent: 0, failures: [], backupTrials: 0, backupKills: 0, backupOutcomes: {}, seconds: 0 };
  const list = seeds || Array.from({ length: trials }, randomSeed);
  for (const seed of list) {
    const r = await runTrial(tpl, seed);
    sum.trials++;
    if (r.phase === 'import') sum.importKills++;
    else sum.writeKills++;
    sum.acks += r.acks;
    if (r.imported) sum.importsPresent++;
    const line = `trial seed=${seed} kill at ${r.plan.killAt} ms during ${r.phase}: ${r.acks} acknowledged writes, import ${r.imported ? 'complete' : 'absent'}`;
    if (r.failures.length) {
      sum.failures.push({ kind: 'trial', seed, failures: r.failures });
      log(`FAIL ${line}\n  ${r.failures.join('\n  ')}`);
    } else if (verbose) log(`ok   ${line}`);
  }
  const blist = backupSeeds || Array.from({ length: backupTrials }, randomSeed);
  for (const seed of blist) {
    const r = await runBackupTrial(tpl, seed);
    sum.backupTrials++;
    if (r.killed) sum.backupKills++;
    sum.backupOutcomes[r.outcome] = (sum.backupOutcomes[r.outcome] || 0) + 1;
    const line = `backup seed=${seed} ${r.killed ? 'killed' : 'finished'}, DEST ${r.outcome}`;
    if (r.failures.length) {
      sum.failures.push({ kind: 'backup', seed, failures: r.failures });
      log(`FAIL ${line}\n  ${r.failures.join('\n  ')}`);
    } else if (verbose) log(`ok   ${line}`);
  }
  sum.seconds = (Date.now() - t0) / 1000;
  return sum;
}

export function summaryLine(s) {
  const outcomes = Object.entries(s.backupOutcomes).map(([k, v]) => `${k} ${v}`).join(', ');
  return `crashtest: ${s.trials} trials (kills during import ${s.importKills}, during writes only ${s.writeKills}; ` +
    `${s.acks} acknowledged writes checked, import present in ${s.importsPresent}), ` +
    `${s.backupTrials} backup trials (${s.backupKills} killed; DEST ${outcomes || '-'}), ` +
    `${s.failures.length} failures, ${s.seconds.toFixed(1)} s`;
}

// ==== Command line ====

async function main(argv) {
  const opt = { trials: 100, backupTrials: 20, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined || !/^\d+$/.test(v)) throw new Error(`${a} expects an integer`);
      return Number(v);
    };
    if (a === '--trials') opt.trials = val();
    else if (a === '--backup-trials') opt.backupTrials = val();
    else if (a === '--seed') (opt.seeds ||= []).push(val());
    else if (a === '--backup-seed') (opt.backupSeeds ||= []).push(val());
    else if (a === '--verbose' || a === '-v') opt.verbose = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (opt.seeds || opt.backupSeeds) {
    opt.seeds ||= [];
    opt.backupSeeds ||= [];
    opt.verbose = true;
  }
  const s = await runMany({ ...opt, log: (l) => console.log(l) });
  console.log(summaryLine(s));
  if (s.failures.length) {
    const t = s.failures.filter((f) => f.kind === 'trial').map((f) => `--seed ${f.seed}`);
    const b = s.failures.filter((f) => f.kind === 'backup').map((f) => `--backup-seed ${f.seed}`);
    console.log(`failed seeds (replay: node tests/crash/crash.mjs ...): ${[...t, ...b].join(' ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e.stack || e.message);
    process.exitCode = 2;
  });
}
