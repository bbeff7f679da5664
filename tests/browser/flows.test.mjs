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
const BDX_REFERENT = 'referente.flows@bordeaux-metropole.example.fr';
const LYON_AGENT = 'agent.flows@lyon.example.fr';
const ADMIN = 'admin.flows@observatoire.example.fr';
// signed up through the site in flow 1, then agent of Bordeaux Métropole
const NEW_AGENT = 'camille.flows@bordeaux-metropole.example.fr';
const NEW_AGENT_NAME = 'Camille <Essai> Dupré';
const NEW_PASSWORD = 'une phrase de passe assez longue';
const RESET_PASSWORD = 'une autre phrase de passe bien longue';
let newAgentPassword = NEW_PASSWORD;
const started = Date.now();

// The record written in flow 2 ({url, id}), published in flow 3.
let record = null;
const TITLE = 'Écologie urbaine : l\'IA au service du tri des œuvres et des déchets';
const SUMMARY = 'Un modèle de vision reconnaît les déchets déposés en déchèterie et oriente le tri, pour une écologie du quotidien.';
const SUMMARY2 = 'Un modèle de vision reconnaît les déchets déposés en déchèterie et oriente le tri (version corrigée après relecture).';
const CONTACT = 'contact-reserve-flows@bordeaux-metropole.example.fr';
const FUNDING = 'Fonds vert, dossier FLOWS-7731';
const INFO_URL = 'https://www.bordeaux-metropole.fr/ecologie-tri';
const REVIEW_COMMENT = 'Précisez dans le résumé qu\'il s\'agit de la version <corrigée>.';
const RETRACT_REASON = 'Projet arrêté en 2025 : le marché n\'a pas été reconduit.';

before(async () => {
  env = B.setupLibrary({ accounts: {} });
  B.createWebAccount(env.db, BDX_AGENT, 'agent', B.BORDEAUX_METROPOLE.siren);
  B.createWebAccount(env.db, BDX_REFERENT, 'referent', B.BORDEAUX_METROPOLE.siren);
  B.createWebAccount(env.db, LYON_AGENT, 'agent', B.LYON.insee);
  B.createWebAccount(env.db, ADMIN, 'admin');
  srv = await B.startServer(env.db);
  browser = await B.launchBrowser();
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

/** The newest link to `p` (a path) in the outbox of `to`, as a path with its token. */
function outboxLink(to, p) {
  const text = B.iatOk(['outbox', '--db', env.db, '--to', to, '--limit', '1']);
  const re = new RegExp(`${p.replace(/[/?]/g, '\\$&')}\\?jeton=[A-Za-z0-9_-]{43}`);
  const m = re.exec(text);
  assert.ok(m, `a ${p} link in the outbox of ${to}:\n${text}`);
  return m[0];
}

/** A new context signed in as email through the sign-in form, landing at `to`. */
async function signedIn(email, to, password = B.TEST_PASSWORD) {
  const h = await B.newPage(browser, srv.base);
  await B.visit(h.page, `/connexion?retour=${encodeURIComponent(to)}`);
  await B.fill(h.page, { 'Adresse électronique': email, 'Mot de passe': password });
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

// ==== 1. Sign up, join Bordeaux Métropole, accepted by its referent ====

flow('1. sign up with the activation link, ask to join Bordeaux Métropole, a referent accepts', async () => {
  const h = await B.newPage(browser, srv.base);
  const { page } = h;
  try {
    await B.visit(page, '/');
    const nav = page.getByRole('navigation', { name: 'Menu principal' });
    await nav.getByRole('link', { name: 'Créer un compte' }).click();
    await page.waitForURL((u) => u.pathname === '/inscription');
    await B.checkPage(page, 'signup');

    // mistakes first: passwords that differ
    await B.fill(page, {
      'Adresse électronique': NEW_AGENT,
      'Nom affiché': NEW_AGENT_NAME,
      'Mot de passe': NEW_PASSWORD,
      'Confirmation du mot de passe': 'autre chose que le mot de passe',
    });
    await B.submit(page, 'Créer mon compte', { status: 422 });
    assert.match(await page.title(), /^Erreur : /);
    await B.followErrorLink(page, 'confirmation');
    assert.equal(await (await B.control(page, 'Adresse électronique')).inputValue(), NEW_AGENT);
    assert.equal(await (await B.control(page, 'Nom affiché')).inputValue(), NEW_AGENT_NAME);
    assert.equal(await (await B.control(page, 'Mot de passe')).inputValue(), '', 'a password is never sent back');
    await B.checkPage(page, 'signup-errors');

    await B.fill(page, { 'Mot de passe': NEW_PASSWORD, 'Confirmation du mot de passe': NEW_PASSWORD });
    await B.submit(page, 'Créer mon compte');
    assert.equal(new URL(page.url()).pathname, '/inscription/envoyee');
    await B.checkPage(page, 'signup-sent');

    // the activation link, read from the outbox, signs in
    await B.visit(page, outboxLink(NEW_AGENT, '/inscription/confirmer'));
    assert.equal(new URL(page.url()).pathname, '/compte');
    assert.match(await B.flashText(page), /Votre compte est créé et vous êtes connecté/);
    assert.equal(await page.locator('h1').innerText(), 'Mon compte');
    assert.ok((await page.locator('main').innerText()).includes(NEW_AGENT_NAME), 'the name is shown as text');
    assert.equal(await nav.getByRole('link', { name: 'Mon organisation' }).count(), 0, 'no organisation yet');
    await B.checkPage(page, 'account');

    // join: find the organisation by name, then by SIREN
    await page.getByRole('link', { name: 'Demander à rejoindre une organisation' }).click();
    await page.waitForURL((u) => u.pathname === '/compte/rejoindre');
    await B.checkPage(page, 'join');
    const q = await B.control(page, 'Nom, code INSEE ou SIREN de l\'organisation');
    await q.fill('Bordeaux');
    await q.press('Enter');
    await page.waitForURL((u) => u.search.includes('q='));
    const byName = page.locator('.org-results > li').filter({ has: page.getByRole('link', { name: 'Bordeaux Métropole', exact: true }) });
    assert.equal(await byName.count(), 1, 'Bordeaux Métropole is found by name');
    await B.checkPage(page, 'join-results');
    await q.fill(B.BORDEAUX_METROPOLE.siren);
    await q.press('Enter');
    await page.waitForURL((u) => u.search.includes(B.BORDEAUX_METROPOLE.siren));
    const results = page.locator('.org-results > li');
    assert.equal(await results.count(), 1, 'the SIREN finds one organisation');
    assert.equal(await results.getByRole('heading').innerText(), 'Bordeaux Métropole');
    await results.getByRole('textbox').fill('Service de la donnée, cheffe de projet.');
    await B.submit(page, 'Demander à rejoindre Bordeaux Métropole');
    assert.equal(new URL(page.url()).pathname, '/compte');
    assert.match(await B.flashText(page), /Votre demande d'adhésion est envoyée aux référents/);
    assert.match(await page.getByRole('region', { name: /Mes demandes/ }).innerText(), /Bordeaux Métropole/);

    // the referent accepts, in another browser
    const ref = await signedIn(BDX_REFERENT, `/organisations/${B.BORDEAUX_METROPOLE.key}/membres`);
    try {
      const rp = ref.page;
      const pending = rp.getByRole('table', { name: 'Demandes d\'adhésion en attente' });
      const row = pending.getByRole('row').filter({ hasText: NEW_AGENT });
      assert.equal(await row.count(), 1, 'the request is listed');
      assert.ok((await row.innerText()).includes(NEW_AGENT_NAME), 'the name is shown as text');
      assert.match(await row.innerText(), /Service de la donnée/);
      await B.checkPage(rp, 'members');
      await B.submit(rp, `Accepter la demande de ${NEW_AGENT_NAME}`);
      assert.match(await B.flashText(rp), /La demande d'adhésion est acceptée/);
      const members = rp.getByRole('table', { name: 'Membres de l\'organisation' });
      assert.ok((await members.innerText()).includes(NEW_AGENT), 'the new agent is a member');
      assert.equal(await rp.getByRole('table', { name: 'Demandes d\'adhésion en attente' }).count(), 0, 'no request left');
      ref.assertNoErrors();
    } finally {
      await ref.close();
    }

    // the new agent sees « Mon organisation » at the next page
    await B.visit(page, '/compte');
    assert.ok(await nav.getByRole('link', { name: 'Mon organisation' }).isVisible(), 'the new agent sees « Mon organisation »');
    assert.match(await page.getByRole('region', { name: 'Mes organisations' }).innerText(), /Bordeaux Métropole/);
    h.assertNoErrors();
  } catch (e) {
    await B.screenshot(page, 'failure-flow1').catch(() => {});
    throw e;
  } finally {
    await h.close();
  }
});

flow('1b. forgotten password: link from the outbox, new password, sign in with it', () =>
  B.withPage(browser, srv.base, { label: 'reset' }, async (page) => {
    await B.visit(page, '/connexion');
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await page.waitForURL((u) => u.pathname === '/mot-de-passe-oublie');
    await B.checkPage(page, 'forgot-password');
    await B.fill(page, { 'Adresse électronique': NEW_AGENT });
    await B.submit(page, 'Recevoir un lien');
    assert.equal(new URL(page.url()).pathname, '/connexion');
    assert.match(await B.flashText(page), /un lien de réinitialisation vient d'y être envoyé/);

    await B.visit(page, outboxLink(NEW_AGENT, '/reinitialisation'));
    await B.checkPage(page, 'reset-password');
    await B.fill(page, { 'Mot de passe': RESET_PASSWORD, 'Confirmation du mot de passe': 'pas pareil du tout ici' });
    await B.submit(page, 'Enregistrer le mot de passe', { status: 422 });
    await B.followErrorLink(page, 'confirmation');
    await B.checkPage(page, 'reset-password-errors');
    await B.fill(page, { 'Mot de passe': RESET_PASSWORD, 'Confirmation du mot de passe': RESET_PASSWORD });
    await B.submit(page, 'Enregistrer le mot de passe');
    assert.equal(new URL(page.url()).pathname, '/connexion');
    assert.match(await B.flashText(page), /Votre mot de passe est réinitialisé/);
    newAgentPassword = RESET_PASSWORD;
    // the old password no longer works, the new one does
    await B.fill(page, { 'Adresse électronique': NEW_AGENT, 'Mot de passe': NEW_PASSWORD });
    await B.submit(page, 'Se connecter', { status: 422 });
    await B.fill(page, { 'Mot de passe': RESET_PASSWORD });
    await B.submit(page, 'Se connecter');
    assert.equal(new URL(page.url()).pathname, '/compte');
  }));

// ==== 2. Write a record: errors first, then saved ====

/** The workflow section of the record page. */
function workflowBox(page) {
  return page.getByRole('region', { name: 'Rédaction et publication' });
}

flow('2. the new agent writes a record: error summary, values kept, then saved as a draft', async () => {
  assert.ok(newAgentPassword, 'flow 1 made the agent');
  const h = await signedIn(NEW_AGENT, '/compte', newAgentPassword);
  const { page } = h;
  try {
    await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Mon organisation' }).click();
    await page.waitForURL((u) => u.pathname === '/espace');
    await B.checkPage(page, 'workspace');
    await page.getByRole('link', { name: 'Nouvelle fiche' }).first().click();
    await page.waitForURL((u) => u.pathname === '/fiches/nouvelle');
    assert.equal(await page.locator('h1').innerText(), 'Nouvelle fiche');
    await B.checkPage(page, 'record-form');

    // no title, a link that is not one; restricted fields with values to find later
    await B.fill(page, {
      'Résumé': SUMMARY,
      'Organisation porteuse': 'Bordeaux Métropole',
      'Maturité': 'En expérimentation',
      'Thème principal': 'Transition écologique',
      'Contact du service en charge': CONTACT,
      'Financement': FUNDING,
      'Lien d\'information': 'www bordeaux métropole',
    });
    await B.submit(page, 'Enregistrer le brouillon', { status: 422 });
    assert.match(await page.title(), /^Erreur : /);
    const summaryText = await page.locator('.error-summary').innerText();
    assert.match(summaryText, /Nom du projet/);
    assert.match(summaryText, /Lien d'information/);
    await B.followErrorLink(page, 'title');
    const info = await B.control(page, 'Lien d\'information');
    assert.equal(await info.getAttribute('aria-invalid'), 'true');
    assert.match(await info.getAttribute('aria-describedby') || '', /\be-info_url\b/);
    // every value is kept
    assert.equal(await (await B.control(page, 'Résumé')).inputValue(), SUMMARY);
    assert.equal(await (await B.control(page, 'Contact du service en charge')).inputValue(), CONTACT);
    assert.equal(await (await B.control(page, 'Financement')).inputValue(), FUNDING);
    assert.equal(await info.inputValue(), 'www bordeaux métropole');
    assert.equal(await (await B.control(page, 'Maturité')).inputValue(), 'experiment');
    await B.checkPage(page, 'record-form-errors');

    await B.fill(page, { 'Nom du projet': TITLE, 'Lien d\'information': INFO_URL });
    await B.submit(page, 'Enregistrer le brouillon');
    assert.match(new URL(page.url()).pathname, /^\/fiches\/\d+/);
    assert.match(await B.flashText(page), /La fiche est créée en brouillon/);
    assert.equal(await page.locator('h1').innerText(), TITLE);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(CONTACT) && text.includes(FUNDING), 'the agent sees the restricted fields');
    assert.match(await workflowBox(page).innerText(), /Brouillon/i);
    record = { url: new URL(page.url()).pathname, id: Number(/^\/fiches\/(\d+)/.exec(new URL(page.url()).pathname)[1]) };
    await B.checkPage(page, 'record-page-agent');
    h.assertNoErrors();
  } finally {
    await h.close();
  }
});

// ==== 3. Submit, changes requested with a comment, resubmitted, published ====

flow('3. submitted, the referent asks for changes, the agent edits and resubmits, the referent publishes', async () => {
  assert.ok(record, 'flow 2 wrote the record');
  const agent = await signedIn(NEW_AGENT, record.url, newAgentPassword);
  const ref = await signedIn(BDX_REFERENT, '/relecture');
  try {
    const ap = agent.page;
    await B.submit(ap, 'Soumettre à la relecture');
    assert.match(await B.flashText(ap), /La fiche est soumise à la relecture/);

    const rp = ref.page;
    await B.visit(rp, '/relecture');
    await B.checkPage(rp, 'review-queue');
    await rp.getByRole('link', { name: TITLE }).click();
    await rp.waitForURL((u) => u.pathname === record.url);
    await B.fill(workflowBox(rp), { 'Modifications demandées': REVIEW_COMMENT });
    await B.submit(rp, 'Demander des modifications');
    assert.match(await B.flashText(rp), /Les modifications demandées sont transmises/);

    await B.visit(ap, record.url);
    const box = workflowBox(ap);
    assert.ok((await box.innerText()).includes(REVIEW_COMMENT), 'the agent reads the comment (as text)');
    await box.getByRole('link', { name: 'Modifier' }).click();
    await ap.waitForURL((u) => u.pathname === `/fiches/${record.id}/modifier`);
    assert.equal(await (await B.control(ap, 'Nom du projet')).inputValue(), TITLE, 'the form holds the record');
    await B.checkPage(ap, 'record-form-edit');
    await B.fill(ap, { 'Résumé': SUMMARY2 });
    await B.submit(ap, 'Enregistrer');
    assert.match(await B.flashText(ap), /La fiche est enregistrée/);
    await B.submit(ap, 'Soumettre à la relecture');
    assert.match(await B.flashText(ap), /soumise à la relecture/);

    await B.visit(rp, '/relecture');
    await rp.getByRole('link', { name: TITLE }).click();
    await rp.waitForURL((u) => u.pathname === record.url);
    await B.submit(rp, 'Publier');
    assert.match(await B.flashText(rp), /La fiche est publiée/);
    agent.assertNoErrors();
    ref.assertNoErrors();
  } finally {
    await agent.close();
    await ref.close();
  }
});

// ==== 4. Found by search, with and without accents, and with the ligature ====

flow('4. a visitor finds the record by search, with and without accents and ligatures', () =>
  B.withPage(browser, srv.base, { label: 'search' }, async (page) => {
    assert.ok(record, 'flow 2 wrote the record');
    await B.visit(page, '/accessibilite');
    for (const q of ['ecologie', 'écologie', 'ÉCOLOGIE urbaine', 'oeuvres', 'œuvres']) {
      // the header's search box, then the search page's own
      const onSearch = new URL(page.url()).pathname === '/recherche';
      const box = page.getByRole('search').getByLabel(onSearch ? 'Mots-clés' : 'Rechercher une fiche');
      await box.fill(q);
      await box.press('Enter');
      await page.waitForURL((u) => u.pathname === '/recherche' && u.searchParams.get('q') === q);
      const hit = page.locator('.hit').filter({ has: page.getByRole('link', { name: TITLE }) });
      assert.equal(await hit.count(), 1, `« ${q} » finds the record`);
    }
    await B.checkPage(page, 'search-results');
  }));

// ==== 5. Restricted fields: not for visitors, shown to an agent of another organisation ====

flow('5. a visitor does not see the restricted fields, an agent of Lyon does', async () => {
  assert.ok(record, 'flow 2 wrote the record');
  await B.withPage(browser, srv.base, { label: 'restricted-visitor' }, async (page) => {
    await B.visit(page, record.url);
    const html = await page.content();
    assert.ok(!html.includes(CONTACT), 'the contact is not in the page');
    assert.ok(!html.includes('FLOWS-7731'), 'the funding is not in the page');
    assert.match(await page.locator('main').innerText(), /Certaines informations sont réservées aux agents/);
    assert.equal(await workflowBox(page).count(), 0, 'no workflow box for visitors');
    assert.ok((await page.locator('main').innerText()).includes(SUMMARY2), 'the published version is shown');
  });
  const h = await signedIn(LYON_AGENT, record.url);
  try {
    const text = await h.page.locator('main').innerText();
    assert.ok(text.includes(CONTACT), 'an agent of another organisation sees the contact');
    assert.ok(text.includes(FUNDING), 'an agent of another organisation sees the funding');
    assert.equal(await workflowBox(h.page).count(), 0, 'but cannot act on another organisation\'s record');
    await B.checkPage(h.page, 'record-page-other-agent');
    h.assertNoErrors();
  } finally {
    await h.close();
  }
});

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

flow('6. a visitor reports an error, the organisation answers, the record shows the answer', async () => {
  assert.ok(record, 'flow 2 wrote the record');
  await reportAndAnswer(record);
});

// ==== 7. History, comparison, retraction ====

flow('7. history and comparison of two versions, then the referent retracts the record', async () => {
  assert.ok(record, 'flow 2 wrote the record');
  // a member of the organisation sees every version (the public only the public ones)
  const agent = await signedIn(NEW_AGENT, record.url, newAgentPassword);
  try {
    const page = agent.page;
    await page.getByRole('link', { name: /^Historique des modifications/ }).click();
    await page.waitForURL((u) => u.pathname === `/fiches/${record.id}/historique`);
    assert.equal(await page.locator('h1').innerText(), 'Historique des modifications');
    await B.checkPage(page, 'history');
    const links = page.getByRole('link', { name: /^Comparer la version \d+ avec la version \d+$/ });
    const n = await links.count();
    assert.ok(n >= 1, 'versions to compare');
    // the comparison that holds the summary change of flow 3
    let found = false;
    for (let i = 0; i < n && !found; i++) {
      await links.nth(i).click();
      await page.waitForURL((u) => u.pathname === `/fiches/${record.id}/comparer`);
      const t = await page.locator('main').innerText();
      if (t.includes(SUMMARY2) && t.includes(SUMMARY)) found = true;
      else await B.visit(page, `/fiches/${record.id}/historique`);
    }
    assert.ok(found, 'a comparison shows the old and the new summary');
    assert.match(await page.locator('h1').innerText(), /^Comparaison des versions \d+ et \d+$/);
    const changed = page.locator('tr.changed').filter({ hasText: 'Résumé' });
    assert.equal(await changed.count(), 1, 'the summary row is marked as changed');
    await B.checkPage(page, 'compare');
    agent.assertNoErrors();
  } finally {
    await agent.close();
  }

  const ref = await signedIn(BDX_REFERENT, record.url);
  try {
    const rp = ref.page;
    const box = workflowBox(rp);
    // an empty reason is refused by the server (the browser does not check: novalidate)
    await (await B.control(box, 'Motif du retrait')).fill('  ');
    await B.submit(rp, 'Retirer', { status: 422 });
    assert.match(await rp.title(), /^Erreur|Retirer/);
    await B.checkPage(rp, 'retract-errors');
    await B.fill(rp, { 'Motif du retrait': RETRACT_REASON });
    await B.submit(rp, 'Retirer');
    assert.match(await B.flashText(rp), /La fiche est retirée/);
    ref.assertNoErrors();
  } finally {
    await ref.close();
  }
  await B.withPage(browser, srv.base, { label: 'retracted' }, async (page) => {
    await B.visit(page, record.url);
    const note = page.locator('.notice-retracted');
    assert.ok(await note.isVisible(), 'the record stays visible, marked retracted');
    assert.ok((await note.innerText()).includes(RETRACT_REASON), 'with its reason');
    assert.equal(await page.locator('h1').innerText(), TITLE);
    await B.checkPage(page, 'record-page-retracted');
    // the public history: the published and the retracted versions
    await page.getByRole('link', { name: /^Historique des modifications/ }).click();
    await page.waitForURL((u) => u.pathname === `/fiches/${record.id}/historique`);
    await B.checkPage(page, 'history-public');
  });
});

// ==== 8. The audit journal, as admin ====

flow('8. the admin reads the audit journal and filters it', async () => {
  const h = await signedIn(ADMIN, '/compte');
  try {
    const { page } = h;
    const nav = page.getByRole('navigation', { name: 'Menu principal' });
    await nav.getByRole('link', { name: 'Journal d\'audit' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/journal');
    assert.equal(await page.locator('h1').innerText(), 'Journal des actions');
    await B.checkPage(page, 'admin-audit');
    await B.fill(page, { 'Action (début du nom)': 'membership.' });
    await B.submit(page, 'Filtrer');
    const table = page.getByRole('table', { name: /Journal des actions/ });
    const text = await table.innerText();
    assert.match(text, /membership\.accept/, 'the acceptance of flow 1 is in the journal');
    assert.match(text, new RegExp(BDX_REFERENT.replace(/\./g, '\\.')), 'with who did it');
    assert.doesNotMatch(text, /report\.answer/, 'the filter keeps only membership actions');
    await B.checkPage(page, 'admin-audit-filtered');
    h.assertNoErrors();
  } finally {
    await h.close();
  }
  // not for others
  await B.withPage(browser, srv.base, { label: 'audit-denied' }, async (page) => {
    await B.visit(page, '/admin/journal');
    assert.equal(new URL(page.url()).pathname, '/connexion', 'a visitor is sent to the sign-in form');
  });
});

// ==== 9. Measured impact: an indicator with its measurements (page_indicators.c) ====

flow('9. an agent adds an indicator with two measurements to a draft and sees the chart', async () => {
  const token = B.iatOk(['token', 'create', '--db', env.db, BDX_AGENT]).trim();
  const draft = await B.createRecord(srv, token, B.validRecord({ title: 'Fiche des flux : délai des demandes' }));
  const h = await signedIn(BDX_AGENT, `/fiches/${draft.id}/modifier`);
  try {
    const { page } = h;
    await page.getByRole('link', { name: 'Gérer les indicateurs (0)' }).click();
    await page.waitForURL((u) => u.pathname === `/fiches/${draft.id}/indicateurs`);
    assert.equal(await page.locator('h1').innerText(), 'Indicateurs d\'impact');
    await B.checkPage(page, 'indicators-list');
    await page.getByRole('link', { name: 'Ajouter un indicateur' }).click();
    await page.waitForURL((u) => u.pathname === `/fiches/${draft.id}/indicateurs/nouveau`);
    await B.checkPage(page, 'indicator-form');
    await B.assertNoAxeViolations(page, 'indicator form');

    // a common indicator (name and unit left empty), French decimals, a bad date in row 2
    await B.fill(page, {
      'Indicateur courant': 'Délai de traitement (jours)',
      'Valeur de référence': '12,5',
      'Date de la valeur de référence': '2023-01-15',
      'Date de fin ou de mesure, ligne 1': '2023-06-30',
      'Valeur, ligne 1': '9',
      'Date de fin ou de mesure, ligne 2': '2023-12-32',
      'Valeur, ligne 2': '7,5',
      'Méthode': 'Délai moyen mensuel extrait du logiciel de gestion des demandes.',
      'Mesuré par la collectivité': true,
    });
    await B.submit(page, 'Enregistrer l\'indicateur', { status: 422 });
    assert.match(await page.title(), /^Erreur : /);
    assert.match(await page.locator('.error-summary').innerText(), /Mesure, ligne 2, date/);
    await B.followErrorLink(page, 'm_date_2');
    const bad = await B.control(page, 'Date de fin ou de mesure, ligne 2');
    assert.equal(await bad.getAttribute('aria-invalid'), 'true');
    // every value is kept, and the common indicator filled the name and the unit
    assert.equal(await (await B.control(page, 'Valeur, ligne 2')).inputValue(), '7,5');
    assert.equal(await (await B.control(page, 'Nom de l\'indicateur')).inputValue(), 'Délai de traitement');
    assert.equal(await (await B.control(page, 'Unité')).inputValue(), 'jours');
    await B.checkPage(page, 'indicator-form-errors');

    // more rows without losing anything, then saved
    await B.submit(page, 'Ajouter des lignes');
    assert.equal(await (await B.control(page, 'Valeur, ligne 1')).inputValue(), '9');
    assert.equal(await page.getByLabel('Valeur, ligne 6', { exact: true }).count(), 1);
    await B.fill(page, { 'Date de fin ou de mesure, ligne 2': '2023-12-31' });
    await B.submit(page, 'Enregistrer l\'indicateur');
    assert.equal(new URL(page.url()).pathname, `/fiches/${draft.id}/indicateurs`);
    assert.match(await B.flashText(page), /L'indicateur est enregistré/);
    const item = await page.locator('main ol').innerText();
    assert.match(item, /Délai de traitement : 12,5 jours \(2023-01-15\) → 7,5 jours \(2023-12-31\)/);

    // the record page: the indicator and its chart (the impact section, page_impact.c)
    await page.getByRole('link', { name: 'Fiche des flux : délai des demandes' }).click();
    await page.waitForURL((u) => u.pathname.startsWith(`/fiches/${draft.id}-`));
    const main = await page.locator('main').innerText();
    assert.match(main, /Délai de traitement/, 'the indicator on the record page');
    const chart = page.locator('#impact svg[role="img"]');
    assert.equal(await chart.count(), 1, 'a chart of the measurements');
    assert.match(await chart.getAttribute('aria-label'), /3 valeurs/, 'the chart is described');
    const data = await page.locator('#impact table').innerText();
    assert.match(data, /7,5/, 'the chart\'s data as text');
    await B.checkPage(page, 'record-page-indicator');
    h.assertNoErrors();
  } finally {
    await h.close();
  }
});

// ==== 10. Reuse between territories: reuse a record and add our own result ====

flow('10. an agent of another territory reuses a published record and adds its own result', async () => {
  const refToken = B.iatOk(['token', 'create', '--db', env.db, BDX_REFERENT]).trim();
  const origin = await B.createRecord(srv, refToken, B.validRecord({
    title: 'Tri des biodéchets par vision', state: 'published',
    reuse_kit: [{ kind: 'specification', title: 'Cahier des charges du tri', url: 'https://example.org/cctp-tri.pdf' }],
  }));
  let reuseId;
  const h = await signedIn(LYON_AGENT, origin.url);
  try {
    const { page } = h;
    // the origin's page offers the reuse, and shows its kit
    assert.match(await page.locator('main').innerText(), /Cahier des charges du tri/);
    await page.getByRole('link', { name: 'Notre collectivité réutilise ce projet' }).click();
    await page.waitForURL((u) => u.pathname === `/fiches/${origin.id}/reutiliser`);
    await B.checkPage(page, 'reuse-form');
    await B.assertNoAxeViolations(page, 'reuse form');
    await B.fill(page, {
      'Contexte de la réutilisation': 'La Ville de Lyon reprend le tri par vision dans deux déchèteries.',
      'Adaptations apportées': 'Modèle réentraîné sur nos images ; seuils relevés.',
      'Avancement chez vous': 'En expérimentation',
    });
    await B.submit(page, 'Créer notre fiche de réutilisation');
    const m = /^\/fiches\/(\d+)\/modifier$/.exec(new URL(page.url()).pathname);
    assert.ok(m, `lands on the form of the new record: ${page.url()}`);
    reuseId = Number(m[1]);
    assert.match(await B.flashText(page), /réutilisation est créée en brouillon/);
    await B.checkPage(page, 'reuse-draft-form');

    // our own result, through the indicator form
    await page.getByRole('link', { name: 'Gérer les indicateurs (0)' }).click();
    await page.waitForURL((u) => u.pathname === `/fiches/${reuseId}/indicateurs`);
    await page.getByRole('link', { name: 'Ajouter un indicateur' }).click();
    await page.waitForURL((u) => u.pathname === `/fiches/${reuseId}/indicateurs/nouveau`);
    await B.fill(page, {
      'Indicateur courant': 'Délai de traitement (jours)',
      'Valeur de référence': '30',
      'Date de la valeur de référence': '2024-01-10',
      'Date de fin ou de mesure, ligne 1': '2024-06-30',
      'Valeur, ligne 1': '18',
      'Méthode': 'Délai médian entre le dépôt et le tri, extrait du logiciel de la déchèterie.',
      'Mesuré par la collectivité': true,
    });
    await B.submit(page, 'Enregistrer l\'indicateur');
    assert.equal(new URL(page.url()).pathname, `/fiches/${reuseId}/indicateurs`);

    // the reuse's page: its origin and its own result
    await B.visit(page, `/fiches/${reuseId}`);
    const main = await page.locator('main').innerText();
    assert.match(main, /Cette fiche réutilise « Tri des biodéchets par vision »/);
    assert.match(main, /30\s+jours\s+→[^0-9]*18\s+jours/);
    assert.match(main, /en baisse de 12\s+jours/);
    await B.checkPage(page, 'reuse-record-page');

    // a document of our own reuse kit, through its form
    await B.visit(page, `/fiches/${reuseId}/kit/nouveau`);
    await B.checkPage(page, 'kit-form');
    await B.assertNoAxeViolations(page, 'kit form');
    h.assertNoErrors();
  } finally {
    await h.close();
  }
  // once published, the origin says it is reused, and by whom
  const adminToken = B.iatOk(['token', 'create', '--db', env.db, ADMIN]).trim();
  const p = await srv.request('PATCH', `/api/v1/usecases/${reuseId}`, { token: adminToken, json: { state: 'published' } });
  assert.equal(p.status, 200, p.text);
  await B.withPage(browser, srv.base, { label: 'reused-origin' }, async (page) => {
    await B.visit(page, origin.url);
    const text = await page.locator('main').innerText();
    assert.match(text, /Réutilisée par 1 territoire/);
    assert.match(await page.locator('.reuses table').innerText(), /Lyon/);
    await B.checkPage(page, 'record-page-reused');
    await page.getByRole('link', { name: 'Voir la lignée' }).click();
    await page.waitForURL((u) => u.pathname === `/fiches/${origin.id}/lignee`);
    assert.match(await page.locator('main').innerText(), /Tri des biodéchets par vision/);
    await B.checkPage(page, 'lineage');
  });
  // the origin organisation was told, in its inbox
  const ref = await signedIn(BDX_REFERENT, '/espace/messages');
  try {
    const inbox = await ref.page.locator('main').innerText();
    assert.match(inbox, /Tri des biodéchets par vision/);
    assert.match(inbox, /Lyon/);
    await B.checkPage(ref.page, 'org-inbox');
    ref.assertNoErrors();
  } finally {
    await ref.close();
  }
});

// ==== 11. Imports by the observatory (page_import.c, issue 6) ====

flow('11. a curator tries an import (essai) and reads the report', async () => {
  const h = await signedIn(ADMIN, '/compte');
  try {
    const { page } = h;
    const nav = page.getByRole('navigation', { name: 'Menu principal' });
    await nav.getByRole('link', { name: 'Imports' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/imports');
    assert.equal(await page.locator('h1').innerText(), 'Imports');
    await B.checkPage(page, 'admin-imports');
    // nothing chosen: errors next to the fields, in French
    await B.submit(page, 'Lancer l\'import', { status: 400 });
    assert.match(await page.locator('.error-summary').innerText(), /Choisissez le format du fichier/);
    assert.match(await page.locator('#e-fichier').innerText(), /Choisissez le fichier à importer/);
    await B.checkPage(page, 'admin-imports-errors');
    // an essai of the library's CSV (essai is checked by default)
    await page.getByLabel('Format du fichier (obligatoire)', { exact: true }).selectOption('interconnectes');
    await page.getByLabel('Fichier (obligatoire)', { exact: true }).setInputFiles(B.DATA_CSV);
    assert.ok(await page.getByLabel('Essai').isChecked());
    await B.submit(page, 'Lancer l\'import');
    const report = page.locator('.import-report');
    assert.match(await report.innerText(), /Essai terminé : rien n.a été écrit/);
    assert.match(await report.getByRole('table').first().innerText(), /Inchangés\s+23/, 'the library is already there: 23 unchanged');
    await B.checkPage(page, 'admin-imports-report');
    h.assertNoErrors();
  } finally {
    await h.close();
  }
});

flow('12. a curator imports a survey campaign, an agent drafts the answer, a referent submits it', async () => {
  // issue 7 §1: the campaign targets the EPCI of Nouvelle-Aquitaine (Bordeaux Métropole)
  const day = 86400000;
  const iso = (t) => new Date(t).toISOString().slice(0, 10);
  const file = `${env.dir}/campagne-flows.json`;
  (await import('node:fs')).writeFileSync(file, JSON.stringify({
    format: 'iat-campaign/1', code: 'flows-2026', year: 2026, title: 'Enquête des parcours',
    opens_on: iso(Date.now() - day), closes_on: iso(Date.now() + 30 * day),
    target: { kinds: ['epci'], regions: ['75'] },
    questions: [
      { code: 'uses_ai', kind: 'single', label: 'Votre collectivité utilise-t-elle l\'IA ?', required: true,
        options: [{ code: 'yes', label: 'Oui' }, { code: 'no', label: 'Non' }] },
      { code: 'domains', kind: 'multiple', label: 'Dans quels domaines ?', required: true,
        options: [{ code: 'mobility', label: 'Mobilité' }, { code: 'water', label: 'Eau' }],
        show_if: { question: 'uses_ai', value: 'yes' } },
      { code: 'budget', kind: 'number', label: 'Budget annuel', unit: '€', min: 0 },
      { code: 'comment', kind: 'longtext', label: 'Commentaire' },
    ],
  }));
  const cur = await signedIn(ADMIN, '/compte');
  try {
    const { page } = cur;
    await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Enquêtes' }).click();
    await page.waitForURL((u) => u.pathname === '/observatoire/campagnes');
    await B.checkPage(page, 'survey-campaigns');
    await page.getByLabel('Fichier JSON (obligatoire)', { exact: true }).setInputFiles(file);
    await B.submit(page, 'Importer');
    assert.equal(new URL(page.url()).pathname, '/observatoire/campagnes/flows-2026');
    assert.equal(await page.locator('h1').innerText(), 'Enquête des parcours');
    await B.checkPage(page, 'survey-campaign');
    await page.getByRole('link', { name: 'Aperçu du questionnaire' }).click();
    await B.checkPage(page, 'survey-preview');
    // the editors: the campaign, a question (with an error), a new campaign
    await B.visit(page, '/observatoire/campagnes/flows-2026/modifier');
    await B.checkPage(page, 'survey-edit');
    await B.visit(page, '/observatoire/campagnes/flows-2026/questions/budget/modifier');
    await B.fill(page, { 'Minimum (nombre)': 'rien' });
    await B.submit(page, 'Enregistrer la question', { status: 422 });
    assert.match(await page.locator('#e-min').innerText(), /un nombre est attendu/);
    await B.checkPage(page, 'survey-question-errors');
    await B.visit(page, '/observatoire/nouvelle-campagne');
    await B.checkPage(page, 'survey-new');
    await B.visit(page, '/observatoire/campagnes/flows-2026');
    cur.assertNoErrors();
  } finally {
    await cur.close();
  }
  const ag = await signedIn(BDX_AGENT, '/espace/enquetes');
  try {
    const { page } = ag;
    await B.checkPage(page, 'survey-mine');
    await page.getByRole('link', { name: 'Enquête des parcours' }).click();
    await B.checkPage(page, 'survey-answer');
    await page.getByLabel('Oui', { exact: true }).check();
    await page.getByLabel('Eau', { exact: true }).check();
    await (await B.control(page, '3. Budget annuel')).fill('-3');
    await B.submit(page, 'Enregistrer le brouillon', { status: 422 });
    assert.match(await page.title(), /^Erreur : /);
    assert.match(await page.locator('#e-q-budget').innerText(), /supérieur ou égal à 0/);
    assert.ok(await page.getByLabel('Eau', { exact: true }).isChecked(), 'choices kept');
    await B.checkPage(page, 'survey-answer-errors');
    await (await B.control(page, '3. Budget annuel')).fill('12 500');
    await B.submit(page, 'Enregistrer le brouillon');
    assert.match(await page.locator('#etat-reponse').innerText(), /brouillon/);
    assert.equal(await page.getByRole('button', { name: 'Soumettre la réponse' }).count(), 0, 'agents do not submit');
    ag.assertNoErrors();
  } finally {
    await ag.close();
  }
  const ref = await signedIn(BDX_REFERENT, '/espace/enquetes');
  try {
    const { page } = ref;
    await page.getByRole('link', { name: 'Enquête des parcours' }).click();
    assert.equal(await (await B.control(page, '3. Budget annuel')).inputValue(), '12500');
    await page.getByLabel('Nous acceptons que nos réponses individuelles soient publiées').check();
    await B.submit(page, 'Soumettre la réponse');
    assert.match(await page.locator('#etat-reponse').innerText(), /réponse soumise/);
    await B.checkPage(page, 'survey-answer-submitted');
    ref.assertNoErrors();
  } finally {
    await ref.close();
  }
  // the results, provisional while the campaign is open: for the observatory's team only
  const res = await signedIn(ADMIN, '/observatoire/enquetes');
  try {
    const { page } = res;
    await page.getByRole('link', { name: 'Enquête des parcours' }).click();
    await page.waitForURL((u) => u.pathname === '/observatoire/enquetes/flows-2026');
    assert.match(await page.locator('main').innerText(), /Résultats provisoires/);
    await B.checkPage(page, 'survey-results');
    res.assertNoErrors();
  } finally {
    await res.close();
  }
});

// a summary for people (the failures themselves fail the flows above)
test('axe results per page type', () => {
  const lines = [...B.axeResults].map(([k, v]) => `  ${k}: ${v}`);
  console.log(`axe per page type (${B.axeResults.size}), run time ${Math.round((Date.now() - started) / 1000)} s:\n${lines.join('\n')}`);
});
