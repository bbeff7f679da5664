// survey.test.mjs — survey campaigns (issue 7 §1, page_survey.c,
// cli_survey.c): a definition imported by the CLI and by the curators'
// upload form, exported back identical (CLI = definition.json); the
// validation rules seen from the CLI and the pages (French messages that
// name the question and the field); targeting (a member of an
// organisation outside the target gets 404, a non-member 403); a draft by
// an agent, a submission by a referent only, required answers, hidden
// conditional answers dropped, editing after submission until the closing
// date and a 409 after it; re-importing a definition that would change an
// answered question is refused; the follow-up counts and the
// non-respondents CSV checked exactly against an independent SQL query of
// the organisations; question labels escaped everywhere.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  assertHtmlPage,
  createWebAccount,
  iat,
  iatOk,
  csvRows,
  setupLibrary,
  startServer,
  stopServerClean,
  webClient,
} from './lib.mjs';

const DAY = 86400000;
const iso = (d) => new Date(d).toISOString().slice(0, 10);
const TODAY = iso(Date.now());
const YESTERDAY = iso(Date.now() - DAY);
const TOMORROW = iso(Date.now() + DAY);
const LAST_MONTH = iso(Date.now() - 30 * DAY);
const NEXT_MONTH = iso(Date.now() + 30 * DAY);

const XSS = '<script>alert("q")</script> & « Budget »';

// Target: EPCI and communes of more than 100,000 inhabitants in
// Nouvelle-Aquitaine (région 75): Bordeaux Métropole is in, Lyon is not.
function definition(over = {}) {
  return {
    format: 'iat-campaign/1',
    code: 'observatoire-test',
    year: 2026,
    title: 'Observatoire de test',
    intro: 'Merci de **répondre**.',
    opens_on: LAST_MONTH,
    closes_on: NEXT_MONTH,
    target: { kinds: ['epci', 'commune'], bands: ['gt_100000'], regions: ['75'] },
    questions: [
      {
        code: 'uses_ai', kind: 'single', label: "Votre collectivité utilise-t-elle l'IA ?", required: true,
        options: [{ code: 'yes', label: 'Oui' }, { code: 'no', label: 'Non' }, { code: 'planned', label: 'En projet' }],
      },
      {
        code: 'domains', kind: 'multiple', label: 'Dans quels domaines ?', required: true,
        options: [{ code: 'mobility', label: 'Mobilité' }, { code: 'water', label: 'Eau' }],
        show_if: { question: 'uses_ai', value: 'yes' },
      },
      { code: 'budget', kind: 'number', label: XSS, unit: '€', min: 0, max: 100000000 },
      { code: 'satisfaction', kind: 'scale', label: 'Satisfaction (1 à 5)' },
      { code: 'tool', kind: 'text', label: 'Outil principal' },
      { code: 'comment', kind: 'longtext', label: 'Commentaire', help: 'Libre.' },
    ],
    ...over,
  };
}

let env;
let srv;
let curator;
let agent;
let referent;
let lyon;
let citizen;
const BDX = 'epci-243300316';

function writeJson(name, obj) {
  const f = path.join(env.dir, name);
  fs.writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj, null, 2));
  return f;
}

function sql(q) {
  return execFileSync('sqlite3', ['-separator', '\t', env.db, q], { encoding: 'utf8' });
}

before(async () => {
  env = setupLibrary({ csv: null, accounts: {} });
  createWebAccount(env.db, 'curatrice@observatoire.example.fr', 'curator', null);
  createWebAccount(env.db, 'agent@bordeaux-metropole.example.fr', 'agent', '243300316');
  createWebAccount(env.db, 'referent@bordeaux-metropole.example.fr', 'referent', '243300316');
  createWebAccount(env.db, 'agent@lyon.example.fr', 'agent', '69123');
  createWebAccount(env.db, 'citoyen@example.fr', 'citizen', null);
  srv = await startServer(env.db);
  curator = webClient(srv);
  await curator.signIn('curatrice@observatoire.example.fr');
  agent = webClient(srv);
  await agent.signIn('agent@bordeaux-metropole.example.fr');
  referent = webClient(srv);
  await referent.signIn('referent@bordeaux-metropole.example.fr');
  lyon = webClient(srv);
  await lyon.signIn('agent@lyon.example.fr');
  citizen = webClient(srv);
  await citizen.signIn('citoyen@example.fr');
});

after(async () => {
  if (srv) await stopServerClean(srv);
});

test('CLI: every rule of the definition is checked, with the question and the field named', () => {
  const cases = [
    [{ format: 'iat-campaign/2' }, /champ format/],
    [{ code: 'Pas Bon' }, /champ code/],
    [{ year: 1990 }, /champ year/],
    [{ closes_on: '2020-01-01', opens_on: '2020-02-01' }, /champ closes_on : la clôture/],
    [{ opens_on: '2026-02-30' }, /champ opens_on/],
    [{ target: { kinds: ['village'] } }, /target\.kinds/],
    [{ target: { bands: ['enorme'] } }, /target\.bands/],
    [{ questions: [] }, /champ questions/],
  ];
  const q = (i, patch) => {
    const d = definition();
    Object.assign(d.questions[i], patch);
    return d;
  };
  cases.push(
    [q(2, { min: 10, max: 5 }), /question 3 \(budget\), min : le minimum/],
    [q(2, { code: 'uses_ai' }), /question 3 \(uses_ai\), code : déjà utilisé par la question 1/],
    [q(3, { kind: 'date' }), /question 4 \(satisfaction\), kind/],
    [q(3, { unit: '€' }), /question 4 \(satisfaction\), unit : seulement pour les questions number/],
    [q(4, { options: [{ code: 'a', label: 'A' }, { code: 'b', label: 'B' }] }), /question 5 \(tool\), options : seulement/],
    [q(0, { options: [{ code: 'yes', label: 'Oui' }] }), /question 1 \(uses_ai\), options : de 2 à 50/],
    [q(0, { options: [{ code: 'yes', label: 'Oui' }, { code: 'yes', label: 'Encore' }] }), /options\.2 : le code d'option « yes » figure deux fois/],
    [q(1, { show_if: { question: 'budget', value: 'x' } }), /question 2 \(domains\), show_if : la question « budget » n'est pas une question PRÉCÉDENTE/],
    [q(1, { show_if: { question: 'uses_ai', value: 'peut-etre' } }), /question 2 \(domains\), show_if : « peut-etre » n'est pas une option/],
    [q(0, { label: '' }), /question 1 \(uses_ai\), label : obligatoire/],
    [q(0, { requried: true }), /question 1 \(uses_ai\), requried : champ inconnu/],
  );
  for (const [over, re] of cases) {
    const d = over.format || over.code || over.year || over.closes_on || over.opens_on || over.target || over.questions
      ? definition(over) : over;
    const f = writeJson('bad.json', d);
    const r = iat(['survey', 'import', '--db', env.db, f]);
    assert.equal(r.code, 1, `${re}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.match(r.stderr, /^iat: survey import : /m);
  }
  const f = writeJson('syntax.json', '{"format": ');
  const r = iat(['survey', 'import', '--db', env.db, f]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /JSON invalide \(ligne 1/);
  assert.equal(iat(['survey', 'import', '--db', env.db]).code, 2);
  assert.equal(iat(['survey', 'export', '--db', env.db, 'inconnue']).code, 1);
  assert.equal(iat(['survey', 'frobnicate', '--db', env.db]).code, 2);
  assert.equal(sql('SELECT count(*) FROM survey_campaign').trim(), '0');
});

test('CLI: import (dry run first), export round trip, identical to definition.json', async () => {
  const f = writeJson('def.json', definition());
  const dry = iatOk(['survey', 'import', '--db', env.db, '--dry-run', f]);
  assert.equal(sql('SELECT count(*) FROM survey_campaign').trim(), '0');
  void dry;
  const r = iat(['survey', 'import', '--db', env.db, f]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /campagne « observatoire-test » \(6 questions\) créée/);
  const out = iatOk(['survey', 'export', '--db', env.db, 'observatoire-test']);
  const exported = JSON.parse(out);
  const want = definition();
  assert.deepEqual(exported, want);
  const outFile = path.join(env.dir, 'out.json');
  iatOk(['survey', 'export', '--db', env.db, 'observatoire-test', '--out', outFile]);
  assert.deepEqual(JSON.parse(fs.readFileSync(outFile, 'utf8')), want);
  const web = await curator.get('/observatoire/campagnes/observatoire-test/definition.json');
  assert.equal(web.status, 200);
  assert.match(web.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(JSON.parse(web.text), want);
  // re-importing the export changes nothing
  const again = iat(['survey', 'import', '--db', env.db, outFile]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /remplacée/);
  assert.match(iatOk(['survey', 'list', '--db', env.db]), /^observatoire-test\t2026\t/m);
});

test('curators: list, view, preview; labels escaped; others refused', async () => {
  const list = await curator.get('/observatoire/campagnes');
  assertHtmlPage(list);
  assert.match(list.text, /Observatoire de test/);
  assert.match(list.text, />ouverte</);
  const view = await curator.get('/observatoire/campagnes/observatoire-test');
  assertHtmlPage(view);
  assert.ok(!view.text.includes('<script>alert'), 'label escaped');
  assert.ok(view.text.includes('&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt; &amp; « Budget »'));
  assert.match(view.text, /seulement si vous avez répondu « Oui » à « Votre collectivité utilise-t-elle l&#39;IA \? »/);
  const pre = await curator.get('/observatoire/campagnes/observatoire-test/apercu');
  assertHtmlPage(pre);
  assert.ok(!pre.text.includes('<script>alert'));
  assert.match(pre.text, /<input type="radio" id="f-q-uses_ai" name="q-uses_ai" value="yes" disabled>/);
  for (const c of [agent, referent, lyon, citizen]) {
    assert.equal((await c.get('/observatoire/campagnes')).status, 403);
    assert.equal((await c.get('/observatoire/campagnes/observatoire-test/definition.json')).status, 403);
  }
  assert.equal((await curator.get('/observatoire/campagnes/inconnue')).status, 404);
});

test('web import: errors named, dry run, a new year from last year\'s file', async () => {
  await curator.get('/observatoire/campagnes');
  const bad = definition();
  bad.questions[2].min = 10;
  bad.questions[2].max = 1;
  let r = await curator.postFile('/observatoire/campagnes/importer', {}, { name: 'x.json', content: JSON.stringify(bad) });
  assert.equal(r.status, 422);
  assert.match(r.text, /<title>Erreur : /);
  assert.match(r.text, /question 3 \(budget\), min : le minimum/);
  r = await curator.postFile('/observatoire/campagnes/importer', {}, null);
  assert.equal(r.status, 422);
  assert.match(r.text, /Fichier JSON : choisissez/);
  r = await curator.postFile('/observatoire/campagnes/importer', { essai: '1', code: 'observatoire-2027', year: '2027' },
    { name: 'd.json', content: JSON.stringify(definition()) });
  assert.equal(r.status, 200);
  assert.match(r.text, /Essai : la définition « observatoire-2027 » \(6 questions\) est valide/);
  assert.equal(sql("SELECT count(*) FROM survey_campaign WHERE code = 'observatoire-2027'").trim(), '0');
  r = await curator.postFile('/observatoire/campagnes/importer',
    { code: 'observatoire-2027', year: '2027', opens_on: TOMORROW, closes_on: NEXT_MONTH },
    { name: 'd.json', content: JSON.stringify(definition()) });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  assert.equal(r.location, '/observatoire/campagnes/observatoire-2027');
  const exp = JSON.parse(iatOk(['survey', 'export', '--db', env.db, 'observatoire-2027']));
  assert.deepEqual(exp, definition({ code: 'observatoire-2027', year: 2027, opens_on: TOMORROW }));
  const list = await curator.get('/observatoire/campagnes');
  assert.match(list.text, /observatoire-2027[\s\S]*?>à venir</);
  // not yet open: nobody answers
  assert.equal((await referent.get(`/espace/enquetes/observatoire-2027?organisation=${BDX}`)).status, 404);
  // bad year override
  r = await curator.postFile('/observatoire/campagnes/importer', { year: 'deux' },
    { name: 'd.json', content: JSON.stringify(definition()) });
  assert.equal(r.status, 422);
  assert.match(r.text, /Nouvelle année/);
});

test('targeting: the open campaign is listed for Bordeaux Métropole only', async () => {
  const mine = await agent.get('/espace/enquetes');
  assertHtmlPage(mine);
  assert.match(mine.text, /href="\/espace\/enquetes\/observatoire-test\?organisation=epci-243300316"/);
  assert.match(mine.text, /pas encore de réponse/);
  assert.doesNotMatch(mine.text, /observatoire-2027/);
  const other = await lyon.get('/espace/enquetes');
  assert.doesNotMatch(other.text, /observatoire-test/);
  assert.equal((await lyon.get('/espace/enquetes/observatoire-test')).status, 404);
  assert.equal((await lyon.get('/espace/enquetes/observatoire-test?organisation=commune-69123')).status, 404);
  assert.equal((await lyon.get(`/espace/enquetes/observatoire-test?organisation=${BDX}`)).status, 403);
  assert.equal((await citizen.get('/espace/enquetes/observatoire-test')).status, 403);
  assert.equal((await curator.get(`/espace/enquetes/observatoire-test?organisation=${BDX}`)).status, 403);
  await lyon.get('/espace/enquetes');
  const post = await lyon.post('/espace/enquetes/observatoire-test', { organisation: 'commune-69123', 'q-uses_ai': 'no' });
  assert.equal(post.status, 404);
  const visitor = webClient(srv);
  const v = await visitor.get('/espace/enquetes/observatoire-test');
  assert.equal(v.status, 303);
  assert.match(v.location, /^\/connexion\?retour=/);
});

test('answering: agent drafts, errors next to their question, nothing lost; referent submits', async () => {
  const url = '/espace/enquetes/observatoire-test';
  let page = await agent.get(`${url}?organisation=${BDX}`);
  assertHtmlPage(page);
  assert.ok(!page.text.includes('<script>alert'));
  assert.doesNotMatch(page.text, /value="soumettre"/, 'agents cannot submit');
  // errors: bound, unknown option, scale, long text; every value kept
  let r = await agent.post(url, {
    organisation: BDX, action: 'brouillon', 'q-uses_ai': 'yes', 'q-domains': ['water', 'air'],
    'q-budget': '-5', 'q-satisfaction': '9', 'q-tool': 'x'.repeat(501), 'q-comment': 'Mon <b>commentaire</b>',
  });
  assert.equal(r.status, 422);
  assert.match(r.text, /<title>Erreur : /);
  assert.match(r.text, /class="error-summary"/);
  for (const q of ['domains', 'budget', 'satisfaction', 'tool'])
    assert.match(r.text, new RegExp(`id="e-q-${q}"`), q);
  assert.match(r.text, /id="e-q-budget"[^>]*>(<[^>]+>[^<]*<\/[^>]+>)?[^<]*un nombre entre 0 et 1e\+08|id="e-q-budget"/);
  assert.match(r.text, /value="-5"/);
  assert.ok(r.text.includes('Mon &lt;b&gt;commentaire&lt;/b&gt;</textarea>'));
  assert.match(r.text, /name="q-domains" value="water" checked/);
  assert.match(r.text, /name="q-uses_ai" value="yes" checked/);
  assert.equal(sql('SELECT count(*) FROM survey_response').trim(), '0');
  // an agent may not submit
  r = await agent.post(url, { organisation: BDX, action: 'soumettre', 'q-uses_ai': 'no' });
  assert.equal(r.status, 403);
  // a draft need not be complete
  r = await agent.post(url, { organisation: BDX, action: 'brouillon', 'q-budget': '1 234,5', 'q-tool': '  Albert  ' });
  assert.equal(r.status, 303, r.text.slice(0, 400));
  assert.equal(sql('SELECT state, answers, publish FROM survey_response').trim(), 'draft\t{"budget":1234.5,"tool":"Albert"}\t0');
  page = await agent.get(`${url}?organisation=${BDX}`);
  assert.match(page.text, /value="1 234,5"|value="1234,5"/);
  assert.match(page.text, /id="etat-reponse">brouillon</);
  // submission: required answers (uses_ai; domains only when shown)
  await referent.get(`${url}?organisation=${BDX}`);
  r = await referent.post(url, { organisation: BDX, action: 'soumettre', 'q-uses_ai': 'yes', 'q-budget': '1234,5' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="e-q-domains"/);
  assert.match(r.text, /réponse obligatoire/);
  // hidden conditional answers are dropped: domains sent, but uses_ai = no
  r = await referent.post(url, {
    organisation: BDX, action: 'soumettre', 'q-uses_ai': 'no', 'q-domains': ['water', 'inconnu'], 'q-budget': '1234,5',
    'q-satisfaction': '4', publier: '1',
  });
  assert.equal(r.status, 303, r.text.slice(0, 600));
  assert.equal(sql('SELECT state, answers, publish, submitted_at IS NOT NULL FROM survey_response').trim(),
    'submitted\t{"uses_ai":"no","budget":1234.5,"satisfaction":4}\t1\t1');
  // editing after submission: stays submitted; an agent's edit keeps the publish choice
  await agent.get(`${url}?organisation=${BDX}`);
  r = await agent.post(url, {
    organisation: BDX, action: 'brouillon', 'q-uses_ai': 'yes', 'q-domains': ['mobility'], 'q-satisfaction': '5',
  });
  assert.equal(r.status, 303, r.text.slice(0, 600));
  assert.equal(sql('SELECT state, answers, publish FROM survey_response').trim(),
    'submitted\t{"uses_ai":"yes","domains":["mobility"],"satisfaction":5}\t1');
  // a submitted response must stay complete
  r = await agent.post(url, { organisation: BDX, action: 'brouillon', 'q-satisfaction': '5' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="e-q-uses_ai"/);
  const mine = await agent.get('/espace/enquetes');
  assert.match(mine.text, /réponse soumise/);
});

test('re-import: answered questions keep their kind and options', async () => {
  const d = definition();
  d.questions[0].options.pop(); // uses_ai has answers
  let r = iat(['survey', 'import', '--db', env.db, writeJson('chg.json', d)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /question 1 \(uses_ai\), options : elle a déjà des réponses/);
  const d2 = definition();
  d2.questions[3].kind = 'number'; // satisfaction has answers
  r = iat(['survey', 'import', '--db', env.db, writeJson('chg2.json', d2)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /question 4 \(satisfaction\), kind : elle a déjà des réponses/);
  const d3 = definition();
  d3.questions.splice(3, 1);
  await curator.get('/observatoire/campagnes');
  r = await curator.postFile('/observatoire/campagnes/importer', {}, { name: 'd.json', content: JSON.stringify(d3) });
  assert.equal(r.status, 422);
  assert.match(r.text, /question « satisfaction » : elle a déjà des réponses, elle ne peut pas être supprimée/);
  // labels and unanswered questions may change
  const d4 = definition();
  d4.questions[0].label = 'Utilisez-vous l’IA ?';
  d4.questions[4].kind = 'longtext';
  r = iat(['survey', 'import', '--db', env.db, writeJson('ok.json', d4)]);
  assert.equal(r.code, 0, r.stderr);
  iatOk(['survey', 'import', '--db', env.db, writeJson('def.json', definition())]);
});

test('follow-up: targeted vs submitted by type, band, région; non-respondents CSV exact', async () => {
  // independent count of the target: active EPCI and communes of région 75 with more than 100,000 inhabitants
  const rows = sql("SELECT name, kind, coalesce(siren,''), CASE WHEN kind = 'commune' THEN code ELSE '' END, region, "
    + "coalesce(departement,'') FROM organisation WHERE active = 1 AND kind IN ('epci','commune') AND region = '75' "
    + 'AND population > 100000 ORDER BY kind, name_folded, id').trim().split('\n').map((l) => l.split('\t'));
  assert.ok(rows.length >= 5, `at least 5 targets: ${rows.length}`);
  const nEpci = rows.filter((x) => x[1] === 'epci').length;
  const page = await curator.get('/observatoire/campagnes/observatoire-test/suivi');
  assertHtmlPage(page);
  assert.match(page.text, new RegExp(`id="n-visees">${rows.length}<`));
  assert.match(page.text, /id="n-soumises">1</);
  assert.match(page.text, /id="n-brouillons">0</);
  assert.match(page.text, new RegExp(`data-code="epci">EPCI</th><td class="num">${nEpci}</td><td class="num">1</td>`));
  assert.match(page.text, new RegExp(`data-code="commune">Commune</th><td class="num">${rows.length - nEpci}</td><td class="num">0</td>`));
  assert.match(page.text, new RegExp(`data-code="gt_100000">[^<]+</th><td class="num">${rows.length}</td><td class="num">1</td>`));
  assert.match(page.text, new RegExp(`data-code="75">Nouvelle-Aquitaine</th><td class="num">${rows.length}</td>`));
  const csv = await curator.get('/observatoire/campagnes/observatoire-test/non-repondants.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const parsed = csvRows(csv.text.replace(/^\uFEFF/, ''));
  assert.deepEqual(parsed[0], ['nom', 'type', 'siren', 'code_insee', 'region', 'departement', 'reponse']);
  const want = rows.filter((x) => x[2] !== '243300316').map((x) => [...x, 'aucune']);
  assert.deepEqual(parsed.slice(1).filter((x) => x.length > 1), want);
  for (const c of [agent, referent, citizen]) {
    assert.equal((await c.get('/observatoire/campagnes/observatoire-test/suivi')).status, 403);
    assert.equal((await c.get('/observatoire/campagnes/observatoire-test/non-repondants.csv')).status, 403);
  }
});

test('closing date: editable until it (inclusive), refused after it', async () => {
  const url = '/espace/enquetes/observatoire-test';
  iatOk(['survey', 'import', '--db', env.db, writeJson('today.json', definition({ closes_on: TODAY }))]);
  await referent.get(`${url}?organisation=${BDX}`);
  let r = await referent.post(url, { organisation: BDX, action: 'soumettre', 'q-uses_ai': 'planned', publier: '1' });
  assert.equal(r.status, 303, r.text.slice(0, 400));
  iatOk(['survey', 'import', '--db', env.db, writeJson('closed.json', definition({ closes_on: YESTERDAY }))]);
  const page = await referent.get(`${url}?organisation=${BDX}`);
  assertHtmlPage(page);
  assert.match(page.text, /L&#39;enquête est close|L'enquête est close/);
  assert.doesNotMatch(page.text, /value="soumettre"/);
  assert.match(page.text, /value="planned" checked disabled/);
  r = await referent.post(url, { organisation: BDX, action: 'soumettre', 'q-uses_ai': 'no' });
  assert.equal(r.status, 409);
  assert.equal(sql('SELECT answers FROM survey_response').trim(), '{"uses_ai":"planned"}');
  const mine = await referent.get('/espace/enquetes');
  assert.doesNotMatch(mine.text, /observatoire-test/);
  const list = await curator.get('/observatoire/campagnes');
  assert.match(list.text, /observatoire-test[\s\S]*?>close</);
});

test('curators edit a campaign and its questions through forms, with the same rules', async () => {
  const base = '/observatoire/campagnes/observatoire-2027';
  let page = await curator.get(`${base}/modifier`);
  assertHtmlPage(page);
  assert.match(page.text, /name="kinds" value="epci" checked/);
  assert.match(page.text, /id="f-regions" name="regions"[^>]*value="75"/);
  // dates in the wrong order: the error is next to closes_on, values kept
  let r = await curator.post(`${base}/modifier`, {
    title: 'Observatoire 2027 <b>', year: '2027', intro: '', opens_on: NEXT_MONTH, closes_on: TOMORROW,
    kinds: ['commune'], regions: '75, 84',
  });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="e-closes_on"[^>]*>.*la clôture/);
  assert.ok(r.text.includes('value="Observatoire 2027 &lt;b&gt;"'));
  r = await curator.post(`${base}/modifier`, { title: 'Observatoire 2027', year: '2027', opens_on: TOMORROW,
    closes_on: NEXT_MONTH, kinds: ['commune'], bands: ['gt_100000', 'lt_3500'], regions: '75, 84', intro: 'Bonjour' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  let def = JSON.parse(iatOk(['survey', 'export', '--db', env.db, 'observatoire-2027']));
  assert.deepEqual(def.target, { kinds: ['commune'], bands: ['gt_100000', 'lt_3500'], regions: ['75', '84'] });
  assert.equal(def.intro, 'Bonjour');
  assert.equal(def.questions.length, 6);
  // a new question: errors first (bad code, option line, unknown condition value)
  await curator.get(`${base}/questions/nouvelle`);
  r = await curator.post(`${base}/questions/nouvelle`, { code: 'Mauvais Code', kind: 'single', label: 'Fournisseur ?',
    options: 'a | A\nsans barre' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="e-options"[^>]*>.*ligne 2/);
  assert.ok(r.text.includes('a | A\nsans barre</textarea>'), 'options kept');
  r = await curator.post(`${base}/questions/nouvelle`, { code: 'mauvais code', kind: 'single', label: 'Fournisseur ?',
    options: 'a | A\nb | B', show_if_question: 'uses_ai', show_if_value: 'peut-etre' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="e-code"/);
  assert.match(r.text, /id="e-show_if_question"[^>]*>.*« peut-etre » n&#39;est pas une option/);
  r = await curator.post(`${base}/questions/nouvelle`, { code: 'provider', kind: 'single', label: 'Fournisseur ?',
    required: '1', options: 'internal | En interne\n external | Un prestataire ', show_if_question: 'uses_ai', show_if_value: 'yes' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  def = JSON.parse(iatOk(['survey', 'export', '--db', env.db, 'observatoire-2027']));
  assert.deepEqual(def.questions[6], { code: 'provider', kind: 'single', label: 'Fournisseur ?', required: true,
    options: [{ code: 'internal', label: 'En interne' }, { code: 'external', label: 'Un prestataire' }],
    show_if: { question: 'uses_ai', value: 'yes' } });
  // edit a number question's bounds (decimal comma)
  page = await curator.get(`${base}/questions/budget/modifier`);
  assertHtmlPage(page);
  r = await curator.post(`${base}/questions/budget/modifier`, { code: 'budget', kind: 'number', label: 'Budget', unit: 'k€',
    min: '0,5', max: 'beaucoup' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="e-max"/);
  r = await curator.post(`${base}/questions/budget/modifier`, { code: 'budget', kind: 'number', label: 'Budget', unit: 'k€',
    min: '0,5', max: '1 000' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  def = JSON.parse(iatOk(['survey', 'export', '--db', env.db, 'observatoire-2027']));
  assert.deepEqual(def.questions[2], { code: 'budget', kind: 'number', label: 'Budget', unit: 'k€', min: 0.5, max: 1000 });
  // delete an unanswered question
  r = await curator.post(`${base}/questions/provider/supprimer`, {});
  assert.equal(r.status, 303);
  assert.equal(JSON.parse(iatOk(['survey', 'export', '--db', env.db, 'observatoire-2027'])).questions.length, 6);
  assert.equal((await curator.get(`${base}/questions/inconnue/modifier`)).status, 404);
  // questions with answers (observatoire-test): no change of kind, no removal
  const t = '/observatoire/campagnes/observatoire-test';
  await curator.get(`${t}/questions/uses_ai/modifier`);
  r = await curator.post(`${t}/questions/uses_ai/modifier`, { code: 'uses_ai', kind: 'multiple', label: 'IA ?',
    options: 'yes | Oui\nno | Non\nplanned | En projet' });
  assert.equal(r.status, 422);
  assert.match(r.text, /elle a déjà des réponses/);
  // (uses_ai cannot go anyway: domains depends on it — the parser says so first)
  r = await curator.post(`${t}/questions/uses_ai/supprimer`, {});
  assert.equal(r.status, 409);
  assert.match(r.text, /question 1 \(domains\), show_if : la question « uses_ai » n&#39;est pas une question PRÉCÉDENTE/);
  // a removal refused for its answers only: answer "comment" first, then remove it
  sql(`UPDATE survey_response SET answers = '{"uses_ai":"planned","comment":"x"}'`);
  r = await curator.post(`${t}/questions/comment/supprimer`, {});
  assert.equal(r.status, 409);
  assert.match(r.text, /question « comment » : elle a déjà des réponses, elle ne peut pas être supprimée/);
  // the view offers the editors
  page = await curator.get(t);
  assert.match(page.text, /href="\/observatoire\/campagnes\/observatoire-test\/questions\/budget\/modifier"/);
  assert.match(page.text, /href="\/observatoire\/campagnes\/observatoire-test\/questions\/nouvelle"/);
  for (const c of [agent, referent]) assert.equal((await c.get(`${base}/modifier`)).status, 403);
});

test('API: the response as stored, writes refused when the campaign is not open', async () => {
  const tok = iatOk(['token', 'create', '--db', env.db, 'referent@bordeaux-metropole.example.fr']).trim();
  const lyonTok = iatOk(['token', 'create', '--db', env.db, 'agent@lyon.example.fr']).trim();
  const u = `/api/v1/campaigns/observatoire-test/responses/${BDX}`;
  const r = await srv.request('GET', u, { token: tok });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.state, 'submitted');
  assert.deepEqual(r.json.data.answers, JSON.parse(sql('SELECT answers FROM survey_response').trim()));
  assert.equal((await srv.request('GET', u, { token: lyonTok })).status, 403);
  // closed (observatoire-test) and not yet open (observatoire-2027)
  let w = await srv.request('PUT', u, { token: tok, json: { answers: { uses_ai: 'no' } } });
  assert.equal(w.status, 409);
  assert.equal(w.json.error.code, 'state.closed');
  w = await srv.request('PUT', `/api/v1/campaigns/observatoire-2027/responses/${BDX}`, { token: tok, json: { answers: {} } });
  assert.equal(w.status, 404, 'observatoire-2027 now targets communes only');
  // reopen observatoire-test: hidden answers dropped through the API too
  iatOk(['survey', 'import', '--db', env.db, writeJson('reopen.json', definition())]);
  w = await srv.request('PUT', u, { token: tok, json: { answers: { uses_ai: 'no', domains: ['water'], budget: 7 }, submit: true } });
  assert.equal(w.status, 200, w.text);
  assert.deepEqual(w.json.data.answers, { uses_ai: 'no', budget: 7 });
  w = await srv.request('PUT', u, { token: tok, json: { answers: { uses_ai: 'yes' } } });
  assert.equal(w.status, 422);
  assert.equal(w.json.error.code, 'validation.required');
  assert.equal(w.json.error.field, 'q-domains');
});

test('curators create a campaign from scratch: its fields and a first question', async () => {
  const page = await curator.get('/observatoire/nouvelle-campagne');
  assertHtmlPage(page);
  let r = await curator.post('/observatoire/nouvelle-campagne', { code: 'observatoire-test', year: '2028', title: 'Doublon',
    opens_on: TODAY, closes_on: NEXT_MONTH, question_code: 'uses_ai', question_kind: 'single', question_label: 'IA ?',
    question_options: 'yes | Oui' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="e-question_options"[^>]*>.*de 2 à 50 options/);
  r = await curator.post('/observatoire/nouvelle-campagne', { code: 'observatoire-test', year: '2028', title: 'Doublon',
    opens_on: TODAY, closes_on: NEXT_MONTH, question_code: 'uses_ai', question_kind: 'single', question_label: 'IA ?',
    question_options: 'yes | Oui\nno | Non' });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="e-code"[^>]*>.*une autre campagne porte déjà le code/);
  assert.ok(r.text.includes('yes | Oui\nno | Non</textarea>'));
  r = await curator.post('/observatoire/nouvelle-campagne', {});
  assert.equal(r.status, 422);
  for (const f of ['code', 'year', 'title', 'opens_on', 'closes_on', 'question_code', 'question_kind', 'question_label'])
    assert.match(r.text, new RegExp(`id="e-${f}"`), f);
  r = await curator.post('/observatoire/nouvelle-campagne', { code: 'observatoire-2028', year: '2028', title: 'Observatoire 2028',
    opens_on: TODAY, closes_on: NEXT_MONTH, question_code: 'uses_ai', question_kind: 'single', question_label: 'IA ?',
    question_options: 'yes | Oui\nno | Non' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  assert.equal(r.location, '/observatoire/campagnes/observatoire-2028');
  assert.deepEqual(JSON.parse(iatOk(['survey', 'export', '--db', env.db, 'observatoire-2028'])), {
    format: 'iat-campaign/1', code: 'observatoire-2028', year: 2028, title: 'Observatoire 2028', opens_on: TODAY,
    closes_on: NEXT_MONTH, target: { kinds: [], bands: [], regions: [] },
    questions: [{ code: 'uses_ai', kind: 'single', label: 'IA ?', options: [{ code: 'yes', label: 'Oui' }, { code: 'no', label: 'Non' }] }],
  });
  assert.equal((await agent.get('/observatoire/nouvelle-campagne')).status, 403);
});
