// accounts.test.mjs — accounts and memberships through the web interface:
// sign-up with e-mail confirmation, password change and reset, "my
// account", "my data", account deletion, join requests and the members
// page (rights, last-referent rule), escaping of names, and `iat outbox`.
// Links sent by message are read back with `iat outbox`.
//
// Two servers share one database: `srv` for the account flows and `srvM`
// for memberships, so the in-memory sign-in throttle (20 per address per
// 15 minutes) is not reached by the number of sign-ins of this file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  TEST_PASSWORD,
  BORDEAUX_METROPOLE,
  LYON,
  assertHtmlPage,
  createWebAccount,
  h1Text,
  iat,
  iatOk,
  makeTempDir,
  initDb,
  setupLibrary,
  startServer,
  stopServerClean,
  webClient,
} from './lib.mjs';

let env;
let srv;
let srvM;
const BDX = BORDEAUX_METROPOLE.key;
const REF = 'ref@bordeaux-metropole.example.fr';
const AGENT = 'agent@bordeaux-metropole.example.fr';
const CURATOR = 'curator@observatoire.example.fr';
const JOINER = 'joiner@bordeaux-metropole.example.fr';
const REFUSED = 'refused@lyon.example.fr';
const CANCEL = 'cancel@example.fr';
const PW_USER = 'pw@example.fr';
const RESET_USER = 'reset@example.fr';
const DEL_USER = 'delete@example.fr';
const NEW_PASSWORD = 'une toute nouvelle phrase secrète';

before(async () => {
  env = setupLibrary({ csv: null, accounts: {} });
  createWebAccount(env.db, REF, 'referent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, AGENT, 'agent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, CURATOR, 'curator', null);
  for (const e of [JOINER, REFUSED, CANCEL, PW_USER, RESET_USER, DEL_USER]) createWebAccount(env.db, e, 'citizen', null);
  srv = await startServer(env.db);
  srvM = await startServer(env.db);
});
after(async () => {
  await stopServerClean(srv);
  await stopServerClean(srvM);
});

/** The messages of the outbox for `to` (newest first), as text. */
function outbox(to, limit = 20) {
  return iatOk(['outbox', '--db', env.db, '--to', to, '--limit', String(limit)]);
}
/** The token of the newest link with this path in the outbox of `to`. */
function linkToken(to, p) {
  const text = outbox(to, 1);
  const re = new RegExp(`${p.replace(/[/?]/g, '\\$&')}\\?jeton=([A-Za-z0-9_-]{43})`);
  const m = re.exec(text);
  assert.ok(m, `a ${p} link in the outbox of ${to}: ${text}`);
  return m[1];
}
/** The id of the member whose row holds `email` on a members page. */
function memberId(html, email) {
  const row = html.split('<tr>').find((r) => r.includes(email) && /\/membres\/\d+\/role/.test(r));
  assert.ok(row, `a row with management forms for ${email}`);
  return /\/membres\/(\d+)\/role/.exec(row)[1];
}

// ==== Sign-up ====

test('sign-up form: labelled fields, links', async () => {
  const c = webClient(srv);
  const r = await c.get('/inscription');
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Créer un compte');
  for (const [f, l] of [['email', 'Adresse électronique'], ['name', 'Nom affiché'], ['password', 'Mot de passe'], ['confirmation', 'Confirmation du mot de passe']])
    assert.match(r.text, new RegExp(`<label for="f-${f}">${l}`));
  assert.match(r.text, /autocomplete="new-password"/);
});

test('sign-up: every bad field is named, values kept, never the password', async () => {
  const c = webClient(srv);
  await c.get('/inscription');
  let r = await c.post('/inscription', { email: '', name: '', password: '', confirmation: '' });
  assert.equal(r.status, 422);
  assert.match(r.text, /<title>Erreur : /);
  assert.match(r.text, /href="#f-email">Indiquez votre adresse électronique/);
  assert.match(r.text, /href="#f-password">Choisissez un mot de passe/);
  assert.match(r.text, /href="#f-confirmation">/);
  r = await c.post('/inscription', { email: 'pas-une-adresse', name: 'x'.repeat(101), password: 'court', confirmation: 'court' });
  assert.equal(r.status, 422);
  assert.match(r.text, /href="#f-email">L(?:'|&#39;)adresse électronique n(?:'|&#39;)est pas valide/);
  assert.match(r.text, /href="#f-name">Le nom affiché est trop long/);
  assert.match(r.text, /href="#f-password">Le mot de passe doit compter au moins 12 caractères/);
  assert.match(r.text, /value="pas-une-adresse"/);
  assert.match(r.text, /id="f-name"[^>]*aria-invalid="true"/);
  r = await c.post('/inscription', { email: 'a@' + 'x'.repeat(260) + '.fr', password: TEST_PASSWORD, confirmation: TEST_PASSWORD });
  assert.match(r.text, /href="#f-email">L(?:'|&#39;)adresse électronique est trop longue/);
  r = await c.post('/inscription', { email: 'mismatch@example.fr', password: TEST_PASSWORD, confirmation: TEST_PASSWORD + 'x' });
  assert.equal(r.status, 422);
  assert.match(r.text, /href="#f-confirmation">Les deux mots de passe ne sont pas identiques/);
  assert.doesNotMatch(r.text, new RegExp(TEST_PASSWORD));
  r = await c.post('/inscription', { email: 'weak@example.fr', password: 'aaaaaaaaaaaaaa', confirmation: 'aaaaaaaaaaaaaa' });
  assert.match(r.text, /ne doit pas répéter un seul caractère/);
  r = await c.post('/inscription', { email: 'same@example.fr', password: 'same@example.fr', confirmation: 'same@example.fr' });
  assert.match(r.text, /ne doit pas être votre adresse électronique/);
  r = await c.post('/inscription', { email: 'nl@example.fr', name: 'deux\nlignes', password: TEST_PASSWORD, confirmation: TEST_PASSWORD });
  assert.match(r.text, /href="#f-name">Le nom affiché doit tenir sur une ligne/);
  assert.equal(outbox('mismatch@example.fr').trim(), '', 'nothing is sent for a refused form');
});

const NEW_USER = 'nouvelle@example.fr';
const XSS_NAME = `<script>alert("x")</script> O'Brien`;

test('sign-up: a new address gets an activation link; nothing exists before it is followed', async () => {
  const c = webClient(srv);
  await c.get('/inscription');
  const r = await c.post('/inscription', { email: NEW_USER, name: XSS_NAME, password: TEST_PASSWORD, confirmation: TEST_PASSWORD });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.location, '/inscription/envoyee');
  const sent = await c.get(r.location);
  assertHtmlPage(sent);
  assert.match(sent.text, /Un message vient d(?:'|&#39;)être envoyé/);
  const msg = outbox(NEW_USER, 1);
  assert.match(msg, /Objet : Confirmez la création de votre compte/);
  assert.match(msg, /24 heures/);
  assert.match(srv.stderr(), /message en attente pour nouvelle@example\.fr .*lien : \/inscription\/confirmer\?jeton=/, 'the link is in the log too');
  // no account yet
  const d = webClient(srv);
  await d.get('/connexion');
  const s = await d.post('/connexion', { email: NEW_USER, password: TEST_PASSWORD });
  assert.equal(s.status, 422);
  // follow the link: account created, signed in
  const tok = linkToken(NEW_USER, '/inscription/confirmer');
  const a = await c.get(`/inscription/confirmer?jeton=${tok}`);
  assert.equal(a.status, 303, a.text);
  assert.equal(a.location, '/compte');
  assert.ok(c.jar.get('iat_session'), 'signed in');
  const acct = await c.get('/compte');
  assertHtmlPage(acct);
  assert.match(acct.text, /Votre compte est créé et vous êtes connecté/);
  assert.match(acct.text, /nouvelle@example\.fr/);
  assert.match(acct.text, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; O&#39;Brien/);
  assert.doesNotMatch(acct.text, /<script>alert/);
  assert.match(acct.text, /Compte personnel/);
  // the link is one-time
  const again = await webClient(srv).get(`/inscription/confirmer?jeton=${tok}`);
  assert.equal(again.status, 410);
  assert.match(again.text, /expiré ou déjà utilisé/);
  // the account can sign in
  await webClient(srv).signIn(NEW_USER);
});

test('sign-up: an existing address gets the same answer, and a message saying so', async () => {
  const c = webClient(srv);
  await c.get('/inscription');
  const r = await c.post('/inscription', { email: AGENT.toUpperCase(), password: TEST_PASSWORD, confirmation: TEST_PASSWORD });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/inscription/envoyee');
  const msg = outbox(AGENT, 1);
  assert.match(msg, /Objet : Votre compte IA·T existe déjà/);
  assert.match(msg, /\/mot-de-passe-oublie/);
  assert.doesNotMatch(msg, /jeton=/);
  // the agent is still an agent (nothing overwritten)
  const a = webClient(srv);
  await a.signIn(AGENT);
  assert.match((await a.get('/compte')).text, /Agent d(?:'|&#39;)une collectivité/);
});

test('sign-up: unknown and malformed activation links get a clear page', async () => {
  const c = webClient(srv);
  let r = await c.get(`/inscription/confirmer?jeton=${'A'.repeat(43)}`);
  assert.equal(r.status, 410);
  assertHtmlPage(r, 410);
  assert.match(r.text, /Recommencer l(?:'|&#39;)inscription/);
  r = await c.get('/inscription/confirmer?jeton=abc');
  assert.equal(r.status, 400);
  r = await c.get('/inscription/confirmer');
  assert.equal(r.status, 400);
  r = await c.get(`/inscription/confirmer?jeton=${'A'.repeat(42)}%3C`);
  assert.equal(r.status, 400);
});

test('sign-up: at most 3 requests an hour for one address', async () => {
  const c = webClient(srv);
  await c.get('/inscription');
  const f = { email: 'flood@example.fr', password: TEST_PASSWORD, confirmation: TEST_PASSWORD };
  for (let i = 0; i < 3; i++) assert.equal((await c.post('/inscription', f)).status, 303);
  const r = await c.post('/inscription', f);
  assert.equal(r.status, 429);
  assert.ok(r.headers.get('retry-after'));
  assert.match(r.text, /Trop de demandes/);
});

// ==== Password change ====

test('password change: wrong current password, mismatch; success ends the other sessions', async () => {
  const c = webClient(srv);
  const other = webClient(srv);
  await c.signIn(PW_USER);
  await other.signIn(PW_USER);
  const form = await c.get('/compte/mot-de-passe');
  assertHtmlPage(form);
  assert.match(form.text, /<label for="f-current">Mot de passe actuel/);
  let r = await c.post('/compte/mot-de-passe', { current: 'pas le bon mot de passe', password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
  assert.equal(r.status, 422);
  assert.match(r.text, /href="#f-current">Le mot de passe actuel est incorrect/);
  r = await c.post('/compte/mot-de-passe', { current: TEST_PASSWORD, password: NEW_PASSWORD, confirmation: 'autre chose encore' });
  assert.equal(r.status, 422);
  assert.match(r.text, /href="#f-confirmation">/);
  r = await c.post('/compte/mot-de-passe', { current: TEST_PASSWORD, password: 'court', confirmation: 'court' });
  assert.match(r.text, /href="#f-password">Le mot de passe doit compter au moins 12/);
  r = await c.post('/compte/mot-de-passe', { current: TEST_PASSWORD, password: TEST_PASSWORD, confirmation: TEST_PASSWORD });
  assert.match(r.text, /doit différer de l(?:'|&#39;)actuel/);
  r = await c.post('/compte/mot-de-passe', { current: TEST_PASSWORD, password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.location, '/compte');
  const mine = await c.get('/compte');
  assert.equal(mine.status, 200, 'this session stays');
  assert.match(mine.text, /Votre mot de passe est changé/);
  const gone = await other.get('/compte');
  assert.equal(gone.status, 303, 'the other session is ended');
  assert.match(gone.location, /^\/connexion/);
  await webClient(srv).signIn(PW_USER, NEW_PASSWORD);
});

// ==== Password reset ====

test('password reset: same answer for unknown addresses; one-time link; sessions ended', async () => {
  const old = webClient(srv);
  await old.signIn(RESET_USER);
  const c = webClient(srv);
  const form = await c.get('/mot-de-passe-oublie');
  assertHtmlPage(form);
  let r = await c.post('/mot-de-passe-oublie', { email: '' });
  assert.equal(r.status, 422);
  assert.match(r.text, /href="#f-email">Indiquez votre adresse électronique/);
  r = await c.post('/mot-de-passe-oublie', { email: 'inconnu@example.fr' });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/connexion');
  assert.equal(outbox('inconnu@example.fr').trim(), '', 'nothing for an unknown address');
  r = await c.post('/mot-de-passe-oublie', { email: RESET_USER });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/connexion');
  assert.match((await c.get('/connexion')).text, /Si un compte existe pour cette adresse/);
  assert.match(outbox(RESET_USER, 1), /valable|dans l(?:'|&#39;)heure/);
  const tok = linkToken(RESET_USER, '/reinitialisation');
  const page = await c.get(`/reinitialisation?jeton=${tok}`);
  assertHtmlPage(page);
  assert.match(page.text, new RegExp(`name="jeton" value="${tok}"`));
  r = await c.post('/reinitialisation', { jeton: tok, password: NEW_PASSWORD, confirmation: 'pas pareil du tout' });
  assert.equal(r.status, 422);
  assert.match(r.text, /href="#f-confirmation">Les deux mots de passe ne sont pas identiques/);
  r = await c.post('/reinitialisation', { jeton: tok, password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.location, '/connexion');
  assert.match((await c.get('/connexion')).text, /Votre mot de passe est réinitialisé/);
  // old sessions ended, new password works, the old one not
  assert.equal((await old.get('/compte')).status, 303);
  await webClient(srv).signIn(RESET_USER, NEW_PASSWORD);
  const d = webClient(srv);
  await d.get('/connexion');
  assert.equal((await d.post('/connexion', { email: RESET_USER, password: TEST_PASSWORD })).status, 422);
  // one-time
  assert.equal((await c.get(`/reinitialisation?jeton=${tok}`)).status, 410);
  r = await c.post('/reinitialisation', { jeton: tok, password: TEST_PASSWORD, confirmation: TEST_PASSWORD });
  assert.equal(r.status, 410);
  assert.match(r.text, /Demander un nouveau lien/);
  // unknown and malformed
  assert.equal((await c.get(`/reinitialisation?jeton=${'B'.repeat(43)}`)).status, 410);
  assert.equal((await c.get('/reinitialisation?jeton=court')).status, 400);
  assert.equal((await c.post('/reinitialisation', { password: NEW_PASSWORD, confirmation: NEW_PASSWORD })).status, 400);
});

test('password reset: throttled per address e-mail (3 an hour)', async () => {
  const c = webClient(srv);
  await c.get('/mot-de-passe-oublie');
  const email = 'throttle-reset@example.fr';
  for (let i = 0; i < 3; i++) assert.equal((await c.post('/mot-de-passe-oublie', { email })).status, 303);
  const r = await c.post('/mot-de-passe-oublie', { email: email.toUpperCase() });
  assert.equal(r.status, 429);
  assert.ok(r.headers.get('retry-after'));
});

// ==== My account, my data, deletion ====

test('my account needs a session', async () => {
  const c = webClient(srv);
  for (const p of ['/compte', '/compte/mot-de-passe', '/compte/donnees', '/compte/supprimer', '/compte/rejoindre']) {
    const r = await c.get(p);
    assert.equal(r.status, 303, p);
    assert.match(r.location, /^\/connexion\?retour=/);
  }
  await c.get('/connexion');
  const r = await c.post('/compte/supprimer', { password: TEST_PASSWORD });
  assert.equal(r.status, 401);
});

test('my data: a JSON download without password hash nor tokens', async () => {
  const c = webClient(srv);
  await c.signIn(AGENT);
  const r = await c.get('/compte/donnees');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="mes-donnees-iat\.json"/);
  const d = JSON.parse(r.text);
  assert.equal(d.account.email, AGENT);
  assert.equal(d.account.role, 'agent');
  assert.ok(!('password_hash' in d.account));
  assert.deepEqual(d.memberships.map((m) => [m.organisation, m.role]), [[BDX, 'agent']]);
  assert.ok(d.sessions.length >= 1);
  for (const s of d.sessions) assert.deepEqual(Object.keys(s).sort(), ['address', 'created', 'expires', 'last_seen']);
  assert.ok(Array.isArray(d.join_requests));
  assert.ok(d.audit.some((a) => a.action === 'user.add'), 'audit entries about the account');
  assert.doesNotMatch(r.text, /argon2/);
  assert.ok(!r.text.includes(c.jar.get('iat_session')), 'no session token');
  assert.ok(!r.text.includes(c.csrf), 'no CSRF token');
});

test('account deletion: password required; the account is anonymised and signed out', async () => {
  const c = webClient(srv);
  await c.signIn(DEL_USER);
  const page = await c.get('/compte/supprimer');
  assertHtmlPage(page);
  assert.match(page.text, /télécharger vos données/);
  let r = await c.post('/compte/supprimer', { password: 'pas le bon mot de passe' });
  assert.equal(r.status, 422);
  assert.match(r.text, /Le mot de passe actuel est incorrect/);
  r = await c.post('/compte/supprimer', {});
  assert.equal(r.status, 422);
  r = await c.post('/compte/supprimer', { password: TEST_PASSWORD });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.location, '/');
  assert.ok(!c.jar.get('iat_session'), 'cookie removed');
  assert.match((await c.get('/')).text, /Votre compte est supprimé/);
  assert.equal((await c.get('/compte')).status, 303);
  const d = webClient(srv);
  await d.get('/connexion');
  assert.equal((await d.post('/connexion', { email: DEL_USER, password: TEST_PASSWORD })).status, 422);
  assert.equal(outbox(DEL_USER).trim(), '');
  // the address is free again: signing up sends an activation link
  await d.get('/inscription');
  r = await d.post('/inscription', { email: DEL_USER, password: TEST_PASSWORD, confirmation: TEST_PASSWORD });
  assert.equal(r.status, 303);
  assert.match(outbox(DEL_USER, 1), /inscription\/confirmer\?jeton=/);
});

// ==== Memberships ====

test('join request → the referent accepts → the person is an agent', async () => {
  const j = webClient(srvM);
  await j.signIn(JOINER);
  assert.doesNotMatch((await j.get('/')).text, /Mon organisation/);
  let r = await j.get('/compte/rejoindre?q=' + encodeURIComponent('Bordeaux Métropole'));
  assertHtmlPage(r);
  assert.match(r.text, new RegExp(`action="/organisations/${BDX}/adhesion"`));
  assert.match(r.text, /<label for="f-message-1">/);
  r = await j.get('/compte/rejoindre?q=243300316');
  assert.match(r.text, /Bordeaux Métropole/);
  r = await j.get('/compte/rejoindre?q=' + 'x'.repeat(101));
  assert.equal(r.status, 422);
  r = await j.get('/compte/rejoindre?q=zzzzqqqq');
  assert.match(r.text, /Aucune organisation ne correspond/);
  // non-member: no member list
  r = await j.get(`/organisations/${BDX}/membres`);
  assert.equal(r.status, 403);
  // too long a message
  r = await j.post(`/organisations/${BDX}/adhesion`, { message: 'é'.repeat(501) });
  assert.equal(r.status, 422);
  assert.match(r.text, /Le message dépasse 500 caractères/);
  r = await j.post(`/organisations/nope-0/adhesion`, { message: '' });
  assert.equal(r.status, 404);
  r = await j.post(`/organisations/${BDX}/adhesion`, { message: 'Service <numérique> & données' });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.location, '/compte');
  const acct = await j.get('/compte');
  assert.match(acct.text, /Votre demande d(?:'|&#39;)adhésion est envoyée aux référents/);
  assert.match(acct.text, /Mes demandes d(?:'|&#39;)adhésion en attente/);
  r = await j.post(`/organisations/${BDX}/adhesion`, {});
  assert.equal(r.status, 409, 'one pending request per organisation');
  const msg = outbox(REF, 1);
  assert.match(msg, /Objet : Demande d(?:'|&#39;)adhésion à Bordeaux Métropole/);
  assert.match(msg, /Service <numérique> & données/);
  assert.match(msg, new RegExp(`/organisations/${BDX}/membres`));

  // an agent sees the members but cannot decide
  const a = webClient(srvM);
  await a.signIn(AGENT);
  r = await a.get(`/organisations/${BDX}/membres`);
  assertHtmlPage(r);
  assert.match(r.text, new RegExp(REF.replace(/\./g, '\\.')));
  assert.doesNotMatch(r.text, /Accepter/);
  assert.doesNotMatch(r.text, /joiner@/);

  const ref = webClient(srvM);
  await ref.signIn(REF);
  r = await ref.get(`/organisations/${BDX}`);
  assert.match(r.text, /Membres de l(?:'|&#39;)organisation \(2\)/);
  assert.match(r.text, /1 demande en attente/);
  assert.doesNotMatch(r.text, /@bordeaux-metropole/, 'no e-mail on the organisation page');
  r = await ref.get(`/organisations/${BDX}/membres`);
  assertHtmlPage(r);
  assert.match(r.text, /Service &lt;numérique&gt; &amp; données/);
  const id = /\/adhesions\/(\d+)\/accepter/.exec(r.text)[1];
  const forbidden = await a.post(`/organisations/${BDX}/adhesions/${id}/accepter`, {});
  assert.equal(forbidden.status, 403, 'an agent cannot accept');
  r = await ref.post(`/organisations/${BDX}/adhesions/${id}/accepter`, {});
  assert.equal(r.status, 303, r.text);
  assert.equal(r.location, `/organisations/${BDX}/membres`);
  assert.match((await ref.get(r.location)).text, /joiner@bordeaux-metropole\.example\.fr/);
  assert.equal((await ref.post(`/organisations/${BDX}/adhesions/${id}/accepter`, {})).status, 409);
  assert.match(outbox(JOINER, 1), /Objet : Bienvenue dans Bordeaux Métropole/);
  // rights change at the next request
  const home = await j.get('/');
  assert.match(home.text, /Mon organisation/);
  assert.equal((await j.get(`/organisations/${BDX}/membres`)).status, 200);
  const acct2 = await j.get('/compte');
  assert.match(acct2.text, /Agent d(?:'|&#39;)une collectivité/);
  assert.match(acct2.text, new RegExp(`href="/organisations/${BDX}">Bordeaux Métropole</a></th><td>agent`));
});

test('join request to an organisation without referent; a curator refuses it', async () => {
  const u = webClient(srvM);
  await u.signIn(REFUSED);
  let r = await u.post(`/organisations/${LYON.key}/adhesion`, { message: '' });
  assert.equal(r.status, 303);
  assert.match((await u.get('/compte')).text, /n(?:'|&#39;)a pas encore de référent/);
  assert.match(outbox(CURATOR, 1), /Demande d(?:'|&#39;)adhésion à Lyon/);
  const cur = webClient(srvM);
  await cur.signIn(CURATOR);
  r = await cur.get(`/organisations/${LYON.key}/membres`);
  assertHtmlPage(r);
  assert.match(r.text, /Aucun référent/);
  assert.match(r.text, /refused@lyon\.example\.fr/);
  const id = /\/adhesions\/(\d+)\/refuser/.exec(r.text)[1];
  // a referent of another organisation cannot decide
  const ref = webClient(srvM);
  await ref.signIn(REF);
  assert.equal((await ref.post(`/organisations/${LYON.key}/adhesions/${id}/refuser`, {})).status, 403);
  // the request must belong to the organisation of the address
  assert.equal((await ref.post(`/organisations/${BDX}/adhesions/${id}/refuser`, {})).status, 404);
  r = await cur.post(`/organisations/${LYON.key}/adhesions/${id}/refuser`, {});
  assert.equal(r.status, 303);
  assert.match((await cur.get(r.location)).text, /La demande d(?:'|&#39;)adhésion est refusée/);
  assert.match(outbox(REFUSED, 1), /n(?:'|&#39;)a pas été acceptée/);
  assert.doesNotMatch((await u.get('/')).text, /Mon organisation/);
});

test('cancelling one\'s own join request (and not somebody else\'s)', async () => {
  const u = webClient(srvM);
  await u.signIn(CANCEL);
  await u.post(`/organisations/${BDX}/adhesion`, { message: 'à annuler' });
  const acct = await u.get('/compte');
  const id = /\/compte\/adhesions\/(\d+)\/annuler/.exec(acct.text)[1];
  const other = webClient(srvM);
  await other.signIn(REFUSED);
  assert.equal((await other.post(`/compte/adhesions/${id}/annuler`, {})).status, 404);
  let r = await u.post(`/compte/adhesions/${id}/annuler`, {});
  assert.equal(r.status, 303);
  assert.match((await u.get('/compte')).text, /Votre demande d(?:'|&#39;)adhésion est annulée/);
  assert.equal((await u.post(`/compte/adhesions/${id}/annuler`, {})).status, 404);
  assert.equal((await u.post(`/compte/adhesions/abc/annuler`, {})).status, 404);
});

test('roles: the last referent cannot demote or remove themselves; a curator can manage', async () => {
  const ref = webClient(srvM);
  await ref.signIn(REF);
  let r = await ref.get(`/organisations/${BDX}/membres`);
  const refId = memberId(r.text, REF);
  const agentId = memberId(r.text, AGENT);
  r = await ref.post(`/organisations/${BDX}/membres/${refId}/role`, { role: 'agent' });
  assert.equal(r.status, 409);
  assert.match(r.text, /dernier référent/);
  r = await ref.post(`/organisations/${BDX}/membres/${refId}/retirer`, {});
  assert.equal(r.status, 409);
  r = await ref.post(`/organisations/${BDX}/membres/${agentId}/role`, { role: 'chef' });
  assert.equal(r.status, 422);
  r = await ref.post(`/organisations/${BDX}/membres/${agentId}/role`, {});
  assert.equal(r.status, 422);
  r = await ref.post(`/organisations/${BDX}/membres/999999/role`, { role: 'agent' });
  assert.equal(r.status, 404);
  // the deletion page warns the last referent
  assert.match((await ref.get('/compte/supprimer')).text, /dernier référent/);
  // an agent cannot change roles
  const a = webClient(srvM);
  await a.signIn(AGENT);
  assert.equal((await a.post(`/organisations/${BDX}/membres/${agentId}/role`, { role: 'referent' })).status, 403);
  assert.equal((await a.post(`/organisations/${BDX}/membres/${refId}/retirer`, {})).status, 403);
  // a curator promotes the agent
  const cur = webClient(srvM);
  await cur.signIn(CURATOR);
  r = await cur.post(`/organisations/${BDX}/membres/${agentId}/role`, { role: 'referent' });
  assert.equal(r.status, 303, r.text);
  r = await a.get(`/organisations/${BDX}/membres`);
  assert.match(r.text, /Changer le rôle/, 'the new referent manages members at the next request');
  // now the first referent may step down, then be removed by the new one
  r = await ref.post(`/organisations/${BDX}/membres/${refId}/role`, { role: 'agent' });
  assert.equal(r.status, 303);
  assert.equal((await ref.get(`/organisations/${BDX}/membres`)).text.includes('Changer le rôle'), false);
  r = await a.post(`/organisations/${BDX}/membres/${refId}/retirer`, {});
  assert.equal(r.status, 303);
  assert.match((await a.get(r.location)).text, /Le membre est retiré/);
  assert.equal((await ref.get(`/organisations/${BDX}/membres`)).status, 403);
  assert.doesNotMatch((await ref.get('/')).text, /Mon organisation/);
  // the curator puts things back
  r = await cur.get(`/compte/rejoindre?q=${BORDEAUX_METROPOLE.siren}`);
  assert.equal(r.status, 200);
});

test('the organisation page: a join button for signed-in non-members, nothing for visitors', async () => {
  const anon = webClient(srvM);
  let r = await anon.get(`/organisations/${BDX}`);
  assert.doesNotMatch(r.text, /Membres de l(?:'|&#39;)organisation|Demander à rejoindre/);
  const u = webClient(srvM);
  await u.signIn(REFUSED);
  r = await u.get(`/organisations/${BDX}`);
  assert.match(r.text, new RegExp(`action="/organisations/${BDX}/adhesion"`));
  assert.doesNotMatch(r.text, /Membres de l(?:'|&#39;)organisation/);
});

test('audit entries for every change', async () => {
  const c = webClient(srvM);
  await c.signIn(JOINER);
  const d = JSON.parse((await c.get('/compte/donnees')).text);
  const actions = d.audit.map((a) => a.action);
  for (const a of ['membership.request', 'membership.accept']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  assert.ok(d.audit.every((a) => a.target === BDX || a.target === JOINER || /^user:/.test(a.target)));
  assert.equal(d.join_requests[0].state, 'accepted');
});

test('names and messages are escaped on the members page', async () => {
  const u = webClient(srvM);
  await u.signIn(NEW_USER);
  const r0 = await u.post(`/organisations/${LYON.key}/adhesion`, { message: '<img src=x onerror=alert(1)>' });
  assert.equal(r0.status, 303);
  const cur = webClient(srvM);
  await cur.signIn(CURATOR);
  let r = await cur.get(`/organisations/${LYON.key}/membres`);
  assert.match(r.text, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; O&#39;Brien/);
  assert.match(r.text, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.doesNotMatch(r.text, /<script>alert|<img src=x/);
  const id = /\/adhesions\/(\d+)\/accepter/.exec(r.text)[1];
  assert.equal((await cur.post(`/organisations/${LYON.key}/adhesions/${id}/accepter`, {})).status, 303);
  r = await cur.get(`/organisations/${LYON.key}/membres`);
  assert.match(r.text, /<th scope="row">&lt;script&gt;alert/);
  assert.doesNotMatch(r.text, /<script>alert/);
  // the public organisation page shows neither names nor e-mails
  const pub = await webClient(srvM).get(`/organisations/${LYON.key}`);
  assert.doesNotMatch(pub.text, /nouvelle@example|O&#39;Brien/);
});

// ==== iat outbox ====

test('iat outbox: newest first, --to, --limit, misuse', () => {
  const dir = makeTempDir();
  const db = path.join(dir, 'empty.db');
  initDb(db);
  const empty = iat(['outbox', '--db', db]);
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, '');
  assert.match(empty.stderr, /aucun message/);
  assert.equal(iat(['outbox', '--db', db, '--limit', '0']).code, 2);
  assert.equal(iat(['outbox', '--db', db, '--limit', 'abc']).code, 2);
  assert.equal(iat(['outbox', '--db', db, 'extra']).code, 2);
  assert.equal(iat(['outbox', '--help']).code, 0);
  const all = iatOk(['outbox', '--db', env.db, '--limit', '10000']);
  const heads = all.split('\n').filter((l) => l.startsWith('=== '));
  assert.ok(heads.length > 5);
  const dates = heads.map((l) => l.slice(4, 24));
  assert.deepEqual([...dates].sort().reverse(), dates, 'newest first');
  const two = iatOk(['outbox', '--db', env.db, '--limit', '2']);
  assert.equal(two.split('\n').filter((l) => l.startsWith('=== ')).length, 2);
  const one = iatOk(['outbox', '--db', env.db, '--to', REF.toUpperCase()]);
  assert.ok(one.split('\n').filter((l) => l.startsWith('=== ')).every((l) => l.includes(`à : ${REF}`)));
  assert.match(iatOk(['--help']), /outbox/);
});
