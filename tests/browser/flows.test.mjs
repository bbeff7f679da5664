// flows.test.mjs — what people do with the site, end to end, in Chromium:
// sign in and out, report an error as a visitor and answer it as the
// organisation, the legal pages. Real interactions only (labels, buttons,
// links, keyboard): no direct HTTP post. Every page type a flow visits is
// checked by B.checkPage(): one h1, axe-core (WCAG 2.1 AA) with no
// violation at 1280 and 320 px, no sideways scroll, screenshots NAME-1280
// and NAME-320 in $IAT_SCREENSHOTS.
//
// Design notes
// - The steps share one server and database and run in order (node:test
//   runs the tests of a file one after the other): a later step uses what
//   an earlier one made. Each actor has its own browser context (its own
//   cookies), like separate people on separate machines.
// - Accounts are made with the CLI (createWebAccount), except the ones the
//   flows sign up themselves.
// - The last test prints the axe result of every page type (B.axeResults).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as B from './browser.mjs';

let env;
let srv;
let browser;

const BDX_AGENT = 'agent.flows@bordeaux-metropole.example.fr';
const started = Date.now();

// The fixture record owned by Bordeaux Métropole (Stacoptim).
let bdxRecord;

before(async () => {
  env = B.setupLibrary({ accounts: {} });
  B.createWebAccount(env.db, BDX_AGENT, 'agent', B.BORDEAUX_METROPOLE.siren);
  srv = await B.startServer(env.db);
  browser = await B.launchBrowser();
  const list = (await srv.get('/api/v1/usecases?per_page=100')).json.data;
  bdxRecord = list.find((u) => u.owner.id === B.BORDEAUX_METROPOLE.key);
  assert.ok(bdxRecord, 'the fixture library has a record of Bordeaux Métropole');
});

after(async () => {
  await browser?.close();
  if (srv) await B.stopServerClean(srv);
});

/**
 * A test of a flow: its checkPage() failures (axe...) do not stop it, they
 * fail it at the end (with the flow's own error, if any).
 */
function flow(name, fn) {
  test(name, async () => {
    try {
      await fn();
    } catch (e) {
      try {
        B.assertPagesOk();
      } catch (p) {
        e.message += `\n(and: ${p.message})`;
      }
      throw e;
    }
    B.assertPagesOk();
  });
}

/** A new context signed in as email through the sign-in form, landing at `to`. */
async function signedIn(email, to) {
  const h = await B.newPage(browser, srv.base);
  await B.visit(h.page, `/connexion?retour=${encodeURIComponent(to)}`);
  await B.fill(h.page, { 'Adresse électronique': email, 'Mot de passe': B.TEST_PASSWORD });
  await B.submit(h.page, 'Se connecter');
  assert.equal(new URL(h.page.url()).pathname, to, `${email} lands on ${to}`);
  return h;
}

flow('sign in: error state, then signed in, then signed out', () =>
  B.withPage(browser, srv.base, { label: 'signin' }, async (page) => {
    // a page for members only sends to the sign-in form, and back after it
    await B.visit(page, '/espace/signalements');
    assert.equal(new URL(page.url()).pathname, '/connexion');
    await B.checkPage(page, 'signin');

    await B.fill(page, { 'Adresse électronique': BDX_AGENT, 'Mot de passe': 'pas le bon mot de passe' });
    await B.submit(page, 'Se connecter', { status: 422 });
    assert.match(await page.title(), /^Erreur : /);
    assert.match(await page.locator('.error-summary').innerText(), /Adresse électronique ou mot de passe incorrect/);
    // the address is kept, the password never
    assert.equal(await (await B.control(page, 'Adresse électronique')).inputValue(), BDX_AGENT);
    assert.equal(await (await B.control(page, 'Mot de passe')).inputValue(), '');
    await B.followErrorLink(page, 'email');
    await B.checkPage(page, 'signin-errors');

    await B.fill(page, { 'Mot de passe': B.TEST_PASSWORD });
    await (await B.control(page, 'Mot de passe')).press('Enter'); // the keyboard sends the form
    await page.waitForURL((u) => u.pathname === '/espace/signalements');
    assert.equal(await page.locator('h1').innerText(), 'Signalements reçus');
    const nav = page.getByRole('navigation', { name: 'Menu principal' });
    assert.ok(await nav.getByRole('link', { name: 'Mon organisation' }).isVisible(), 'a member sees « Mon organisation »');

    await B.submit(page, 'Se déconnecter');
    assert.ok(await nav.getByRole('link', { name: 'Se connecter' }).isVisible(), 'signed out: « Se connecter » is back');
    assert.equal(await nav.getByRole('button', { name: 'Se déconnecter' }).count(), 0);
    // the inbox is closed again
    await B.visit(page, '/espace/signalements');
    assert.equal(new URL(page.url()).pathname, '/connexion');
  }));

flow('legal pages: mentions légales and données personnelles, linked from every page', () =>
  B.withPage(browser, srv.base, { label: 'legal' }, async (page) => {
    await B.visit(page, '/');
    await page.getByRole('link', { name: 'Mentions légales' }).click();
    await page.waitForURL((u) => u.pathname === '/mentions-legales');
    assert.equal(await page.locator('h1').innerText(), 'Mentions légales');
    await B.checkPage(page, 'legal-notice');
    await page.getByRole('contentinfo').getByRole('link', { name: 'Données personnelles' }).click();
    await page.waitForURL((u) => u.pathname === '/donnees-personnelles');
    assert.equal(await page.locator('h1').innerText(), 'Données personnelles');
    await B.checkPage(page, 'privacy');
  }));

// ==== 6. Error report by a visitor, answered by the organisation ====

const REPORT_TEXT = 'Le lien vers le site du projet renvoie une erreur 404 depuis janvier.';
const REPORT_CONTACT = 'lectrice@example.org';
const ANSWER_TEXT = 'Merci : le lien est corrigé <b>et</b> la fiche mise à jour.';

async function reportAndAnswer(record) {
  // a visitor reports, makes a mistake first
  await B.withPage(browser, srv.base, { label: 'report-visitor' }, async (page) => {
    await B.visit(page, record.url);
    await page.getByRole('link', { name: 'Signaler une erreur ou une information périmée' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/signaler'));
    await B.checkPage(page, 'report-form');
    await B.fill(page, {
      'Quelle information ?': 'Autre / l\'ensemble de la fiche',
      'Qu\'est-ce qui est inexact ou périmé ?': 'Faux.', // under 10 characters
      'Votre adresse électronique': REPORT_CONTACT,
    });
    await B.submit(page, 'Envoyer le signalement', { status: 422 });
    assert.match(await page.title(), /^Erreur : /);
    await B.followErrorLink(page, 'description');
    // the values are kept
    const sel = await B.control(page, 'Quelle information ?');
    assert.equal(await sel.evaluate((el) => el.selectedOptions[0].text), 'Autre / l\'ensemble de la fiche');
    assert.equal(await (await B.control(page, 'Qu\'est-ce qui est inexact ou périmé ?')).inputValue(), 'Faux.');
    assert.equal(await (await B.control(page, 'Votre adresse électronique')).inputValue(), REPORT_CONTACT);
    const desc = await B.control(page, 'Qu\'est-ce qui est inexact ou périmé ?');
    assert.equal(await desc.getAttribute('aria-invalid'), 'true');
    assert.match(await desc.getAttribute('aria-describedby'), /\be-description\b/);
    await B.checkPage(page, 'report-form-errors');

    await desc.fill(REPORT_TEXT);
    await B.submit(page, 'Envoyer le signalement');
    assert.equal(new URL(page.url()).pathname, new URL(record.url, srv.base).pathname, 'back to the record');
    assert.match(await B.flashText(page), /votre signalement est transmis/);
    const section = page.getByRole('region', { name: 'Signalements' });
    assert.match(await section.innerText(), /1 signalement ouvert/);
    // the description and the contact are never public
    assert.ok(!(await page.content()).includes(REPORT_CONTACT), 'the contact is not on the record page');
    assert.ok(!(await page.content()).includes('renvoie une erreur 404'), 'the description is not public');
  });

  // the organisation answers from its inbox
  const h = await signedIn(BDX_AGENT, '/espace/signalements');
  try {
    const { page } = h;
    await B.checkPage(page, 'inbox');
    const item = page.locator('article.report').filter({ hasText: REPORT_TEXT });
    assert.equal(await item.count(), 1, 'the report is in the inbox');
    assert.match(await item.innerText(), new RegExp(REPORT_CONTACT.replace('.', '\\.')), 'the contact is shown to the organisation');
    // an answer of spaces passes the browser's « required » but not the server
    await item.getByLabel('Corrigé : la fiche est ou sera mise à jour').check();
    await (await B.control(item, 'Réponse publique')).fill('   ');
    B.expectStatus(page, 422);
    await item.getByRole('button', { name: 'Enregistrer la réponse' }).click();
    await page.waitForLoadState('load');
    assert.equal(B.lastDocument(page).status, 422, 'an empty answer is refused');
    assert.match(await page.title(), /^Erreur : /);
    await B.followErrorLink(page, 'answer');
    await B.checkPage(page, 'inbox-answer-errors');
    await B.visit(page, '/espace/signalements');
    const item2 = page.locator('article.report').filter({ hasText: REPORT_TEXT });
    await item2.getByLabel('Corrigé : la fiche est ou sera mise à jour').check();
    await (await B.control(item2, 'Réponse publique')).fill(ANSWER_TEXT);
    B.expectStatus(page, 200);
    await item2.getByRole('button', { name: 'Enregistrer la réponse' }).click();
    await page.waitForLoadState('load');
    assert.match(await B.flashText(page), /Votre réponse au signalement est enregistrée/);
    assert.equal(await page.locator('article.report').filter({ hasText: REPORT_TEXT }).count(), 0, 'no longer to be handled');
    const done = page.getByRole('table', { name: /signalements traités/ });
    assert.match(await done.innerText(), /Corrigé/);
    await B.checkPage(page, 'inbox-answered');
    h.assertNoErrors();
  } finally {
    await h.close();
  }

  // the visitor sees the answer on the record page, escaped
  await B.withPage(browser, srv.base, { label: 'report-answered' }, async (page) => {
    await B.visit(page, record.url);
    const section = page.getByRole('region', { name: 'Signalements' });
    const text = await section.innerText();
    assert.match(text, /0 signalement ouvert, 1 traité/);
    assert.ok(text.includes(ANSWER_TEXT), `the answer is shown as text: ${text}`);
    assert.match(text, /Corrigé/);
    await B.checkPage(page, 'record-page-visitor');
  });
}

flow('6. a visitor reports an error, the organisation answers, the record shows the answer', () =>
  reportAndAnswer(bdxRecord));

// a summary for people (the failures themselves fail the flows above)
test('axe results per page type', () => {
  const lines = [...B.axeResults].map(([k, v]) => `  ${k}: ${v}`);
  console.log(`axe per page type (${B.axeResults.size}), run time ${Math.round((Date.now() - started) / 1000)} s:\n${lines.join('\n')}`);
});
