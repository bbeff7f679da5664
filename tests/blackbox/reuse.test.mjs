// reuse.test.mjs — reuse between territories (issue 5, §3): declaring a
// reuse on the web (form with CSRF) and through the API, the refusals
// (unpublished origin, own organisation, non-member, validation), what a
// reuse copies from its origin and what it does not, the lineage of depth 3
// (API and page, from every node), "réutilisée par N territoires" (distinct
// organisations, visible reuses only, drafts never leaked), the origin's
// inbox and its message (once, not again on re-publication), the reuse's
// page naming its origin, the reuse kit's restricted items, and the
// "Réutilisation" section of the record form (reuses only).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  LYON,
  assertApiError,
  assertHtmlPage,
  createRecord,
  createWebAccount,
  iatOk,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
  webClient,
} from './lib.mjs';

const MARSEILLE = { key: 'commune-13055' };
const TOULOUSE = { key: 'commune-31555' };
const PARIS = { key: 'commune-75056' };

const EMAILS = {
  agentBdx: 'agent@bordeaux-metropole.example.fr',
  refBdx: 'referent@bordeaux-metropole.example.fr',
  agentLyon: 'agent@lyon.example.fr',
  refLyon: 'referent@lyon.example.fr',
  curator: 'curator@observatoire.example.fr',
  citizen: 'citoyen@example.fr',
};

let env;
let srv;
const tok = {};
const web = {};

const outbox = (to) => iatOk(['outbox', '--db', env.db, '--to', to, '--limit', '1000']);
const count = (text, re) => (text.match(re) || []).length;

before(async () => {
  env = setupLibrary({
    csv: null,
    accounts: {
      agentBdx: [EMAILS.agentBdx, 'agent', BORDEAUX_METROPOLE.siren],
      refBdx: [EMAILS.refBdx, 'referent', BORDEAUX_METROPOLE.siren],
      agentLyon: [EMAILS.agentLyon, 'agent', LYON.insee],
      refLyon: [EMAILS.refLyon, 'referent', LYON.insee],
      curator: [EMAILS.curator, 'curator', null],
      citizen: [EMAILS.citizen, 'citizen', null],
    },
  });
  Object.assign(tok, env.tokens);
  for (const [k, [email, role, org]] of Object.entries({
    agentBdx: [EMAILS.agentBdx, 'agent', BORDEAUX_METROPOLE.siren],
    refBdx: [EMAILS.refBdx, 'referent', BORDEAUX_METROPOLE.siren],
    agentLyon: [EMAILS.agentLyon, 'agent', LYON.insee],
    refLyon: [EMAILS.refLyon, 'referent', LYON.insee],
    curator: [EMAILS.curator, 'curator', null],
    citizen: [EMAILS.citizen, 'citizen', null],
  })) {
    createWebAccount(env.db, email, role, org);
  }
  srv = await startServer(env.db, ['--write-rate', '0']);
  for (const k of Object.keys(EMAILS)) {
    web[k] = webClient(srv);
    await web[k].signIn(EMAILS[k]);
  }
  web.visitor = webClient(srv);
});
after(async () => {
  await stopServerClean(srv);
});

// ==== Helpers ====

const KIT = [
  { kind: 'specification', title: 'Cahier des charges public', url: 'https://example.org/cctp.pdf', visibility: 'public' },
  { kind: 'contract', title: 'Marché confidentiel', reference: 'REF-SECRETE-2024', visibility: 'restricted' },
];

/** A published record of Bordeaux Métropole with descriptive, private and own fields. */
async function publishedOrigin(title) {
  const rec = await createRecord(srv, tok.refBdx, validRecord({
    title,
    description: 'Description publique du projet d’origine.',
    algorithm_description: 'Un modèle de prévision des fuites.',
    contact: 'contact-prive@bordeaux-metropole.example.fr',
    suppliers: [{ name: 'Fournisseur d’origine', siren: '552100554' }],
    partner_orgs: [LYON.key],
    cost_yearly: 12000,
    reuse_kit: KIT,
    state: 'published',
  }));
  assert.equal(rec.state, 'published');
  return rec;
}

async function apiReuse(token, originId, body) {
  return srv.request('POST', `/api/v1/usecases/${originId}/reuses`, { token, json: body });
}

/** A published reuse of originId for owner, created by the curator. */
async function publishedReuse(originId, owner, extra = {}) {
  const r = await apiReuse(tok.curator, originId, {
    owner, reuse_context: `Reprise par ${owner}.`, status: 'experiment', state: 'published', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

const path = (rec) => `/fiches/${rec.id}-${rec.slug}`;

// ==== Creation through the API ====

test('API: a reuse is a draft of the new owner linked to its origin, with the public description only', async () => {
  const origin = await publishedOrigin('Détection des fuites (API)');
  const r = await apiReuse(tok.agentLyon, origin.id, {
    owner: LYON.key,
    reuse_context: 'Nous reprenons le modèle sur notre réseau.',
    reuse_adaptations: 'Données de nos capteurs.',
    status: 'experiment',
    suppliers: [{ name: 'Notre prestataire' }],
  });
  assert.equal(r.status, 201, r.text);
  assert.match(r.headers.get('location'), /^\/api\/v1\/usecases\/\d+$/);
  const d = r.json.data;
  assert.equal(d.state, 'draft');
  assert.deepEqual(d.reuse_of, { id: origin.id, url: `/fiches/${origin.id}` });
  assert.equal(d.owner.id, LYON.key);
  assert.equal(d.title, origin.title, 'the title is kept');
  assert.equal(d.summary, origin.summary);
  assert.equal(d.description, 'Description publique du projet d’origine.');
  assert.equal(d.algorithm_description, 'Un modèle de prévision des fuites.');
  assert.equal(d.reuse_context, 'Nous reprenons le modèle sur notre réseau.');
  assert.equal(d.reuse_adaptations, 'Données de nos capteurs.');
  assert.deepEqual(d.suppliers, [{ name: 'Notre prestataire' }], 'its own suppliers, not the origin’s');
  for (const k of ['contact', 'cost_yearly', 'reuse_kit', 'partner_orgs', 'indicators'])
    assert.ok(d[k] === undefined || d[k] === null || (Array.isArray(d[k]) && d[k].length === 0), `${k} not copied: ${JSON.stringify(d[k])}`);

  // a draft reuse is not public, and not listed on its origin
  assert.equal((await srv.request('GET', `/api/v1/usecases/${d.id}`)).status, 404);
  const list = await srv.request('GET', `/api/v1/usecases/${origin.id}/reuses`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.data, []);
  assert.equal(list.json.meta.count, 0);
  const page = await web.visitor.get(path(origin));
  assertHtmlPage(page);
  assert.ok(!page.text.includes(`/fiches/${d.id}-`), 'the draft reuse is not linked from the origin page');
  assert.match(page.text, /Aucune collectivité n'a encore déclaré réutiliser ce projet/);
});

test('API: refusals — unpublished origin, own organisation, non-member, validation, no token', async () => {
  const origin = await publishedOrigin('Fiche à réutiliser (refus)');
  const draft = await createRecord(srv, tok.refBdx, validRecord({ title: 'Brouillon non réutilisable' }));
  const ctx = 'Un contexte de réutilisation.';

  assertApiError(await apiReuse(tok.curator, draft.id, { owner: LYON.key, reuse_context: ctx }), 409, 'state.not_published');
  assertApiError(await apiReuse(tok.agentLyon, draft.id, { owner: LYON.key, reuse_context: ctx }), 404, 'resource.not_found');
  assertApiError(await apiReuse(tok.refBdx, origin.id, { owner: BORDEAUX_METROPOLE.key, reuse_context: ctx }), 422,
    'validation.same_owner', 'owner');
  assertApiError(await apiReuse(tok.agentLyon, origin.id, { owner: MARSEILLE.key, reuse_context: ctx }), 403, 'auth.forbidden');
  assertApiError(await apiReuse(tok.citizen, origin.id, { owner: LYON.key, reuse_context: ctx }), 403, 'auth.forbidden');
  assertApiError(await apiReuse(tok.agentLyon, origin.id, { owner: LYON.key, reuse_context: ctx, state: 'published' }), 403,
    'auth.forbidden_publish', 'state');
  assertApiError(await apiReuse(tok.agentLyon, origin.id, { owner: LYON.key }), 422, 'validation.required', 'reuse_context');
  assertApiError(await apiReuse(tok.agentLyon, origin.id, { owner: LYON.key, reuse_context: '   ' }), 422, 'validation.required',
    'reuse_context');
  assertApiError(await apiReuse(tok.agentLyon, origin.id, { reuse_context: ctx }), 422, 'validation.required', 'owner');
  assertApiError(await apiReuse(tok.agentLyon, origin.id, { owner: 'commune-00000', reuse_context: ctx }), 422,
    'validation.not_found', 'owner');
  assertApiError(await apiReuse(tok.agentLyon, origin.id, { owner: LYON.key, reuse_context: ctx, status: 'nimporte' }), 422,
    'validation.enum', 'status');
  assertApiError(await apiReuse(tok.agentLyon, origin.id, { owner: LYON.key, reuse_context: ctx, bogus: 1 }), 422,
    'validation.unknown_field', 'bogus');
  assertApiError(await apiReuse(tok.agentLyon, origin.id, { owner: LYON.key, reuse_context: ctx, state: 'retracted' }), 422,
    'validation.enum', 'state');
  assertApiError(await apiReuse(undefined, origin.id, { owner: LYON.key, reuse_context: ctx }), 401, 'auth.missing_token');
  assertApiError(await apiReuse(tok.agentLyon, 999999, { owner: LYON.key, reuse_context: ctx }), 404, 'resource.not_found');
  // nothing was written by the refusals
  const mine = await srv.request('GET', `/api/v1/usecases/${origin.id}/reuses`);
  assert.equal(mine.json.meta.count, 0);
  const drafts = await srv.request('GET', `/api/v1/usecases?owner=${LYON.key}`, { token: tok.agentLyon });
  assert.ok(!drafts.json.data.some((x) => x.title === origin.title));
});

// ==== Creation on the web ====

test('web: the button, the form (CSRF, errors), and the draft opened in the record form', async () => {
  const origin = await publishedOrigin('Tri des courriers (web)');
  const button = `href="/fiches/${origin.id}/reutiliser"`;
  assert.ok((await web.agentLyon.get(path(origin))).text.includes(button), 'members of another organisation see the button');
  assert.ok((await web.curator.get(path(origin))).text.includes(button), 'curators see it');
  for (const who of ['visitor', 'citizen', 'agentBdx', 'refBdx'])
    assert.ok(!(await web[who].get(path(origin))).text.includes(button), `${who} does not see the button`);

  assert.equal((await web.agentBdx.get(`/fiches/${origin.id}/reutiliser`)).status, 403, 'not one’s own record');
  assert.equal((await web.citizen.get(`/fiches/${origin.id}/reutiliser`)).status, 403, 'no organisation');
  assert.equal((await web.visitor.get(`/fiches/${origin.id}/reutiliser`)).status, 303);

  const c = web.agentLyon;
  const form = await c.get(`/fiches/${origin.id}/reutiliser`);
  assertHtmlPage(form);
  assert.match(form.text, /<select id="f-organisation" name="organisation"/);
  assert.match(form.text, new RegExp(`<option value="${LYON.key}"`));
  assert.ok(!form.text.includes(`value="${BORDEAUX_METROPOLE.key}"`), 'the origin’s owner is not offered');

  let r = await c.post(`/fiches/${origin.id}/reutiliser`, { organisation: LYON.key, reuse_context: 'x', status: 'experiment' }, { csrf: false });
  assert.equal(r.status, 403, 'no CSRF token');
  r = await c.post(`/fiches/${origin.id}/reutiliser`, { organisation: LYON.key, reuse_context: '', status: '' });
  assert.equal(r.status, 422);
  assert.match(r.text, /<title>Erreur : /);
  assert.match(r.text, /href="#f-reuse_context"/);
  assert.match(r.text, /href="#f-status"/);
  r = await c.post(`/fiches/${origin.id}/reutiliser`, { organisation: BORDEAUX_METROPOLE.key, reuse_context: 'Contexte.', status: 'experiment' });
  assert.equal(r.status, 422, 'an organisation the agent does not belong to');
  assert.match(r.text, /id="e-organisation"/);
  assert.match(r.text, /Contexte\./, 'values are sent back');

  r = await c.post(`/fiches/${origin.id}/reutiliser`, {
    organisation: LYON.key,
    reuse_context: 'La métropole de Lyon reprend le tri automatique.',
    reuse_adaptations: 'Catégories adaptées.',
    status: 'deployed',
  });
  assert.equal(r.status, 303, r.text.slice(0, 800));
  const m = /^\/fiches\/(\d+)\/modifier$/.exec(r.location);
  assert.ok(m, r.location);
  const id = Number(m[1]);
  const edit = await c.get(r.location);
  assertHtmlPage(edit);
  assert.match(edit.text, /Votre réutilisation est créée en brouillon/);
  assert.match(edit.text, /id="f-reuse_context"/, 'the form of a reuse has the reuse section');
  assert.match(edit.text, /La métropole de Lyon reprend le tri automatique\./);

  const rec = (await srv.request('GET', `/api/v1/usecases/${id}`, { token: tok.agentLyon })).json.data;
  assert.equal(rec.state, 'draft');
  assert.equal(rec.reuse_of.id, origin.id);
  assert.equal(rec.owner.id, LYON.key);
  assert.equal(rec.status, 'deployed');
  assert.equal(rec.title, origin.title);
  assert.equal(rec.contact ?? null, null, 'the origin’s contact is not copied');

  // curators type any organisation
  r = await web.curator.post(`/fiches/${origin.id}/reutiliser`, { organisation: MARSEILLE.key, reuse_context: 'Reprise à Marseille.', status: 'experiment' });
  assert.equal(r.status, 303, r.text.slice(0, 800));

  // the reuse section of the form: only for reuses; a save keeps the values
  const originEdit = await web.refBdx.get(`/fiches/${origin.id}/modifier`);
  assert.equal(originEdit.status, 200);
  assert.doesNotMatch(originEdit.text, /id="f-reuse_context"/, 'no reuse section for a non-reuse');
  const newForm = await web.agentBdx.get('/fiches/nouvelle');
  assert.doesNotMatch(newForm.text, /id="f-reuse_context"/, 'nor for a new record');
});

test('web: the form of a non-reuse keeps a reuse_context set through the API; a reuse’s form saves it', async () => {
  const plain = await createRecord(srv, tok.refBdx, validRecord({ title: 'Non-réutilisation', reuse_context: 'Posé par l’API.' }));
  const c = web.refBdx;
  const form = await c.get(`/fiches/${plain.id}/modifier`);
  const fields = { version: plain.version, title: 'Non-réutilisation modifiée', summary: plain.summary, owner: BORDEAUX_METROPOLE.key, theme: plain.theme, status: plain.status };
  const r = await c.post(`/fiches/${plain.id}/modifier`, fields);
  assert.equal(r.status, 303, r.text.slice(0, 1000));
  assert.ok(form.status === 200);
  const after = (await srv.request('GET', `/api/v1/usecases/${plain.id}`, { token: tok.refBdx })).json.data;
  assert.equal(after.title, 'Non-réutilisation modifiée');
  assert.equal(after.reuse_context, 'Posé par l’API.', 'a field absent from the form stays');
});

// ==== Lineage ====

test('lineage of depth 3: the same tree from every node, in the API and on the page', async () => {
  const a = await publishedOrigin('Lignée : origine A');
  const b = await publishedReuse(a.id, LYON.key);
  const cc = await publishedReuse(b.id, MARSEILLE.key);
  const d = await publishedReuse(cc.id, TOULOUSE.key);
  const expect = [[a, 0, 0], [b, 1, a.id], [cc, 2, b.id], [d, 3, cc.id]];

  const flatten = (n, parent = 0, out = []) => {
    out.push({ id: n.id, depth: n.depth, parent, current: n.current, owner: n.owner?.id, hidden: !!n.hidden });
    for (const k of n.children) flatten(k, n.id, out);
    return out;
  };
  for (const cur of [a, b, cc, d]) {
    const r = await srv.request('GET', `/api/v1/usecases/${cur.id}/lineage`);
    assert.equal(r.status, 200, r.text);
    const flat = flatten(r.json.data);
    assert.deepEqual(flat.map((x) => [x.id, x.depth, x.parent]), expect.map(([n, dep, p]) => [n.id, dep, p]), `lineage from ${cur.id}`);
    assert.deepEqual(flat.filter((x) => x.current).map((x) => x.id), [cur.id]);
    assert.deepEqual(flat.map((x) => x.owner), [BORDEAUX_METROPOLE.key, LYON.key, MARSEILLE.key, TOULOUSE.key]);
    assert.equal(r.json.meta.count, 4);
    assert.equal(r.json.data.url, `/fiches/${a.id}-${a.slug}`);

    const page = await web.visitor.get(`/fiches/${cur.id}/lignee`);
    assertHtmlPage(page);
    const lis = [...page.text.matchAll(/<li data-id="(\d+)" data-depth="(\d+)" data-parent="(\d+)"/g)].map((m) => m.slice(1).map(Number));
    assert.deepEqual(lis, expect.map(([n, dep, p]) => [n.id, dep, p]), `lineage page from ${cur.id}`);
    assert.match(page.text, new RegExp(`<a href="/fiches/${cur.id}-[^"]*" aria-current="page">`));
    assert.equal(count(page.text, /aria-current="page">/g), 2, 'the breadcrumb and the current record');
    // nesting: each level is inside the previous one's <ul>
    const pos = expect.map(([n]) => page.text.indexOf(`data-id="${n.id}"`));
    assert.ok(pos.every((p, i) => i === 0 || p > pos[i - 1]));
    assert.equal(count(page.text.slice(0, page.text.indexOf('</ul>', pos[3])), /<ul>/g), 3, 'three nested lists under the root');
  }
  // the reuse page names its origin, with a link; the origin page counts its direct reuse
  const bp = await web.visitor.get(path(b));
  assert.match(bp.text, /Cette fiche réutilise « <a href="\/fiches\/\d+-[^"]*">Lignée : origine A<\/a> » de <a href="\/organisations\/epci-243300316">/);
  assert.ok(bp.text.includes(`/fiches/${b.id}/lignee`));
  const ap = await web.visitor.get(path(a));
  assert.match(ap.text, /Réutilisée par 1 territoire\./);
  assert.ok(ap.text.includes(`/fiches/${a.id}/lignee`), 'link to the lineage');
  assert.equal((await srv.request('GET', `/api/v1/usecases/${a.id}/reuses`)).json.data.map((x) => x.id).join(), String(b.id),
    'only direct reuses are listed');
});

test('lineage: a draft reuse is left out for readers who may not see it, and shown to its members', async () => {
  const a = await publishedOrigin('Lignée avec brouillon');
  const b = await publishedReuse(a.id, LYON.key);
  const draft = await apiReuse(tok.curator, a.id, { owner: MARSEILLE.key, reuse_context: 'Brouillon de Marseille.', status: 'experiment' });
  assert.equal(draft.status, 201);
  const r = await srv.request('GET', `/api/v1/usecases/${b.id}/lineage`);
  assert.deepEqual(r.json.data.children.map((x) => x.id), [b.id]);
  assert.ok(!JSON.stringify(r.json).includes(`"id":${draft.json.data.id}`));
  assert.ok(!JSON.stringify(r.json).includes('"hidden"'), 'a hidden leaf is not even shown as hidden');
  const cur = await srv.request('GET', `/api/v1/usecases/${b.id}/lineage`, { token: tok.curator });
  assert.deepEqual(cur.json.data.children.map((x) => x.id), [b.id, draft.json.data.id], 'curators see every node');
  const page = await web.visitor.get(`/fiches/${a.id}/lignee`);
  assert.ok(!page.text.includes(`data-id="${draft.json.data.id}"`));
  assert.ok(!page.text.includes('Fiche non publiée'));
});

const hasSqlite = spawnSync('sqlite3', ['-version']).status === 0;

test('lineage: an unreadable node with readable reuses under it is "fiche non publiée", without title', { skip: !hasSqlite && 'no sqlite3 command' }, async () => {
  // the workflow cannot bring a published record back to draft: the
  // database is changed directly to reach this case
  const a = await publishedOrigin('Lignée avec un maillon caché');
  const b = await publishedReuse(a.id, LYON.key, { title: 'Maillon caché de Lyon' });
  const cc = await publishedReuse(b.id, MARSEILLE.key, { title: 'Réutilisation marseillaise du maillon' });
  const q = `UPDATE usecase SET state = 'draft', visible = 0 WHERE id = ${b.id};`;
  const r0 = spawnSync('sqlite3', ['-cmd', '.timeout 5000', env.db, q], { encoding: 'utf8' });
  assert.equal(r0.status, 0, r0.stderr);
  const r = await srv.request('GET', `/api/v1/usecases/${cc.id}/lineage`);
  assert.equal(r.status, 200);
  const mid = r.json.data.children[0];
  assert.deepEqual(Object.keys(mid).sort(), ['children', 'depth', 'hidden']);
  assert.equal(mid.depth, 1);
  assert.equal(mid.children[0].id, cc.id);
  assert.equal(mid.children[0].depth, 2);
  assert.doesNotMatch(r.text, /Maillon caché de Lyon/);
  const page = await web.visitor.get(`/fiches/${cc.id}/lignee`);
  assertHtmlPage(page);
  assert.match(page.text, new RegExp(`<li data-depth="1" data-parent="${a.id}"><span class="lineage-hidden">Fiche non publiée</span>`));
  assert.ok(page.text.includes(`data-id="${cc.id}" data-depth="2" data-parent="${b.id}"`));
  assert.doesNotMatch(page.text, /Maillon caché de Lyon/);
  const note = await web.visitor.get(path(cc));
  assert.match(note.text, /Cette fiche réutilise une fiche non publiée\./);
  assert.doesNotMatch(note.text, /Maillon caché de Lyon/);
  // Lyon's members still read it
  const lyon = await srv.request('GET', `/api/v1/usecases/${cc.id}/lineage`, { token: tok.agentLyon });
  assert.equal(lyon.json.data.children[0].id, b.id);
});

// ==== Counts and listing ====

test('"réutilisée par N territoires": distinct organisations, visible reuses only, drafts not leaked', async () => {
  const o = await publishedOrigin('Chatbot des démarches (comptes)');
  const l1 = await publishedReuse(o.id, LYON.key, { status: 'deployed' });
  const l2 = await publishedReuse(o.id, LYON.key, { title: 'Deuxième reprise lyonnaise' });
  const m1 = await publishedReuse(o.id, MARSEILLE.key);
  const draft = (await apiReuse(tok.curator, o.id, { owner: PARIS.key, reuse_context: 'Brouillon parisien.', status: 'experiment', title: 'Brouillon parisien secret' })).json.data;
  const r = await srv.request('GET', `/api/v1/usecases/${o.id}/reuses`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.data.map((x) => x.id), [l1.id, l2.id, m1.id]);
  assert.deepEqual(r.json.meta, { count: 3, organisations: 2, truncated: false });
  const first = r.json.data[0];
  assert.equal(first.url, `/fiches/${l1.id}-${l1.slug}`);
  assert.deepEqual(first.owner, { id: LYON.key, name: 'Lyon', kind: 'commune' });
  assert.equal(first.state, 'published');
  assert.equal(first.status, 'deployed');
  assert.deepEqual(first.impact_label, { awarded: false });
  assert.equal(r.headers.get('access-control-allow-origin'), '*');

  for (const who of ['visitor', 'agentLyon', 'refBdx']) {
    const page = await web[who].get(path(o));
    assertHtmlPage(page);
    assert.match(page.text, /Réutilisée par 2 territoires \(3 fiches\)\./, who);
    assert.ok(page.text.includes(`/fiches/${m1.id}-${m1.slug}`));
    assert.ok(!page.text.includes(`/fiches/${draft.id}-`), `${who}: no link to the draft`);
    assert.ok(!page.text.includes('Brouillon parisien secret'), `${who}: no title of the draft`);
    assert.match(page.text, /<td>Commune<\/td><td>69<\/td>/, 'kind and département of Lyon');
  }
  // a retracted reuse stays listed (visible), marked
  const rr = await srv.request('POST', `/api/v1/usecases/${l2.id}/retract`, { token: tok.curator, json: { reason: 'Projet arrêté.' } });
  assert.equal(rr.status, 200, rr.text);
  const page = await web.visitor.get(path(o));
  assert.match(page.text, /Réutilisée par 2 territoires \(3 fiches\)\./);
  assert.match(page.text, /Retirée/);
  // lists and search results carry the number of visible reuses (the draft is not counted)
  const list = await srv.request('GET', `/api/v1/usecases?owner=${o.owner.id}&per_page=100`);
  assert.equal(list.status, 200, list.text);
  const item = list.json.data.find((x) => x.id === o.id);
  assert.ok(item, 'the origin is listed');
  assert.equal(item.reuses, 3);
  assert.equal(item.reuse_of, null);
  const child = (await srv.request('GET', `/api/v1/usecases/${m1.id}`)).json.data;
  const childList = await srv.request('GET', `/api/v1/usecases?owner=${child.owner.id}&per_page=100`);
  assert.equal(childList.json.data.find((x) => x.id === m1.id).reuse_of, o.id);
  const results = await web.visitor.get(`/recherche?owner=${o.owner.id}`);
  assert.match(results.text, /<span class="hit-reuses">Réutilisée 3\u00a0?\s?fois<\/span>/);
});

// ==== Inbox and messages ====

test('the origin organisation is told once when a reuse is published (web publication, API, re-publication)', async () => {
  const o = await publishedOrigin('Prévision de fréquentation (messages)');
  const before = count(outbox(EMAILS.agentBdx), /Objet : Votre fiche est réutilisée/g);
  const lyonBefore = count(outbox(EMAILS.agentLyon), /Objet : Votre fiche est réutilisée/g); // Lyon's reuses reused earlier
  // a draft reuse tells nobody
  const created = await apiReuse(tok.agentLyon, o.id, { owner: LYON.key, reuse_context: 'Reprise lyonnaise de la prévision.', status: 'experiment' });
  assert.equal(created.status, 201);
  const rid = created.json.data.id;
  assert.equal(count(outbox(EMAILS.agentBdx), /Objet : Votre fiche est réutilisée/g), before);
  let inbox = await web.agentBdx.get('/espace/messages');
  assertHtmlPage(inbox);
  assert.ok(!inbox.text.includes(`/fiches/${rid}-`));

  // published by Lyon's referent on the web (the workflow)
  let r = await web.refLyon.post(`/fiches/${rid}/publier`, { version: 1 });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  let box = outbox(EMAILS.agentBdx);
  assert.equal(count(box, /Objet : Votre fiche est réutilisée/g), before + 1);
  assert.match(box, new RegExp(`/fiches/${rid}\\b`));
  assert.match(box, /Lyon réutilise votre fiche « Prévision de fréquentation \(messages\) »/);
  assert.equal(count(outbox(EMAILS.refBdx), /Objet : Votre fiche est réutilisée/g), before + 1, 'every member');
  assert.equal(count(outbox(EMAILS.agentLyon), /Objet : Votre fiche est réutilisée/g), lyonBefore, 'not the reusing organisation');

  inbox = await web.agentBdx.get('/espace/messages');
  assert.match(inbox.text, /Lyon réutilise votre fiche « Prévision de fréquentation \(messages\) »/);
  assert.ok(inbox.text.includes(`/fiches/${rid}-`), 'a link to the reuse');
  assert.equal(count(inbox.text, new RegExp(`/fiches/${rid}-`, 'g')), 1);
  const lyonInbox = await web.agentLyon.get('/espace/messages');
  assert.doesNotMatch(lyonInbox.text, /Prévision de fréquentation \(messages\)/, 'Lyon is not told about its own reuse');
  const all = await web.curator.get('/espace/messages');
  assert.match(all.text, /Prévision de fréquentation \(messages\)/, 'curators see every organisation');
  const lyonOnly = await web.curator.get(`/espace/messages?org=${LYON.key}`);
  assert.doesNotMatch(lyonOnly.text, /Prévision de fréquentation \(messages\)/);
  assert.equal((await web.agentLyon.get(`/espace/messages?org=${BORDEAUX_METROPOLE.key}`)).status, 403);
  assert.equal((await web.citizen.get('/espace/messages')).status, 403);
  assert.match((await web.agentBdx.get('/espace')).text, /href="\/espace\/messages"/, 'linked from the workspace');

  // re-publication: an edit of the published reuse, "published" again through the API
  const cur = (await srv.request('GET', `/api/v1/usecases/${rid}`, { token: tok.refLyon })).json.data;
  r = await srv.request('PATCH', `/api/v1/usecases/${rid}`, { token: tok.refLyon, json: { state: 'published', title: 'Prévision lyonnaise', version: cur.version } });
  assert.equal(r.status, 200, r.text);
  assert.equal(count(outbox(EMAILS.agentBdx), /Objet : Votre fiche est réutilisée/g), before + 1, 'not twice');
  inbox = await web.agentBdx.get('/espace/messages');
  assert.equal(count(inbox.text, new RegExp(`/fiches/${rid}-`, 'g')), 1, 'one notice');

  // a reuse created already published through the API tells too, once
  await publishedReuse(o.id, MARSEILLE.key);
  box = outbox(EMAILS.agentBdx);
  assert.equal(count(box, /Objet : Votre fiche est réutilisée/g), before + 2);
  assert.match(box, /Marseille réutilise votre fiche/);

  // a draft submitted then published through the API PATCH tells too
  const t = await apiReuse(tok.agentLyon, o.id, { owner: LYON.key, reuse_context: 'Troisième reprise.', status: 'experiment' });
  r = await srv.request('PATCH', `/api/v1/usecases/${t.json.data.id}`, { token: tok.refLyon, json: { state: 'published', version: 1 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(count(outbox(EMAILS.agentBdx), /Objet : Votre fiche est réutilisée/g), before + 3);
});

// ==== Reuse kit ====

test('the reuse kit: restricted items hidden from visitors on the page and in the API', async () => {
  const o = await publishedOrigin('Fiche avec kit');
  const anon = await web.visitor.get(path(o));
  assertHtmlPage(anon);
  assert.match(anon.text, /Kit de réutilisation/);
  assert.match(anon.text, /Cahier des charges<\/span> : <a class="external" href="https:\/\/example\.org\/cctp\.pdf"/);
  assert.doesNotMatch(anon.text, /Marché confidentiel|REF-SECRETE-2024/);
  const agent = await web.agentLyon.get(path(o));
  assert.match(agent.text, /Marché confidentiel/);
  assert.match(agent.text, /REF-SECRETE-2024/);
  assert.match(agent.text, /Marché confidentiel<\/span>|Marché confidentiel — <span class="kit-reference">REF-SECRETE-2024<\/span> <span class="restricted-tag">réservé aux agents<\/span>/);
  const pub = (await srv.request('GET', `/api/v1/usecases/${o.id}`)).json.data;
  assert.deepEqual(pub.reuse_kit.map((x) => x.title), ['Cahier des charges public']);
  assert.doesNotMatch(JSON.stringify(pub), /REF-SECRETE-2024/);
  const ag = (await srv.request('GET', `/api/v1/usecases/${o.id}`, { token: tok.agentLyon })).json.data;
  assert.deepEqual(ag.reuse_kit.map((x) => x.title), ['Cahier des charges public', 'Marché confidentiel']);
  // a reuse does not inherit the kit
  const reuse = await publishedReuse(o.id, LYON.key);
  const rp = await web.agentLyon.get(path(reuse));
  assert.doesNotMatch(rp.text, /Cahier des charges public|Marché confidentiel/);
});
