// pages.test.mjs — the server-rendered French HTML pages: home, search
// (text and facets), record, organisation, accessibility, static files,
// redirects to canonical addresses, error pages, HEAD and ETags.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import {
  reviveServer,
  BORDEAUX_METROPOLE,
  assertHtmlPage,
  createRecord,
  h1Text,
  htmlEscape,
  htmlUnescape,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
} from './lib.mjs';

let env;
let srv;
let records; // all public records (API list)

before(async () => {
  env = setupLibrary({ accounts: { refBdx: ['referent@bordeaux-metropole.example.fr', 'referent', '243300316'] } });
  srv = await startServer(env.db);
  records = (await srv.request('GET', '/api/v1/usecases?per_page=100')).json.data;
});

after(async () => {
  if (srv) await srv.stop();
});

// a crash fails the test that caused it; later tests get a new server
const crashes = [];
beforeEach(async () => {
  srv = await reviveServer(srv, () => startServer(env.db), crashes);
});

const get = (p, o) => srv.request('GET', p, o);
const byTitle = (t) => records.find((r) => r.title === t);

/** hrefs of the hit list of a page */
function hitLinks(html) {
  const m = /<ol class="hits">([\s\S]*?)<\/ol>/.exec(html);
  if (!m) return [];
  return [...m[1].matchAll(/<h[2-6] class="hit-title"><a href="([^"]+)"/g)].map((x) => htmlUnescape(x[1]));
}

test('GET /: the home page', async () => {
  const r = await get('/');
  assertHtmlPage(r);
  assert.match(r.text, /<title>[^<]*— IA·T<\/title>/);
  assert.match(r.text, /<main id="contenu"/);
  assert.match(r.text, /href="#contenu"/, 'skip link');
  assert.match(r.text, /<form[^>]*action="\/recherche"/);
  assert.match(r.text, /23<\/strong> fiches publiées/);
  // the latest records (by update), linked to their canonical pages
  const latest = (await get('/api/v1/usecases?per_page=10')).json.data;
  const links = hitLinks(r.text);
  assert.deepEqual(links, latest.map((x) => x.url));
  for (const x of latest) assert.ok(r.text.includes(htmlEscape(x.title)), `title ${x.title}`);
  // themes with their counts link to the search
  assert.match(r.text, /href="\/recherche\?theme=ecological_transition"/);
  assert.match(r.text, /Transition écologique <span class="count">13 fiches<\/span>/);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
});

test('GET /recherche?q=: results for a text, with the query kept in the form', async () => {
  const r = await get(`/recherche?q=${encodeURIComponent('fuites d’eau')}`);
  assertHtmlPage(r);
  assert.equal(h1Text(r.text).trim(), 'Rechercher dans la bibliothèque');
  assert.match(r.text, /<input type="search" id="q" name="q"[^>]*value="fuites d’eau"/);
  const api = (await get(`/api/v1/usecases?q=${encodeURIComponent('fuites d’eau')}`)).json;
  assert.ok(api.meta.total > 0);
  assert.deepEqual(hitLinks(r.text), api.data.map((x) => x.url), 'same hits, same order as the API');
  assert.match(r.text, /<mark>/i, 'matches highlighted');
  assert.ok(r.text.includes('Expérimentation IA pour la détection des fuites d&#39;eau'), 'the record title');
  const none = await get('/recherche?q=zzzqqqxxx');
  assertHtmlPage(none);
  assert.deepEqual(hitLinks(none.text), []);
  assert.match(none.text, /[Aa]ucune fiche/);
});

test('GET /recherche with facets: same results as the API, filters shown', async () => {
  for (const qs of ['theme=administration&status=ended', 'status=experiment&status=deployed', 'region=76', 'org_kind=commune',
    'departement=69', 'population_band=gt_100000&sort=updated', `owner=${BORDEAUX_METROPOLE.key}`]) {
    const r = await get(`/recherche?${qs}`);
    assertHtmlPage(r);
    const api = (await get(`/api/v1/usecases?${qs}`)).json;
    assert.deepEqual(hitLinks(r.text), api.data.map((x) => x.url), qs);
    const n = api.meta.total;
    assert.match(r.text, new RegExp(`<h2 id="titre-resultats">${n} fiches?`), `${qs}: count ${n}`);
  }
  const r = await get('/recherche?theme=administration&status=ended');
  assert.match(r.text, /aria-current="true"/, 'active filters marked');
  assert.match(r.text, /retirer/i, 'a link to remove a filter');
  // pagination: 23 records, 20 per page
  const p1 = await get('/recherche');
  assert.equal(hitLinks(p1.text).length, 20);
  assert.match(p1.text, /<nav[^>]*aria-label="Pagination"/);
  const p2 = await get('/recherche?page=2');
  assertHtmlPage(p2);
  assert.equal(hitLinks(p2.text).length, 3);
});

test('GET /recherche with bad parameters: a French 400 page', async () => {
  for (const qs of ['theme=nope', 'foo=1', 'page=0', 'q=%zz', 'sort=bad', `q=${'a'.repeat(201)}`]) {
    const r = await get(`/recherche?${qs}`);
    assertHtmlPage(r, 400);
    assert.match(r.text, /Erreur 400/);
  }
});

test('GET /fiches/{id}-{slug}: the record page', async () => {
  const x = byTitle('Stacoptim');
  const r = await get(x.url);
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Stacoptim');
  assert.match(r.text, /<title>Stacoptim — IA·T<\/title>/);
  assert.match(r.text, /<a href="\/organisations\/epci-243300316">Bordeaux Métropole<\/a>/);
  assert.match(r.text, /En expérimentation/);
  assert.match(r.text, /Transition écologique/);
  for (const p of ['DRYAS', 'Kocliko', 'Domofrance', 'ENERLAB']) assert.ok(r.text.includes(`<li>${p}</li>`), p);
  assert.match(r.text, /<time datetime="2024-01">janvier 2024<\/time>/, 'start date in French');
  assert.match(r.text, /href="\/api\/v1\/usecases\/\d+"/, 'link to the JSON');
  assert.match(r.text, /Origine de la fiche/, 'provenance');
  // the record with the embedded new lines in its CSV title
  const s = records.find((y) => y.title.startsWith('Expérimentation IA pour la détection'));
  const rs = await get(s.url);
  assertHtmlPage(rs);
  assert.equal(htmlUnescape(h1Text(rs.text)), s.title);
});

test('GET /fiches/{id}-{slug}: coordinates shown as stored, with a French decimal comma', async () => {
  const x = byTitle('Stacoptim');
  const api = (await get(`/api/v1/usecases/${x.id}`)).json.data;
  assert.equal(api.latitude, 44.8380737);
  const r = await get(x.url);
  const lat = /<div class="field field-latitude">\s*<dt>[^<]*<\/dt>\s*<dd>([^<]*)<\/dd>/.exec(r.text);
  const lon = /<div class="field field-longitude">\s*<dt>[^<]*<\/dt>\s*<dd>([^<]*)<\/dd>/.exec(r.text);
  assert.ok(lat && lon, 'latitude and longitude shown');
  assert.equal(lon[1], '-0,5844559');
  assert.equal(lat[1], '44,8380737', 'the page must not drop digits of the stored latitude 44.8380737');
});

test('GET /fiches/{id}: 301 to the canonical address', async () => {
  const x = byTitle('Stacoptim');
  const id = x.id;
  for (const p of [`/fiches/${id}`, `/fiches/${id}-wrong-slug`, `/fiches/0${id}-${x.slug}`, `/fiches/${id}-`, `/fiches/00${id}`]) {
    const r = await get(p);
    assert.equal(r.status, 301, `${p}: ${r.status}`);
    assert.equal(r.headers.get('location'), x.url, p);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  }
  const r = await get(x.url);
  assert.equal(r.status, 200, 'the canonical address is not redirected');
  // a slug change (title edit) keeps the old address working through a redirect
  const d = await createRecord(srv, env.tokens.refBdx, validRecord({ title: 'Ancien titre du projet', state: 'published' }));
  const p = await srv.request('PATCH', `/api/v1/usecases/${d.id}`, { token: env.tokens.refBdx, json: { title: 'Nouveau titre du projet' } });
  assert.equal(p.status, 200);
  assert.equal(p.json.data.slug, 'nouveau-titre-du-projet');
  const old = await get(d.url);
  assert.equal(old.status, 301);
  assert.equal(old.headers.get('location'), `/fiches/${d.id}-nouveau-titre-du-projet`);
});

test('GET /organisations/{key}: the organisation page, other key forms redirect', async () => {
  const r = await get(`/organisations/${BORDEAUX_METROPOLE.key}`);
  assertHtmlPage(r);
  assert.equal(h1Text(r.text), 'Bordeaux Métropole');
  const api = (await get(`/api/v1/organisations/${BORDEAUX_METROPOLE.key}`)).json;
  assert.deepEqual(hitLinks(r.text), api.data.usecases.map((u) => u.url));
  assert.ok(hitLinks(r.text).includes(byTitle('Stacoptim').url));
  assert.match(r.text, /243\u00a0300\u00a0316|243 300 316/, 'SIREN grouped');
  for (const [key, canon] of [['243300316', 'epci-243300316'], ['69123', 'commune-69123'], ['216901231', 'commune-69123'], ['69', 'departement-69']]) {
    const x = await get(`/organisations/${key}`);
    assert.equal(x.status, 301, key);
    assert.equal(x.headers.get('location'), `/organisations/${canon}`);
  }
  const lyon = await get('/organisations/commune-69123');
  assertHtmlPage(lyon);
  assert.equal(h1Text(lyon.text), 'Lyon');
  const lm = await get('/organisations/epci-200046977');
  assertHtmlPage(lm);
  assert.equal(hitLinks(lm.text).length, 3);
  for (const qs of ['page=0', 'page=abc', 'foo=1']) assertHtmlPage(await get(`/organisations/${BORDEAUX_METROPOLE.key}?${qs}`), 400);
});

test('GET /accessibilite: the accessibility statement', async () => {
  const r = await get('/accessibilite');
  assertHtmlPage(r);
  assert.match(h1Text(r.text), /[Aa]ccessibilité/);
  assert.match(r.text, /non conforme/);
  assert.match(r.text, /RGAA/);
});

test('GET /static/iat.css: the stylesheet, cacheable, linked from every page', async () => {
  const r = await get('/static/iat.css');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.match(r.headers.get('cache-control') || '', /max-age=\d+/);
  assert.ok(r.text.length > 100);
  const home = await get('/');
  const href = /<link rel="stylesheet" href="([^"]+)"/.exec(home.text)[1];
  assert.match(href, /^\/static\/iat\.css\?v=[0-9a-f]+$/);
  const v = await get(htmlUnescape(href));
  assert.equal(v.status, 200);
  assert.equal(v.text, r.text);
  for (const p of ['/static/nope.css', '/static/0001_init.sql', '/static/../src/main.c', '/static/.hidden.css', '/static/iat.css.map']) {
    const n = await get(p);
    assert.equal(n.status, 404, p);
  }
  const icon = /<link rel="icon" href="([^"]+)"/.exec(home.text);
  if (icon) {
    const i = await get(htmlUnescape(icon[1]));
    assert.equal(i.status, 200, `icon ${icon[1]}`);
  }
});

test('404 pages are French HTML pages', async () => {
  for (const p of ['/fiches/999999', '/fiches/999999-inconnue', '/fiches/abc', '/fiches/-1', '/nope', '/organisations/commune-00000',
    '/organisations/nobody', '/recherche/x', '/fiches/']) {
    const r = await get(p);
    assertHtmlPage(r, 404);
    assert.match(r.text, /Erreur 404/);
    assert.match(r.text, /introuvable|n'existe pas|n&#39;existe pas/);
    assert.match(r.text, /<title>[^<]*introuvable[^<]*— IA·T<\/title>/i, `${p}: French title`);
    assert.equal(r.headers.get('etag'), null, 'no ETag on errors');
  }
});

test('HEAD works like GET without a body', async () => {
  const x = byTitle('Stacoptim');
  for (const [p, status] of [['/', 200], [x.url, 200], ['/recherche?q=eau', 200], ['/accessibilite', 200], ['/static/iat.css', 200],
    ['/nope', 404], [`/fiches/${x.id}`, 301], ['/api/v1/usecases/1', 200]]) {
    const g = await get(p);
    const h = await srv.request('HEAD', p);
    assert.equal(h.status, status, `HEAD ${p}`);
    assert.equal(h.buffer.length, 0, `HEAD ${p}: no body`);
    assert.equal(h.headers.get('content-type'), g.headers.get('content-type'));
    if (status === 200) {
      assert.equal(h.headers.get('etag'), g.headers.get('etag'), `HEAD ${p}: same ETag`);
      const cl = h.headers.get('content-length');
      if (cl !== null) assert.equal(Number(cl), g.buffer.length, `HEAD ${p}: Content-Length`);
    }
  }
});

test('pages: ETag and 304, 405 with Allow', async () => {
  for (const p of ['/', '/recherche?q=eau', byTitle('Stacoptim').url, '/organisations/epci-243300316', '/static/iat.css']) {
    const r = await get(p);
    const etag = r.headers.get('etag');
    assert.ok(etag, `${p}: ETag`);
    const nm = await get(p, { headers: { 'If-None-Match': etag } });
    assert.equal(nm.status, 304, p);
  }
  for (const m of ['POST', 'DELETE', 'PUT']) {
    const r = await srv.request(m, '/');
    assertHtmlPage(r, 405);
    assert.match(r.headers.get('allow') || '', /GET/);
  }
});

test('the server stops cleanly on SIGTERM (exit 0, no sanitizer report), and never crashed', async () => {
  await stopServerClean(srv);
  assert.deepEqual(crashes, [], `the server crashed ${crashes.length} time(s):\n\n${crashes.join('\n\n')}`);
});
