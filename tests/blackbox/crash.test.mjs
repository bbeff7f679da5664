// crash.test.mjs — the short crash-safety run of `make test`: a few kill -9
// trials of tests/crash/crash.mjs (the long run is `make crashtest`).
//
// Design notes
// - Seeds are random (IAT_CRASH_SEED fixes the first one) and printed, so
//   each run explores other kill times; a failure names its seed, replayed
//   with `node tests/crash/crash.mjs --seed S` (same plan; the machine's
//   timing still varies).
// - Two trials are killed at a fixed fraction of the import's calibrated
//   duration, so every run kills at least once while an import is running;
//   the others draw their kill time from the seed.
// - `iat backup` of a database the server writes to without a pause used
//   to restart its copy forever (sqlite3_backup_step in steps of 256 pages
//   restarts when another process writes between two steps); now one step.
//   The test below checks the copy finishes under steady writes; the old
//   code failed it only some of the time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { before, test } from 'node:test';
import { prepareTemplate, randomSeed, runBackupTrial, runTrial } from '../crash/crash.mjs';
import { IAT_BIN, IS_ASAN, cloneDb, makeTempDir, sleep, startServer, stopServerClean, validRecord } from './lib.mjs';

let tpl;
const first = process.env.IAT_CRASH_SEED ? Number(process.env.IAT_CRASH_SEED) : randomSeed();
const seeds = [first, ...Array.from({ length: 4 }, randomSeed)];

before(async () => {
  tpl = await prepareTemplate();
});

function report(r, what) {
  const line = `${what} seed=${r.seed}: ${JSON.stringify({ ...r, failures: undefined })}`;
  console.log(line);
  assert.deepEqual(r.failures, [], `${line}\nreplay: node tests/crash/crash.mjs --${what === 'backup' ? 'backup-seed' : 'seed'} ${r.seed}`);
}

test('kill -9 of the server and of an import: integrity, acknowledged writes, all-or-nothing import (5 trials)', async () => {
  const phases = [];
  for (const [i, seed] of seeds.entries()) {
    const opts = i === 1 ? { killDuringImport: 0.3 } : i === 2 ? { killDuringImport: 0.7 } : {};
    const r = await runTrial(tpl, seed, opts);
    phases.push(r.phase);
    report(r, 'trial');
  }
  assert.ok(phases.includes('import'), `at least one kill during the import (${phases})`);
});

test('kill -9 of iat backup: DEST absent, old or complete; no temporary file left (2 trials)', async () => {
  for (let i = 0; i < 2; i++) report(await runBackupTrial(tpl, randomSeed()), 'backup');
});

test('iat backup finishes while the server writes without a pause (3 rounds)', async () => {
  // three rounds: each costs under a second when the copy is one step
  const dir = makeTempDir('iat-crash-load-');
  const db = cloneDb(tpl.db, path.join(dir, 'iat.db'));
  const srv = await startServer(db, ['--write-rate', '0']);
  let stop = false;
  let writes = 0;
  const writer = async (w) => {
    for (let i = 0; !stop; i++) {
      const r = await srv.request('POST', '/api/v1/usecases', { token: tpl.tokens.ref, json: validRecord({ title: `Charge ${w} ${i}` }) });
      assert.equal(r.status, 201, r.text);
      writes++;
    }
  };
  const writers = [writer(0), writer(1)];
  const results = [];
  try {
    await sleep(100);
    for (let round = 0; round < 3; round++) {
      const t0 = Date.now();
      const w0 = writes;
      const child = spawn(IAT_BIN, ['backup', '--db', db, path.join(dir, 'copy.db')], { stdio: 'ignore' });
      const limit = 10000 * (IS_ASAN ? 3 : 1);
      const timer = setTimeout(() => child.kill('SIGKILL'), limit);
      const exit = await new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      clearTimeout(timer);
      results.push({ round, ms: Date.now() - t0, writes: writes - w0, ...exit });
      if (exit.code !== 0) break;
    }
  } finally {
    stop = true;
    await Promise.all(writers);
    await stopServerClean(srv);
  }
  console.log(`backup under load: ${JSON.stringify(results)}`);
  for (const r of results) assert.deepEqual([r.code, r.signal], [0, null], `iat backup under steady writes: ${JSON.stringify(r)} (killed: still copying)`);
});
