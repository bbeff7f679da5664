// lib.mjs — helpers of the black-box tests: they run the REAL `iat` binary
// (IAT_BIN, the normal or the ASan build) on temporary databases and speak
// HTTP to it. Node built-ins only.
//
//   const env = await setupLibrary({ csv: DATA_CSV, accounts: {...} });
//   const srv = await startServer(env.db);
//   const r = await srv.request('GET', '/api/v1/usecases');
//   ...
//   await stopServerClean(srv);   // SIGTERM, exit code 0, no sanitizer report
//
// Conventions
// - Every command runs with cwd and $IAT_DB inside a temporary directory, so
//   nothing ever touches the repository's var/iat.db.
// - Temporary directories are removed when the process exits (set
//   IAT_KEEP_TMP=1 to keep them for debugging).
// - Sanitizer reports (ASan, LSan, UBSan "runtime error:") on the stderr of
//   any command or server make the test fail.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const IAT_BIN = process.env.IAT_BIN;
export const SOURCE_DIR = process.env.IAT_SOURCE_DIR;
if (!IAT_BIN || !SOURCE_DIR) {
  throw new Error('IAT_BIN (path of the iat binary) and IAT_SOURCE_DIR (repository root) must be set');
}
export const ORGS_DIR = path.join(SOURCE_DIR, 'node_modules/@etalab/decoupage-administratif/data');
export const FIXTURES = path.join(SOURCE_DIR, 'tests/fixtures/interconnectes');
export const DATA_CSV = path.join(FIXTURES, 'data.csv');
export const PROCESSED_CSV = path.join(FIXTURES, 'processed_data.csv');

/** true when the binary is the sanitizer build (slower: longer timeouts) */
export const IS_ASAN = /asan/i.test(path.basename(IAT_BIN));
const SLOW = IS_ASAN ? 3 : 1;

// Well-known organisations of the reference data.
export const BORDEAUX_METROPOLE = { key: 'epci-243300316', siren: '243300316' };
export const LYON = { key: 'commune-69123', insee: '69123' };

// ==== Temporary directories ====

const tmpDirs = [];
const liveChildren = new Set(); // servers still running (killed if we exit first)
process.on('exit', () => {
  for (const c of liveChildren) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (process.env.IAT_KEEP_TMP) return;
  for (const d of tmpDirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
});

export function makeTempDir(prefix = 'iat-bb-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

// A directory for the cwd and $IAT_DB of commands that do not name a base.
const scratch = makeTempDir('iat-bb-cwd-');
const scratchDb = path.join(scratch, 'default-must-not-exist.db');
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => process.exit(128 + 2)); // runs the 'exit' clean-up
}

// ==== Sanitizers ====

const SANITIZER_RE = /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer|runtime error:/;

/** The first line of text that is a sanitizer report, or null. */
export function sanitizerReport(text) {
  if (!text) return null;
  const m = SANITIZER_RE.exec(text);
  if (!m) return null;
  const start = text.lastIndexOf('\n', m.index) + 1;
  return text.slice(start, start + 2000);
}

export function assertNoSanitizerReport(text, what = 'stderr') {
  const rep = sanitizerReport(text);
  assert.equal(rep, null, `sanitizer report in ${what}:\n${rep}`);
}

// ==== Running the command line ====

/**
 * Run `iat ...args` synchronously. Returns {code, signal, stdout, stderr}.
 * Fails the test on a sanitizer report (unless opts.allowSanitizer).
 */
export function iat(args, opts = {}) {
  const res = spawnSync(IAT_BIN, args, {
    cwd: opts.cwd || scratch,
    env: { ...process.env, IAT_DB: scratchDb, ...(opts.env || {}) },
    encoding: 'utf8',
    input: opts.input,
    timeout: (opts.timeout || 120000) * SLOW,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw res.error;
  const out = { code: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr };
  if (!opts.allowSanitizer) assertNoSanitizerReport(out.stderr, `stderr of iat ${args.join(' ')}`);
  return out;
}

/** Run `iat ...args`, assert exit code 0, return stdout. */
export function iatOk(args, opts = {}) {
  const r = iat(args, opts);
  assert.equal(r.code, 0, `iat ${args.join(' ')} exited ${r.code} (signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Lines of a text output, without the empty ones. */
export function lines(text) {
  return (text || '').split('\n').filter((l) => l.trim() !== '');
}

// ==== Databases ====

export function initDb(db) {
  return iatOk(['init', '--db', db]);
}

export function loadOrgs(db) {
  return iatOk(['orgs', 'load', '--db', db, ORGS_DIR]);
}

export function importCsv(db, csv) {
  return iatOk(['import', 'interconnectes', '--db', db, csv]);
}

/** Copy a closed database (with its WAL if any) to dest. */
export function cloneDb(src, dest) {
  fs.copyFileSync(src, dest);
  for (const ext of ['-wal']) {
    if (fs.existsSync(src + ext)) fs.copyFileSync(src + ext, dest + ext);
  }
  return dest;
}

/** Create (or update) an account and give it a fresh API token. */
export function createAccount(db, email, role, org) {
  const args = ['user', 'add', '--db', db, email, '--role', role];
  if (org) args.push('--org', org);
  iatOk(args);
  const out = iatOk(['token', 'create', '--db', db, email]);
  const tok = out.trim();
  assert.match(tok, /^\S+$/, `token create printed one token: ${JSON.stringify(out)}`);
  return tok;
}

// Standard accounts used by the API tests.
export const STANDARD_ACCOUNTS = {
  agentBdx: ['agent@bordeaux-metropole.example.fr', 'agent', BORDEAUX_METROPOLE.siren],
  refBdx: ['referent@bordeaux-metropole.example.fr', 'referent', BORDEAUX_METROPOLE.siren],
  agentLyon: ['agent@lyon.example.fr', 'agent', LYON.insee],
  curator: ['curator@observatoire.example.fr', 'curator', null],
};

/**
 * A temporary directory with a database: initialised, organisations loaded,
 * optionally a CSV imported, and accounts created. Returns
 * {dir, db, tokens: {name: token}}.
 * opts.csv: a CSV to import (default data.csv; null for none);
 * opts.accounts: {name: [email, role, org]} (default STANDARD_ACCOUNTS).
 */
export function setupLibrary(opts = {}) {
  const dir = makeTempDir();
  const db = path.join(dir, 'iat.db');
  initDb(db);
  loadOrgs(db);
  const csv = opts.csv === undefined ? DATA_CSV : opts.csv;
  if (csv) importCsv(db, csv);
  const tokens = {};
  const accounts = opts.accounts || STANDARD_ACCOUNTS;
  for (const [name, [email, role, org]] of Object.entries(accounts)) {
    tokens[name] = createAccount(db, email, role, org);
  }
  return { dir, db, tokens };
}

// ==== Server ====

/** A port that was free a moment ago (listen on 0, close, reuse). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start `iat serve --db db --listen 127.0.0.1:PORT --threads 2 ...extra` and
 * wait until /healthz answers 200. Returns a server object:
 *   {port, base, child, stdout(), stderr(), request(), raw(), stop()}.
 */
export async function startServer(db, extra = [], opts = {}) {
  let lastErr = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--threads', '2', ...extra];
    const child = spawn(IAT_BIN, args, {
      cwd: scratch,
      env: { ...process.env, IAT_DB: scratchDb, ...(opts.env || {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let exited = null;
    liveChildren.add(child);
    const exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        liveChildren.delete(child);
        exited = { code, signal };
        resolve(exited);
      });
    });
    const srv = makeServer(port, child, () => out, () => err, exitPromise, () => exited);
    const deadline = Date.now() + 30000 * SLOW;
    while (Date.now() < deadline && !exited) {
      try {
        const r = await fetch(`${srv.base}/healthz`);
        await r.arrayBuffer();
        if (r.status === 200) return srv;
      } catch {
        /* not listening yet */
      }
      await sleep(50);
    }
    if (!exited) {
      child.kill('SIGKILL');
      await exitPromise;
      throw new Error(`iat serve did not answer /healthz in time\nstdout: ${out}\nstderr: ${err}`);
    }
    lastErr = `iat serve exited ${JSON.stringify(exited)}\nstdout: ${out}\nstderr: ${err}`;
    assertNoSanitizerReport(err, 'stderr of iat serve');
    if (!/écouter|listen|address|adresse/i.test(err)) break; // not a port clash: do not retry
  }
  throw new Error(lastErr);
}

function makeServer(port, child, stdout, stderr, exitPromise, exited) {
  const base = `http://127.0.0.1:${port}`;
  let stopping = null;
  return {
    port,
    base,
    child,
    stdout,
    stderr,
    /** Send SIGTERM and wait for the exit. Returns {code, signal, stdout, stderr}. */
    stop() {
      if (!stopping) {
        stopping = (async () => {
          if (!exited()) child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 30000 * SLOW);
          const res = await exitPromise;
          clearTimeout(timer);
          return { ...res, stdout: stdout(), stderr: stderr() };
        })();
      }
      return stopping;
    },
    request(method, p, o) {
      return explainDeath(request(base, method, p, o), `${method} ${p}`);
    },
    get(p, o) {
      return explainDeath(request(base, 'GET', p, o), `GET ${p}`);
    },
    raw(data, o) {
      return explainDeath(rawRequest(port, data, o), 'raw request');
    },
    rawHttp(method, target, o) {
      return explainDeath(rawHttp(port, method, target, o), `${method} ${target}`);
    },
  };

  // When the server died (crash, sanitizer abort), say so with its stderr
  // instead of a bare "fetch failed".
  async function explainDeath(promise, what) {
    try {
      return await promise;
    } catch (e) {
      await Promise.race([exitPromise, sleep(300)]);
      const x = exited();
      if (!x) throw e;
      const rep = sanitizerReport(stderr());
      throw new Error(`${what}: iat serve is dead (exit ${x.code}, signal ${x.signal})\n` +
        (rep || stderr().split('\n').slice(-15).join('\n')), { cause: e });
    }
  }
}

/**
 * If srv no longer answers /healthz (it crashed: the test that killed it
 * has already failed with "iat serve is dead" and the report), record the
 * crash in crashes and return a fresh server from start(), so that the
 * following tests are still meaningful; else return srv. Use in beforeEach,
 * and assert that crashes is empty at the end.
 */
export async function reviveServer(srv, start, crashes) {
  if (!srv) return srv;
  try {
    const h = await fetch(`${srv.base}/healthz`);
    await h.arrayBuffer();
    if (h.status === 200) return srv;
  } catch {
    /* dead or dying */
  }
  const r = await srv.stop();
  crashes.push(`exit ${r.code}, signal ${r.signal}\n${(sanitizerReport(r.stderr) || r.stderr).split('\n').slice(0, 12).join('\n')}`);
  return start();
}

/** Stop the server and assert a clean exit: code 0, no sanitizer report. */
export async function stopServerClean(srv) {
  const r = await srv.stop();
  assertNoSanitizerReport(r.stderr, 'stderr of iat serve');
  assert.equal(r.signal, null, `iat serve was killed by ${r.signal}\nstderr: ${r.stderr}`);
  assert.equal(r.code, 0, `iat serve exited ${r.code}\nstderr: ${r.stderr}`);
  return r;
}

// ==== HTTP with fetch ====

/**
 * request(base, method, path, {token, json, body, headers}) → {status,
 * headers, text, json, buffer}. json: an object sent as JSON (with
 * Content-Type: application/json); body: sent as is (string, Buffer).
 * Redirects are not followed.
 */
export async function request(base, method, p, o = {}) {
  const headers = { ...(o.headers || {}) };
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  let body;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  } else if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : new Uint8Array(o.body);
  }
  const res = await fetch(base + p, { method, headers, body, redirect: 'manual' });
  const buffer = Buffer.from(await res.arrayBuffer());
  const text = buffer.toString('utf8');
  let json;
  const ct = res.headers.get('content-type') || '';
  if (ct.startsWith('application/json') && text.length) {
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`${method} ${p}: reply is not JSON (${e.message}): ${text.slice(0, 300)}`);
    }
  }
  const reply = { status: res.status, headers: res.headers, text, json, buffer };
  if (CONTRACT_CHECK) await checkContract(method, p, reply);
  return reply;
}

// ==== The API contract (doc/openapi.json), issue 6 ====
//
// With IAT_CHECK_CONTRACT=1 in the environment (set by CMake for every
// black-box suite, or enableContractCheck()), every reply of request() to
// /api/v1/* or /healthz is checked against doc/openapi.json: the operation
// is found by method + path template, the status must be documented for it,
// and a JSON body must validate against that status's schema (Ajv, JSON
// Schema 2020-12 as in OpenAPI 3.1). A path or method the document does not
// have must be answered with the error envelope. Loaded lazily: ajv is an
// npm dev dependency (package-lock.json), the rest of this file uses Node
// built-ins only.

let CONTRACT_CHECK = process.env.IAT_CHECK_CONTRACT === '1';
let contract = null;

/** Turn the contract check on for this process (returns the loaded contract). */
export async function enableContractCheck() {
  CONTRACT_CHECK = true;
  return loadContract();
}

export async function loadContract() {
  if (contract) return contract;
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const { default: addFormats } = await import('ajv-formats');
  const doc = JSON.parse(fs.readFileSync(path.join(SOURCE_DIR, 'doc/openapi.json'), 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // every "#/components/..." reference of the document points into one
  // schema registered under urn:iat:openapi
  const rebase = (v) => {
    if (Array.isArray(v)) return v.map(rebase);
    if (v && typeof v === 'object') {
      const o = {};
      for (const [k, x] of Object.entries(v)) o[k] = k === '$ref' && typeof x === 'string' && x.startsWith('#/') ? `urn:iat:openapi${x}` : rebase(x);
      return o;
    }
    return v;
  };
  ajv.addSchema({ $id: 'urn:iat:openapi', components: { schemas: rebase(doc.components.schemas) } });
  const templates = Object.keys(doc.paths).map((t) => ({
    t,
    literal: !t.includes('{'),
    re: new RegExp('^' + t.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
  }));
  templates.sort((a, b) => Number(b.literal) - Number(a.literal));
  const cache = new Map();
  const resolve = (o) => (o && o.$ref ? o.$ref.slice(2).split('/').reduce((x, k) => x[k], doc) : o);
  contract = {
    doc,
    ajv,
    /** The path template of a concrete path, or null. */
    template(p) {
      const m = templates.find((x) => x.re.test(p));
      return m ? m.t : null;
    },
    /** A validator for a schema of the document (by JSON value), cached by key. */
    validator(key, schema) {
      if (!cache.has(key)) cache.set(key, ajv.compile(rebase(schema)));
      return cache.get(key);
    },
    resolve,
  };
  return contract;
}

/**
 * Check one reply against the contract; throws an Error explaining the
 * mismatch. reply: {status, headers (Headers or plain object), json, text}.
 */
export async function checkContract(method, target, reply) {
  const p = target.split('?')[0];
  if (!(p.startsWith('/api/v1/') || p === '/api/v1' || p === '/healthz')) return;
  const c = await loadContract();
  const m = method.toUpperCase() === 'HEAD' ? 'get' : method.toLowerCase();
  const ctx = `${method} ${target} → ${reply.status}`;
  const fail = (msg) => {
    throw new Error(`contract (doc/openapi.json): ${ctx}: ${msg}\nreply: ${String(reply.text || '').slice(0, 400)}`);
  };
  const hget = (n) => (typeof reply.headers?.get === 'function' ? reply.headers.get(n) : reply.headers?.[n.toLowerCase()]);
  const ct = hget('content-type') || '';
  // replies of the HTTP layer itself (libmicrohttpd: URI or headers too
  // long) are not the application's and are not JSON
  if ([414, 431].includes(reply.status) && !ct.startsWith('application/json')) return;
  const t = c.template(p);
  const op = t && c.doc.paths[t][m];
  let schema;
  let key;
  if (!op) {
    if (m === 'options' && reply.status === 204) return; // CORS pre-flight
    // unknown path or method: an error envelope
    if (![404, 405, 400, 401].includes(reply.status)) fail(`no operation in the document for ${m.toUpperCase()} ${t || p}`);
    schema = c.doc.components.schemas.Error;
    key = 'Error';
  } else {
    const resp = c.resolve(op.responses[String(reply.status)] || op.responses.default);
    if (!resp) fail(`status ${reply.status} is not documented for ${m.toUpperCase()} ${t}`);
    if (reply.status === 304) return;
    const media = resp.content && Object.keys(resp.content)[0];
    if (!media) {
      if (reply.text) fail('the document gives no body for this status');
      return;
    }
    if (!ct.startsWith(media)) fail(`Content-Type ${ct}, the document says ${media}`);
    if (media !== 'application/json') return;
    schema = resp.content[media].schema;
    key = `${m} ${t} ${reply.status}`;
    if (resp['x-error-codes'] && reply.json?.error && !resp['x-error-codes'].includes(reply.json.error.code)) {
      fail(`error code ${reply.json.error.code} is not listed for status ${reply.status} (${resp['x-error-codes'].join(', ')})`);
    }
  }
  if (!ct.startsWith('application/json')) fail(`JSON expected, Content-Type ${ct}`);
  if (method.toUpperCase() === 'HEAD') return; // no body
  let body = reply.json;
  if (body === undefined) {
    try {
      body = JSON.parse(reply.text);
    } catch {
      fail('the body is not JSON');
    }
  }
  const v = c.validator(key, schema);
  if (!v(body)) fail(c.ajv.errorsText(v.errors, { separator: '\n  ' }));
}

// ==== Raw HTTP with node:net (malformed requests) ====

/**
 * Send bytes as they are on a new connection, read until the server closes
 * it (send "Connection: close"). Returns {status, headers (lower-case
 * names), body (Buffer), text, json, rawHead}. status 0 when the server
 * closed without a reply.
 */
export function rawRequest(port, data, o = {}) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const sock = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('raw request timed out'));
    }, (o.timeout || 20000) * SLOW);
    sock.on('connect', () => {
      sock.write(data);
      if (o.endWrite) sock.end();
    });
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (e) => {
      // the server may reset the connection after replying
      if (chunks.length) return;
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(parseRawResponse(Buffer.concat(chunks)));
    });
  });
}

export function parseRawResponse(buf) {
  const sep = buf.indexOf('\r\n\r\n');
  if (sep < 0) return { status: 0, headers: {}, body: buf, text: buf.toString('latin1'), rawHead: '' };
  const head = buf.subarray(0, sep).toString('latin1');
  let body = buf.subarray(sep + 4);
  const [statusLine, ...hl] = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  const headers = {};
  for (const l of hl) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  if ((headers['transfer-encoding'] || '').toLowerCase() === 'chunked') body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  const text = body.toString('utf8');
  let json;
  if ((headers['content-type'] || '').startsWith('application/json')) {
    try {
      json = JSON.parse(text);
    } catch {
      /* left undefined */
    }
  }
  return { status: m ? Number(m[1]) : 0, headers, body, text, json, rawHead: head };
}

function dechunk(buf) {
  const parts = [];
  let i = 0;
  while (i < buf.length) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) break;
    const n = parseInt(buf.subarray(i, eol).toString('latin1'), 16);
    if (!n) break;
    parts.push(buf.subarray(eol + 2, eol + 2 + n));
    i = eol + 2 + n + 2;
  }
  return Buffer.concat(parts);
}

/**
 * One raw HTTP/1.1 request: target is a string or Buffer sent as is (raw
 * bytes allowed); o.headers an object; o.body a string or Buffer
 * (Content-Length added unless o.noLength).
 */
export function rawHttp(port, method, target, o = {}) {
  const body = o.body === undefined ? null : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body, 'utf8');
  let head = '';
  const hdrs = { Host: `127.0.0.1:${port}`, Connection: 'close', ...(o.headers || {}) };
  if (body && !o.noLength) hdrs['Content-Length'] = String(body.length);
  for (const [k, v] of Object.entries(hdrs)) head += `${k}: ${v}\r\n`;
  const data = Buffer.concat([
    Buffer.from(`${method} `, 'latin1'),
    Buffer.isBuffer(target) ? target : Buffer.from(target, 'latin1'),
    Buffer.from(` HTTP/1.1\r\n${head}\r\n`, 'latin1'),
    body || Buffer.alloc(0),
  ]);
  return rawRequest(port, data, o);
}

// ==== Records ====

/** A minimal valid record body (owner: Bordeaux Métropole). */
export function validRecord(over = {}) {
  return {
    title: 'Projet de test',
    summary: 'Un résumé de test pour les tests boîte noire.',
    owner: BORDEAUX_METROPOLE.key,
    theme: 'ecological_transition',
    status: 'experiment',
    ...over,
  };
}

/** POST a record and assert 201; returns the record (data). */
export async function createRecord(srv, token, body) {
  const r = await srv.request('POST', '/api/v1/usecases', { token, json: body });
  assert.equal(r.status, 201, `POST /api/v1/usecases: ${r.status} ${r.text}`);
  assert.equal(r.json.ok, true);
  return r.json.data;
}

/** Assert an API error envelope: status, code and (when given) field. */
export function assertApiError(r, status, code, field) {
  const ctx = `${r.status} ${r.text.slice(0, 600)}`;
  assert.equal(r.status, status, `status, reply: ${ctx}`);
  assert.ok(r.json, `JSON error envelope expected, reply: ${ctx}`);
  assert.equal(r.json.ok, false, ctx);
  assert.equal(r.json.error.status, status, ctx);
  if (code !== undefined) assert.equal(r.json.error.code, code, `error.code, reply: ${ctx}`);
  if (field !== undefined) assert.equal(r.json.error.field, field, `error.field, reply: ${ctx}`);
  assert.equal(typeof r.json.error.message, 'string');
  assert.ok(r.json.error.message.length > 0);
}

// ==== CSV (tests only: RFC 4180 with a chosen separator) ====

/** Rows of a CSV text (RFC 4180, the given separator); BOM ignored. */
export function csvRows(text, sep = ',') {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let inq = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inq) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') inq = false;
      else field += c;
    } else if (c === '"') inq = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  assert.ok(!inq, 'CSV: unterminated quoted field');
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// assertCsvInert: moved here from attack.test.mjs for the record exports of
// issue 6 (exports.test.mjs), still re-exported by attack.test.mjs.
/**
 * A CSV export is safe to open in a spreadsheet: no cell starts with a
 * formula trigger (= + - @, or a tab / carriage return before one) unless
 * it is neutralised with a leading apostrophe; plain numbers (-0.58, +33)
 * are allowed. Throws an AssertionError naming the first bad cell.
 */
export function assertCsvInert(text, sep = ',') {
  const rows = csvRows(text, sep);
  rows.forEach((row, i) => {
    row.forEach((cell, j) => {
      if (/^[-+]?\d+([.,]\d+)?$/.test(cell)) return;
      assert.ok(!/^[\s]*[=+\-@\t\r]/.test(cell) || /^'/.test(cell),
        `CSV line ${i + 1}, column ${j + 1}: a formula cell is not neutralised: ${JSON.stringify(cell.slice(0, 60))}`);
      assert.ok(!/^[=+\-@]/.test(cell.replace(/^[\t\r ]+/, '')),
        `CSV line ${i + 1}, column ${j + 1}: a formula after white space: ${JSON.stringify(cell.slice(0, 60))}`);
    });
  });
  return rows;
}

/** Records of a CSV text with a header line: objects keyed by column name
 * (blank lines skipped). */
export function parseCsv(text, sep = ',') {
  const rows = csvRows(text, sep).filter((r) => !(r.length === 1 && r[0] === ''));
  const header = rows.shift();
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

export function readCsv(file, sep) {
  return parseCsv(fs.readFileSync(file, 'utf8'), sep);
}

// ==== HTML ====

/** Assert the common properties of a French HTML page. */
export function assertHtmlPage(r, status = 200) {
  assert.equal(r.status, status, `status ${r.status}: ${r.text.slice(0, 300)}`);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(r.text, /^<!doctype html>/i);
  assert.match(r.text, /<html[^>]*\blang="fr"/);
  const h1 = r.text.match(/<h1[\s>]/g) || [];
  assert.equal(h1.length, 1, `exactly one <h1> (found ${h1.length})`);
  const bad = escapedMarkupInTag(r.text);
  assert.equal(bad, null, `escaped markup inside a tag: ${bad}`);
}

/**
 * Markup passed through the HTML escaper by mistake shows up as an escaped
 * attribute inside a tag (aria-invalid=&quot;true&quot;): the first such
 * tag, or null. Attribute values ("...") are skipped, so a value typed by
 * someone (value="&quot; onmouseover=&quot;x"), correctly escaped, is not
 * taken for one.
 */
export function escapedMarkupInTag(html) {
  for (const m of html.matchAll(/<[a-z][^<>]*>/gi)) {
    if (/\s[a-z-]+=&quot;/i.test(m[0].replace(/"[^"]*"/g, '""'))) return m[0].slice(0, 200);
  }
  return null;
}

/** The text of the page's <h1> (tags removed). */
export function h1Text(html) {
  const m = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  return m ? m[1].replace(/<[^>]*>/g, '') : null;
}

export function htmlEscape(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Decode the usual entities of our HTML (for comparisons of text). */
export function htmlUnescape(s) {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

export { sleep };

// ==== Web sessions (a small browser: cookie jar + CSRF) ====

export const TEST_PASSWORD = 'correct horse battery staple';

/** Create (or update) an account with a password (and a membership). */
export function createWebAccount(db, email, role, org, password = TEST_PASSWORD) {
  const args = ['user', 'add', '--db', db, email, '--role', role, '--password-stdin'];
  if (org) args.push('--org', org);
  iatOk(args, { input: password + '\n' });
}

/** The value of the first hidden "csrf" field of an HTML page, or null. */
export function csrfOf(html) {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  return m ? m[1] : null;
}

/**
 * A web client for srv: keeps cookies like a browser, and fills the CSRF
 * field of form posts from the last page it fetched.
 *   const c = webClient(srv);
 *   await c.signIn(email);              // asserts the 303
 *   const r = await c.get('/compte');   // {status, headers, text, location}
 *   await c.post('/fiches/nouvelle', { title: '...' });   // csrf added
 * post(path, fields, {csrf:false}) sends no token; fields may hold arrays
 * (repeated fields). Redirects are not followed; `location` is given.
 */
let clientSeq = 0;
export function webClient(srv, opts = {}) {
  // Each client comes from its own address (X-Forwarded-For, trusted from
  // loopback like from nginx), so per-address throttles count per client;
  // opts.addr chooses it.
  const addr = opts.addr || `10.${(++clientSeq >> 16) & 255}.${(clientSeq >> 8) & 255}.${clientSeq & 255}`;
  const jar = new Map();
  let csrf = null;
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const store = (res) => {
    for (const sc of res.headers.getSetCookie ? res.headers.getSetCookie() : []) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
  };
  const send = async (method, p, body, headers = {}) => {
    const h = { 'X-Forwarded-For': addr, ...headers };
    if (jar.size) h.Cookie = cookieHeader();
    const res = await fetch(srv.base + p, { method, headers: h, body, redirect: 'manual' });
    store(res);
    const text = await res.text();
    if ((res.headers.get('content-type') || '').startsWith('text/html')) {
      // markup passed through the HTML escaper by mistake shows up as an
      // escaped attribute inside a tag (aria-invalid=&quot;true&quot;)
      const bad = escapedMarkupInTag(text);
      assert.equal(bad, null, `${method} ${p}: escaped markup inside a tag: ${bad}`);
      const t = csrfOf(text);
      if (t) csrf = t;
    }
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
  };
  const client = {
    jar,
    addr,
    get csrf() {
      return csrf;
    },
    get: (p, headers) => send('GET', p, undefined, headers),
    async post(p, fields = {}, o = {}) {
      const form = new URLSearchParams();
      if (o.csrf !== false) {
        if (!csrf) await send('GET', '/connexion');
        form.append('csrf', o.csrf || csrf);
      }
      for (const [k, v] of Object.entries(fields)) {
        if (Array.isArray(v)) for (const x of v) form.append(k, x);
        else if (v !== undefined && v !== null) form.append(k, String(v));
      }
      return send('POST', p, form.toString(), {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...(o.headers || {}),
      });
    },
    // a multipart/form-data post (the import page): fields as for post(),
    // file = {name, content (string or Buffer), field = 'fichier'} or null
    async postFile(p, fields = {}, file = null, o = {}) {
      const form = new FormData();
      if (o.csrf !== false) {
        if (!csrf) await send('GET', '/connexion');
        form.append('csrf', o.csrf || csrf);
      }
      for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) form.append(k, String(v));
      if (file) form.append(file.field || 'fichier', new Blob([file.content]), file.name);
      return send('POST', p, form, o.headers || {});
    },
    async signIn(email, password = TEST_PASSWORD) {
      await send('GET', '/connexion');
      const r = await client.post('/connexion', { email, password });
      assert.equal(r.status, 303, `sign-in of ${email}: ${r.status} ${r.text.slice(0, 400)}`);
      await send('GET', '/'); // the session's CSRF token (sign-out form in the header)
      return r;
    },
    async signOut() {
      return client.post('/deconnexion', {});
    },
  };
  return client;
}
