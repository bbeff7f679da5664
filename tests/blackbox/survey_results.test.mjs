// survey_results.test.mjs — the results of a survey campaign
// (page_survey_results.c over the engine survey_stats.c): seven large
// communes answer through the API; the results are provisional and for
// curators only while the campaign is open, public once it is closed; the
// page, the CSV and the JSON give the same figures, weighted and raw, with
// "< 5" for small cells; drafts never count; a new answer shows at once
// (the cache follows the survey generation); year over year against the
// previous year's campaign.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  assertHtmlPage,
  createAccount,
  createWebAccount,
  csvRows,
  iatOk,
  setupLibrary,
  startServer,
  stopServerClean,
  webClient,
} from './lib.mjs';
import { checkXml } from './xml.mjs';

const DAY = 86400000;
const iso = (d) => new Date(d).toISOString().slice(0, 10);
const LAST_MONTH = iso(Date.now() - 30 * DAY);
const YESTERDAY = iso(Date.now() - DAY);
const NEXT_MONTH = iso(Date.now() + 30 * DAY);
const LAST_YEAR = (n) => iso(Date.now() - (365 + n) * DAY);

// seven communes of more than 100,000 inhabitants, in seven régions
const COMMUNES = ['69123', '33063', '13055', '31555', '06088', '44109', '67482'];

function definition(over = {}) {
  return {
    format: 'iat-campaign/1',
    code: 'resultats-2026',
    year: 2026,
    title: 'Enquête « résultats » <2026>',
    opens_on: LAST_MONTH,
    closes_on: NEXT_MONTH,
    target: { kinds: ['commune'], bands: ['gt_100000'] },
    questions: [
      { code: 'uses_ai', kind: 'single', label: 'Utilisez-vous l’IA ?', required: true,
        options: [{ code: 'yes', label: 'Oui' }, { code: 'no', label: 'Non' }] },
      { code: 'budget', kind: 'number', label: 'Budget', unit: '€', min: 0, max: 1e9 },
      { code: 'tool', kind: 'text', label: 'Outil principal' },
    ],
    ...over,
  };
}

let env;
let srv;
const tokens = {};
let curatorToken;

function importDef(name, def) {
  const f = path.join(env.dir, name);
  fs.writeFileSync(f, JSON.stringify(def));
  iatOk(['survey', 'import', '--db', env.db, f]);
}

async function answer(code, insee, answers, submit = true, publish = false) {
  const r = await srv.request('PUT', `/api/v1/campaigns/${code}/responses/commune-${insee}`,
    { token: tokens[insee], json: { answers, submit, publish } });
  assert.equal(r.status, 200, `${insee}: ${r.text}`);
}

before(async () => {
  env = setupLibrary({ csv: null });
  for (const c of COMMUNES) tokens[c] = createAccount(env.db, `referent-${c}@ville.example.fr`, 'referent', c);
  curatorToken = createAccount(env.db, 'curatrice-resultats@observatoire.example.fr', 'curator', null);
  createWebAccount(env.db, 'curatrice-web@observatoire.example.fr', 'curator', null);
  // last year's campaign (closed), then this year's (open)
  importDef('2025.json', definition({ code: 'resultats-2025', year: 2025, title: 'Enquête 2025',
    opens_on: LAST_YEAR(30), closes_on: NEXT_MONTH }));
  importDef('2026.json', definition());
  srv = await startServer(env.db);
  // 2025: 2 yes, 5 no; then closed
  for (const [i, c] of COMMUNES.entries()) await answer('resultats-2025', c, { uses_ai: i < 2 ? 'yes' : 'no', budget: 1000 });
  importDef('2025-closed.json', definition({ code: 'resultats-2025', year: 2025, title: 'Enquête 2025',
    opens_on: LAST_YEAR(30), closes_on: LAST_YEAR(0) }));
  // 2026: 5 yes, 1 no, and one draft that must not count
  for (const [i, c] of COMMUNES.slice(0, 6).entries()) {
    // Lyon (the first) chooses to publish its answers
    await answer('resultats-2026', c, { uses_ai: i < 5 ? 'yes' : 'no', budget: (i + 1) * 1000, tool: `Outil secret ${i}` }, true, i === 0);
  }
  await answer('resultats-2026', COMMUNES[6], { uses_ai: 'yes' }, false);
});

after(async () => {
  if (srv) await stopServerClean(srv);
});

test('while the campaign is open: results for curators only, marked provisional', async () => {
  assert.equal((await srv.request('GET', '/api/v1/campaigns/resultats-2026/results')).status, 404);
  assert.equal((await srv.request('GET', '/api/v1/campaigns/resultats-2026/results', { token: tokens[COMMUNES[0]] })).status, 404);
  const visitor = webClient(srv);
  assert.equal((await visitor.get('/observatoire/enquetes/resultats-2026')).status, 404);
  assert.doesNotMatch((await visitor.get('/observatoire/enquetes')).text, /resultats-2026/);
  const r = await srv.request('GET', '/api/v1/campaigns/resultats-2026/results', { token: curatorToken });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.provisional, true);
  const web = webClient(srv);
  await web.signIn('curatrice-web@observatoire.example.fr');
  const p = await web.get('/observatoire/enquetes/resultats-2026');
  assertHtmlPage(p, 200);
  assert.match(p.text, /Résultats provisoires/);
  assert.match(p.text, /Enquête « résultats » &lt;2026&gt;/);
});

const allCell = (q) => q.results.find((c) => c.dimension === 'all');
const question = (res, code) => res.questions.find((q) => q.code === code);

test('figures: submitted answers only (the draft does not count), weighted and raw, small cells suppressed, text never shown', async () => {
  const r = await srv.request('GET', '/api/v1/campaigns/resultats-2026/results', { token: curatorToken });
  const res = r.json.data.results;
  assert.equal(res.respondents, 6, 'the draft is not a respondent');
  const uses = allCell(question(res, 'uses_ai'));
  assert.equal(uses.answered, 6);
  assert.deepEqual(uses.options.map((o) => [o.code, o.count]), [['yes', 5], ['no', 1]]);
  assert.ok(Math.abs(uses.options[0].share - 5 / 6) < 1e-6);
  assert.ok(uses.options[0].share_moe > 0 && uses.options[0].weighted_share_moe > 0);
  // one stratum (communes > 100,000): every respondent weighs N / n
  const st = res.weights.strata.find((x) => x.kind === 'commune' && x.band === 'gt_100000');
  assert.equal(st.respondents, 6);
  assert.ok(Math.abs(st.weight - st.population / 6) < 1e-6);
  const budget = allCell(question(res, 'budget'));
  assert.equal(budget.mean, 3500);
  assert.equal(budget.min, 1000);
  // a région has at most one respondent here: suppressed, no figure at all
  for (const c of question(res, 'uses_ai').results.filter((x) => x.dimension === 'region')) {
    assert.equal(c.suppressed, true, `région ${c.code}`);
    assert.deepEqual(Object.keys(c).sort(), ['code', 'dimension', 'suppressed']);
  }
  // text answers: counted, never shown
  assert.doesNotMatch(r.text, /Outil secret/);
  const csv = await srv.request('GET', '/observatoire/enquetes/resultats-2026/resultats.csv');
  assert.equal(csv.status, 404, 'no CSV for the public before closing');
  assert.equal((await srv.request('GET', '/observatoire/enquetes/resultats-2026/reponses/commune-69123')).status, 404,
    'no published answer before the results are public');
});

test('a new answer shows at once (the cache follows the survey generation)', async () => {
  await answer('resultats-2026', COMMUNES[6], { uses_ai: 'no', budget: 7000 });
  const r = await srv.request('GET', '/api/v1/campaigns/resultats-2026/results', { token: curatorToken });
  const uses = allCell(question(r.json.data.results, 'uses_ai'));
  assert.equal(uses.answered, 7);
  assert.deepEqual(uses.options.map((o) => o.count), [5, 2]);
});

test('once closed: public page, CSV and JSON with the same figures, year over year against 2025', async () => {
  importDef('2026-closed.json', definition({ closes_on: YESTERDAY }));
  const api = await srv.request('GET', '/api/v1/campaigns/resultats-2026/results');
  assert.equal(api.status, 200, api.text);
  assert.equal(api.json.data.provisional, false);
  const res = api.json.data.results;
  const visitor = webClient(srv);
  const list = await visitor.get('/observatoire/enquetes');
  assertHtmlPage(list, 200);
  assert.match(list.text, /href="\/observatoire\/enquetes\/resultats-2026"/);
  assert.match(list.text, /href="\/observatoire\/enquetes\/resultats-2025"/);
  const page = await visitor.get('/observatoire/enquetes/resultats-2026');
  assertHtmlPage(page, 200);
  assert.doesNotMatch(page.text, /Résultats provisoires/);
  assert.match(page.text, /<h1>Résultats : Enquête « résultats » &lt;2026&gt;<\/h1>/);
  assert.match(page.text, /&lt; 5/, 'small cells written "< 5"');
  assert.doesNotMatch(page.text, /Outil secret/);
  assert.doesNotMatch(page.text, /<script/);
  // every picture is well-formed XML, named, without script; the map has one path per département
  const svgs = [...page.text.matchAll(/<svg[\s>][\s\S]*?<\/svg>/g)].map((m) => m[0]);
  assert.ok(svgs.some((x) => /class="chart"/.test(x)), 'charts drawn');
  for (const x of svgs) assert.equal(checkXml(x), null, `${checkXml(x)} in ${x.slice(0, 160)}`);
  const map = svgs.find((x) => /class="map"/.test(x));
  assert.ok(map, 'the map of response rates');
  assert.equal((map.match(/<path data-code="/g) || []).length, 101);
  // the CSV: the row of option "yes" of uses_ai for the whole campaign
  const csv = await visitor.get('/observatoire/enquetes/resultats-2026/resultats.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-disposition'), /iat-enquete-resultats-2026\.csv/);
  assert.doesNotMatch(csv.text, /Outil secret/);
  const rows = csvRows(csv.text.replace(/^\uFEFF/, ''));
  const head = rows[0];
  const col = (name) => head.indexOf(name);
  assert.ok(col('question') >= 0 && col('option') >= 0, head.join());
  const yes = rows.find((row) => row[col('question')] === 'uses_ai' && row[col('option')] === 'yes' && row[col('dimension')] === 'all');
  assert.ok(yes, 'a row for uses_ai = yes, whole campaign');
  const uses = allCell(question(res, 'uses_ai'));
  assert.equal(Number(yes[col('count')]), uses.options[0].count);
  // year over year: 2 yes out of 7 in 2025, 5 out of 7 now
  const yoy = res.year_over_year;
  assert.equal(yoy.previous.code, 'resultats-2025');
  const y = yoy.questions.find((q) => q.code === 'uses_ai').options.find((o) => o.code === 'yes');
  assert.equal(y.before.count, 2);
  assert.equal(y.after.count, 5);
  assert.ok(Math.abs(y.change_points - (5 / 7 - 2 / 7) * 100) < 1e-4);
  // unknown campaign
  assert.equal((await visitor.get('/observatoire/enquetes/inconnue')).status, 404);
  // individual answers: only Lyon's, which chose to publish them
  assert.match(page.text, /<a href="\/observatoire\/enquetes\/resultats-2026\/reponses\/commune-69123">Lyon<\/a>/);
  assert.equal((page.text.match(/\/reponses\/commune-/g) || []).length, 1);
  const lyon = await visitor.get('/observatoire/enquetes/resultats-2026/reponses/commune-69123');
  assertHtmlPage(lyon, 200);
  assert.match(lyon.text, /<h1>Réponses de Lyon<\/h1>/);
  assert.match(lyon.text, /<dt>Utilisez-vous l’IA \?<\/dt><dd>Oui<\/dd>/);
  assert.match(lyon.text, /<dd>Outil secret 0<\/dd>/, 'a published text answer is shown');
  assert.equal((await visitor.get(`/observatoire/enquetes/resultats-2026/reponses/commune-${COMMUNES[1]}`)).status, 404, 'not published');

});
