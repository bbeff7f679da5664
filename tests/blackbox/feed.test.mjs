// feed.test.mjs — the Atom feed of new and updated records
// (GET /flux/fiches.atom, page_feed.c): well-formed Atom with stable tag
// ids, newest first, public records only (never a draft), escaped text,
// per theme and per organisation, clear errors for bad parameters, and
// advertised in every page's <head>.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  createRecord,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
} from './lib.mjs';

let env;
let srv;
let fresh; // a record published by the test (the newest)
let draft;

before(async () => {
  env = setupLibrary();
  srv = await startServer(env.db);
  fresh = await createRecord(srv, env.tokens.refBdx, validRecord({
    title: 'Flux <script>alert(1)</script> & « guillemets »',
    summary: 'Résumé avec <b>balises</b> & esperluette.',
    theme: 'mobility',
    state: 'published',
  }));
  draft = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Brouillon du flux, jamais publié' }));
});

after(async () => {
  if (srv) await stopServerClean(srv);
});

/** The entries of an Atom document: [{id, title, updated, href, term}] (text unescaped). */
function entries(xml) {
  const un = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...xml.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => ({
    id: /<id>([^<]*)<\/id>/.exec(m[1])[1],
    title: un(/<title>([^<]*)<\/title>/.exec(m[1])[1]),
    updated: /<updated>([^<]*)<\/updated>/.exec(m[1])[1],
    href: /<link rel="alternate" type="text\/html" href="([^"]*)"\/>/.exec(m[1])[1],
    term: (/<category term="([^"]*)"/.exec(m[1]) || [])[1],
    raw: m[1],
  }));
}

async function feed(q = '') {
  const r = await srv.request('GET', `/flux/fiches.atom${q}`);
  return r;
}

test('the whole feed: Atom 1.0, newest first, tag ids, public records only', async () => {
  const r = await feed();
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
  assert.match(r.text, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom" xml:lang="fr">/);
  assert.match(r.text, /<id>tag:iat\.territoires\.fr,2026:flux\/fiches<\/id>/);
  assert.match(r.text, /<link rel="self" type="application\/atom\+xml" href="\/flux\/fiches\.atom"\/>/);
  const e = entries(r.text);
  const api = (await srv.request('GET', '/api/v1/usecases?per_page=1')).json.meta.total;
  assert.equal(e.length, Math.min(50, api), 'every public record, at most 50');
  assert.equal(e[0].id, `tag:iat.territoires.fr,2026:fiches/${fresh.id}`, 'the newest first');
  assert.equal(e[0].href, fresh.url);
  for (let i = 1; i < e.length; i++) assert.ok(e[i - 1].updated >= e[i].updated, 'newest first');
  for (const x of e) {
    assert.match(x.id, /^tag:iat\.territoires\.fr,2026:fiches\/\d+$/);
    assert.match(x.updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  assert.ok(!r.text.includes('Brouillon du flux'), 'a draft never appears');
  assert.ok(!e.some((x) => x.id.endsWith(`/${draft.id}`)));
  // the feed's own date is its newest entry's
  assert.equal(/<feed[^>]*>[\s\S]*?<updated>([^<]*)<\/updated>/.exec(r.text)[1], e[0].updated);
});

test('text is escaped: markup in a title or summary stays text', async () => {
  const r = await feed();
  assert.ok(!r.text.includes('<script>'), 'no raw markup');
  assert.ok(!r.text.includes('<b>'), 'no raw markup in the summary');
  assert.ok(r.text.includes('Flux &lt;script&gt;alert(1)&lt;/script&gt; &amp; « guillemets »'));
  const e = entries(r.text).find((x) => x.id.endsWith(`/${fresh.id}`));
  assert.equal(e.title, 'Flux <script>alert(1)</script> & « guillemets »');
  assert.match(e.raw, /<summary type="text">Résumé avec &lt;b&gt;balises&lt;\/b&gt; &amp; esperluette\.<\/summary>/);
});

test('per theme and per organisation; both; bad parameters', async () => {
  const t = await feed('?theme=mobility');
  assert.equal(t.status, 200);
  const te = entries(t.text);
  assert.ok(te.length >= 1);
  assert.ok(te.every((x) => x.term === 'mobility'), 'only the theme');
  assert.match(t.text, /<title>IA·T — fiches nouvelles et mises à jour — Mobilité<\/title>/);
  const o = await feed(`?organisation=${BORDEAUX_METROPOLE.siren}`);
  assert.equal(o.status, 200);
  const oe = entries(o.text);
  assert.ok(oe.some((x) => x.id.endsWith(`/${fresh.id}`)));
  const owned = (await srv.request('GET', `/api/v1/usecases?owner=${BORDEAUX_METROPOLE.key}&per_page=100`)).json.data.map((x) => x.id);
  assert.deepEqual(oe.map((x) => Number(x.id.split('/').pop())).sort(), owned.sort(), 'exactly the organisation\'s public records');
  assert.match(o.text, /<link rel="self" type="application\/atom\+xml" href="\/flux\/fiches\.atom\?organisation=epci-243300316"\/>/);
  const both = await feed(`?theme=mobility&organisation=${BORDEAUX_METROPOLE.key}`);
  assert.equal(both.status, 200);
  assert.ok(entries(both.text).every((x) => x.term === 'mobility'));
  assert.match(both.text, /href="\/flux\/fiches\.atom\?theme=mobility&amp;organisation=epci-243300316"/);
  const bad = await feed('?theme=nope');
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Thème inconnu/);
  const unknown = await feed('?organisation=commune-00000');
  assert.equal(unknown.status, 404);
  const extra = await feed('?foo=1');
  assert.equal(extra.status, 400, 'unknown parameters are refused like everywhere');
});

test('every page advertises the feed', async () => {
  const r = await srv.request('GET', '/');
  assert.match(r.text, /<link rel="alternate" type="application\/atom\+xml" title="Fiches nouvelles et mises à jour \(Atom\)" href="\/flux\/fiches\.atom">/);
});
