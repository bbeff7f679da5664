// authz.test.mjs — the authorisation matrix: every route of the routing
// table (src/router.c) × every role gets exactly the answer documented in
// doc/authorization.md. The document is the source of truth: this test
// parses its table, so the document cannot drift from the code, and a
// route added to the table without a row in the document fails here.
//
// Roles (columns of the table): visitor (no account), citizen (account, no
// organisation), agent-other (agent of Lyon, not the owner), agent (agent
// of Bordeaux Métropole, the owner), referent (referent of Bordeaux
// Métropole), curator, admin. Pages are requested with a web session
// (cookie + CSRF token), API routes with a bearer token.
//
// Placeholders of the "example" column are filled by this test:
//   :fiche      a published record of Bordeaux Métropole (id-slug)
//   :fiche-id   its id
//   :brouillon  a FRESH draft of Bordeaux Métropole for each cell (actions
//               that change state never see another cell's result)
//   :soumise    a FRESH submitted record of Bordeaux Métropole per cell
//   :publiee    a FRESH published record of Bordeaux Métropole per cell
//   :org        epci-243300316 (Bordeaux Métropole)
//   :demande    a FRESH pending join request to Bordeaux Métropole per cell
//   :membre     the user id of a FRESH agent of Bordeaux Métropole per cell
//   :signalement a FRESH open error report on a Bordeaux Métropole record
//   :brouillon-elements a FRESH draft with one indicator and one reuse-kit item
//   :adhesion-citoyen  a FRESH pending join request of the cell's own account
//               (for members of Bordeaux Métropole, who cannot ask to join
//               it: someone else's request)
// POST forms are sent with a valid CSRF token and the fields of the
// "form" column (k=v&k=v), or none; API writes with a small valid JSON.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  SOURCE_DIR,
  createRecord,
  createWebAccount,
  iatOk,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
  webClient,
} from './lib.mjs';

const ROLES = ['visitor', 'citizen', 'agent-other', 'agent', 'referent', 'curator', 'admin'];
const ACCOUNTS = {
  citizen: ['citoyen@example.fr', 'citizen', null],
  'agent-other': ['agent@lyon.example.fr', 'agent', '69123'],
  agent: ['agent@bordeaux-metropole.example.fr', 'agent', BORDEAUX_METROPOLE.siren],
  referent: ['referent@bordeaux-metropole.example.fr', 'referent', BORDEAUX_METROPOLE.siren],
  curator: ['curateur@observatoire.example.fr', 'curator', null],
  admin: ['admin@observatoire.example.fr', 'admin', null],
};

// ==== The document ====

const DOC = path.join(SOURCE_DIR, 'doc/authorization.md');

/** Rows of the matrix: {method, pattern, example, form, expect: {role: status}} */
function readMatrix() {
  const rows = [];
  for (const line of fs.readFileSync(DOC, 'utf8').split('\n')) {
    const m = /^\|\s*`(GET|POST|PATCH|PUT|DELETE) ([^`]+)`\s*\|\s*`([^`]+)`\s*\|([^|]*)\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const cells = m[5].split('|').map((c) => c.trim());
    assert.equal(cells.length, ROLES.length, `doc/authorization.md: ${ROLES.length} role columns expected in: ${line}`);
    const expect = {};
    ROLES.forEach((role, i) => {
      const code = Number(/^\d{3}/.exec(cells[i])?.[0]);
      assert.ok(code >= 200 && code < 600, `doc/authorization.md: bad status "${cells[i]}" in: ${line}`);
      expect[role] = code;
    });
    rows.push({ method: m[1], pattern: m[2].trim(), example: m[3].trim(), form: m[4].trim().replace(/^`|`$/g, ''), expect });
  }
  return rows;
}

/** Routes of src/router.c: "METHOD pattern". */
function readRoutes() {
  const src = fs.readFileSync(path.join(SOURCE_DIR, 'src/router.c'), 'utf8');
  const out = [];
  for (const m of src.matchAll(/^\s*\{\s*"(GET|POST|PATCH|PUT|DELETE)",\s*"([^"]+)",/gm)) out.push(`${m[1]} ${m[2]}`);
  return out;
}

// ==== Fixtures ====

let env;
let srv;
const clients = {};
const tokens = {};
let published;

async function freshRecord(state) {
  const rec = await createRecord(srv, tokens.referent, validRecord({ title: `Fiche ${state} ${Math.random()}` }));
  if (state === 'draft') return rec;
  if (state === 'published') {
    const r = await srv.request('PATCH', `/api/v1/usecases/${rec.id}`, {
      token: tokens.referent,
      json: { state: 'published', version: rec.version },
    });
    assert.equal(r.status, 200, r.text);
    return r.json.data;
  }
  if (state === 'submitted') {
    const r = await srv.request('PATCH', `/api/v1/usecases/${rec.id}`, {
      token: tokens.agent,
      json: { state: 'submitted', version: rec.version },
    });
    assert.equal(r.status, 200, `submit through the API: ${r.text}`);
    return r.json.data;
  }
  throw new Error(state);
}

let seq = 0;
async function freshAgent() {
  const email = `membre${++seq}@bordeaux-metropole.example.fr`;
  createWebAccount(env.db, email, 'agent', BORDEAUX_METROPOLE.siren);
  const c = webClient(srv);
  await c.signIn(email);
  const page = await c.get('/compte/donnees');
  assert.equal(page.status, 200, 'the account data export gives the user id');
  return JSON.parse(page.text).account.id;
}

async function freshJoinRequest(client) {
  let c = client;
  if (!c) {
    const email = `demandeur${++seq}@example.fr`;
    createWebAccount(env.db, email, 'citizen', null);
    c = webClient(srv);
    await c.signIn(email);
  }
  const r = await c.post(`/organisations/${BORDEAUX_METROPOLE.key}/adhesion`, { message: 'Bonjour' });
  assert.equal(r.status, 303, `join request: ${r.status} ${r.text.slice(0, 300)}`);
  const data = JSON.parse((await c.get('/compte/donnees')).text);
  const pending = data.join_requests.filter((j) => j.state === 'pending');
  return pending[pending.length - 1].id;
}

async function freshReport() {
  const rec = await freshRecord('published');
  const c = webClient(srv);
  await c.get(`/fiches/${rec.id}/signaler`);
  const r = await c.post(`/fiches/${rec.id}/signaler`, {
    field: 'title',
    description: 'Le titre est inexact depuis la dernière mise à jour.',
  }, { headers: { 'X-Forwarded-For': `198.51.100.${++seq % 250}` } });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  const inbox = await clients.referent.get('/espace/signalements');
  const ids = [...inbox.text.matchAll(/action="\/signalements\/(\d+)\/repondre"/g)].map((m) => Number(m[1]));
  return Math.max(...ids);
}

async function fill(example, role) {
  let p = example;
  const subs = {
    ':fiche-id': async () => String(published.id),
    ':fiche': async () => `${published.id}-${published.slug}`,
    // before ':brouillon', which it contains
    ':brouillon-elements': async () => String((await createRecord(srv, tokens.referent, validRecord({
      title: `Fiche à éléments ${Math.random()}`,
      indicators: [{ name: 'Indicateur de la matrice', unit: 'heures' }],
      reuse_kit: [{ kind: 'code', title: 'Dépôt', url: 'https://example.org/depot' }],
    }))).id),
    ':brouillon': async () => String((await freshRecord('draft')).id),
    ':soumise': async () => String((await freshRecord('submitted')).id),
    ':publiee': async () => String((await freshRecord('published')).id),
    ':org': async () => BORDEAUX_METROPOLE.key,
    ':demande': async () => String(await freshJoinRequest(null)),
    // members cannot ask to join their own organisation: they get someone else's request
    ':adhesion-citoyen': async () =>
      String(role === 'visitor' ? 1 : await freshJoinRequest(['agent', 'referent'].includes(role) ? null : clients[role])),
    ':membre': async () => String(await freshAgent()),
    ':signalement': async () => String(await freshReport()),
  };
  for (const [k, f] of Object.entries(subs)) {
    if (p.includes(k)) p = p.replaceAll(k, await f());
  }
  assert.ok(!/:[a-z]/.test(p.replace(/^https?:/, '')), `unknown placeholder in ${example}`);
  return p;
}

before(async () => {
  env = setupLibrary({ csv: null, accounts: {} });
  for (const [role, [email, r, org]] of Object.entries(ACCOUNTS)) {
    createWebAccount(env.db, email, r, org);
    tokens[role] = iatOk(['token', 'create', '--db', env.db, email]).trim();
  }
  // issue 7 (survey campaigns): the open campaign "matrice", targeting the
  // EPCI of Nouvelle-Aquitaine (Bordeaux Métropole in, Lyon out)
  const day = 86400000;
  const campaign = path.join(env.dir, 'matrice.json');
  fs.writeFileSync(campaign, JSON.stringify({
    format: 'iat-campaign/1', code: 'matrice', year: 2026, title: 'Campagne de la matrice',
    opens_on: new Date(Date.now() - day).toISOString().slice(0, 10),
    closes_on: new Date(Date.now() + 30 * day).toISOString().slice(0, 10),
    target: { kinds: ['epci'], regions: ['75'] },
    questions: [{ code: 'uses_ai', kind: 'single', label: 'IA ?', options: [{ code: 'yes', label: 'Oui' }, { code: 'no', label: 'Non' }] }],
  }));
  iatOk(['survey', 'import', '--db', env.db, campaign]);
  srv = await startServer(env.db, ['--write-rate', '0']);
  for (const role of ROLES) {
    clients[role] = webClient(srv);
    if (role !== 'visitor') await clients[role].signIn(ACCOUNTS[role][0]);
  }
  published = await freshRecord('published');
});

after(async () => {
  await stopServerClean(srv);
});

test('every route of src/router.c has a row in doc/authorization.md, and every row a route', () => {
  const routes = readRoutes();
  const rows = readMatrix().map((r) => `${r.method} ${r.pattern}`);
  assert.ok(routes.length > 10);
  for (const r of routes) assert.ok(rows.includes(r), `route without a row in doc/authorization.md: ${r}`);
  for (const r of rows) assert.ok(routes.includes(r), `row of doc/authorization.md without a route: ${r}`);
});

test('every route × every role gets the documented answer', async () => {
  const failures = [];
  for (const row of readMatrix()) {
    for (const role of ROLES) {
      const p = await fill(row.example, role);
      const api = p.startsWith('/api/') || p === '/healthz';
      let status;
      if (api) {
        const o = { token: role === 'visitor' ? undefined : tokens[role] };
        if (row.method !== 'GET') o.json = row.form ? JSON.parse(row.form) : {};
        status = (await srv.request(row.method, p, o)).status;
      } else if (row.method === 'GET') {
        status = (await clients[role].get(p)).status;
      } else {
        const fields = Object.fromEntries(new URLSearchParams(row.form));
        const c = clients[role];
        if (!c.csrf) await c.get('/connexion');
        status = (await c.post(p, fields)).status;
        if (p === '/deconnexion' && role !== 'visitor') await c.signIn(ACCOUNTS[role][0]);
      }
      if (status !== row.expect[role]) {
        failures.push(`${row.method} ${row.pattern} as ${role} (${p}): got ${status}, documented ${row.expect[role]}`);
      }
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});
