// discovery.test.mjs — issue 5 discovery: "territoires comme le mien"
// (GET /territoires-comme-le-mien, GET /api/v1/organisations/{key}/
// recommendations), similar records (record page section, GET
// /api/v1/usecases/{id}/similar), the impact_label facet and sort=evidence.
//
// Communes are picked from the reference data the library loads (by
// population), and their kind and band are checked through the API, so
// the test does not depend on a given year's populations.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  ORGS_DIR,
  assertApiError,
  assertHtmlPage,
  createRecord,
  createWebAccount,
  htmlEscape,
  setupLibrary,
  startServer,
  stopServerClean,
  webClient,
} from './lib.mjs';

let env;
let srv;
const C = {};      // communes: target (≈5 000 inhabitants), same1..3, small, big
const R = {};      // records
let token;         // curator: may write and publish for any organisation

const CURATOR = ['curator@observatoire.example.fr', 'curator', null];

function indicator(over = {}) {
  return {
    name: 'Temps de traitement des demandes',
    type: 'impact',
    unit: 'jours',
    baseline: { value: 12, date: '2025-01-06' },
    measurements: [{ value: 5, date: '2025-09-01' }],
    evidence: 'measured',
    method: 'Extraction mensuelle du logiciel de gestion des demandes.',
    visibility: 'public',
    ...over,
  };
}

async function api(p) {
  const r = await srv.request('GET', p);
  return r;
}

async function publish(owner, over = {}) {
  return createRecord(srv, token, {
    title: 'Fiche de découverte',
    summary: 'Une fiche publiée pour les tests de découverte.',
    owner,
    theme: 'ecological_transition',
    status: 'deployed',
    state: 'published',
    ...over,
  });
}

before(async () => {
  env = setupLibrary({ csv: null, accounts: { curator: CURATOR } });
  token = env.tokens.curator;
  const communes = JSON.parse(fs.readFileSync(path.join(ORGS_DIR, 'communes.json'), 'utf8'))
    .filter((c) => c.type === 'commune-actuelle' && c.population);
  const pick = (lo, hi, skip = 0) => {
    const c = communes.filter((x) => x.population >= lo && x.population < hi)[skip];
    assert.ok(c, `a commune of ${lo} to ${hi} inhabitants`);
    return { key: `commune-${c.code}`, name: c.nom, insee: c.code, population: c.population };
  };
  C.target = pick(4900, 5100);
  C.same1 = pick(3600, 19000, 0);
  C.same2 = pick(3600, 19000, 1);
  C.same3 = pick(3600, 19000, 2);
  C.small = pick(500, 3400);
  C.big = pick(21000, 90000);
  createWebAccount(env.db, 'agent@target.example.fr', 'agent', C.target.insee);
  srv = await startServer(env.db);

  R.own = await publish(C.target.key, { title: 'Compostage partagé de notre commune' });
  R.plain = await publish(C.same1.key, { title: 'Tri du courrier entrant', theme: 'administration' });
  R.evidence = await publish(C.same2.key, {
    title: 'Compostage collectif des biodéchets',
    summary: 'Compostage collectif des biodéchets des cantines avec collecte en quartier.',
    indicators: [indicator()],
  });
  R.tricky = await publish(C.same3.key, {
    title: 'Compost <b>pilote</b> & "quotes"',
    summary: 'Compostage et collecte des biodéchets en pied d’immeuble.',
  });
  R.smallRec = await publish(C.small.key, { title: 'Compostage dans un village' });
  R.bigRec = await publish(C.big.key, { title: 'Compostage dans une grande ville' });
  R.epci = await publish('epci-243300316', { title: 'Compostage métropolitain' });
  R.draft = await createRecord(srv, token, {
    title: 'Brouillon comparable', summary: 'Pas encore publié.', owner: C.same1.key,
    theme: 'ecological_transition', status: 'idea',
  });
  R.unrelated = await publish(C.same1.key, {
    title: 'Agent conversationnel de l’état civil',
    summary: 'Réponses automatiques aux questions sur les actes d’état civil.',
    theme: 'administration',
  });
});

after(async () => {
  await stopServerClean(srv);
});

// ==== "territoires comme le mien" ====

test('recommendations for a commune of 5,000 inhabitants: only communes of the 3 500–20 000 band, never its own', async () => {
  const org = (await api(`/api/v1/organisations/${C.target.key}`)).json.data.organisation;
  assert.equal(org.kind, 'commune');
  assert.equal(org.population_band, '3500_20000');
  const r = await api(`/api/v1/organisations/${C.target.key}/recommendations?per_page=50`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.meta.kind, 'commune');
  assert.equal(r.json.meta.band, '3500_20000');
  assert.equal(r.json.meta.organisation.id, C.target.key);
  const ids = r.json.data.map((x) => x.id);
  assert.equal(r.json.meta.total, r.json.data.length);
  // exactly the published records of the other communes of the band
  assert.deepEqual(new Set(ids), new Set([R.plain.id, R.evidence.id, R.tricky.id, R.unrelated.id]));
  for (const x of r.json.data) {
    assert.notEqual(x.owner.id, C.target.key, 'never the organisation\'s own records');
    const o = (await api(`/api/v1/organisations/${x.owner.id}`)).json.data.organisation;
    assert.equal(o.kind, 'commune', `${x.owner.id} kind`);
    assert.equal(o.population_band, '3500_20000', `${x.owner.id} band`);
    assert.ok(x.reasons.includes('same_kind_band'));
    assert.match(x.explanation, /^Commune de 3\u00a0500 à 20\u00a0000 habitants comme /);
    assert.ok(x.explanation.includes(C.target.name), x.explanation);
    assert.match(x.url, new RegExp(`^/fiches/${x.id}-`));
    assert.equal(typeof x.score, 'number');
  }
  // the other bands, the EPCI and the draft are not there
  for (const rec of [R.own, R.smallRec, R.bigRec, R.epci, R.draft]) assert.ok(!ids.includes(rec.id));
});

test('recommendations are ranked by evidence first and say why', async () => {
  const r = await api(`/api/v1/organisations/${C.target.key}/recommendations`);
  const data = r.json.data;
  assert.equal(data[0].id, R.evidence.id, 'measured impact first');
  assert.equal(data[0].evidence_level, 2);
  assert.ok(data[0].reasons.includes('evidence'));
  assert.match(data[0].explanation, / · impact mesuré par la collectivité/);
  assert.match(data[0].explanation, / · mise à jour en [a-zéû]+ \d{4}$/);
  for (let i = 1; i < data.length; i++) assert.ok(data[i - 1].score >= data[i].score, 'scores non-increasing');
  assert.ok(data[0].score > data[1].score);
});

test('recommendations: the theme filter keeps that theme only', async () => {
  const r = await api(`/api/v1/organisations/${C.target.key}/recommendations?theme=administration`);
  assert.equal(r.status, 200);
  assert.deepEqual(new Set(r.json.data.map((x) => x.id)), new Set([R.plain.id, R.unrelated.id]));
  assert.ok(r.json.data.every((x) => x.theme === 'administration' && x.reasons.includes('theme')));
  assertApiError(await api(`/api/v1/organisations/${C.target.key}/recommendations?theme=nope`), 400,
    'request.invalid_parameter', 'theme');
  assertApiError(await api(`/api/v1/organisations/${C.target.key}/recommendations?page=0`), 400,
    'request.invalid_parameter', 'page');
  assertApiError(await api('/api/v1/organisations/commune-00000/recommendations'), 404, 'resource.not_found');
});

test('recommendations rank reused records before others', async () => {
  const probe = await srv.request('POST', `/api/v1/usecases/${R.plain.id}/reuses`, {
    token,
    json: {
      owner: C.small.key, reuse_context: 'Nous reprenons ce tri du courrier.', title: 'Reprise du tri',
      status: 'experiment', state: 'published',
    },
  });
  assert.equal(probe.status, 201, probe.text);
  const r = await api(`/api/v1/organisations/${C.target.key}/recommendations`);
  const plain = r.json.data.find((x) => x.id === R.plain.id);
  assert.ok(plain.reuses >= 1);
  assert.ok(plain.reasons.includes('reused'));
  assert.match(plain.explanation, /réutilisée par 1 territoire/);
  const unrelated = r.json.data.find((x) => x.id === R.unrelated.id);
  assert.ok(r.json.data.indexOf(plain) < r.json.data.indexOf(unrelated), 'the reused record first');
});

test('GET /territoires-comme-le-mien: explanations, escaping, chooser, member default', async () => {
  const visitor = webClient(srv);
  const r = await visitor.get(`/territoires-comme-le-mien?organisation=${C.target.key}`);
  assertHtmlPage(r);
  assert.ok(r.text.includes(htmlEscape(R.tricky.title)), 'the title escaped');
  assert.ok(!r.text.includes('<b>pilote</b>'));
  const whys = [...r.text.matchAll(/<p class="reco-why">([\s\S]*?)<\/p>/g)];
  assert.equal(whys.length, 4);
  for (const m of whys) assert.match(m[1], /Commune de 3\u00a0500 à 20\u00a0000 habitants comme /);
  assert.ok(!r.text.includes(htmlEscape(R.own.title)), 'not its own record');
  // theme filter on the page
  const f = await visitor.get(`/territoires-comme-le-mien?organisation=${C.target.key}&theme=administration`);
  assertHtmlPage(f);
  assert.equal([...f.text.matchAll(/<p class="reco-why">/g)].length, 2);
  assert.match(f.text, /<option value="administration" selected>/);
  // anonymous without organisation: a chooser, and a name search
  const ch = await visitor.get('/territoires-comme-le-mien');
  assertHtmlPage(ch);
  assert.match(ch.text, /name="q"/);
  const s = await visitor.get(`/territoires-comme-le-mien?q=${encodeURIComponent(C.target.name)}`);
  assertHtmlPage(s);
  assert.ok(s.text.includes(`/territoires-comme-le-mien?organisation=${C.target.key}`));
  // bad parameters
  assertHtmlPage(await visitor.get('/territoires-comme-le-mien?organisation=commune-00000'), 404);
  const bad = await visitor.get(`/territoires-comme-le-mien?organisation=${C.target.key}&theme=%3Cx%3E`);
  assertHtmlPage(bad, 400);
  assert.match(bad.text, /« theme »/);
  assertHtmlPage(await visitor.get('/territoires-comme-le-mien?page=999'), 400);
  // a member: their organisation by default, and the link in the menu
  const agent = webClient(srv);
  await agent.signIn('agent@target.example.fr');
  const d = await agent.get('/territoires-comme-le-mien');
  assertHtmlPage(d);
  assert.equal([...d.text.matchAll(/<p class="reco-why">/g)].length, 4);
  assert.match(d.text, /href="\/territoires-comme-le-mien"/);
  // the organisation page links to it
  const o = await visitor.get(`/organisations/${C.target.key}`);
  assert.ok(o.text.includes(`/territoires-comme-le-mien?organisation=${C.target.key}`));
});

// ==== similar records ====

test('similar records: shared words and theme, never the record itself', async () => {
  const r = await api(`/api/v1/usecases/${R.evidence.id}/similar`);
  assert.equal(r.status, 200, r.text);
  const ids = r.json.data.map((x) => x.id);
  assert.ok(!ids.includes(R.evidence.id), 'not itself');
  assert.ok(ids.includes(R.tricky.id), 'the other compost record');
  assert.ok(!ids.includes(R.draft.id), 'published records only');
  assert.ok(r.json.data.length <= 5);
  const t = r.json.data.find((x) => x.id === R.tricky.id);
  assert.equal(t.same_theme, true);
  assert.ok(t.shared_words.some((w) => /^compost/i.test(w)), JSON.stringify(t.shared_words));
  assert.match(t.reason, /^Même thème · mots communs : /);
  // the unrelated record (other words, other theme) is not similar
  assert.ok(!ids.includes(R.unrelated.id));
  // the record page shows them, escaped
  const p = await webClient(srv).get(R.evidence.url);
  assertHtmlPage(p);
  assert.match(p.text, /<h2 id="titre-similaires">Fiches similaires<\/h2>/);
  assert.ok(p.text.includes(htmlEscape(R.tricky.title)));
  assert.match(p.text, /<span class="similar-why">Même thème · mots communs : /);
  // a draft's similar records are as private as the draft
  assertApiError(await api(`/api/v1/usecases/${R.draft.id}/similar`), 404, 'resource.not_found');
  assertApiError(await api('/api/v1/usecases/999999/similar'), 404, 'resource.not_found');
});

test('similar records leave out the record\'s own reuses, and records no longer published', async () => {
  // a new origin (its similar records never computed yet), a reuse of it and a look-alike that is not
  const origin = await publish(C.same1.key, {
    title: 'Méthanisation des boues de station d\'épuration', summary: 'Pilotage de la méthanisation des boues par apprentissage.',
  });
  const reuse = await srv.request('POST', `/api/v1/usecases/${origin.id}/reuses`, {
    token,
    json: {
      owner: C.big.key, reuse_context: 'Nous reprenons cette méthanisation.', status: 'deployed', state: 'published',
      title: 'Méthanisation des boues de station d\'épuration', summary: 'Pilotage de la méthanisation des boues par apprentissage.',
    },
  });
  assert.equal(reuse.status, 201, reuse.text);
  const rid = reuse.json.data.id;
  const twin = await publish(C.same3.key, {
    title: 'Méthanisation des boues de station d\'épuration', summary: 'Pilotage de la méthanisation des boues par apprentissage.',
  });
  const r = await api(`/api/v1/usecases/${origin.id}/similar`);
  assert.equal(r.status, 200, r.text);
  const ids = r.json.data.map((x) => x.id);
  assert.ok(ids.includes(twin.id), 'the same text in another record is similar');
  assert.ok(!ids.includes(rid), 'its own reuse, with the same text, is not "similar"');
  // seen from the reuse, its origin may be similar: only the origin excludes its reuses
  assert.equal((await api(`/api/v1/usecases/${rid}/similar`)).status, 200);
  // a similar record that is retracted disappears at once (lists are cached, their rows re-read)
  const ret = await srv.request('POST', `/api/v1/usecases/${twin.id}/retract`, { token, json: { reason: 'Projet arrêté.' } });
  assert.equal(ret.status, 200, ret.text);
  const after = await api(`/api/v1/usecases/${origin.id}/similar`);
  assert.ok(!after.json.data.map((x) => x.id).includes(twin.id), 'a retracted record is no longer proposed');
  const page = await webClient(srv).get(origin.url);
  assert.ok(!page.text.includes(`/fiches/${twin.id}-`), 'nor on the record page');
});

// ==== facet and sort ====

test('impact_label facet: counts and filter (API and page)', async () => {
  const all = await api('/api/v1/usecases?per_page=1');
  const facet = all.json.meta.facets.impact_label;
  assert.ok(Array.isArray(facet));
  const sum = facet.reduce((s, f) => s + f.count, 0);
  assert.equal(sum, all.json.meta.total, 'one label value per record');
  const none = facet.find((f) => f.value === 'none');
  assert.equal(none.label, 'Sans label');
  const f = await api('/api/v1/usecases?impact_label=none&per_page=100');
  assert.equal(f.json.meta.total, none.count);
  const awarded = facet.find((x) => x.value === 'awarded');
  const a = await api('/api/v1/usecases?impact_label=awarded&per_page=100');
  assert.equal(a.json.meta.total, awarded ? awarded.count : 0);
  for (const x of a.json.data) {
    const full = (await api(`/api/v1/usecases/${x.id}`)).json.data;
    assert.equal(full.impact_label.awarded, true);
  }
  assertApiError(await api('/api/v1/usecases?impact_label=maybe'), 400, 'request.invalid_parameter', 'impact_label');
  const page = await webClient(srv).get('/recherche?impact_label=none');
  assertHtmlPage(page);
  assert.match(page.text, /<h3 id="facette-impact_label">Label « Impact démontré »<\/h3>/);
  assert.match(page.text, /Sans label <span class="count">\(|<strong aria-current="true">Sans label<\/strong>/);
});

test('sort=evidence: strength of evidence first, then the latest update (API and page)', async () => {
  const r = await api('/api/v1/usecases?sort=evidence&per_page=100');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.meta.sort, 'evidence');
  assert.equal(r.json.data[0].id, R.evidence.id);
  const scores = [];
  for (const x of r.json.data) {
    const full = (await api(`/api/v1/usecases/${x.id}`)).json.data;
    scores.push([full.impact_label.evidence_score, x.updated_at]);
  }
  for (let i = 1; i < scores.length; i++) {
    assert.ok(scores[i - 1][0] >= scores[i][0], 'evidence non-increasing');
    if (scores[i - 1][0] === scores[i][0]) assert.ok(scores[i - 1][1] >= scores[i][1], 'then latest update');
  }
  // with words too
  const w = await api('/api/v1/usecases?q=compostage&sort=evidence');
  assert.equal(w.json.data[0].id, R.evidence.id);
  assertApiError(await api('/api/v1/usecases?sort=impact'), 400, 'request.invalid_parameter', 'sort');
  const page = await webClient(srv).get('/recherche?sort=evidence');
  assertHtmlPage(page);
  assert.match(page.text, /<a aria-current="true" href="\/recherche\?sort=evidence">preuves d'impact<\/a>/);
  const first = page.text.match(/<h3 class="hit-title"><a href="([^"]*)"/);
  assert.ok(first[1].startsWith(`/fiches/${R.evidence.id}-`), first[1]);
});
