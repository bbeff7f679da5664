// session.test.mjs — web sessions: sign-in and sign-out, cookie flags,
// CSRF on form posts, throttling of sign-in attempts, form parsing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  TEST_PASSWORD,
  createWebAccount,
  h1Text,
  iat,
  makeTempDir,
  setupLibrary,
  startServer,
  stopServerClean,
  webClient,
  BORDEAUX_METROPOLE,
} from './lib.mjs';

let env;
let srv;
const AGENT = 'agent.web@bordeaux-metropole.example.fr';

before(async () => {
  env = setupLibrary({ csv: null, accounts: {} });
  createWebAccount(env.db, AGENT, 'agent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, 'throttle@example.fr', 'citizen', null);
  srv = await startServer(env.db);
});
after(async () => {
  await stopServerClean(srv);
});

test('sign-in form: labelled fields, CSRF field and cookie', async () => {
  const c = webClient(srv);
  const r = await c.get('/connexion');
  assert.equal(r.status, 200);
  assert.equal(h1Text(r.text), 'Se connecter');
  assert.match(r.text, /<label for="f-email">Adresse électronique/);
  assert.match(r.text, /<label for="f-password">Mot de passe/);
  assert.ok(c.csrf, 'a csrf field');
  const sc = r.headers.getSetCookie().find((x) => x.startsWith('iat_csrf='));
  assert.ok(sc, 'the double-submit cookie is set');
  assert.match(sc, /HttpOnly/);
  assert.match(sc, /SameSite=Lax/);
  assert.doesNotMatch(sc, /Secure/, 'no Secure flag over plain http');
});

test('sign-in: success sets an HttpOnly session cookie, the header shows the account', async () => {
  const c = webClient(srv);
  await c.get('/connexion');
  const r = await c.post('/connexion', { email: AGENT.toUpperCase(), password: TEST_PASSWORD });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.location, '/compte');
  const sc = r.headers.getSetCookie().find((x) => x.startsWith('iat_session='));
  assert.ok(sc);
  assert.match(sc, /HttpOnly/);
  assert.match(sc, /SameSite=Lax/);
  assert.match(sc, /Path=\//);
  const home = await c.get('/');
  assert.match(home.text, /Vous êtes connecté/);
  assert.match(home.text, /Se déconnecter/);
  assert.match(home.text, /Mon organisation/);
  const again = await c.get('/');
  assert.doesNotMatch(again.text, /Vous êtes connecté/, 'the message is shown once');
});

test('sign-in: a wrong password and an unknown e-mail get the same message', async () => {
  const c = webClient(srv);
  await c.get('/connexion');
  const a = await c.post('/connexion', { email: AGENT, password: 'wrong password here' });
  const b = await c.post('/connexion', { email: 'nobody@example.fr', password: 'wrong password here' });
  assert.equal(a.status, 422);
  assert.equal(b.status, 422);
  const msg = /Adresse électronique ou mot de passe incorrect/;
  assert.match(a.text, msg);
  assert.match(b.text, msg);
  assert.match(a.text, /<title>Erreur : /);
  assert.match(a.text, /value="agent.web@bordeaux-metropole.example.fr"/, 'the e-mail is kept');
  assert.doesNotMatch(a.text, /wrong password here/, 'the password is never sent back');
});

test('sign-in: empty fields are named', async () => {
  const c = webClient(srv);
  await c.get('/connexion');
  const r = await c.post('/connexion', { email: '', password: '' });
  assert.equal(r.status, 422);
  assert.match(r.text, /href="#f-email">Indiquez votre adresse électronique/);
  assert.match(r.text, /href="#f-password">Indiquez votre mot de passe/);
  assert.match(r.text, /id="f-email"[^>]*aria-invalid="true"/);
});

test('sign-in: the return address is followed only when local', async () => {
  const c = webClient(srv);
  await c.get('/connexion?retour=%2Frecherche%3Fq%3Dtest');
  let r = await c.post('/connexion', { email: AGENT, password: TEST_PASSWORD, retour: '/recherche?q=test' });
  assert.equal(r.location, '/recherche?q=test');
  const d = webClient(srv);
  await d.get('/connexion');
  r = await d.post('/connexion', { email: AGENT, password: TEST_PASSWORD, retour: '//evil.example/x' });
  assert.equal(r.location, '/compte');
});

test('CSRF: a form post without the token, with a wrong one, or from another origin is refused', async () => {
  const c = webClient(srv);
  await c.get('/connexion');
  let r = await c.post('/connexion', { email: AGENT, password: TEST_PASSWORD }, { csrf: false });
  assert.equal(r.status, 403);
  assert.match(r.text, /formulaire a expiré/);
  r = await c.post('/connexion', { email: AGENT, password: TEST_PASSWORD }, { csrf: 'A'.repeat(43) });
  assert.equal(r.status, 403);
  r = await c.post('/connexion', { email: AGENT, password: TEST_PASSWORD }, { headers: { Origin: 'https://evil.example' } });
  assert.equal(r.status, 403);
  // signed in: the session's token is required, not the visitor cookie
  await c.signIn(AGENT);
  r = await c.post('/deconnexion', {}, { csrf: c.jar.get('iat_csrf') });
  assert.equal(r.status, 403);
  r = await c.signOut();
  assert.equal(r.status, 303);
});

test('form posts: wrong media type 415, malformed body 400', async () => {
  const c = webClient(srv);
  await c.get('/connexion');
  let r = await fetch(srv.base + '/connexion', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
    redirect: 'manual',
  });
  assert.equal(r.status, 415);
  r = await fetch(srv.base + '/connexion', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `iat_csrf=${c.jar.get('iat_csrf')}` },
    body: 'email=%zz&csrf=' + c.csrf,
    redirect: 'manual',
  });
  assert.equal(r.status, 400);
  r = await fetch(srv.base + '/connexion', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `iat_csrf=${c.jar.get('iat_csrf')}` },
    body: 'email=a%00b&csrf=' + c.csrf,
    redirect: 'manual',
  });
  assert.equal(r.status, 400, 'a NUL byte in a field');
});

test('sign-out ends the session on the server', async () => {
  const c = webClient(srv);
  await c.signIn(AGENT);
  const cookie = c.jar.get('iat_session');
  const r = await c.signOut();
  assert.equal(r.status, 303);
  assert.equal(c.jar.has('iat_session'), false, 'the cookie is deleted');
  // replaying the old cookie does not work
  const home = await fetch(srv.base + '/', { headers: { Cookie: `iat_session=${cookie}` } });
  const text = await home.text();
  assert.doesNotMatch(text, /Se déconnecter/);
  assert.match(home.headers.getSetCookie().join('\n'), /iat_session=x; .*Max-Age=0/);
});

test('sign-in attempts are throttled per account, without telling whether it exists', async () => {
  for (const email of ['throttle@example.fr', 'ghost@example.fr']) {
    const c = webClient(srv);
    await c.get('/connexion');
    let r;
    for (let i = 0; i < 5; i++) {
      r = await c.post('/connexion', { email, password: 'not the password' });
      assert.equal(r.status, 422);
    }
    r = await c.post('/connexion', { email, password: TEST_PASSWORD });
    assert.equal(r.status, 429, `${email}: locked after 5 attempts, even with the right password`);
    assert.match(r.text, /Trop de tentatives de connexion/);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  }
});

test('Secure cookies when the base URL is https', async () => {
  const s2 = await startServer(env.db, ['--base-url', 'https://iat.example.fr']);
  try {
    const c = webClient(s2);
    const r = await c.get('/connexion');
    assert.match(r.headers.getSetCookie().join('\n'), /iat_csrf=[^;]+;.*Secure/);
  } finally {
    await stopServerClean(s2);
  }
});

test('CLI: user add --password-stdin checks the password', () => {
  const dir = makeTempDir();
  const r = iat(['user', 'add', '--db', env.db, 'short@example.fr', '--role', 'citizen', '--password-stdin'], {
    input: 'court\n',
    cwd: dir,
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /au moins 12 caractères/);
});
