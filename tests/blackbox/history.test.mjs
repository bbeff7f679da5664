// history.test.mjs — record history (/fiches/{id}/historique), version
// comparison (/fiches/{id}/comparer), the versions API, the audit page
// (/admin/journal) and `iat audit`: who sees which versions, fields and
// names; bad parameters; escaping.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  assertApiError,
  assertHtmlPage,
  createRecord,
  createWebAccount,
  h1Text,
  iat,
  lines,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
  webClient,
} from './lib.mjs';

let env;
let srv;
let id; // record with a draft phase, published, restricted-only change, retracted
let draftId; // never published
const ADMIN = 'admin.journal@observatoire.example.fr';
const AGENT_WEB = 'agent.journal@bordeaux-metropole.example.fr';
const SECRET1 = 'FINANCEMENT-SECRET-UN';
const SECRET2 = 'FINANCEMENT-SECRET-DEUX';
const CONTACT = 'contact-reserve@bordeaux-metropole.example.fr';
const SCRIPT = '<script>alert("histoire")</script>\nligne deux';
const REASON = 'Retrait <b>pour test</b>';

const get = (p, token) => srv.request('GET', p, { token });
async function patch(token, json) {
  const r = await srv.request('PATCH', `/api/v1/usecases/${id}`, { token, json });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

before(async () => {
  env = setupLibrary({ csv: null });
  createWebAccount(env.db, ADMIN, 'admin', null);
  createWebAccount(env.db, AGENT_WEB, 'agent', BORDEAUX_METROPOLE.siren);
  srv = await startServer(env.db);
  const t = env.tokens;
  // v1: draft with restricted values
  const rec = await createRecord(srv, t.agentBdx, validRecord({ title: 'Fiche historique', contact: CONTACT, funding: SECRET1 }));
  id = rec.id;
  // v2: draft, a public change
  await patch(t.agentBdx, { description: 'Texte du brouillon.' });
  // v3: published by the referent
  await patch(t.refBdx, { state: 'published' });
  // v4: restricted-only change (a published record: edited by its referent)
  await patch(t.refBdx, { funding: SECRET2 });
  // v5: a public change holding markup
  await patch(t.refBdx, { decision_scope: SCRIPT });
  // v6: the observatory team changes the theme
  await patch(t.curator, { theme: 'mobility' });
  // v7: retracted
  const r = await srv.request('POST', `/api/v1/usecases/${id}/retract`, { token: t.refBdx, json: { reason: REASON } });
  assert.equal(r.status, 200, r.text);
  draftId = (await createRecord(srv, t.agentBdx, validRecord({ title: 'Brouillon seul' }))).id;
});

after(async () => {
  await stopServerClean(srv);
});

function versionsListed(html) {
  return [...html.matchAll(/<li class="version" id="version-(\d+)">/g)].map((m) => Number(m[1]));
}

function versionBlock(html, n) {
  const m = new RegExp(`<li class="version" id="version-${n}">([\\s\\S]*?)</li>\\n(?=<li class="version"|</ol>)`).exec(html);
  assert.ok(m, `version ${n} listed`);
  return m[1];
}

// ==== History page ====

test('history, public: only versions that were public, no restricted field, no name', async () => {
  const r = await get(`/fiches/${id}/historique`);
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Historique des modifications');
  assert.match(r.text, /<title>Historique des modifications — Fiche historique/);
  assert.deepEqual(versionsListed(r.text), [7, 6, 5, 4, 3]);
  assert.match(versionBlock(r.text, 3), /Première version publiée/);
  const v4 = versionBlock(r.text, 4);
  assert.match(v4, /Pas de modification des informations publiques/);
  assert.doesNotMatch(v4, /Financement|réservées aux collectivités/);
  assert.match(versionBlock(r.text, 5), /<li>Portée de la décision<\/li>/);
  assert.match(versionBlock(r.text, 6), /<li>Thème principal<\/li>/);
  assert.match(versionBlock(r.text, 6), /l&#39;équipe de l&#39;observatoire/);
  assert.match(versionBlock(r.text, 5), /un membre de Bordeaux Métropole/);
  assert.match(versionBlock(r.text, 7), /Changement d'état/);
  for (const s of ['Financement', 'Contact du service', SECRET1, SECRET2, CONTACT, 'compte n°', '@', 'Version 2<', 'Version 1<'])
    assert.ok(!r.text.includes(s), `public history must not contain ${s}`);
  // links to comparisons and the compare form
  assert.match(r.text, new RegExp(`href="/fiches/${id}/comparer\\?de=4&amp;a=5"`));
  assert.match(r.text, new RegExp(`<form method="get" action="/fiches/${id}/comparer"`));
  assert.match(r.text, /<label for="f-de">De la version<\/label>/);
  assert.match(r.text, /<label for="f-a">À la version<\/label>/);
  assert.doesNotMatch(r.text, /<option value="[12]"/);
  assert.match(r.text, /<button type="submit">Comparer<\/button>/);
  // the slug form of the address works too
  assert.equal((await get(`/fiches/${id}-fiche-historique/historique`)).status, 200);
});

test('history, agent of another organisation: restricted changes and names, still no draft', async () => {
  const r = await get(`/fiches/${id}/historique`, env.tokens.agentLyon);
  assertHtmlPage(r);
  assert.deepEqual(versionsListed(r.text), [7, 6, 5, 4, 3]);
  const v4 = versionBlock(r.text, 4);
  assert.match(v4, /<li>Financement <span class="restricted-tag">/);
  assert.match(v4, /Modification d'informations réservées aux collectivités/);
  assert.match(v4, /compte n°\d+/);
  assert.ok(!r.text.includes('@'), 'never an e-mail');
  assert.ok(!r.text.includes(SECRET2), 'no value in the history');
});

test('history, editor of the organisation: every version including drafts', async () => {
  const r = await get(`/fiches/${id}/historique`, env.tokens.agentBdx);
  assertHtmlPage(r);
  assert.deepEqual(versionsListed(r.text), [7, 6, 5, 4, 3, 2, 1]);
  assert.match(versionBlock(r.text, 1), /Création de la fiche/);
  assert.match(versionBlock(r.text, 2), /<li>Description du service et de ses usages<\/li>/);
  assert.match(versionBlock(r.text, 3), /Changement d'état/);
  assert.match(r.text, /<option value="1">Version 1<\/option>/);
});

test('history: unpublished record and bad ids are 404; unknown parameter 400', async () => {
  assertHtmlPage(await get(`/fiches/${draftId}/historique`), 404);
  assertHtmlPage(await get(`/fiches/${draftId}/historique`, env.tokens.agentLyon), 404);
  assertHtmlPage(await get(`/fiches/${draftId}/historique`, env.tokens.agentBdx), 200);
  assertHtmlPage(await get('/fiches/999999/historique'), 404);
  assertHtmlPage(await get('/fiches/abc/historique'), 404);
  assertHtmlPage(await get(`/fiches/${id}/historique?x=1`), 400);
});

test('record page: link to the history with the number of versions the viewer sees', async () => {
  let r = await get(`/fiches/${id}-fiche-historique`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.text, new RegExp(`<a href="/fiches/${id}/historique">Historique des modifications \\(5 versions\\)</a>`));
  r = await get(`/fiches/${id}-fiche-historique`, env.tokens.agentBdx);
  assert.match(r.text, /Historique des modifications \(7 versions\)/);
});

// ==== Comparison ====

test('compare, public: changed fields only, restricted values never shown', async () => {
  let r = await get(`/fiches/${id}/comparer?de=3&a=6`);
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Comparaison des versions 3 et 6');
  assert.match(r.text, /<caption>[^<]*: version 3 et version 6<\/caption>/);
  assert.match(r.text, /<th scope="col">Champ<\/th><th scope="col">Version 3<\/th><th scope="col">Version 6<\/th>/);
  assert.match(r.text, /<th scope="row">Thème principal<\/th><td>Transition écologique<\/td><td>Mobilité[^<]*<\/td><td><strong>modifié<\/strong><\/td>/);
  assert.match(r.text, /<th scope="row">Portée de la décision<\/th><td><span class="empty">\(vide\)<\/span><\/td>/);
  assert.doesNotMatch(r.text, /identique<\/td>/, 'unchanged fields hidden by default');
  assert.match(r.text, /2 champs modifiés/);
  assert.match(r.text, /champs identiques/);
  for (const s of [SECRET1, SECRET2, CONTACT, 'Financement', 'Contact du service'])
    assert.ok(!r.text.includes(s), `public comparison must not contain ${s}`);
  // tout=1: unchanged ones too, still no restricted ones
  r = await get(`/fiches/${id}/comparer?de=3&a=4&tout=1`);
  assertHtmlPage(r);
  assert.match(r.text, /<th scope="row">Nom du projet<\/th><td><div class="text">Fiche historique<\/div><\/td><td><div class="text">Fiche historique<\/div><\/td><td>identique<\/td>/);
  assert.match(r.text, /Organisation porteuse<\/th><td>Bordeaux Métropole<\/td>/);
  for (const s of [SECRET1, SECRET2, CONTACT, 'Financement'])
    assert.ok(!r.text.includes(s), `public comparison (tout) must not contain ${s}`);
  // only a restricted change: nothing differs for the public
  r = await get(`/fiches/${id}/comparer?de=3&a=4`);
  assert.match(r.text, /Aucune différence entre ces deux versions/);
  assert.match(r.text, /0 champ modifié/);
});

test('compare, agent: restricted fields compared', async () => {
  const r = await get(`/fiches/${id}/comparer?de=3&a=4`, env.tokens.agentLyon);
  assertHtmlPage(r);
  assert.match(r.text, new RegExp(`<th scope="row">Financement <span class="restricted-tag">réservé aux agents</span></th><td><div class="text">${SECRET1}</div></td><td><div class="text">${SECRET2}</div></td><td><strong>modifié</strong></td>`));
  assert.ok(!r.text.includes(CONTACT), 'unchanged restricted field hidden without tout=1');
  const all = await get(`/fiches/${id}/comparer?de=3&a=4&tout=1`, env.tokens.agentLyon);
  assert.ok(all.text.includes(CONTACT));
});

test('compare: values are escaped, line breaks kept as text', async () => {
  const r = await get(`/fiches/${id}/comparer?de=4&a=5`);
  assertHtmlPage(r);
  assert.ok(!r.text.includes('<script>alert'), 'no live script');
  assert.match(r.text, /<div class="text">&lt;script&gt;alert\(&quot;histoire&quot;\)&lt;\/script&gt;\nligne deux<\/div>/);
});

test('compare: same version twice is allowed (all identical)', async () => {
  const r = await get(`/fiches/${id}/comparer?de=5&a=5`);
  assertHtmlPage(r);
  assert.match(r.text, /Aucune différence/);
  assert.match(r.text, /0 champ modifié/);
});

test('compare: versions not visible are 404, bad parameters 400', async () => {
  assertHtmlPage(await get(`/fiches/${id}/comparer?de=1&a=3`), 404);
  assertHtmlPage(await get(`/fiches/${id}/comparer?de=2&a=3`, env.tokens.agentLyon), 404);
  assertHtmlPage(await get(`/fiches/${id}/comparer?de=1&a=3`, env.tokens.agentBdx), 200);
  assertHtmlPage(await get(`/fiches/${id}/comparer?de=3&a=99`), 404);
  assertHtmlPage(await get(`/fiches/${draftId}/comparer?de=1&a=1`), 404);
  for (const q of ['', '?de=3', '?a=3', '?de=&a=3', '?de=abc&a=3', '?de=0&a=3', '?de=-1&a=3', '?de=3&a=1.5',
    '?de=3&a=99999999999', '?de=3&a=4&tout=2', '?de=3&a=4&tout=', '?de=3&a=4&autre=1']) {
    const r = await get(`/fiches/${id}/comparer${q}`);
    assertHtmlPage(r, 400);
  }
  const r = await get(`/fiches/${id}/comparer?de=abc&a=3`);
  assert.match(r.text, /Comparaison impossible : indiquez deux numéros de version/);
});

// ==== API ====

test('API versions, public: public versions, public fields, no names', async () => {
  const r = await get(`/api/v1/usecases/${id}/versions`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  const vs = r.json.data;
  assert.deepEqual(vs.map((v) => v.version), [7, 6, 5, 4, 3]);
  const v = Object.fromEntries(vs.map((x) => [x.version, x]));
  assert.deepEqual(v[4].changed_fields, []);
  assert.deepEqual(v[5].changed_fields, ['decision_scope']);
  assert.deepEqual(v[6].changed_fields, ['theme']);
  assert.equal(v[6].author.kind, 'team');
  assert.equal(v[5].author.kind, 'member');
  assert.equal(v[3].previous_version, 0);
  assert.equal(v[4].previous_version, 3);
  assert.equal(v[7].state, 'retracted');
  assert.equal(v[7].note, `retirée : ${REASON}`);
  assert.match(v[7].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  for (const x of vs) assert.equal(x.author.name, undefined, 'no name for the public');
  for (const s of ['funding', 'contact', SECRET1, SECRET2, '@']) assert.ok(!r.text.includes(s), `no ${s}`);
});

test('API versions, agent and editor', async () => {
  let r = await get(`/api/v1/usecases/${id}/versions`, env.tokens.agentLyon);
  let v = Object.fromEntries(r.json.data.map((x) => [x.version, x]));
  assert.deepEqual(Object.keys(v).map(Number).sort(), [3, 4, 5, 6, 7]);
  assert.deepEqual(v[4].changed_fields, ['funding']);
  assert.match(v[4].author.name, /^compte n°\d+$/);
  assert.ok(!r.text.includes('@'), 'never an e-mail');
  r = await get(`/api/v1/usecases/${id}/versions`, env.tokens.agentBdx);
  assert.deepEqual(r.json.data.map((x) => x.version), [7, 6, 5, 4, 3, 2, 1]);
  assert.equal(r.json.data[6].state, 'draft');
  assert.ok(r.json.data[6].changed_fields.includes('title'));
});

test('API one version: document with the caller visibility; hidden versions 404', async () => {
  let r = await get(`/api/v1/usecases/${id}/versions/4`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.id, id);
  assert.equal(r.json.data.version, 4);
  assert.equal(r.json.data.state, 'published');
  assert.equal(r.json.data.theme, 'ecological_transition');
  assert.equal(r.json.data.owner.id, BORDEAUX_METROPOLE.key);
  assert.ok(!('funding' in r.json.data));
  assert.ok(!r.text.includes(SECRET2) && !r.text.includes(CONTACT));
  r = await get(`/api/v1/usecases/${id}/versions/4`, env.tokens.agentLyon);
  assert.equal(r.json.data.funding, SECRET2);
  r = await get(`/api/v1/usecases/${id}/versions/3`, env.tokens.agentLyon);
  assert.equal(r.json.data.funding, SECRET1);
  assertApiError(await get(`/api/v1/usecases/${id}/versions/1`), 404, 'resource.not_found', 'version');
  assertApiError(await get(`/api/v1/usecases/${id}/versions/2`, env.tokens.agentLyon), 404, 'resource.not_found', 'version');
  r = await get(`/api/v1/usecases/${id}/versions/1`, env.tokens.agentBdx);
  assert.equal(r.status, 200);
  assert.equal(r.json.data.state, 'draft');
  assert.equal(r.json.data.description, null);
  for (const bad of ['99', 'abc', '0', '-1', '1.5'])
    assertApiError(await get(`/api/v1/usecases/${id}/versions/${bad}`), 404, 'resource.not_found', 'version');
  assertApiError(await get(`/api/v1/usecases/${draftId}/versions`), 404, 'resource.not_found', 'id');
  assertApiError(await get(`/api/v1/usecases/${draftId}/versions/1`), 404, 'resource.not_found', 'id');
  assertApiError(await get('/api/v1/usecases/abc/versions'), 404, 'resource.not_found', 'id');
  assertApiError(await get(`/api/v1/usecases/${id}/versions?x=1`), 400, 'request.unknown_parameter');
});

// ==== Audit log ====

test('/admin/journal: visitors sent to sign in, agents refused, admins see it', async () => {
  const anon = webClient(srv);
  let r = await anon.get('/admin/journal');
  assert.equal(r.status, 303);
  assert.match(r.location, /^\/connexion\?retour=%2Fadmin%2Fjournal/);
  const agent = webClient(srv);
  await agent.signIn(AGENT_WEB);
  r = await agent.get('/admin/journal');
  assert.equal(r.status, 403);
  // an API token on the page is an account too: a curator is not enough
  assert.equal((await get('/admin/journal', env.tokens.curator)).status, 403);

  const admin = webClient(srv);
  await admin.signIn(ADMIN);
  r = await admin.get('/admin/journal');
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Journal des actions');
  assert.match(r.text, /<th scope="col">Date \(UTC\)<\/th>/);
  assert.match(r.text, /<caption>/);
  for (const a of ['usecase.create', 'usecase.state', 'user.add', 'token.create', 'orgs.load'])
    assert.match(r.text, new RegExp(`<code>${a.replace('.', '\\.')}</code>`), `action ${a} audited`);
  assert.ok(r.text.includes('referent@bordeaux-metropole.example.fr'), 'admins see e-mails');
  assert.ok(!r.text.includes(REASON), 'details escaped');
  assert.ok(r.text.includes('Retrait &lt;b&gt;pour test&lt;/b&gt;'));
  // newest first: the retraction comes before the creation of the same record
  const iRetract = r.text.indexOf(`>usecase:${id}<`);
  assert.ok(iRetract > 0);
  const iRetracted = r.text.indexOf('published→retracted');
  assert.ok(iRetracted > 0 && iRetracted < r.text.indexOf('draft→published'), 'newest first');

  // filters
  r = await admin.get('/admin/journal?action=usecase.state');
  assertHtmlPage(r);
  assert.match(r.text, /2 entrées\./); // publication and retraction
  assert.match(r.text, new RegExp(`<a href="/fiches/${id}">usecase:${id}</a>`));
  assert.match(r.text, /value="usecase.state"/);
  r = await admin.get(`/admin/journal?cible=usecase:${draftId}`);
  assert.match(r.text, /1 entrée\./);
  r = await admin.get('/admin/journal?action=%25');
  assert.match(r.text, /0 entrée\./, 'no wildcard');
  r = await admin.get('/admin/journal?action=%3Cscript%3E');
  assert.ok(!r.text.includes('<script>'));
  for (const q of ['page=0', 'page=abc', 'page=-1', 'page=', `action=${'a'.repeat(101)}`, 'inconnu=1'])
    assertHtmlPage(await admin.get(`/admin/journal?${q}`), 400);
  r = await admin.get('/admin/journal?page=50');
  assertHtmlPage(r);
  assert.match(r.text, /Aucune entrée à afficher/);
});

test('iat audit: lines, JSON Lines, filters, and argument errors', () => {
  let r = iat(['audit', '--db', env.db]);
  assert.equal(r.code, 0, r.stderr);
  const ls = lines(r.stdout);
  assert.ok(ls.length >= 10, r.stdout);
  for (const l of ls) assert.equal(l.split('\t').length, 5, l);
  const ats = ls.map((l) => l.split('\t')[0]);
  assert.deepEqual([...ats].sort().reverse(), ats, 'newest first');
  assert.ok(ls.some((l) => /\tusecase\.state\tusecase:\d+\tpublished→retracted : Retrait <b>pour test<\/b>$/.test(l)));
  assert.ok(ls.some((l) => /^\S+\t-\torgs\.load\t/.test(l)), 'org load audited, no account');

  r = iat(['audit', '--db', env.db, '--action', 'usecase.', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const js = lines(r.stdout).map((l) => JSON.parse(l));
  assert.ok(js.length >= 4);
  for (const j of js) {
    assert.match(j.action, /^usecase\./);
    assert.deepEqual(Object.keys(j), ['id', 'at', 'user_id', 'email', 'action', 'target', 'detail']);
  }
  assert.equal(js[0].action, 'usecase.create', 'the draft-only record was created last');

  r = iat(['audit', '--db', env.db, '--limit', '2']);
  assert.equal(lines(r.stdout).length, 2);
  r = iat(['audit', '--db', env.db, '--since', '2999-01-01']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  r = iat(['audit', '--db', env.db, '--since', '2000-01-01T00:00:00Z', '--limit', '1']);
  assert.equal(lines(r.stdout).length, 1);

  for (const args of [['--since', '2026-13-01'], ['--since', '2026-02-30'], ['--since', 'hier'], ['--since', '2026-01-01T25:00:00Z'],
    ['--limit', '0'], ['--limit', 'abc'], ['--limit', '100001'], ['--limit', '-3'], ['--action', ''], ['--action', 'x'.repeat(101)],
    ['--inconnu'], ['positionnel']]) {
    r = iat(['audit', '--db', env.db, ...args]);
    assert.equal(r.code, 2, `iat audit ${args.join(' ')}: ${r.code} ${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^iat: /);
  }
  r = iat(['audit', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /usage : iat audit/);
});
