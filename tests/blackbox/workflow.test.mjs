// workflow.test.mjs — writing records on the web and the publication
// workflow: the record form (every field of the model, errors next to their
// fields, values kept), concurrent edits, submit / request changes /
// publish / retract with their rights, the workspace and the review queue.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  LYON,
  assertHtmlPage,
  createWebAccount,
  h1Text,
  htmlEscape,
  htmlUnescape,
  setupLibrary,
  startServer,
  stopServerClean,
  webClient,
} from './lib.mjs';

let env;
let srv;
const AGENT = 'agent@bordeaux-metropole.example.fr';
const REF = 'referent@bordeaux-metropole.example.fr';
const LYON_AGENT = 'agent@lyon.example.fr';
const CURATOR = 'curator@observatoire.example.fr';
const CITIZEN = 'citoyen@example.fr';
const LYON_REF = 'referent@lyon.example.fr';
const c = {};

before(async () => {
  env = setupLibrary({ csv: null }); // API tokens for the standard accounts
  createWebAccount(env.db, AGENT, 'agent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, REF, 'referent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, LYON_AGENT, 'agent', LYON.insee);
  createWebAccount(env.db, LYON_REF, 'referent', LYON.insee);
  createWebAccount(env.db, CURATOR, 'curator', null);
  createWebAccount(env.db, CITIZEN, 'citizen', null);
  srv = await startServer(env.db);
  for (const [k, e] of Object.entries({ agent: AGENT, ref: REF, lyon: LYON_AGENT, lyonRef: LYON_REF, curator: CURATOR, citizen: CITIZEN })) {
    c[k] = webClient(srv);
    await c[k].signIn(e);
  }
  c.visitor = webClient(srv);
});
after(async () => {
  await stopServerClean(srv);
});

// ==== Helpers ====

function attrs(s) {
  const a = {};
  for (const m of s.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) a[m[1]] = m[2] === undefined ? '' : htmlUnescape(m[2]);
  return a;
}

/** The fields a browser would send for the form posting to action. */
function formFields(html, action) {
  const start = html.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `a form posting to ${action}`);
  const f = html.slice(start, html.indexOf('</form>', start));
  const out = {};
  const add = (k, v) => {
    if (k in out) out[k] = [].concat(out[k], v);
    else out[k] = v;
  };
  for (const m of f.matchAll(/<input ([^>]*)>/g)) {
    const a = attrs(m[1]);
    if (a.type === 'checkbox' || a.type === 'radio') {
      if ('checked' in a) add(a.name, a.value);
      continue;
    }
    add(a.name, a.value ?? '');
  }
  for (const m of f.matchAll(/<textarea ([^>]*)>([\s\S]*?)<\/textarea>/g)) add(attrs(m[1]).name, htmlUnescape(m[2]));
  for (const m of f.matchAll(/<select ([^>]*)>([\s\S]*?)<\/select>/g)) {
    const sel = /<option value="([^"]*)" selected>/.exec(m[2]);
    add(attrs(m[1]).name, sel ? htmlUnescape(sel[1]) : '');
  }
  delete out.csrf;
  return out;
}

const GOOD = {
  title: 'Fiche écrite sur le web',
  summary: 'Un résumé écrit dans le formulaire.',
  owner: BORDEAUX_METROPOLE.key,
  theme: 'ecological_transition',
  status: 'experiment',
};

/** Create a draft through the form; returns {id, path}. */
async function createDraft(client, over = {}) {
  await client.get('/fiches/nouvelle');
  const r = await client.post('/fiches/nouvelle', { ...GOOD, ...over });
  assert.equal(r.status, 303, r.text.slice(0, 2000));
  const m = /^\/fiches\/(\d+)-/.exec(r.location);
  assert.ok(m, r.location);
  return { id: Number(m[1]), path: r.location };
}

async function stateOf(id) {
  const r = await srv.request('GET', `/api/v1/usecases/${id}`, { token: env.tokens.curator });
  assert.equal(r.status, 200);
  return r.json.data;
}

// ==== The form ====

test('the form shows every field of /api/v1/schema with its label, help and visibility', async () => {
  const schema = (await srv.request('GET', '/api/v1/schema')).json.data;
  const r = await c.agent.get('/fiches/nouvelle');
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Nouvelle fiche');
  assert.match(r.text, /<title>Nouvelle fiche — /);
  for (const f of schema.fields) {
    // indicators and the reuse kit have their own pages; the reuse section only shows for reuses
    if (['indicator_list', 'reuse_kit'].includes(f.type) || f.section === 'reuse') continue;
    assert.ok(r.text.includes(`id="f-${f.name}"`), `input of ${f.name}`);
    const vis = f.visibility === 'public' ? 'public' : 'réservé aux collectivités';
    assert.ok(r.text.includes(`<p class="field-visibility" id="v-${f.name}">Visibilité : ${vis}</p>`), `visibility of ${f.name}`);
    assert.ok(r.text.includes(htmlEscape(f.label)), `label of ${f.name}`);
    assert.ok(r.text.includes(htmlEscape(f.help)), `help of ${f.name}`);
    if (f.type === 'enum') assert.match(r.text, new RegExp(`<select id="f-${f.name}" name="${f.name}"`));
    if (f.type === 'enum_list') assert.match(r.text, new RegExp(`<input type="checkbox" id="f-${f.name}" name="${f.name}"`));
    if (f.type === 'boolean') {
      for (const v of ['oui', 'non', '']) assert.ok(r.text.includes(`name="${f.name}" value="${v}"`), `${f.name} radio ${v}`);
    }
    if (['text', 'markdown', 'string_list', 'url_list', 'organisation_list', 'supplier_list', 'legal_basis_list'].includes(f.type))
      assert.match(r.text, new RegExp(`<textarea id="f-${f.name}" name="${f.name}"`));
  }
  for (const s of ['Informations générales', 'Service et usages', 'Algorithme', 'Données', 'Risques et droits', 'Ressources'])
    assert.ok(r.text.includes(`>${s}</h2>`), s);
  assert.match(r.text, /Markdown accepté/);
  assert.match(r.text, /inputmode="decimal"/);
  assert.match(r.text, /inputmode="numeric"/);
  // the agent's only organisation is chosen
  assert.match(r.text, new RegExp(`<option value="${BORDEAUX_METROPOLE.key}" selected>Bordeaux Métropole</option>`));
  // a curator types a key, SIREN or INSEE code
  const cur = await c.curator.get('/fiches/nouvelle');
  assert.match(cur.text, /<input type="text" id="f-owner" name="owner"/);
});

test('creation with errors: 422, each error next to its field, every value kept as typed', async () => {
  await c.agent.get('/fiches/nouvelle');
  const typed = {
    title: '',
    summary: 's'.repeat(351),
    owner: BORDEAUX_METROPOLE.key,
    theme: 'ecological_transition',
    status: 'done',
    info_url: 'javascript:alert(1)',
    latitude: '91,5',
    decisions_per_year: 'douze',
    start_date: '2024-02-30',
    partners: 'ADEME\n<b>Labo</b>',
    resource_urls: 'https://ok.example.fr\npas une adresse',
    suppliers: 'Acme ; 123',
    dpia_done: 'peut-être',
    audiences: ['general_public', 'nope'],
    contact: 'dpo@bordeaux-metropole.example.fr',
  };
  const r = await c.agent.post('/fiches/nouvelle', typed);
  assertHtmlPage(r, 422);
  assert.match(r.text, /<title>Erreur : nouvelle fiche — /);
  assert.match(r.text, /class="error-summary"/);
  for (const f of ['title', 'summary', 'status', 'info_url', 'latitude', 'decisions_per_year', 'start_date', 'resource_urls', 'suppliers', 'dpia_done', 'audiences']) {
    assert.ok(r.text.includes(`href="#f-${f}"`), `summary links to ${f}`);
    assert.ok(r.text.includes(`<p class="field-error" id="e-${f}">`), `error next to ${f}`);
    assert.match(r.text, new RegExp(`aria-describedby="h-${f} v-${f} e-${f}"`), `${f} described by its error`);
  }
  assert.match(r.text, /<input type="text" id="f-title" name="title" required aria-required="true" aria-invalid="true"/);
  assert.match(r.text, /Ligne 2 : /, 'the faulty line of a list is named');
  // values kept exactly
  const back = formFields(r.text, '/fiches/nouvelle');
  for (const k of ['summary', 'info_url', 'latitude', 'decisions_per_year', 'start_date', 'partners', 'resource_urls', 'suppliers', 'contact'])
    assert.equal(back[k], typed[k], `${k} kept`);
  assert.ok(r.text.includes('&lt;b&gt;Labo&lt;/b&gt;'), 'typed markup escaped');
  assert.ok(!r.text.includes('<b>Labo</b>'));
  assert.match(r.text, /<option value="done" selected>Valeur inconnue : done<\/option>/);
  assert.match(r.text, /<input type="checkbox" id="f-audiences" name="audiences" value="general_public" checked>/);
  // nothing was written
  const ws = await c.agent.get('/espace');
  assert.doesNotMatch(ws.text, /Fiche écrite sur le web/);

  // fixed: saved as a draft, the flash on the record page
  const fixed = { ...back, title: 'Fiche corrigée', summary: 'Résumé corrigé.', status: 'experiment', info_url: 'https://www.bordeaux-metropole.fr/projet',
    latitude: '44,84', decisions_per_year: '1 200', start_date: '2024-02', resource_urls: 'https://ok.example.fr\nhttps://data.example.fr',
    suppliers: 'Acme ; 243300316\nSans SIREN', dpia_done: 'oui', audiences: ['general_public', 'agents'] };
  const ok = await c.agent.post('/fiches/nouvelle', fixed);
  assert.equal(ok.status, 303, ok.text.slice(0, 3000));
  assert.match(ok.location, /^\/fiches\/\d+-fiche-corrigee$/);
  const page = await c.agent.get(ok.location);
  assertHtmlPage(page);
  assert.match(page.text, /La fiche est créée en brouillon/);
  const id = Number(/\/fiches\/(\d+)/.exec(ok.location)[1]);
  const d = await stateOf(id);
  assert.equal(d.state, 'draft');
  assert.equal(d.latitude, 44.84);
  assert.equal(d.decisions_per_year, 1200);
  assert.deepEqual(d.suppliers, [{ name: 'Acme', siren: '243300316' }, { name: 'Sans SIREN' }]);
  assert.equal(d.dpia_done, true);
  assert.deepEqual(d.audiences, ['general_public', 'agents']);
  assert.deepEqual(d.partners, ['ADEME', '<b>Labo</b>']);
  assert.equal(d.contact, 'dpo@bordeaux-metropole.example.fr');
  // the edit form is filled from the record, and saving it unchanged writes no version
  const ed = await c.agent.get(`/fiches/${id}/modifier`);
  assertHtmlPage(ed);
  const vals = formFields(ed.text, `/fiches/${id}/modifier`);
  assert.equal(vals.latitude, '44,84');
  assert.equal(vals.suppliers, 'Acme ; 243300316\nSans SIREN');
  assert.equal(vals.dpia_done, 'oui');
  const same = await c.agent.post(`/fiches/${id}/modifier`, vals);
  assert.equal(same.status, 303);
  assert.match((await c.agent.get(same.location)).text, /Aucune modification/);
  assert.equal((await stateOf(id)).version, d.version, 'no empty version');
});

test('bad input on the form: unknown organisation, other organisation, bad boolean', async () => {
  await c.agent.get('/fiches/nouvelle');
  let r = await c.agent.post('/fiches/nouvelle', { ...GOOD, owner: LYON.key });
  assertHtmlPage(r, 422);
  assert.match(r.text, /id="e-owner"/);
  r = await c.agent.post('/fiches/nouvelle', { ...GOOD, partner_orgs: `${LYON.key}\ncommune-99999` });
  assertHtmlPage(r, 422);
  assert.match(r.text, /<p class="field-error" id="e-partner_orgs"><span class="visually-hidden">Erreur : <\/span>Ligne 2 : /);
  r = await c.agent.post('/fiches/nouvelle', { ...GOOD, title: 't'.repeat(201) });
  assertHtmlPage(r, 422);
  assert.match(r.text, /id="e-title"/);
  assert.ok(r.text.includes('t'.repeat(201)), 'over-long value kept');
});

test('a stale version: 409, the typed values kept, saving again replaces', async () => {
  const { id } = await createDraft(c.agent, { title: 'Fiche concurrente' });
  const a = await c.agent.get(`/fiches/${id}/modifier`);
  const mine = formFields(a.text, `/fiches/${id}/modifier`);
  const b = await c.ref.get(`/fiches/${id}/modifier`);
  const theirs = formFields(b.text, `/fiches/${id}/modifier`);
  let r = await c.ref.post(`/fiches/${id}/modifier`, { ...theirs, summary: 'Version du référent.' });
  assert.equal(r.status, 303);
  r = await c.agent.post(`/fiches/${id}/modifier`, { ...mine, summary: 'Version de l’agent.' });
  assertHtmlPage(r, 409);
  assert.match(r.text, /<title>Erreur : /);
  assert.match(r.text, /Quelqu&#39;un a modifié cette fiche/);
  const back = formFields(r.text, `/fiches/${id}/modifier`);
  assert.equal(back.summary, 'Version de l’agent.');
  assert.equal(Number(back.version), Number(mine.version) + 1, 'the form now carries the current version');
  assert.equal((await stateOf(id)).summary, 'Version du référent.');
  r = await c.agent.post(`/fiches/${id}/modifier`, back);
  assert.equal(r.status, 303);
  assert.equal((await stateOf(id)).summary, 'Version de l’agent.');
});

// ==== The workflow ====

test('submit, request changes (comment required), resubmit, publish, retract (reason required)', async () => {
  const { id, path } = await createDraft(c.agent, { title: 'Fiche du circuit complet' });
  let page = await c.agent.get(path);
  assert.match(page.text, /Rédaction et publication/);
  assert.match(page.text, new RegExp(`action="/fiches/${id}/soumettre"`));
  assert.doesNotMatch(page.text, new RegExp(`action="/fiches/${id}/publier"`), 'an agent has no publish button');
  let r = await c.agent.post(`/fiches/${id}/soumettre`, formFields(page.text, `/fiches/${id}/soumettre`));
  assert.equal(r.status, 303);
  assert.match((await c.agent.get(r.location)).text, /soumise à la relecture/);
  assert.equal((await stateOf(id)).state, 'submitted');
  // submitting twice: wrong state
  r = await c.agent.post(`/fiches/${id}/soumettre`, {});
  assertHtmlPage(r, 409);
  // an agent may not publish nor request changes
  r = await c.agent.post(`/fiches/${id}/publier`, {});
  assertHtmlPage(r, 403);
  r = await c.agent.post(`/fiches/${id}/demander-modifications`, { commentaire: 'moi-même' });
  assertHtmlPage(r, 403);

  // the referent: a comment is required
  page = await c.ref.get(path);
  assert.match(page.text, new RegExp(`action="/fiches/${id}/demander-modifications"`));
  for (const bad of [{}, { commentaire: '' }, { commentaire: '  \n ' }, { commentaire: 'x'.repeat(2001) }]) {
    r = await c.ref.post(`/fiches/${id}/demander-modifications`, bad);
    assertHtmlPage(r, 422);
    assert.match(r.text, /<title>Erreur : /);
    assert.match(r.text, /<p class="field-error" id="e-commentaire">/);
    assert.match(r.text, /href="#f-commentaire"/);
    assert.match(r.text, /aria-describedby="h-commentaire e-commentaire"/);
  }
  assert.ok(r.text.includes('x'.repeat(2001)), 'the comment is kept');
  assert.equal((await stateOf(id)).state, 'submitted');
  r = await c.ref.post(`/fiches/${id}/demander-modifications`, { commentaire: 'Précisez le <em>budget</em>.' });
  assert.equal(r.status, 303);
  assert.equal((await stateOf(id)).state, 'changes_requested');
  page = await c.agent.get(path);
  assert.ok(page.text.includes('Précisez le &lt;em&gt;budget&lt;/em&gt;.'), 'the comment shown (escaped) to the author');
  // resubmit: the comment is cleared
  r = await c.agent.post(`/fiches/${id}/soumettre`, {});
  assert.equal(r.status, 303);
  page = await c.agent.get(path);
  assert.doesNotMatch(page.text, /Précisez le/);
  // publish with a stale version: 409; then for real
  r = await c.ref.post(`/fiches/${id}/publier`, { version: '1' });
  assertHtmlPage(r, 409);
  r = await c.ref.post(`/fiches/${id}/publier`, {});
  assert.equal(r.status, 303);
  assert.match((await c.ref.get(r.location)).text, /La fiche est publiée/);
  assert.equal((await c.visitor.get(path)).status, 200, 'public once published');
  // a published record: only those who may publish edit it
  r = await c.agent.get(`/fiches/${id}/modifier`);
  assertHtmlPage(r, 403);
  r = await c.ref.get(`/fiches/${id}/modifier`);
  assertHtmlPage(r, 200);
  assert.match(r.text, /Cette fiche est publiée/);
  // retract: reason required, agent refused
  r = await c.agent.post(`/fiches/${id}/retirer`, { motif: 'Fin' });
  assertHtmlPage(r, 403);
  r = await c.ref.post(`/fiches/${id}/retirer`, { motif: '' });
  assertHtmlPage(r, 422);
  assert.match(r.text, /id="e-motif"/);
  r = await c.ref.post(`/fiches/${id}/retirer`, { motif: 'Projet <arrêté>.' });
  assert.equal(r.status, 303);
  const d = await stateOf(id);
  assert.equal(d.state, 'retracted');
  assert.equal(d.retract_reason, 'Projet <arrêté>.');
  page = await c.visitor.get(path);
  assert.ok(page.text.includes('Projet &lt;arrêté&gt;.'));
  // retracted is final
  r = await c.ref.get(`/fiches/${id}/modifier`);
  assertHtmlPage(r, 409);
  r = await c.curator.post(`/fiches/${id}/publier`, {});
  assertHtmlPage(r, 409);
});

test('rights matrix of every action', async () => {
  const { id, path } = await createDraft(c.agent, { title: 'Fiche des droits' });
  // visitor: redirected to sign-in on GET, 401 on POST
  let r = await c.visitor.get('/fiches/nouvelle');
  assert.equal(r.status, 303);
  assert.match(r.location, /^\/connexion\?retour=%2Ffiches%2Fnouvelle/);
  r = await c.visitor.get(`/fiches/${id}/modifier`);
  assert.equal(r.status, 303);
  for (const a of ['soumettre', 'publier', 'demander-modifications', 'retirer', 'modifier']) {
    r = await c.visitor.post(`/fiches/${id}/${a}`, { commentaire: 'x', motif: 'x' });
    assertHtmlPage(r, 401);
  }
  r = await c.visitor.get(path);
  assertHtmlPage(r, 404);
  // a draft is unknown to a citizen and to another organisation
  for (const who of ['citizen', 'lyon', 'lyonRef']) {
    for (const a of ['soumettre', 'publier', 'demander-modifications', 'retirer', 'modifier']) {
      r = await c[who].post(`/fiches/${id}/${a}`, { commentaire: 'x', motif: 'x' });
      assertHtmlPage(r, 404);
    }
    assertHtmlPage(await c[who].get(`/fiches/${id}/modifier`), 404);
  }
  // a citizen may not create
  assertHtmlPage(await c.citizen.get('/fiches/nouvelle'), 403);
  assertHtmlPage(await c.citizen.post('/fiches/nouvelle', GOOD), 403);
  // the author's organisation: the agent publishes nothing, the referent does
  assertHtmlPage(await c.agent.post(`/fiches/${id}/publier`, {}), 403);
  assertHtmlPage(await c.lyonRef.post(`/fiches/${id}/publier`, {}), 404);
  r = await c.ref.post(`/fiches/${id}/publier`, {});
  assert.equal(r.status, 303, 'a referent publishes a draft directly');
  // published: others get 403, not 404
  for (const who of ['citizen', 'lyon', 'lyonRef']) {
    assertHtmlPage(await c[who].post(`/fiches/${id}/retirer`, { motif: 'x' }), 403);
    assertHtmlPage(await c[who].get(`/fiches/${id}/modifier`), 403);
    const p = await c[who].get(path);
    assert.doesNotMatch(p.text, /Rédaction et publication/, `${who} sees no workflow box`);
  }
  // a curator acts for any organisation
  const lyonDraft = await createDraft(c.lyon, { title: 'Fiche lyonnaise', owner: LYON.key });
  assertHtmlPage(await c.curator.get(`/fiches/${lyonDraft.id}/modifier`), 200);
  r = await c.curator.post(`/fiches/${lyonDraft.id}/publier`, {});
  assert.equal(r.status, 303);
  assert.equal((await stateOf(lyonDraft.id)).state, 'published');
  // CSRF is required
  r = await c.ref.post(`/fiches/${id}/retirer`, { motif: 'x' }, { csrf: false });
  assertHtmlPage(r, 403);
  assert.equal((await stateOf(id)).state, 'published');
});

test('drafts are invisible to visitors and to search', async () => {
  const { id, path } = await createDraft(c.agent, { title: 'Fiche Ornithorynque secrète' });
  assertHtmlPage(await c.visitor.get(path), 404);
  const s = await c.visitor.get('/recherche?q=ornithorynque');
  assert.doesNotMatch(s.text, /Ornithorynque secrète/);
  const api = await srv.request('GET', `/api/v1/usecases/${id}`);
  assert.equal(api.status, 404);
});

test('the API follows the same workflow: submitted accepted, agents cannot edit a published record', async () => {
  let r = await srv.request('POST', '/api/v1/usecases', { token: env.tokens.agentBdx, json: { ...GOOD, title: 'Par l’API' } });
  assert.equal(r.status, 201);
  const id = r.json.data.id;
  r = await srv.request('PATCH', `/api/v1/usecases/${id}`, { token: env.tokens.agentBdx, json: { state: 'submitted' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.state, 'submitted');
  r = await srv.request('PATCH', `/api/v1/usecases/${id}`, { token: env.tokens.refBdx, json: { state: 'published' } });
  assert.equal(r.status, 200, r.text);
  r = await srv.request('PATCH', `/api/v1/usecases/${id}`, { token: env.tokens.agentBdx, json: { summary: 'x' } });
  assert.equal(r.status, 403);
  r = await srv.request('PATCH', `/api/v1/usecases/${id}`, { token: env.tokens.agentBdx, json: { state: 'changes_requested' } });
  assert.equal(r.status, 422);
  r = await srv.request('POST', `/api/v1/usecases/${id}/retract`, { token: env.tokens.agentBdx, json: { reason: 'x' } });
  assert.equal(r.status, 403);
});

// ==== Workspace and review queue ====

test('/espace: the organisation records in every state, filter by state; without organisation: how to join', async () => {
  const d = await createDraft(c.agent, { title: 'Espace <brouillon>' });
  const s = await createDraft(c.agent, { title: 'Espace soumise' });
  await c.agent.post(`/fiches/${s.id}/soumettre`, {});
  await createDraft(c.lyon, { title: 'Espace lyonnais', owner: LYON.key });
  let r = await c.agent.get('/espace');
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Mon espace');
  assert.ok(r.text.includes('Espace &lt;brouillon&gt;'));
  assert.ok(!r.text.includes('Espace <brouillon>'));
  assert.match(r.text, /Espace soumise/);
  assert.doesNotMatch(r.text, /Espace lyonnais/);
  assert.match(r.text, /badge-state-draft/);
  assert.match(r.text, /badge-state-submitted/);
  assert.match(r.text, new RegExp(`href="/fiches/nouvelle\\?organisation=${BORDEAUX_METROPOLE.key}"`));
  assert.match(r.text, new RegExp(`href="/organisations/${BORDEAUX_METROPOLE.key}/membres"`));
  assert.match(r.text, /href="\/espace\/signalements"/);
  assert.match(r.text, /<caption>/);
  r = await c.agent.get('/espace?etat=submitted');
  assertHtmlPage(r);
  assert.match(r.text, /Espace soumise/);
  assert.doesNotMatch(r.text, /Espace &lt;brouillon&gt;/);
  assert.match(r.text, /<title>Mon espace — Soumise à validation/);
  assertHtmlPage(await c.agent.get('/espace?etat=nimporte'), 400);
  assertHtmlPage(await c.agent.get('/espace?autre=1'), 400);
  r = await c.citizen.get('/espace');
  assertHtmlPage(r);
  assert.match(r.text, /href="\/compte\/rejoindre"/);
  r = await c.visitor.get('/espace');
  assert.equal(r.status, 303);
  assert.ok(d.id);
});

test('/relecture: submitted records the viewer may publish, oldest first; others 403', async () => {
  const first = await createDraft(c.agent, { title: 'Relecture première <i>' });
  await c.agent.post(`/fiches/${first.id}/soumettre`, {});
  const second = await createDraft(c.agent, { title: 'Relecture seconde' });
  await c.agent.post(`/fiches/${second.id}/soumettre`, {});
  const ly = await createDraft(c.lyon, { title: 'Relecture lyonnaise', owner: LYON.key });
  await c.lyon.post(`/fiches/${ly.id}/soumettre`, {});
  let r = await c.ref.get('/relecture');
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'File de relecture');
  const a = r.text.indexOf('Relecture première &lt;i&gt;');
  const b = r.text.indexOf('Relecture seconde');
  assert.ok(a > 0 && b > a, 'oldest first');
  assert.doesNotMatch(r.text, /Relecture lyonnaise/);
  assert.match(r.text, /Bordeaux Métropole/);
  r = await c.curator.get('/relecture');
  assertHtmlPage(r);
  assert.match(r.text, /Relecture lyonnaise/);
  assert.match(r.text, /Relecture seconde/);
  r = await c.lyonRef.get('/relecture');
  assert.match(r.text, /Relecture lyonnaise/);
  assert.doesNotMatch(r.text, /Relecture seconde/);
  for (const who of ['agent', 'lyon', 'citizen']) assertHtmlPage(await c[who].get('/relecture'), 403);
  assert.equal((await c.visitor.get('/relecture')).status, 303);
  // published records leave the queue
  await c.ref.post(`/fiches/${first.id}/publier`, {});
  r = await c.ref.get('/relecture');
  assert.doesNotMatch(r.text, /Relecture première/);
});
