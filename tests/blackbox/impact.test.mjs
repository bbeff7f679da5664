// impact.test.mjs — measured impact on the record page and the "impact
// démontré" label end to end: what is missing before the curator's review,
// the review through the API and through the page form (CSRF), the label
// lost when the public indicators change (and its 'lost' event), grant and
// withdraw with a public reason, rights (403 for non-curators, 404 for
// drafts one may not read, 409 for unpublished records), the 89/90-day
// edge through the API, the record page (baseline → result, change in
// words, chart with its data table, label box and missing list), the
// history page (events without the curator's name), anonymous and agent
// views of restricted indicators, and escaping of indicator text.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  assertApiError,
  assertHtmlPage,
  createRecord,
  createWebAccount,
  htmlEscape,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
  webClient,
} from './lib.mjs';

let env;
let srv;
const AGENT = 'agent@bordeaux-metropole.example.fr';
const CURATOR = 'curator@observatoire.example.fr';
const c = {};

before(async () => {
  env = setupLibrary({ csv: null });
  createWebAccount(env.db, AGENT, 'agent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, CURATOR, 'curator', null);
  srv = await startServer(env.db);
  c.agent = webClient(srv);
  await c.agent.signIn(AGENT);
  c.curator = webClient(srv);
  await c.curator.signIn(CURATOR);
  c.visitor = webClient(srv);
});
after(async () => {
  await stopServerClean(srv);
});

// ==== Helpers ====

/** A public "measured" impact indicator: 20 → 13 days over 91 days. */
function delay(over = {}) {
  return {
    name: 'Délai de traitement des demandes',
    common: 'processing_delay',
    baseline: { value: 20, date: '2024-01-01' },
    measurements: [
      { value: 15, date: '2024-02-15' },
      { value: 13, date: '2024-04-01' },
    ],
    target: { value: 10, date: '2026-12-31' },
    frequency: 'monthly',
    automated: true,
    source: 'Logiciel de gestion des demandes',
    method: 'Extraction mensuelle des dates de dépôt et de réponse.',
    comments: 'Saisonnalité non corrigée.',
    evidence: 'measured',
    ...over,
  };
}

async function published(indicators, title = 'Fiche avec indicateurs') {
  return createRecord(srv, env.tokens.refBdx, validRecord({ title, indicators, state: 'published' }));
}

async function get(id, token) {
  const r = await srv.request('GET', `/api/v1/usecases/${id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

async function act(id, body, token = env.tokens.curator) {
  return srv.request('POST', `/api/v1/usecases/${id}/impact`, { token, json: body });
}

async function events(id, token) {
  const r = await srv.request('GET', `/api/v1/usecases/${id}/impact-events`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

const codes = (u) => u.impact_label.missing.map((m) => m.code);

/** The impact section of a record page. */
function section(html) {
  const a = html.indexOf('<section class="impact" id="impact"');
  assert.ok(a >= 0, 'the impact section');
  return html.slice(a, html.indexOf('</section>', a));
}

// ==== The label through the API ====

test('a published record with good indicators lacks only the review; the review awards the label', async () => {
  const u = await published([delay()]);
  assert.equal(u.impact_label.awarded, false);
  assert.equal(u.impact_label.rules_met, false);
  assert.deepEqual(codes(u), ['impact.not_reviewed']);

  const r = await act(u.id, { action: 'review' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.id, u.id);
  assert.equal(r.json.data.impact_label.awarded, true);
  assert.equal(r.json.data.impact_label.basis, 'rules');
  assert.deepEqual(r.json.data.impact_label.missing, []);
  assert.equal((await get(u.id)).impact_label.awarded, true);

  const ev = await events(u.id);
  assert.deepEqual(ev.map((e) => e.kind).sort(), ['gained', 'review']);
  for (const e of ev) {
    assert.deepEqual(Object.keys(e).sort(), ['at', 'kind', 'reason', 'version']);
    assert.match(e.at, /^\d{4}-\d\d-\d\dT/);
  }
  // the label is a search facet, and the strongest evidence sorts first
  const f = await srv.request('GET', '/api/v1/usecases?impact_label=awarded&per_page=100');
  assert.equal(f.status, 200, f.text);
  assert.ok(f.json.data.some((x) => x.id === u.id), 'found with impact_label=awarded');
  const hit = f.json.data.find((x) => x.id === u.id);
  assert.equal(hit.impact_label, true, 'list items carry the label');
  assert.equal(hit.evidence_score, r.json.data.impact_label.evidence_score);
  assert.equal(hit.reuse_of, null);
  assert.equal(hit.reuses, 0);
  assert.ok(f.json.data.every((x) => x.impact_label === true), 'the filter keeps labelled records only');
  assert.ok(f.json.meta.facets.impact_label.some((x) => x.value === 'awarded' && x.count >= 1));
  const s = await srv.request('GET', '/api/v1/usecases?sort=evidence&per_page=5');
  assert.equal(s.json.data[0].id, u.id, 'the only awarded record comes first by evidence');
  const page = await c.visitor.get('/recherche?impact_label=awarded');
  assert.ok(page.text.includes(`/fiches/${u.id}-`), 'the search page filters on the label');
  assert.match(page.text, /<span class="tag tag-impact">Impact démontré<\/span>/, 'hits show the label');
});

test('an edit of the public indicators loses the label (review_outdated, event lost); a restricted one does not', async () => {
  const u = await published([delay()]);
  assert.equal((await act(u.id, { action: 'review' })).status, 200);

  // a restricted indicator added: the public indicators are unchanged
  let r = await srv.request('PATCH', `/api/v1/usecases/${u.id}`, {
    token: env.tokens.refBdx,
    json: { indicators: [delay(), delay({ name: 'Indicateur interne', visibility: 'restricted' })] },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.impact_label.awarded, true, 'a restricted indicator does not need a new review');

  r = await srv.request('PATCH', `/api/v1/usecases/${u.id}`, {
    token: env.tokens.refBdx,
    json: { indicators: [delay({ measurements: [{ value: 12, date: '2024-04-01' }] })] },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.impact_label.awarded, false);
  assert.deepEqual(codes(r.json.data), ['impact.review_outdated']);
  const ev = await events(u.id);
  assert.equal(ev[0].kind, 'lost', JSON.stringify(ev));
  assert.equal(ev[0].reason, null);

  // a new review gives it back
  r = await act(u.id, { action: 'review' });
  assert.equal(r.json.data.impact_label.awarded, true);
});

test('grant and withdraw by exception, with a public reason; clear goes back to the rules', async () => {
  const u = await published([delay({ evidence: 'declared' })]);
  assert.deepEqual(codes(u).sort(), ['impact.evidence_too_weak', 'impact.not_reviewed']);

  assertApiError(await act(u.id, { action: 'grant' }), 422, 'validation.required', 'reason');
  assertApiError(await act(u.id, { action: 'grant', reason: '   ' }), 422, 'validation.required', 'reason');
  assertApiError(await act(u.id, { action: 'grant', reason: 'x'.repeat(2001) }), 422, 'validation.too_long', 'reason');
  assertApiError(await act(u.id, { action: 'grant', reason: 'a\u0001b' }), 422, undefined, 'reason');
  assertApiError(await act(u.id, { action: 'promote', reason: 'x' }), 422, 'validation.enum', 'action');
  assertApiError(await act(u.id, { reason: 'x' }), 422, 'validation.required', 'action');
  assertApiError(await act(u.id, { action: 'grant', reason: 'x', extra: 1 }), 422, 'validation.unknown_field', 'extra');

  let r = await act(u.id, { action: 'grant', reason: 'Évaluation externe en cours de publication.' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.impact_label.awarded, true);
  assert.equal(r.json.data.impact_label.rules_met, false);
  assert.equal(r.json.data.impact_label.basis, 'granted');

  r = await act(u.id, { action: 'withdraw', reason: 'Résultats contestés par un rapport.' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.impact_label.awarded, false);
  assert.equal(r.json.data.impact_label.basis, 'withdrawn');

  r = await act(u.id, { action: 'clear', reason: 'Retour aux règles.' });
  assert.equal(r.json.data.impact_label.basis, 'rules');
  assert.equal(r.json.data.impact_label.awarded, false);

  const ev = await events(u.id);
  const kinds = ev.map((e) => e.kind);
  for (const k of ['grant', 'withdraw', 'clear', 'gained', 'lost']) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  assert.equal(ev.find((e) => e.kind === 'grant').reason, 'Évaluation externe en cours de publication.');
  assert.equal(ev.find((e) => e.kind === 'withdraw').reason, 'Résultats contestés par un rapport.');
});

test('rights: only curators act; drafts are 404 for outsiders, 409 for curators', async () => {
  const u = await published([delay()]);
  for (const tok of ['agentBdx', 'refBdx', 'agentLyon'])
    assertApiError(await act(u.id, { action: 'review' }, env.tokens[tok]), 403, 'auth.forbidden');
  const anon = await srv.request('POST', `/api/v1/usecases/${u.id}/impact`, { json: { action: 'review' } });
  assert.equal(anon.status, 401);
  assertApiError(await act(999999, { action: 'review' }), 404, 'resource.not_found');
  assert.equal((await get(u.id)).impact_label.awarded, false, 'nothing happened');

  const d = await createRecord(srv, env.tokens.agentBdx, validRecord({ indicators: [delay()] }));
  assertApiError(await act(d.id, { action: 'review' }, env.tokens.agentLyon), 404, 'resource.not_found');
  assertApiError(await act(d.id, { action: 'review' }), 409, 'state.not_published', 'state');
  assertApiError(await act(d.id, { action: 'grant', reason: 'x' }), 409, 'state.not_published');
  const e = await srv.request('GET', `/api/v1/usecases/${d.id}/impact-events`);
  assertApiError(e, 404, 'resource.not_found');
  assert.equal((await srv.request('GET', `/api/v1/usecases/${d.id}/impact-events`, { token: env.tokens.agentBdx })).status, 200);
});

test('the period: 89 days is too short, 90 days is enough (measurement start used when given)', async () => {
  const edge = (date, start) =>
    delay({ baseline: { value: 100, date: '2025-01-01' }, measurements: [{ value: 80, date, ...(start ? { start } : {}) }] });
  const u = await published([edge('2025-03-31')]);
  assert.deepEqual(codes(u).sort(), ['impact.not_reviewed', 'impact.period_too_short']);
  assert.match(u.impact_label.missing.find((m) => m.code === 'impact.period_too_short').message, /89 jours/);

  let r = await srv.request('PATCH', `/api/v1/usecases/${u.id}`, { token: env.tokens.refBdx, json: { indicators: [edge('2025-04-01')] } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(codes(r.json.data), ['impact.not_reviewed']);

  // a measurement over its own period: from its start, not from the baseline
  r = await srv.request('PATCH', `/api/v1/usecases/${u.id}`, {
    token: env.tokens.refBdx,
    json: { indicators: [edge('2025-06-30', '2025-04-02')] },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(codes(r.json.data).sort(), ['impact.not_reviewed', 'impact.period_too_short']);
  r = await act(u.id, { action: 'review' });
  assert.deepEqual(codes(r.json.data), ['impact.period_too_short']);
  assert.equal(r.json.data.impact_label.awarded, false);
});

// ==== Pages ====

test('the record page: figures, change in words, chart with its data table, label box, missing list', async () => {
  const u = await published([delay()], 'Fiche affichée avec un graphique');
  for (const who of ['visitor', 'agent', 'curator']) {
    const r = await c[who].get(u.url);
    assertHtmlPage(r);
    const s = section(r.text);
    assert.match(s, /<h2 id="titre-impact">Impact mesuré<\/h2>/);
    assert.match(s, /<h3>Délai de traitement des demandes<\/h3>/);
    assert.match(s, /20\u00a0jours/);
    assert.match(s, /13\u00a0jours/);
    assert.match(s, /Évolution : en baisse de 7\u00a0jours \(\u221235\u00a0%\) : une amélioration\./);
    assert.match(s, /Période : du <time datetime="2024-01-01">1er janvier 2024<\/time> au <time datetime="2024-04-01">1er avril 2024<\/time> \(91 jours\)/);
    assert.match(s, /Mesuré par la collectivité/);
    assert.match(s, /Extraction mensuelle des dates de dépôt et de réponse\./);
    assert.match(s, /Saisonnalité non corrigée\./);
    assert.match(s, /Mensuelle/);
    // the chart, described, and its data as a table
    const svg = /<svg [^>]*role="img"[^>]*aria-label="([^"]+)"[^>]*>/.exec(s);
    assert.ok(svg, 'an SVG chart with role="img" and aria-label');
    assert.match(svg[1], /3 valeurs du 1er janvier 2024 au 1er avril 2024/);
    assert.match(s, /<title id="chart-1-title">Graphique : /);
    assert.equal((s.match(/<circle /g) || []).length, 3);
    const table = /<table class="impact-data">([\s\S]*?)<\/table>/.exec(s);
    assert.ok(table, 'the data table');
    assert.match(table[1], /<caption>Valeurs de « Délai de traitement des demandes »<\/caption>/);
    assert.equal((table[1].match(/<tr>/g) || []).length, 4, 'header + 3 rows');
    assert.match(table[1], /1er janvier 2024<\/time><\/td><td>20<\/td><td>Valeur de référence/);
    assert.match(table[1], /15 février 2024<\/time><\/td><td>15<\/td><td>Mesure/);
    // the label box
    assert.match(s, /Label « impact démontré »/);
    assert.match(s, /Label non accordé/);
    assert.match(s, /Ce qui manque pour l(?:'|&#39;)obtenir/);
    assert.match(s, /<li data-code="impact.not_reviewed">Les preuves d(?:'|&#39;)impact n(?:'|&#39;)ont pas encore été relues/);
    assert.match(s, /href="\/impact-demontre"/);
    // editor link and curator forms only for those who may
    // a published record is edited by referents and curators only
    assert.equal(s.includes(`href="/fiches/${u.id}/indicateurs"`), who === 'curator', `${who}: Gérer les indicateurs`);
    assert.equal(s.includes(`action="/fiches/${u.id}/impact/relire"`), who === 'curator', `${who}: review form`);
    assert.doesNotMatch(r.text, /class="tag tag-impact"/, 'no badge yet');
  }
  const d = await createRecord(srv, env.tokens.agentBdx, validRecord({ indicators: [delay()] }));
  const dp = await c.agent.get(`/fiches/${d.id}`);
  assert.equal(dp.status, 301);
  assert.ok(section((await c.agent.get(dp.location)).text).includes(`href="/fiches/${d.id}/indicateurs"`), 'agent on a draft');
  // one measurement only: no chart, no table
  const one = await published([delay({ measurements: [{ value: 13, date: '2024-04-01' }], baseline: undefined })]);
  const s1 = section((await c.visitor.get(one.url)).text);
  assert.doesNotMatch(s1, /<svg/);
  assert.doesNotMatch(s1, /<table/);
  assert.match(s1, /Pas de valeur de référence/);
  assert.match(s1, /impact.no_baseline/);
  // no indicator
  const none = await published(undefined);
  assert.match(section((await c.visitor.get(none.url)).text), /Aucun indicateur d(?:'|&#39;)impact n(?:'|&#39;)a encore été renseigné/);
});

test('curator forms on the page (CSRF), badge, reasons shown, history without the curator\'s name', async () => {
  const u = await published([delay()], 'Fiche relue depuis la page');
  const page = await c.curator.get(u.url);
  assertHtmlPage(page);
  // without the CSRF token: refused
  let r = await c.curator.post(`/fiches/${u.id}/impact/relire`, {}, { csrf: false });
  assert.equal(r.status, 403);
  assert.equal((await get(u.id)).impact_label.awarded, false);
  // an agent may not
  await c.agent.get(u.url);
  r = await c.agent.post(`/fiches/${u.id}/impact/relire`, {});
  assert.equal(r.status, 403);
  r = await c.curator.post(`/fiches/${u.id}/impact/relire`, {});
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(r.location, `${u.url}#impact`);
  assert.equal((await get(u.id)).impact_label.awarded, true);

  let p = await c.visitor.get(u.url);
  assertHtmlPage(p);
  assert.match(p.text, /<a class="tag tag-impact" href="#impact">.*Impact démontré<\/a>/);
  assert.match(section(p.text), /\u2713 Label accordé/);
  assert.doesNotMatch(section(p.text), /Ce qui manque/);

  // withdraw: an empty reason re-renders the form with the error
  p = await c.curator.get(u.url);
  assert.match(p.text, /La relecture des preuves d(?:'|&#39;)impact est enregistrée\./, 'flash');
  r = await c.curator.post(`/fiches/${u.id}/impact/retirer`, { motif: '' });
  assertHtmlPage(r, 422);
  assert.match(r.text, /<title>Erreur : /);
  assert.match(r.text, /role="alert"/);
  assert.match(r.text, /id="e-motif-retirer"/);
  const reason = 'Le rapport cité <b>ne porte pas</b> sur ce service.';
  r = await c.curator.post(`/fiches/${u.id}/impact/retirer`, { motif: reason });
  assert.equal(r.status, 303);
  p = await c.visitor.get(u.url);
  const s = section(p.text);
  assert.match(s, /Label non accordé/);
  assert.match(s, /Retiré par exception par l(?:'|&#39;)équipe de l(?:'|&#39;)observatoire/);
  assert.ok(s.includes(htmlEscape(reason)), 'the public reason, escaped');
  assert.ok(!s.includes(reason));
  assert.doesNotMatch(p.text, /tag-impact/);

  // back to the rules
  await c.curator.get(u.url);
  r = await c.curator.post(`/fiches/${u.id}/impact/retablir`, { motif: 'Rapport corrigé.' });
  assert.equal(r.status, 303);
  assert.equal((await get(u.id)).impact_label.awarded, true);

  // the history page: the events, the reasons, never who acted
  const h = await c.visitor.get(`/fiches/${u.id}/historique`);
  assertHtmlPage(h);
  const a = h.text.indexOf('<section class="impact-history"');
  assert.ok(a >= 0, 'the label history section');
  const hs = h.text.slice(a, h.text.indexOf('</section>', a));
  assert.match(hs, /Label « impact démontré »/);
  assert.match(hs, /Preuves d(?:'|&#39;)impact relues par l(?:'|&#39;)équipe de l(?:'|&#39;)observatoire\./);
  assert.match(hs, /Label obtenu/);
  assert.match(hs, /Label retiré par exception/);
  assert.match(hs, /Exception levée/);
  assert.ok(hs.includes(htmlEscape(reason)));
  assert.match(hs, /Rapport corrigé\./);
  assert.doesNotMatch(hs, /curator|observatoire\.example/i);
});

test('restricted indicators: shown to agents with their tag, never to visitors; escaping of indicator text', async () => {
  const nasty = 'Taux <script>alert(1)</script> & "quotes"';
  const u = await published([
    delay({ name: nasty, common: undefined, unit: '<u>%</u>', source: '<img src=x onerror=alert(1)>' }),
    delay({ name: 'Indicateur réservé', visibility: 'restricted' }),
  ]);
  const v = await c.visitor.get(u.url);
  assertHtmlPage(v);
  const sv = section(v.text);
  assert.ok(!sv.includes('Indicateur réservé'), 'restricted indicator hidden from visitors');
  assert.ok(!v.text.includes('<script>alert(1)</script>'));
  assert.ok(!v.text.includes('<img src=x'));
  assert.ok(!v.text.includes('<u>%</u>'));
  assert.ok(sv.includes(htmlEscape(nasty)), 'name escaped in the card');
  const svg = /<svg [^>]*aria-label="([^"]+)"/.exec(sv);
  assert.ok(svg && svg[1].includes('&lt;script&gt;'), 'name escaped in the chart description');
  assert.ok(sv.includes('&lt;img src=x onerror=alert(1)&gt;'));

  const ag = await c.agent.get(u.url);
  assertHtmlPage(ag);
  const sa = section(ag.text);
  assert.match(sa, /<h3>Indicateur réservé <span class="restricted-tag">réservé aux agents<\/span><\/h3>/);
  // not counted for the label, for anyone
  const pub = await get(u.id);
  assert.equal(pub.indicators.length, 1);
  assert.equal((await get(u.id, env.tokens.agentBdx)).indicators.length, 2);
});

test('the rules page', async () => {
  const r = await c.visitor.get('/impact-demontre');
  assertHtmlPage(r);
  assert.match(r.text, /<h1>Le label « impact démontré »<\/h1>/);
  assert.match(r.text, /au moins 90 jours/);
  assert.match(r.text, /89 jours/);
  assert.match(r.text, /Seuls les indicateurs <strong>publics<\/strong> comptent/);
  assert.match(r.text, /1000 points/);
});

test('a change of a percentage is said in points, with the relative change', async () => {
  const u = await published([delay({
    name: 'Satisfaction des usagers', unit: '%', common: undefined,
    baseline: { value: 62, date: '2024-01-31' }, measurements: [{ value: 71, date: '2024-09-30' }], target: undefined,
  })], 'Fiche avec un pourcentage');
  const r = await c.visitor.get(u.url);
  assert.match(section(r.text), /Évolution : en hausse de 9 points \(\+14,5\u00a0%\)/);
});
