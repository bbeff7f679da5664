// editor.test.mjs — editing a record's impact indicators and reuse kit on
// the web (src/page_indicators.c), the links of the record form, and the
// Etalab impact export (src/api_export_impact.c) validated against
// Etalab's table schema (tests/fixtures/etalab-impact/schema.json).
//
// Every form is read like a browser does (its current values), changed and
// posted with the session's CSRF token (webClient). The stored result is
// read back through the API.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  LYON,
  SOURCE_DIR,
  assertHtmlPage,
  createRecord,
  createWebAccount,
  csvRows,
  h1Text,
  htmlUnescape,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
  webClient,
} from './lib.mjs';

let env;
let srv;
const AGENT = 'agent@bordeaux-metropole.example.fr';
const REF = 'referent@bordeaux-metropole.example.fr';
const LYON_AGENT = 'agent@lyon.example.fr';
const CITIZEN = 'citoyen@example.fr';
const c = {};

before(async () => {
  env = setupLibrary({ csv: null });
  createWebAccount(env.db, AGENT, 'agent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, REF, 'referent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, LYON_AGENT, 'agent', LYON.insee);
  createWebAccount(env.db, CITIZEN, 'citizen', null);
  srv = await startServer(env.db, ['--write-rate', '0']);
  for (const [k, e] of Object.entries({ agent: AGENT, ref: REF, lyon: LYON_AGENT, citizen: CITIZEN })) {
    c[k] = webClient(srv);
    await c[k].signIn(e);
  }
  c.visitor = webClient(srv);
});
after(async () => {
  await stopServerClean(srv);
});

// ==== Helpers ====

function attrs(s) {
  const a = {};
  for (const m of s.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) a[m[1]] = m[2] === undefined ? '' : htmlUnescape(m[2]);
  return a;
}

/** The fields a browser would send for the form posting to action (without the buttons). */
function formFields(html, action) {
  const start = html.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `a form posting to ${action}`);
  const f = html.slice(start, html.indexOf('</form>', start));
  const out = {};
  for (const m of f.matchAll(/<input ([^>]*)>/g)) {
    const a = attrs(m[1]);
    if (!a.name) continue;
    if (a.type === 'checkbox' || a.type === 'radio') {
      if ('checked' in a) out[a.name] = a.value;
      continue;
    }
    out[a.name] = a.value ?? '';
  }
  for (const m of f.matchAll(/<textarea ([^>]*)>([\s\S]*?)<\/textarea>/g)) out[attrs(m[1]).name] = htmlUnescape(m[2]);
  for (const m of f.matchAll(/<select ([^>]*)>([\s\S]*?)<\/select>/g)) {
    const sel = /<option value="([^"]*)" selected>/.exec(m[2]);
    out[attrs(m[1]).name] = sel ? htmlUnescape(sel[1]) : '';
  }
  delete out.csrf;
  return out;
}

/** The <input> tag with id (its attributes), or null. */
function inputById(html, id) {
  const m = new RegExp(`<(?:input|select|textarea) [^>]*id="${id}"[^>]*>`).exec(html);
  return m ? attrs(m[0].slice(m[0].indexOf(' '))) : null;
}

/** Assert that an error is shown on input NAME: linked from the summary,
 * written next to it, and the input marked invalid and described by it. */
function assertFieldError(html, name, re) {
  assert.match(html, new RegExp(`<a href="#f-${name}">[^<]*</a>`), `the summary links to #f-${name}`);
  const m = new RegExp(`<p class="field-error" id="e-${name}">([\\s\\S]*?)</p>`).exec(html);
  assert.ok(m, `an error paragraph e-${name}`);
  if (re) assert.match(htmlUnescape(m[1].replace(/<[^>]*>/g, '')), re);
  const a = inputById(html, `f-${name}`);
  assert.ok(a, `input f-${name}`);
  assert.equal(a['aria-invalid'], 'true', `f-${name} is aria-invalid`);
  assert.match(a['aria-describedby'] || '', new RegExp(`e-${name}`), `f-${name} is described by its error`);
}

async function apiRecord(id, token = env.tokens.refBdx) {
  const r = await srv.request('GET', `/api/v1/usecases/${id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

async function publish(rec) {
  const r = await srv.request('PATCH', `/api/v1/usecases/${rec.id}`, {
    token: env.tokens.refBdx,
    json: { state: 'published', version: rec.version },
  });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

/** Open the new-indicator form of record id as client cl, fill it, post it. */
async function postNewIndicator(cl, id, fields) {
  const page = await cl.get(`/fiches/${id}/indicateurs/nouveau`);
  assert.equal(page.status, 200, page.text.slice(0, 500));
  const form = formFields(page.text, `/fiches/${id}/indicateurs/nouveau`);
  return cl.post(`/fiches/${id}/indicateurs/nouveau`, { ...form, ...fields, action: 'enregistrer' });
}

const FULL = {
  common: 'processing_delay',
  baseline_value: '12,5',
  baseline_date: '2023-01-15',
  m_date_1: '2023-09-30',
  m_value_1: '8,25',
  m_start_2: '2023-10-01',
  m_date_2: '2024-03-31',
  m_value_2: '6',
  target_value: '5',
  target_date: '2030-12-31',
  frequency: 'monthly',
  automated: 'oui',
  source: 'Logiciel de gestion des demandes',
  method: 'Moyenne mensuelle des délais, extraite du logiciel.',
  comments: 'Les demandes incomplètes sont exclues.',
  evidence: 'measured',
  visibility: 'public',
};

// ==== The record form ====

test('the record form: a sentence on a new record, links with the counts on an existing one', async () => {
  const n = await c.agent.get('/fiches/nouvelle');
  assertHtmlPage(n);
  assert.ok(htmlUnescape(n.text).includes("Enregistrez d'abord la fiche : vous pourrez ensuite ajouter ses indicateurs."));
  assert.doesNotMatch(n.text, /Gérer les indicateurs/);
  const rec = await createRecord(srv, env.tokens.agentBdx, validRecord({
    title: 'Fiche aux liens',
    reuse_kit: [{ kind: 'code', title: 'Dépôt', url: 'https://example.org/depot' }],
  }));
  const e = await c.agent.get(`/fiches/${rec.id}/modifier`);
  assertHtmlPage(e);
  assert.match(e.text, new RegExp(`<a href="/fiches/${rec.id}/indicateurs">Gérer les indicateurs \\(0\\)</a>`));
  assert.match(e.text, new RegExp(`<a href="/fiches/${rec.id}/kit">Gérer le kit de réutilisation \\(1\\)</a>`));
  // the label and the help of the field come with the link
  assert.match(e.text, /Indicateurs d(&#39;|')impact/);
  // the record form's post leaves the lists as they are
  const form = formFields(e.text, `/fiches/${rec.id}/modifier`);
  const r = await c.agent.post(`/fiches/${rec.id}/modifier`, { ...form, title: 'Fiche aux liens, modifiée' });
  assert.equal(r.status, 303, r.text.slice(0, 1000));
  const after = await apiRecord(rec.id);
  assert.equal(after.reuse_kit.length, 1);
});

// ==== Indicators ====

test('an agent adds an indicator to a draft: common indicator fills name, unit and type; French decimals; measurements in date order', async () => {
  const rec = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Fiche à indicateurs' }));
  const list0 = await c.agent.get(`/fiches/${rec.id}/indicateurs`);
  assertHtmlPage(list0);
  assert.equal(htmlUnescape(h1Text(list0.text)), "Indicateurs d'impact");
  assert.match(list0.text, /pas encore d(&#39;|')indicateur/);
  assert.match(list0.text, new RegExp(`href="/fiches/${rec.id}/indicateurs/nouveau"`));

  const page = await c.agent.get(`/fiches/${rec.id}/indicateurs/nouveau`);
  assertHtmlPage(page);
  // three empty measurement rows, each input labelled
  for (const k of [1, 2, 3]) {
    for (const col of ['start', 'date', 'value']) {
      assert.ok(inputById(page.text, `f-m_${col}_${k}`), `row ${k} ${col}`);
      assert.match(page.text, new RegExp(`<label class="visually-hidden" for="f-m_${col}_${k}">`));
    }
  }
  assert.equal(inputById(page.text, 'f-m_date_4'), null);
  // every common indicator is offered
  for (const code of ['time_saved', 'processing_delay', 'energy', 'water_losses', 'user_satisfaction', 'error_rate']) {
    assert.match(page.text, new RegExp(`<option value="${code}"`));
  }
  // the measurement rows are given in reverse order: stored in date order
  const r = await postNewIndicator(c.agent, rec.id, {
    ...FULL,
    m_date_1: '2024-03-31', m_value_1: '6', m_start_1: '2023-10-01',
    m_date_2: '2023-09-30', m_value_2: '8,25', m_start_2: '',
    m_date_3: '2024-06-30', m_value_3: '1 234,5',
  });
  assert.equal(r.status, 303, r.text.slice(0, 3000));
  assert.equal(r.location, `/fiches/${rec.id}/indicateurs`);
  const list = await c.agent.get(r.location);
  assert.match(list.text, /class="flash"[^>]*><p>L(&#39;|')indicateur est enregistré\.<\/p>/);
  assert.match(list.text, /Délai de traitement/);
  assert.match(list.text, new RegExp(`href="/fiches/${rec.id}/indicateurs/1/modifier"`));
  assert.match(list.text, new RegExp(`href="/fiches/${rec.id}/indicateurs/1/supprimer"`));

  const data = await apiRecord(rec.id);
  assert.equal(data.version, rec.version + 1);
  assert.equal(data.indicators.length, 1);
  const ind = data.indicators[0];
  assert.equal(ind.name, 'Délai de traitement');
  assert.equal(ind.unit, 'jours');
  assert.equal(ind.type, 'impact');
  assert.equal(ind.common, 'processing_delay');
  assert.deepEqual(ind.baseline, { value: 12.5, date: '2023-01-15' });
  assert.deepEqual(ind.measurements, [
    { value: 8.25, date: '2023-09-30' },
    { value: 6, date: '2024-03-31', start: '2023-10-01' },
    { value: 1234.5, date: '2024-06-30' },
  ]);
  assert.deepEqual(ind.target, { value: 5, date: '2030-12-31' });
  assert.equal(ind.automated, true);
  assert.equal(ind.frequency, 'monthly');
  assert.equal(ind.evidence, 'measured');
  assert.equal(ind.visibility, 'public');
  assert.equal(ind.method, FULL.method);

  // the edit form comes filled, numbers the French way, + 3 empty rows
  const e = await c.agent.get(`/fiches/${rec.id}/indicateurs/1/modifier`);
  assertHtmlPage(e);
  const f = formFields(e.text, `/fiches/${rec.id}/indicateurs/1/modifier`);
  assert.equal(f.baseline_value, '12,5');
  assert.equal(f.m_value_1, '8,25');
  assert.equal(f.m_start_2, '2023-10-01');
  assert.equal(f.m_value_3, '1234,5');
  assert.equal(f.m_date_6, '');
  assert.equal(f.m_date_7, undefined);
  assert.equal(f.common, 'processing_delay');
  assert.equal(f.evidence, 'measured');
  assert.equal(f.automated, 'oui');
  assert.equal(f.version, String(data.version));
  // change a value and remove a row
  const r2 = await c.agent.post(`/fiches/${rec.id}/indicateurs/1/modifier`, {
    ...f, m_value_1: '7,5', m_date_3: '', m_value_3: '', action: 'enregistrer',
  });
  assert.equal(r2.status, 303, r2.text.slice(0, 3000));
  const d2 = await apiRecord(rec.id);
  assert.equal(d2.version, data.version + 1);
  assert.deepEqual(d2.indicators[0].measurements.map((m) => m.value), [7.5, 6]);
  // the history says what happened
  const h = await c.agent.get(`/fiches/${rec.id}/historique`);
  assert.match(h.text, /indicateur modifié/);
  assert.match(h.text, /indicateur ajouté/);
});

test('"Ajouter des lignes" shows three more rows and keeps every typed value, saving nothing', async () => {
  const rec = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Fiche aux lignes' }));
  const page = await c.agent.get(`/fiches/${rec.id}/indicateurs/nouveau`);
  const form = formFields(page.text, `/fiches/${rec.id}/indicateurs/nouveau`);
  assert.equal(form.rows, '3');
  const typed = { ...form, name: 'Appels traités', unit: 'unité', m_date_1: '2024-01-31', m_value_1: '10', m_date_3: '2024-03-31', m_value_3: '12,5' };
  const r = await c.agent.post(`/fiches/${rec.id}/indicateurs/nouveau`, { ...typed, action: 'lignes' });
  assertHtmlPage(r);
  assert.doesNotMatch(r.text, /class="error-summary"/);
  const f = formFields(r.text, `/fiches/${rec.id}/indicateurs/nouveau`);
  assert.equal(f.rows, '6');
  assert.equal(f.m_date_6, '');
  assert.equal(f.m_date_7, undefined);
  assert.equal(f.name, 'Appels traités');
  assert.equal(f.m_date_3, '2024-03-31');
  assert.equal(f.m_value_3, '12,5');
  assert.equal((await apiRecord(rec.id)).version, rec.version, 'nothing saved');
  // and again: 9 rows; row 8 filled, then saved
  const r2 = await c.agent.post(`/fiches/${rec.id}/indicateurs/nouveau`, { ...f, action: 'lignes' });
  const f2 = formFields(r2.text, `/fiches/${rec.id}/indicateurs/nouveau`);
  assert.equal(f2.rows, '9');
  const r3 = await c.agent.post(`/fiches/${rec.id}/indicateurs/nouveau`, { ...f2, m_date_8: '2024-08-31', m_value_8: '20', action: 'enregistrer' });
  assert.equal(r3.status, 303, r3.text.slice(0, 2000));
  const d = await apiRecord(rec.id);
  assert.deepEqual(d.indicators[0].measurements.map((m) => [m.date, m.value]), [['2024-01-31', 10], ['2024-03-31', 12.5], ['2024-08-31', 20]]);
});

test('errors come back on the right input of the form, in French, with the values kept', async () => {
  const rec = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Fiche aux erreurs' }));
  const id = rec.id;
  // a bad date in measurement row 2
  let r = await postNewIndicator(c.agent, id, { ...FULL, m_date_2: '2024-02-30' });
  assertHtmlPage(r, 422);
  assert.match(r.text, /<title>Erreur : /);
  assertFieldError(r.text, 'm_date_2', /^Erreur : Mesure, ligne 2, date : date « 2024-02-30 » invalide/);
  let f = formFields(r.text, `/fiches/${id}/indicateurs/nouveau`);
  assert.equal(f.m_date_2, '2024-02-30');
  assert.equal(f.baseline_value, '12,5');
  assert.equal(f.method, FULL.method);
  // a measurement on the baseline's date or before it: on that row
  r = await postNewIndicator(c.agent, id, { ...FULL, m_date_1: '2024-01-31', m_start_2: '', m_date_2: '2022-12-31' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'm_date_2', /postérieure à la valeur de référence/);
  // two measurements on the same date: the second row
  r = await postNewIndicator(c.agent, id, { ...FULL, m_start_2: '', m_date_2: FULL.m_date_1 });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'm_date_2', /même date/);
  // a value missing in a row that has a date
  r = await postNewIndicator(c.agent, id, { ...FULL, m_value_2: '' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'm_value_2', /valeur est obligatoire/);
  // independently evaluated without the report
  r = await postNewIndicator(c.agent, id, { ...FULL, evidence: 'independent', evaluator: 'Cabinet Exemple' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'report_url', /évaluateur et donner le lien du rapport/);
  // ... and without the evaluator
  r = await postNewIndicator(c.agent, id, { ...FULL, evidence: 'independent', report_url: 'https://example.org/rapport.pdf' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'evaluator');
  // numbers that are not numbers, several errors at once
  r = await postNewIndicator(c.agent, id, { ...FULL, baseline_value: 'douze', m_value_1: '1,2,3', report_url: 'javascript:alert(1)' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'baseline_value', /^Erreur : Valeur de référence : « douze » n'est pas un nombre/);
  assertFieldError(r.text, 'm_value_1', /n'est pas un nombre/);
  f = formFields(r.text, `/fiches/${id}/indicateurs/nouveau`);
  assert.equal(f.baseline_value, 'douze');
  // no name and no common indicator; no unit
  r = await postNewIndicator(c.agent, id, { ...FULL, common: '' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'name', /nom de l'indicateur est obligatoire/);
  r = await postNewIndicator(c.agent, id, { ...FULL, common: '', name: 'Un indicateur libre' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'unit', /unité est obligatoire/);
  // a future measurement is refused (a future value is a target)
  r = await postNewIndicator(c.agent, id, { ...FULL, m_date_2: '2999-01-01', m_start_2: '' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'm_date_2', /futur/);
  // nothing was written by any of these
  assert.equal((await apiRecord(id)).version, rec.version);
  assert.equal((await apiRecord(id)).indicators, null);
});

test('deleting an indicator: a confirmation page, then the post with the version', async () => {
  const rec = await createRecord(srv, env.tokens.agentBdx, validRecord({
    title: 'Fiche à supprimer',
    indicators: [
      { name: 'Premier', unit: 'heures' },
      { name: 'Second', unit: 'jours' },
    ],
  }));
  const g = await c.agent.get(`/fiches/${rec.id}/indicateurs/1/supprimer`);
  assertHtmlPage(g);
  assert.match(g.text, /<blockquote><p>Premier/);
  const f = formFields(g.text, `/fiches/${rec.id}/indicateurs/1/supprimer`);
  assert.equal(f.version, String(rec.version));
  // without the version: refused, nothing removed
  const bad = await c.agent.post(`/fiches/${rec.id}/indicateurs/1/supprimer`, {});
  assert.equal(bad.status, 400);
  const r = await c.agent.post(`/fiches/${rec.id}/indicateurs/1/supprimer`, f);
  assert.equal(r.status, 303, r.text.slice(0, 1000));
  assert.equal(r.location, `/fiches/${rec.id}/indicateurs`);
  const d = await apiRecord(rec.id);
  assert.deepEqual(d.indicators.map((i) => i.name), ['Second']);
  assert.equal(d.version, rec.version + 1);
  // an unknown position is a 404
  assert.equal((await c.agent.get(`/fiches/${rec.id}/indicateurs/2/modifier`)).status, 404);
  assert.equal((await c.agent.get(`/fiches/${rec.id}/indicateurs/0/supprimer`)).status, 404);
  assert.equal((await c.agent.post(`/fiches/${rec.id}/indicateurs/5/supprimer`, { version: String(d.version) })).status, 404);
  // the last one: the list is empty (null in the API)
  const g2 = await c.agent.get(`/fiches/${rec.id}/indicateurs/1/supprimer`);
  const r2 = await c.agent.post(`/fiches/${rec.id}/indicateurs/1/supprimer`, formFields(g2.text, `/fiches/${rec.id}/indicateurs/1/supprimer`));
  assert.equal(r2.status, 303);
  assert.equal((await apiRecord(rec.id)).indicators, null);
});

test('a concurrent change: the form comes back (409) with the typed values and the new version; saving again applies it', async () => {
  const rec = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Fiche concurrente', indicators: [{ name: 'Existant', unit: 'heures' }] }));
  const page = await c.agent.get(`/fiches/${rec.id}/indicateurs/1/modifier`);
  const form = formFields(page.text, `/fiches/${rec.id}/indicateurs/1/modifier`);
  const p = await srv.request('PATCH', `/api/v1/usecases/${rec.id}`, { token: env.tokens.refBdx, json: { title: 'Titre changé entre-temps', version: rec.version } });
  assert.equal(p.status, 200, p.text);
  const r = await c.agent.post(`/fiches/${rec.id}/indicateurs/1/modifier`, { ...form, unit: 'minutes', action: 'enregistrer' });
  assertHtmlPage(r, 409);
  assert.match(r.text, /id="conflit"/);
  const f = formFields(r.text, `/fiches/${rec.id}/indicateurs/1/modifier`);
  assert.equal(f.unit, 'minutes');
  assert.equal(f.version, String(rec.version + 1));
  assert.equal((await apiRecord(rec.id)).indicators[0].unit, 'heures');
  const r2 = await c.agent.post(`/fiches/${rec.id}/indicateurs/1/modifier`, { ...f, action: 'enregistrer' });
  assert.equal(r2.status, 303, r2.text.slice(0, 1000));
  const d = await apiRecord(rec.id);
  assert.equal(d.indicators[0].unit, 'minutes');
  assert.equal(d.title, 'Titre changé entre-temps', 'the other change is kept');
});

test('rights: a published record is edited by a referent (a new version, still published), refused to a plain agent; others get 404 or 403', async () => {
  let rec = await createRecord(srv, env.tokens.refBdx, validRecord({ title: 'Fiche publiée à indicateurs' }));
  rec = await publish(rec);
  // a plain agent of the owner may not change a published record
  assert.equal((await c.agent.get(`/fiches/${rec.id}/indicateurs`)).status, 403);
  assert.equal((await c.agent.get(`/fiches/${rec.id}/indicateurs/nouveau`)).status, 403);
  const refused = await c.agent.post(`/fiches/${rec.id}/indicateurs/nouveau`, { version: String(rec.version), ...FULL, action: 'enregistrer' });
  assert.equal(refused.status, 403);
  assert.equal((await c.agent.post(`/fiches/${rec.id}/kit/nouveau`, { version: String(rec.version), kind: 'code', title: 'x', url: 'https://example.org/' })).status, 403);
  // another organisation's agent: 403 (the record is public), a citizen too
  assert.equal((await c.lyon.get(`/fiches/${rec.id}/indicateurs/nouveau`)).status, 403);
  assert.equal((await c.citizen.get(`/fiches/${rec.id}/kit`)).status, 403);
  // a visitor is sent to the sign-in page
  const v = await c.visitor.get(`/fiches/${rec.id}/indicateurs`);
  assert.equal(v.status, 303);
  assert.match(v.location, /^\/connexion\?retour=/);
  // the referent: the change goes live as a new version
  const page = await c.ref.get(`/fiches/${rec.id}/indicateurs/nouveau`);
  assert.match(page.text, /Cette fiche est publiée/);
  const r = await postNewIndicator(c.ref, rec.id, FULL);
  assert.equal(r.status, 303, r.text.slice(0, 2000));
  const pub = await srv.request('GET', `/api/v1/usecases/${rec.id}`); // a visitor sees it at once
  assert.equal(pub.json.data.state, 'published');
  assert.equal(pub.json.data.version, rec.version + 1);
  assert.equal(pub.json.data.indicators[0].name, 'Délai de traitement');
  // a draft of another organisation is a 404, like the record itself
  const draft = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Brouillon caché' }));
  assert.equal((await c.lyon.get(`/fiches/${draft.id}/indicateurs`)).status, 404);
  assert.equal((await c.lyon.post(`/fiches/${draft.id}/indicateurs/nouveau`, { version: '1', ...FULL })).status, 404);
  assert.equal((await c.agent.get('/fiches/999999/kit')).status, 404);
  // a retracted record is final
  const ret = await srv.request('POST', `/api/v1/usecases/${rec.id}/retract`, { token: env.tokens.refBdx, json: { reason: 'Projet arrêté.' } });
  assert.equal(ret.status, 200, ret.text);
  assert.equal((await c.ref.get(`/fiches/${rec.id}/indicateurs/nouveau`)).status, 409);
});

// ==== Reuse kit ====

test('the reuse kit: add, edit, delete, each item public or restricted', async () => {
  const rec = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Fiche au kit' }));
  const list = await c.agent.get(`/fiches/${rec.id}/kit`);
  assertHtmlPage(list);
  assert.match(list.text, /Le kit de réutilisation de cette fiche est vide/);
  const page = await c.agent.get(`/fiches/${rec.id}/kit/nouveau`);
  assertHtmlPage(page);
  const form = formFields(page.text, `/fiches/${rec.id}/kit/nouveau`);
  assert.equal(form.visibility, 'public');
  // errors: no kind, no title, a bad address
  let r = await c.agent.post(`/fiches/${rec.id}/kit/nouveau`, { ...form, url: 'ftp://example.org/x', action: 'enregistrer' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'kind', /nature du document est obligatoire/);
  r = await c.agent.post(`/fiches/${rec.id}/kit/nouveau`, { ...form, kind: 'tender', url: 'ftp://example.org/x', action: 'enregistrer' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'title', /titre est obligatoire/);
  r = await c.agent.post(`/fiches/${rec.id}/kit/nouveau`, { ...form, kind: 'tender', title: 'DCE', url: 'ftp://example.org/x', action: 'enregistrer' });
  assertHtmlPage(r, 422);
  assertFieldError(r.text, 'url', /http:\/\/ ou https:\/\//);
  assert.equal(formFields(r.text, `/fiches/${rec.id}/kit/nouveau`).title, 'DCE');
  // a public item and a restricted one
  r = await c.agent.post(`/fiches/${rec.id}/kit/nouveau`, { ...form, kind: 'tender', title: 'DCE du marché', url: 'https://example.org/dce.zip', action: 'enregistrer' });
  assert.equal(r.status, 303, r.text.slice(0, 1000));
  r = await c.agent.post(`/fiches/${rec.id}/kit/nouveau`, {
    ...formFields((await c.agent.get(`/fiches/${rec.id}/kit/nouveau`)).text, `/fiches/${rec.id}/kit/nouveau`),
    kind: 'contract', title: 'Contrat', reference: 'Marché 2024-017, contact : service achats', visibility: 'restricted', action: 'enregistrer',
  });
  assert.equal(r.status, 303, r.text.slice(0, 1000));
  const l2 = await c.agent.get(`/fiches/${rec.id}/kit`);
  assert.match(l2.text, /élément du kit de réutilisation est enregistré/);
  assert.match(l2.text, /Contrat[\s\S]*réservé aux agents/);
  let d = await apiRecord(rec.id);
  assert.deepEqual(d.reuse_kit, [
    { kind: 'tender', title: 'DCE du marché', url: 'https://example.org/dce.zip', visibility: 'public' },
    { kind: 'contract', title: 'Contrat', reference: 'Marché 2024-017, contact : service achats', visibility: 'restricted' },
  ]);
  // published: a visitor sees the public item only
  const pub = await publish(d);
  const v = await srv.request('GET', `/api/v1/usecases/${rec.id}`);
  assert.deepEqual(v.json.data.reuse_kit.map((x) => x.title), ['DCE du marché']);
  // the referent makes the contract public, then deletes the first item
  const e = await c.ref.get(`/fiches/${rec.id}/kit/2/modifier`);
  const ef = formFields(e.text, `/fiches/${rec.id}/kit/2/modifier`);
  assert.equal(ef.visibility, 'restricted');
  assert.equal(ef.kind, 'contract');
  r = await c.ref.post(`/fiches/${rec.id}/kit/2/modifier`, { ...ef, visibility: 'public', action: 'enregistrer' });
  assert.equal(r.status, 303, r.text.slice(0, 1000));
  const v2 = await srv.request('GET', `/api/v1/usecases/${rec.id}`);
  assert.deepEqual(v2.json.data.reuse_kit.map((x) => x.title), ['DCE du marché', 'Contrat']);
  const dg = await c.ref.get(`/fiches/${rec.id}/kit/1/supprimer`);
  assertHtmlPage(dg);
  r = await c.ref.post(`/fiches/${rec.id}/kit/1/supprimer`, formFields(dg.text, `/fiches/${rec.id}/kit/1/supprimer`));
  assert.equal(r.status, 303);
  d = await apiRecord(rec.id);
  assert.deepEqual(d.reuse_kit.map((x) => x.title), ['Contrat']);
  assert.equal(d.version, pub.version + 2);
});

// ==== The Etalab export ====

const SCHEMA = JSON.parse(fs.readFileSync(path.join(SOURCE_DIR, 'tests/fixtures/etalab-impact/schema.json'), 'utf8'));

/** Formula cells must be neutralised (the rule of assertCsvInert in attack.test.mjs). */
function assertCsvInert(rows) {
  rows.forEach((row, i) => row.forEach((cell, j) => {
    if (/^[-+]?\d+([.,]\d+)?$/.test(cell)) return;
    assert.ok(!/^[\s]*[=+\-@\t\r]/.test(cell) || /^'/.test(cell), `CSV line ${i + 1}, column ${j + 1}: formula cell ${JSON.stringify(cell)}`);
  }));
}

/**
 * Validate CSV rows (header first) against a Frictionless table schema:
 * the columns and their order, required values, enums, booleans, dates,
 * numbers. opts.allowEmpty: columns whose required values may be empty
 * (documented: not invented). Returns the records as objects.
 */
function validateAgainstSchema(rows, opts = {}) {
  const names = SCHEMA.fields.map((f) => f.name);
  assert.deepEqual(rows[0], names, 'the columns of the schema, in its order');
  const out = [];
  rows.slice(1).forEach((row, i) => {
    const where = `line ${i + 2}`;
    assert.equal(row.length, names.length, `${where}: ${row.length} cells`);
    const rec = {};
    SCHEMA.fields.forEach((f, j) => {
      const v = row[j];
      rec[f.name] = v;
      const c = f.constraints || {};
      if (v === '') {
        if (c.required && !(opts.allowEmpty || []).includes(f.name)) assert.fail(`${where}: ${f.name} is required`);
        return;
      }
      if (c.enum) assert.ok(c.enum.includes(v), `${where}: ${f.name} = ${v} not in ${c.enum}`);
      if (f.type === 'boolean') assert.match(v, /^(true|false)$/, `${where}: ${f.name} boolean`);
      if (f.type === 'number') assert.match(v, /^-?\d+(\.\d+)?$/, `${where}: ${f.name} number: ${v}`);
      if (f.type === 'date') {
        assert.match(v, /^\d{4}-\d{2}-\d{2}$/, `${where}: ${f.name} date`);
        assert.equal(new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10), v, `${where}: ${f.name} is a real date`);
      }
    });
    if (rec.est_periode === 'false') assert.equal(rec.date_debut, '', `${where}: date_debut only for a period`);
    out.push(rec);
  });
  return out;
}

test('the schema validator accepts Etalab\'s own valid example', () => {
  const text = fs.readFileSync(path.join(SOURCE_DIR, 'tests/fixtures/etalab-impact/exemple-valide.csv'), 'utf8');
  const recs = validateAgainstSchema(csvRows(text).filter((r) => !(r.length === 1 && r[0] === '')));
  assert.ok(recs.length > 10);
});

test('the Etalab impact export: schema-valid, public indicators only (even for an agent), injection-safe', async () => {
  const formula = '=HYPERLINK("https://evil.example.org","clic")';
  let rec = await createRecord(srv, env.tokens.refBdx, validRecord({
    title: 'Service, "exporté" en CSV',
    indicators: [
      {
        name: formula,
        unit: 'jours',
        type: 'impact',
        baseline: { value: 12.5, date: '2023-01-15' },
        measurements: [{ value: -0.25, date: '2023-09-30' }, { value: 6, date: '2024-03-31', start: '2023-10-01' }],
        target: { value: 5, date: '2030-12-31' },
        frequency: 'quarterly',
        automated: false,
        source: '@enquête annuelle',
        comments: '+ biais connus ; ligne 1\nligne 2',
        evidence: 'measured',
        method: 'Relevé trimestriel.',
        visibility: 'public',
      },
      {
        name: 'Coût interne confidentiel',
        unit: '€',
        baseline: { value: 1000, date: '2023-01-01' },
        measurements: [{ value: 800, date: '2024-01-01' }],
        frequency: 'yearly',
        automated: true,
        source: 'comptabilité',
        visibility: 'restricted',
      },
      // no frequency, no automated, no source; a target without a date
      { name: 'Usagers', unit: 'unité', type: 'usage', measurements: [{ value: 300, date: '2024-02-01' }], target: { value: 1000 } },
    ],
  }));
  rec = await publish(rec);
  // a record of a commune (Lyon) gives COM + its INSEE code
  let lyon = await createRecord(srv, env.tokens.agentLyon, validRecord({
    title: 'Service lyonnais',
    owner: LYON.key,
    indicators: [{ name: 'Temps gagné', unit: 'heures', baseline: { value: 3, date: '2024-01-01' }, frequency: 'weekly', automated: true, source: 'script' }],
  }));
  // a draft: not in the whole export
  await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Brouillon à indicateurs', indicators: [{ name: 'Brouillon', unit: 'h', measurements: [{ value: 1, date: '2024-01-01' }] }] }));

  for (const token of [undefined, env.tokens.agentBdx, env.tokens.refBdx]) {
    const r = await srv.request('GET', `/api/v1/usecases/${rec.id}/impact.csv`, { token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'] || r.headers.get?.('content-type'), 'text/csv; charset=utf-8');
    const cd = r.headers['content-disposition'] || r.headers.get?.('content-disposition');
    assert.match(cd, new RegExp(`^attachment; filename="impact-fiche-${rec.id}\\.csv"$`));
    assert.equal(r.text.charCodeAt(0), 0xfeff, 'a UTF-8 BOM, like Etalab\'s example');
    assert.match(r.text, /\r\n/, 'CRLF line ends (RFC 4180)');
    assert.doesNotMatch(r.text, /confidentiel|comptabilité/, 'a restricted indicator is never exported');
    const rows = csvRows(r.text);
    assertCsvInert(rows);
    const recs = validateAgainstSchema(rows, { allowEmpty: ['frequence_monitoring', 'est_automatise', 'source_collecte'] });
    // indicator 1: baseline, 2 measurements, target; indicator 3: 1 measurement (its target has no date)
    assert.equal(recs.length, 5);
    const [b, m1, m2, t, u] = recs;
    for (const x of recs) {
      assert.equal(x.administration_rattachement, 'Bordeaux Métropole');
      assert.equal(x.nom_service_public_numerique, 'Service, "exporté" en CSV');
      assert.equal(x.denom_insee, '', 'an EPCI has no INSEE scale');
      assert.equal(x.code_insee, '');
      assert.equal(x.dataviz_wish, '');
    }
    assert.equal(b.indicateur, `'${formula}`, 'a formula is neutralised with an apostrophe');
    assert.deepEqual([b.valeur, b.date, b.est_cible, b.est_periode, b.date_debut], ['12.5', '2023-01-15', 'false', 'false', '']);
    assert.deepEqual([m1.valeur, m1.date, m1.est_periode], ['-0.25', '2023-09-30', 'false']);
    assert.deepEqual([m2.valeur, m2.date, m2.est_periode, m2.date_debut], ['6', '2024-03-31', 'true', '2023-10-01']);
    assert.deepEqual([t.valeur, t.date, t.est_cible], ['5', '2030-12-31', 'true']);
    assert.equal(b.unite_mesure, 'jours');
    assert.equal(b.type_indicateur, 'impact');
    assert.equal(b.frequence_monitoring, 'trimestrielle');
    assert.equal(b.est_automatise, 'false');
    assert.equal(b.source_collecte, "'@enquête annuelle");
    assert.equal(b.commentaires, "'+ biais connus ; ligne 1\nligne 2");
    assert.deepEqual([u.indicateur, u.type_indicateur, u.frequence_monitoring, u.est_automatise, u.source_collecte], ['Usagers', 'usage', '', '', '']);
  }
  // the whole export: published records only, the commune's scale
  const all = await srv.request('GET', '/api/v1/impact.csv', { token: env.tokens.agentBdx });
  assert.equal(all.status, 200);
  assert.match(all.headers['content-disposition'] || all.headers.get?.('content-disposition'), /filename="impact-iat\.csv"/);
  let recs = validateAgainstSchema(csvRows(all.text), { allowEmpty: ['frequence_monitoring', 'est_automatise', 'source_collecte'] });
  assert.ok(!recs.some((x) => /Brouillon|Service lyonnais/.test(x.nom_service_public_numerique)), 'drafts are not exported');
  assert.ok(!all.text.includes('confidentiel'));
  assert.ok(recs.some((x) => x.nom_service_public_numerique === 'Service, "exporté" en CSV'));
  lyon = await srv.request('PATCH', `/api/v1/usecases/${lyon.id}`, { token: env.tokens.curator, json: { state: 'published', version: lyon.version } });
  assert.equal(lyon.status, 200, lyon.text);
  recs = validateAgainstSchema(csvRows((await srv.request('GET', '/api/v1/impact.csv')).text), { allowEmpty: ['frequence_monitoring', 'est_automatise', 'source_collecte'] });
  const ly = recs.filter((x) => x.nom_service_public_numerique === 'Service lyonnais');
  assert.equal(ly.length, 1);
  assert.deepEqual([ly[0].administration_rattachement, ly[0].denom_insee, ly[0].code_insee], ['Lyon', 'COM', '69123']);
  // every row of a fully described indicator is valid without exception
  validateAgainstSchema([recs.length ? Object.keys(recs[0]) : [], ...ly.map((x) => Object.values(x))]);
  // a draft's export: 404 for the public, its editors can preview it
  const draft = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Aperçu' }));
  assert.equal((await srv.request('GET', `/api/v1/usecases/${draft.id}/impact.csv`)).status, 404);
  assert.equal((await srv.request('GET', `/api/v1/usecases/${draft.id}/impact.csv`, { token: env.tokens.agentBdx })).status, 200);
  assert.equal((await srv.request('GET', '/api/v1/usecases/abc/impact.csv')).status, 404);
});
