// reports.test.mjs — error reports on records (report form, honeypot, rate
// limit, the organisation's inbox, answers, the record page's section,
// escaping, retention of contacts) and the legal pages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  LYON,
  STANDARD_ACCOUNTS,
  assertHtmlPage,
  createRecord,
  createWebAccount,
  h1Text,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
  webClient,
} from './lib.mjs';

let env;
let srv;
let pub; // a published record of Bordeaux Métropole: {id, slug}
let draft; // a draft of Bordeaux Métropole
const AGENT_BDX = STANDARD_ACCOUNTS.agentBdx[0];
const AGENT_LYON = STANDARD_ACCOUNTS.agentLyon[0];
const CURATOR = STANDARD_ACCOUNTS.curator[0];
const CITIZEN = 'citoyenne@example.fr';

const recordPath = (rec) => `/fiches/${rec.id}-${rec.slug}`;

before(async () => {
  env = setupLibrary({ csv: null });
  createWebAccount(env.db, AGENT_BDX, 'agent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, AGENT_LYON, 'agent', LYON.insee);
  createWebAccount(env.db, CURATOR, 'curator', null);
  createWebAccount(env.db, CITIZEN, 'citizen', null);
  srv = await startServer(env.db);
  pub = await createRecord(srv, env.tokens.refBdx, validRecord({ state: 'published', title: 'Tri des courriers' }));
  draft = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Brouillon secret' }));
});
after(async () => {
  await stopServerClean(srv);
});

async function signedIn(email) {
  const c = webClient(srv);
  await c.signIn(email);
  return c;
}

/** The "N signalement(s) ouvert(s), M traité(s)" line of a record page. */
async function counts(rec) {
  const r = await webClient(srv).get(recordPath(rec));
  assert.equal(r.status, 200);
  const m = /<p class="report-counts">([^<]*)<\/p>/.exec(r.text);
  assert.ok(m, 'the record page has the report counts');
  return m[1].replace(/\u00a0/g, ' ');
}

test('report form: public fields only, labelled, honeypot hidden', async () => {
  const c = webClient(srv);
  const r = await c.get(`/fiches/${pub.id}/signaler`);
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Signaler une erreur ou une information périmée');
  assert.match(r.text, /<title>Signaler une erreur — Tri des courriers — IA·T<\/title>/);
  assert.match(r.text, /<label for="f-field">Quelle information \?/);
  assert.match(r.text, /<option value="title">Nom du projet<\/option>/);
  assert.match(r.text, /<option value="autre">Autre \/ l'ensemble de la fiche<\/option>/);
  assert.doesNotMatch(r.text, /<option value="contact">/, 'restricted fields are not offered');
  assert.match(r.text, /<label for="f-description">Qu&#39;est-ce qui est inexact ou périmé \?/);
  assert.match(r.text, /<label for="f-contact">Votre adresse électronique \(facultative\)/);
  assert.match(r.text, /n&#39;est montrée qu&#39;à l&#39;organisation/);
  assert.match(
    r.text,
    /<div class="hp-field" aria-hidden="true">\s*<label for="f-site_web">Ne pas remplir ce champ<\/label>\s*<input type="text" id="f-site_web" name="site_web" tabindex="-1" autocomplete="off">/,
  );
  assert.ok(c.csrf, 'a CSRF field for the visitor');
  // a link from the record page
  const page = await c.get(recordPath(pub));
  assert.match(page.text, new RegExp(`<a href="/fiches/${pub.id}/signaler">Signaler une erreur ou une information périmée</a>`));
  assert.match(page.text, /<h2 id="titre-signalements">Signalements<\/h2>/);
});

test('report as a visitor: 303 to the record, flash, counted, description not public', async () => {
  assert.equal(await counts(pub), '0 signalement ouvert, 0 traité.');
  const c = webClient(srv);
  await c.get(`/fiches/${pub.id}/signaler`);
  const r = await c.post(`/fiches/${pub.id}/signaler`, {
    field: 'summary',
    description: 'Le résumé parle de 2019, le projet a changé en 2024.',
    contact: 'visiteur@example.fr',
    site_web: '',
  });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  assert.equal(r.location, recordPath(pub));
  const page = await c.get(r.location);
  assert.match(page.text, /votre signalement est transmis à l&#39;organisation/);
  assert.equal(await counts(pub), '1 signalement ouvert, 0 traité.');
  assert.doesNotMatch(page.text, /projet a changé en 2024/, 'the description is not public');
  assert.doesNotMatch(page.text, /visiteur@example\.fr/, 'the contact is not public');
});

test('report: bad fields → 422, each error next to its field, values kept', async () => {
  const c = webClient(srv);
  await c.get(`/fiches/${pub.id}/signaler`);
  const url = `/fiches/${pub.id}/signaler`;
  // empty everything
  let r = await c.post(url, { field: '', description: '   ', contact: '' });
  assertHtmlPage(r, 422);
  assert.match(r.text, /<title>Erreur : /);
  assert.match(r.text, /2 erreurs à corriger/);
  assert.match(r.text, /<label for="f-field">[\s\S]*?id="e-field"[\s\S]*?<select id="f-field"[^>]*aria-describedby="h-field e-field"/);
  assert.match(r.text, /<label for="f-description">[\s\S]*?id="e-description">[\s\S]*?Décrivez ce qui est inexact[\s\S]*?<textarea id="f-description"/);
  assert.match(r.text, /<a href="#f-field">Choisissez l&#39;information concernée.<\/a>/);
  // a restricted or unknown field, too short a description, a bad e-mail
  for (const field of ['contact', 'budget_total', 'nimporte_quoi']) {
    r = await c.post(url, { field, description: 'court', contact: 'pas-une-adresse' });
    assertHtmlPage(r, 422);
    assert.match(r.text, /id="e-field"[^>]*>[\s\S]*?Choisissez une information de la liste/);
    assert.match(r.text, /id="e-description"[^>]*>[\s\S]*?trop courte/);
    assert.match(r.text, /<label for="f-contact">[\s\S]*?id="e-contact"[\s\S]*?<input type="email" id="f-contact"[^>]*value="pas-une-adresse"/);
    assert.match(r.text, /<textarea id="f-description"[^>]*>court<\/textarea>/, 'the description is kept');
  }
  // too long (2001 characters, accented: characters, not bytes)
  r = await c.post(url, { field: 'title', description: 'é'.repeat(2001), contact: 'ok@example.fr' });
  assertHtmlPage(r, 422);
  assert.match(r.text, /id="e-description"[^>]*>[\s\S]*?trop longue \(2 000 caractères au plus, 2001 actuellement\)/);
  assert.match(r.text, /<option value="title" selected>/, 'the chosen field is kept');
  assert.match(r.text, /value="ok@example.fr"/);
  assert.doesNotMatch(r.text, /id="e-contact"/);
  // exactly 2000 characters and 10 characters are fine (signed in: another budget)
  const s = await signedIn(CITIZEN);
  await s.get(url);
  r = await s.post(url, { field: 'autre', description: 'é'.repeat(2000) });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  r = await s.post(url, { field: 'title', description: '0123456789' });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(await counts(pub), '3 signalements ouverts, 0 traité.');
});

test('honeypot: looks like a success, nothing stored', async () => {
  const before = await counts(pub);
  const c = webClient(srv);
  await c.get(`/fiches/${pub.id}/signaler`);
  const r = await c.post(`/fiches/${pub.id}/signaler`, {
    field: 'title',
    description: 'Achetez nos montres pas chères sur notre site.',
    contact: 'robot@example.fr',
    site_web: 'https://spam.example.com',
  });
  assert.equal(r.status, 303);
  assert.equal(r.location, recordPath(pub));
  const page = await c.get(r.location);
  assert.match(page.text, /Merci : votre signalement est transmis/);
  assert.equal(await counts(pub), before, 'nothing stored');
  const inbox = await (await signedIn(AGENT_BDX)).get('/espace/signalements');
  assert.doesNotMatch(inbox.text, /montres pas chères/);
  assert.match(srv.stderr(), /champ piège rempli/, 'the trap is logged');
});

test('drafts and unknown records cannot be reported (404); retracted ones can', async () => {
  const c = webClient(srv);
  for (const p of [`/fiches/${draft.id}/signaler`, '/fiches/999999/signaler', '/fiches/abc/signaler']) {
    const r = await c.get(p);
    assertHtmlPage(r, 404);
    assert.doesNotMatch(r.text, /Brouillon secret/);
  }
  await c.get(`/fiches/${pub.id}/signaler`); // a CSRF token
  const r = await c.post(`/fiches/${draft.id}/signaler`, { field: 'title', description: 'Ce brouillon est faux.' });
  assertHtmlPage(r, 404);
  // even its own organisation cannot report on a draft
  const a = await signedIn(AGENT_BDX);
  assert.equal((await a.get(`/fiches/${draft.id}/signaler`)).status, 404);
  // a retracted record
  const old = await createRecord(srv, env.tokens.refBdx, validRecord({ state: 'published', title: 'Ancien service' }));
  const rt = await srv.request('POST', `/api/v1/usecases/${old.id}/retract`, {
    token: env.tokens.refBdx,
    json: { reason: 'Service arrêté.' },
  });
  assert.equal(rt.status, 200, rt.text);
  const s = await signedIn(CITIZEN);
  assert.equal((await s.get(`/fiches/${old.id}/signaler`)).status, 200);
  const p = await s.post(`/fiches/${old.id}/signaler`, { field: 'status', description: 'Le service a repris en 2026.' });
  assert.equal(p.status, 303, p.text.slice(0, 300));
  assert.equal(await counts(old), '1 signalement ouvert, 0 traité.');
});

test('inbox: who sees what', async () => {
  // visitor: to the sign-in page
  const v = await webClient(srv).get('/espace/signalements');
  assert.equal(v.status, 303);
  assert.match(v.location, /^\/connexion\?retour=%2Fespace%2Fsignalements/);
  // agent of the owner: the report, with its description and contact
  const a = await signedIn(AGENT_BDX);
  let r = await a.get('/espace/signalements');
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Signalements reçus');
  assert.match(r.text, /projet a changé en 2024/);
  assert.match(r.text, /<a href="mailto:visiteur@example.fr">visiteur@example.fr<\/a>/);
  assert.match(r.text, /Tri des courriers/);
  assert.match(r.text, /<dt>Information<\/dt><dd>Résumé<\/dd>/);
  // one form per open report, with unique ids
  const ids = [...r.text.matchAll(/ id="(f-[^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique on the page');
  assert.ok(ids.some((i) => /^f-answer-\d+$/.test(i)));
  // agent of another organisation: nothing of Bordeaux
  const l = await signedIn(AGENT_LYON);
  r = await l.get('/espace/signalements');
  assertHtmlPage(r);
  assert.doesNotMatch(r.text, /projet a changé en 2024/);
  assert.doesNotMatch(r.text, /visiteur@example\.fr/);
  assert.match(r.text, /Aucun signalement en attente de réponse/);
  r = await l.get(`/espace/signalements?org=${BORDEAUX_METROPOLE.key}`);
  assertHtmlPage(r, 403);
  // an account with no organisation: a 403 page that explains
  r = await (await signedIn(CITIZEN)).get('/espace/signalements');
  assertHtmlPage(r, 403);
  assert.match(r.text, /réservée à leurs membres/);
  // a curator: everything, and the filter
  const cur = await signedIn(CURATOR);
  r = await cur.get('/espace/signalements');
  assertHtmlPage(r);
  assert.match(r.text, /projet a changé en 2024/);
  assert.match(r.text, /<label for="f-org">Filtrer par organisation/);
  r = await cur.get(`/espace/signalements?org=${LYON.key}`);
  assertHtmlPage(r);
  assert.doesNotMatch(r.text, /projet a changé en 2024/);
  r = await cur.get(`/espace/signalements?org=${BORDEAUX_METROPOLE.key}`);
  assert.match(r.text, /projet a changé en 2024/);
  r = await cur.get('/espace/signalements?org=commune-00000');
  assertHtmlPage(r, 404);
  r = await cur.get('/espace/signalements?autre=1');
  assert.equal(r.status, 400);
});

/** The id of the open report whose description contains text (from the inbox of c). */
async function reportId(c, text) {
  const r = await c.get('/espace/signalements');
  const re = new RegExp(`<article class="report" id="signalement-(\\d+)">(?:(?!</article>)[\\s\\S])*?${text}`);
  const m = re.exec(r.text);
  assert.ok(m, `report "${text}" in the inbox`);
  return m[1];
}

test('answer: rights, validation, publication on the record page', async () => {
  const a = await signedIn(AGENT_BDX);
  const id = await reportId(a, 'projet a changé en 2024');
  const url = `/signalements/${id}/repondre`;
  // another organisation's agent: 403; a visitor: 401 (no session)
  const l = await signedIn(AGENT_LYON);
  let r = await l.post(url, { outcome: 'fixed', answer: 'Je ne suis pas de Bordeaux.' });
  assertHtmlPage(r, 403);
  const v = webClient(srv);
  await v.get('/connexion');
  r = await v.post(url, { outcome: 'fixed', answer: 'Anonyme.' });
  assert.equal(r.status, 401);
  // bad outcome, empty answer
  r = await a.post(url, { outcome: 'peut-etre', answer: '  ' });
  assertHtmlPage(r, 422);
  assert.match(r.text, /<title>Erreur : répondre au signalement/);
  assert.match(r.text, /<legend>Suite donnée[\s\S]*?id="e-outcome"[\s\S]*?<input type="radio" id="f-outcome"/);
  assert.match(r.text, /<label for="f-answer">[\s\S]*?id="e-answer"[\s\S]*?<textarea id="f-answer"[^>]*aria-describedby="h-answer e-answer"/);
  assert.match(r.text, /projet a changé en 2024/, 'the report is shown with its form');
  // no outcome; too long an answer (kept)
  r = await a.post(url, { answer: 'x'.repeat(2001) });
  assertHtmlPage(r, 422);
  assert.match(r.text, /id="e-outcome"[^>]*>[\s\S]*?Choisissez la suite donnée/);
  assert.match(r.text, /id="e-answer"[^>]*>[\s\S]*?trop longue/);
  assert.match(r.text, new RegExp(`>${'x'.repeat(2001)}</textarea>`));
  // a valid outcome is kept when the answer is missing
  r = await a.post(url, { outcome: 'not_error', answer: '' });
  assertHtmlPage(r, 422);
  assert.match(r.text, /value="not_error" checked/);
  assert.equal(await counts(pub), '3 signalements ouverts, 0 traité.', 'nothing saved yet');
  // unknown report
  r = await a.post('/signalements/999999/repondre', { outcome: 'fixed', answer: 'Rien.' });
  assertHtmlPage(r, 404);
  // the answer
  r = await a.post(url, { outcome: 'fixed', answer: 'Merci, le résumé est mis à jour.' });
  assert.equal(r.status, 303, r.text.slice(0, 400));
  assert.equal(r.location, '/espace/signalements');
  const inbox = await a.get(r.location);
  assert.match(inbox.text, /Votre réponse au signalement est enregistrée/);
  assert.match(inbox.text, /<caption>Les 50 derniers signalements traités/);
  assert.match(inbox.text, /Merci, le résumé est mis à jour\./);
  // a second answer: 409
  r = await a.post(url, { outcome: 'other', answer: 'Encore.' });
  assertHtmlPage(r, 409);
  // the record page: counts and the public answer, not the description nor the contact
  assert.equal(await counts(pub), '2 signalements ouverts, 1 traité.');
  const page = await webClient(srv).get(recordPath(pub));
  assert.match(page.text, /<h3>Réponses de l'organisation<\/h3>/);
  assert.match(page.text, /<span class="report-field">Résumé<\/span> — <span class="report-outcome">Corrigé<\/span>, réponse du <time datetime="\d{4}-\d\d-\d\d">/);
  assert.match(page.text, /Merci, le résumé est mis à jour\./);
  assert.doesNotMatch(page.text, /projet a changé en 2024/);
  assert.doesNotMatch(page.text, /visiteur@example\.fr/);
  // a curator may answer too
  const cur = await signedIn(CURATOR);
  const id2 = await reportId(cur, '0123456789');
  r = await cur.post(`/signalements/${id2}/repondre`, { outcome: 'not_error', answer: 'Le titre est exact.' });
  assert.equal(r.status, 303);
  const page2 = await webClient(srv).get(recordPath(pub));
  assert.match(page2.text, /<span class="report-field">Nom du projet<\/span> — <span class="report-outcome">Pas une erreur<\/span>/);
  assert.equal(await counts(pub), '1 signalement ouvert, 2 traités.');
});

test('escaping: a description and an answer holding markup', async () => {
  const evil = '<script>alert("signalement")</script> & <b>gras</b>';
  const c = webClient(srv);
  await c.get(`/fiches/${pub.id}/signaler`);
  let r = await c.post(`/fiches/${pub.id}/signaler`, { field: 'autre', description: evil, contact: '' });
  assert.equal(r.status, 303);
  // a 422 page sends the value back escaped
  r = await c.post(`/fiches/${pub.id}/signaler`, { field: 'x"><script>', description: evil });
  assertHtmlPage(r, 422);
  assert.doesNotMatch(r.text, /<script>/);
  assert.match(r.text, /&lt;script&gt;alert\(&quot;signalement&quot;\)&lt;\/script&gt; &amp; &lt;b&gt;gras&lt;\/b&gt;/);
  const a = await signedIn(AGENT_BDX);
  const inbox = await a.get('/espace/signalements');
  assert.doesNotMatch(inbox.text, /<script>/);
  assert.match(inbox.text, /&lt;script&gt;alert\(&quot;signalement&quot;\)&lt;\/script&gt;/);
  const id = await reportId(a, '&lt;script&gt;alert');
  r = await a.post(`/signalements/${id}/repondre`, { outcome: 'other', answer: '<script>answer()</script><img src=x onerror=y>' });
  assert.equal(r.status, 303);
  const page = await webClient(srv).get(recordPath(pub));
  assert.doesNotMatch(page.text, /<script>/);
  assert.doesNotMatch(page.text, /<img src=x/);
  assert.match(page.text, /&lt;script&gt;answer\(\)&lt;\/script&gt;&lt;img src=x onerror=y&gt;/);
  assert.match(page.text, /<span class="report-field">L&#39;ensemble de la fiche \(autre\)<\/span> — <span class="report-outcome">Autre suite<\/span>/);
  assert.doesNotMatch(page.text, /alert\(/, 'the description is never public');
});

const hasSqlite = spawnSync('sqlite3', ['-version']).status === 0;

test('retention: contacts are erased 12 months after the answer', { skip: !hasSqlite && 'no sqlite3 command' }, async () => {
  const sql = (q) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', env.db, q], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  // an old answered report with a contact, a recent one with a contact
  sql(`INSERT INTO report(usecase_id, field, description, contact, created_at, state, answer, answered_at)
       VALUES (${pub.id}, 'title', 'Ancien signalement.', 'ancien@example.fr', '2024-01-01T00:00:00Z', 'fixed', 'Corrigé.', '2024-01-02T00:00:00Z'),
              (${pub.id}, 'title', 'Récent signalement.', 'recent@example.fr', '2026-01-01T00:00:00Z', 'fixed', 'Corrigé.', strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-300 days'))`);
  const c = webClient(srv);
  await c.get(`/fiches/${pub.id}/signaler`);
  assert.equal((await c.post(`/fiches/${pub.id}/signaler`, { field: 'title', description: 'Pour déclencher la purge.', contact: 'purge@example.fr' })).status, 303);
  const a = await signedIn(AGENT_BDX);
  const id = await reportId(a, 'Pour déclencher la purge');
  assert.equal((await a.post(`/signalements/${id}/repondre`, { outcome: 'fixed', answer: 'Fait.' })).status, 303);
  assert.equal(sql("SELECT count(*) FROM report WHERE contact = 'ancien@example.fr'"), '0', 'old contact erased');
  assert.equal(sql("SELECT count(*) FROM report WHERE description = 'Ancien signalement.'"), '1', 'the report itself stays');
  assert.equal(sql("SELECT count(*) FROM report WHERE contact = 'recent@example.fr'"), '1', 'recent contact kept');
  assert.equal(sql("SELECT count(*) FROM report WHERE contact = 'purge@example.fr'"), '1', 'just answered: kept');
  // the answer is audited
  assert.match(sql(`SELECT action || ' ' || target || ' ' || detail FROM audit WHERE target = 'report:${id}'`), new RegExp(`^report\\.answer report:${id} outcome=fixed usecase=${pub.id}$`));
  // no address is stored anywhere with the report
  assert.equal(
    sql("SELECT group_concat(name, ' ') FROM pragma_table_info('report')"),
    'id usecase_id field description contact user_id created_at state answer answered_by answered_at',
  );
});

test('rate limit per address: 429 with Retry-After after 5 reports in an hour', async () => {
  const s2 = await startServer(env.db); // a fresh process: fresh counters
  try {
    const c = webClient(s2);
    const url = `/fiches/${pub.id}/signaler`;
    await c.get(url);
    for (let i = 1; i <= 5; i++) {
      const r = await c.post(url, { field: 'title', description: `Signalement numéro ${i} du test.` });
      assert.equal(r.status, 303, `report ${i}: ${r.status}`);
    }
    const r = await c.post(url, { field: 'title', description: 'Le signalement de trop.' });
    assertHtmlPage(r, 429);
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(ra > 0 && ra <= 3600, `Retry-After: ${ra}`);
    assert.match(r.text, /réessayez dans \d+ minutes?/);
    assert.match(r.text, /<textarea id="f-description"[^>]*>Le signalement de trop\.<\/textarea>/, 'the text is kept');
    // invalid posts do not count, but are still 422
    assert.equal((await c.post(url, { field: '', description: '' })).status, 422);
    // a signed-in account has its own allowance
    const s = webClient(s2);
    await s.signIn(CITIZEN);
    assert.equal((await s.post(url, { field: 'title', description: 'Signalement depuis un compte.' })).status, 303);
  } finally {
    await stopServerClean(s2);
  }
});

test('legal pages: one h1, titles, footer links', async () => {
  const c = webClient(srv);
  let r = await c.get('/mentions-legales');
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Mentions légales');
  assert.match(r.text, /<title>Mentions légales — IA·T<\/title>/);
  for (const h of ['Éditeur', 'Hébergement', 'Licence des données', 'Accessibilité', 'Code source']) assert.match(r.text, new RegExp(`<h2>${h}</h2>`));
  assert.match(r.text, /Les Interconnectés/);
  assert.match(r.text, /France urbaine/);
  assert.match(r.text, /Intercommunalités de France/);
  assert.match(r.text, /Licence Ouverte \/ Open Licence version 2\.0/);
  assert.match(r.text, /href="\/accessibilite"/);
  assert.match(r.text, /à compléter par l'exploitant/);
  r = await c.get('/donnees-personnelles');
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Données personnelles');
  assert.match(r.text, /<title>Données personnelles — IA·T<\/title>/);
  for (const s of ['argon2id', 'iat_session', 'iat_csrf', 'iat_flash', '12 mois après la réponse', 'jamais sur disque', 'href="/compte/donnees"', 'href="/compte/supprimer"', 'CNIL']) assert.ok(r.text.includes(s), s);
  assert.match(r.text, /<caption>Données conservées/);
  assert.match(r.text, /<th scope="col">Pourquoi<\/th>/);
  // headings in order: no h3 before the first h2, no level skipped
  for (const p of ['/mentions-legales', '/donnees-personnelles']) {
    const t = (await c.get(p)).text;
    const levels = [...t.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
    for (let i = 1; i < levels.length; i++) assert.ok(levels[i] <= levels[i - 1] + 1, `${p}: heading levels ${levels}`);
  }
  // the footer links to both
  assert.match(r.text, /<a href="\/mentions-legales">Mentions légales<\/a>/);
  assert.match(r.text, /<a href="\/donnees-personnelles">Données personnelles<\/a>/);
});
