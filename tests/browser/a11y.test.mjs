// a11y.test.mjs — every kind of public page in a real browser (Chromium):
// axe-core (WCAG 2.1 A and AA rules) at 1280 and 320 px, the page
// structure (lang="fr", one h1, a unique title), the keyboard (the skip
// link comes first and leads to #contenu, focus is visible), reflow at 320
// px without sideways scrolling, and the print stylesheet. Screenshots of
// every page at both widths go to $IAT_SCREENSHOTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as B from './browser.mjs';

let env;
let srv;
let browser;
let usecase; // a public record of the fixture library (API summary)
const intl = {}; // issue 6 §2: pages of two international references
const titles = new Map(); // <title> → page name

before(async () => {
  env = B.setupLibrary({ accounts: {} });
  srv = await B.startServer(env.db);
  browser = await B.launchBrowser();
  const list = (await srv.get('/api/v1/usecases?per_page=100')).json.data;
  assert.ok(list.length > 0, 'the fixture library has public records');
  usecase = [...list].sort((a, b) => a.id - b.id)[0];
  // issue 6 §2: the registers abroad (data/demo/registers)
  const fx = (f) => `${B.SOURCE_DIR}/data/demo/registers/${f}`;
  B.iatOk(['import', 'nl-algoritmeregister', '--db', env.db, fx('algoritmes.json')]);
  B.iatOk(['import', 'nl-algoritmeregister', '--db', env.db, fx('pub_data.json')]);
  B.iatOk(['import', 'eu-pstw', '--db', env.db, fx('pstw_dataset.csv')]);
  const nl = (await srv.get('/api/v1/international-references?q=Betalingsbereidheid&country=NL')).json.data;
  intl.nl = nl.find((h) => h.source_id === '51939364').url;
  intl.eu = (await srv.get('/api/v1/international-references?country=FR&q=Aria')).json.data.find((h) => h.source_id === 'PSTW-44').url;
});

after(async () => {
  await browser?.close();
  if (srv) await B.stopServerClean(srv);
});

// name (for screenshots), path, expected status, what the page must show
const PAGES = [
  { name: 'home', path: () => '/' },
  { name: 'search', path: () => `/recherche?q=${encodeURIComponent('eau')}`, hits: true },
  { name: 'search-facets', path: () => '/recherche?theme=ecological_transition&status=experiment', hits: true, filters: true },
  { name: 'usecase', path: () => usecase.url },
  { name: 'organisation', path: () => `/organisations/${usecase.owner.id}`, hits: true },
  { name: 'accessibility', path: () => '/accessibilite' },
  // issue 5: measured impact, reuse, discovery
  { name: 'search-evidence', path: () => '/recherche?sort=evidence', hits: true },
  { name: 'impact-rules', path: () => '/impact-demontre' },
  { name: 'lineage', path: () => `/fiches/${usecase.id}/lignee` },
  { name: 'territories-chooser', path: () => '/territoires-comme-le-mien' },
  { name: 'territories', path: () => `/territoires-comme-le-mien?organisation=${usecase.owner.id}` },
  // issue 6 §2: international references (a Dutch one fed by both files, a French row of the EU data set)
  { name: 'intl-search', path: () => '/references-internationales?q=parkeren', hits: true },
  { name: 'intl-filtered', path: () => '/references-internationales?country=FR&status=in_use', hits: true, filters: true },
  { name: 'intl-reference', path: () => intl.nl },
  { name: 'intl-reference-eu', path: () => intl.eu },
  // issue 6: the API documentation
  { name: 'api-documentation', path: () => '/api/documentation' },
  // issue 6: an authority's CRPA inventory of public algorithms (a wide table in a scrolling region)
  { name: 'algorithm-inventory', path: () => `/organisations/${usecase.owner.id}/inventaire-algorithmes` },
  // issue 7: the observatory's statistics (charts and the map of France)
  { name: 'observatory', path: () => '/observatoire' },
  { name: 'survey-results-list', path: () => '/observatoire/enquetes' },
  { name: 'not-found', path: () => '/fiches/999999-nexiste-pas', status: 404 },
];

for (const pg of PAGES) {
  test(`${pg.name}: structure, keyboard, axe, reflow at 320 px`, () =>
    B.withPage(browser, srv.base, { label: pg.name }, async (page) => {
      await B.visit(page, pg.path(), { status: pg.status || 200 });

      // structure
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');
      assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
      assert.ok((await page.locator('h1').innerText()).trim().length > 0, 'the h1 has text');
      const title = (await page.title()).trim();
      assert.ok(title.length > 0, 'a non-empty <title>');
      assert.ok(!titles.has(title), `title « ${title} » of ${pg.name} already used by ${titles.get(title)}`);
      titles.set(title, pg.name);
      assert.equal(await page.locator('main#contenu').count(), 1, 'one <main id="contenu">');
      if (pg.hits) assert.ok((await page.locator('.hit').count()) > 0, 'the page lists records');
      if (pg.filters) assert.ok(await page.locator('.active-filters').isVisible(), 'the active filters are shown');

      // keyboard: the skip link is the first stop, visible, with a visible focus
      await page.keyboard.press('Tab');
      const first = await B.focused(page);
      assert.ok(first, 'Tab focuses something');
      assert.equal(first.tag, 'a', `first focusable element: ${JSON.stringify(first)}`);
      assert.equal(first.href, '#contenu', `first focusable element is the skip link: ${JSON.stringify(first)}`);
      const skip = page.locator('a.skip-link');
      assert.ok(await skip.isVisible(), 'the skip link is visible when focused');
      const box = await skip.boundingBox();
      assert.ok(box && box.y >= 0 && box.x >= 0, `the skip link is on screen when focused: ${JSON.stringify(box)}`);
      let o = await B.focusOutline(page);
      assert.ok(o.style !== 'none' && o.width > 0, `focus visible on the skip link: ${JSON.stringify(o)}`);
      // Enter follows it: focus goes to the main content, the next Tab stays in it
      // (following a fragment is asynchronous: wait for it)
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.hash === '#contenu', { timeout: 5000 });
      const onMain = await page
        .waitForFunction(() => document.activeElement && document.activeElement.id === 'contenu', null, { timeout: 5000 })
        .then(() => true, () => false);
      assert.ok(onMain, `after the skip link, focus is on <main id="contenu">; focused: ${JSON.stringify(await B.focused(page))}`);
      await page.keyboard.press('Tab');
      const next = await page.evaluate(() => {
        const el = document.activeElement;
        return { inMain: !!(el && el.closest('main')), tag: el && el.tagName.toLowerCase() };
      });
      assert.ok(next.inMain, `after the skip link, Tab stays in <main> (${next.tag})`);
      o = await B.focusOutline(page);
      assert.ok(o.style !== 'none' && o.width > 0, `focus visible on the first control of <main> (${next.tag}): ${JSON.stringify(o)}`);
      // a link of the main content
      const link = page.locator('main a[href]').first();
      await link.focus();
      o = await B.focusOutline(page);
      assert.ok(o.style !== 'none' && o.width > 0, `focus visible on a link of <main>: ${JSON.stringify(o)}`);
      await page.evaluate(() => document.activeElement && document.activeElement.blur());

      // accessibility rules, wide then narrow (the layout changes at 40 and 60 rem)
      await page.evaluate(() => window.scrollTo(0, 0));
      await B.assertNoAxeViolations(page, `${pg.name} at ${B.DEFAULT_WIDTH} px`);
      await page.setViewportSize({ width: B.NARROW, height: B.DEFAULT_HEIGHT });
      await B.assertNoAxeViolations(page, `${pg.name} at ${B.NARROW} px`);
      await page.setViewportSize({ width: B.DEFAULT_WIDTH, height: B.DEFAULT_HEIGHT });

      await B.checkNoHorizontalScroll(page, B.NARROW);
      await B.screenshot(page, pg.name, { widths: [B.DEFAULT_WIDTH, B.NARROW] });
    }));
}

// issue 7: the map of France is reached by keyboard (each département a
// link named "Nom (code) : valeur", focus shown by a thick outline) and
// pictured on its own (build/screenshots/observatory-map.png)
test('observatory: map départements by keyboard, map screenshot', () =>
  B.withPage(browser, srv.base, { label: 'observatory-map' }, async (page) => {
    await B.visit(page, '/observatoire');
    const links = page.locator('svg.map a:not([tabindex="-1"])');
    assert.equal(await links.count(), 101, 'one link per département in the tab order');
    // the Paris zoom: four more links for a pointer, out of the tab order and hidden from screen readers
    assert.equal(await page.locator('svg.map g.map-zoom[aria-hidden="true"] a[tabindex="-1"] use').count(), 4);
    const zoomBox = await page.locator('svg.map g.map-zoom a[href="/organisations/departement-75"]').boundingBox();
    const parisBox = await page.locator('svg.map path[data-code="75"]').boundingBox();
    assert.ok(zoomBox.width > 3 * parisBox.width, `Paris enlarged in the zoom: ${JSON.stringify([zoomBox, parisBox])}`);
    const rhone = page.locator('svg.map a[href="/organisations/departement-69"]');
    await rhone.focus();
    const f = await page.evaluate(() => {
      const a = document.activeElement;
      const p = a && a.querySelector('path');
      return a && { label: a.getAttribute('aria-label'), stroke: p && getComputedStyle(p).strokeWidth };
    });
    assert.match(f.label, /^Rhône \(69\) : \d+$/);
    assert.equal(f.stroke, '3px', 'the focused département is outlined');
    const map = page.locator('#departements .map-picture');
    await map.screenshot({ path: `${B.SCREENSHOTS}/observatory-map.png` });
  }));

test('usecase: print stylesheet without navigation or search', () =>
  B.withPage(browser, srv.base, { label: 'usecase-print' }, async (page) => {
    await B.visit(page, usecase.url);
    // on screen: the header has its search form and the navigation
    const hidden = ['.site-nav', '.site-header form', '.skip-link', '.footer-links'];
    for (const sel of ['.site-nav', '.site-header form', '.footer-links']) {
      assert.ok(await page.locator(sel).first().isVisible(), `${sel} is shown on screen`);
    }
    await page.emulateMedia({ media: 'print' });
    await B.screenshot(page, 'usecase-print');
    for (const sel of hidden) {
      const loc = page.locator(sel);
      const n = await loc.count();
      assert.ok(n > 0, `${sel} exists in the page`);
      for (let i = 0; i < n; i++) assert.equal(await loc.nth(i).isVisible(), false, `${sel} is hidden in print`);
    }
    assert.ok(await page.locator('h1').isVisible(), 'the title is printed');
    assert.ok(await page.locator('main').isVisible(), 'the content is printed');
    await B.assertNoAxeViolations(page, 'usecase in print');
    await page.emulateMedia({ media: 'screen' });
  }));

test('every page has its own <title>', () => {
  assert.equal(titles.size, PAGES.length, `titles: ${JSON.stringify([...titles])}`);
});
