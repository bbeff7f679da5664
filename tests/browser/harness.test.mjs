// harness.test.mjs — the helpers of browser.mjs catch what they promise to
// catch: a browser test that cannot fail proves nothing. Each check makes
// one fault happen on purpose (console error, exception, failed or foreign
// request, axe violation, sideways scroll) and expects the helper to
// report it; the forms helpers are driven on the real search form.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import * as B from './browser.mjs';

let env;
let srv;
let browser;

before(async () => {
  env = B.setupLibrary({ accounts: {} });
  srv = await B.startServer(env.db);
  browser = await B.launchBrowser();
});

after(async () => {
  await browser?.close();
  if (srv) await B.stopServerClean(srv);
});

/** Run fn on a fresh page; return the errors collected (the page is closed). */
async function errorsOf(fn, opts = {}) {
  const h = await B.newPage(browser, srv.base, opts);
  try {
    await fn(h.page);
    await h.page.waitForTimeout(200); // let late events arrive
    return [...h.errors];
  } finally {
    await h.close();
  }
}

test('a clean page has no error, and assertNoErrors passes', async () => {
  assert.deepEqual(await errorsOf((page) => B.visit(page, '/')), []);
});

test('an expected 404 document is not an error; an unexpected status fails visit()', async () => {
  assert.deepEqual(await errorsOf((page) => B.visit(page, '/nope', { status: 404 })), []);
  await assert.rejects(errorsOf((page) => B.visit(page, '/nope')), /status 404, expected 200/);
  // a link that leads to an error page is an error, unless announced
  const clickTo404 = async (page, announce) => {
    await B.visit(page, '/accessibilite');
    await page.evaluate(() => {
      const a = document.createElement('a');
      a.href = '/page-absente';
      a.textContent = 'lien cassé';
      document.querySelector('main').append(a);
    });
    if (announce) B.expectStatus(page, 404);
    await page.getByRole('link', { name: 'lien cassé' }).click();
    await page.waitForLoadState('load');
    assert.equal(B.lastDocument(page).status, 404);
  };
  const errs = await errorsOf((page) => clickTo404(page, false));
  assert.equal(errs.length, 1, errs.join('\n'));
  assert.match(errs[0], /^document answered 404: GET .*\/page-absente/);
  assert.deepEqual(await errorsOf((page) => clickTo404(page, true)), []);
});

test('console errors, exceptions and failed sub-resources are collected', async () => {
  const errs = await errorsOf(async (page) => {
    await B.visit(page, '/');
    await page.evaluate(() => {
      console.error('erreur de test');
      setTimeout(() => {
        throw new Error('exception de test');
      }, 0);
      const img = document.createElement('img');
      img.alt = '';
      img.src = '/static/absent.png';
      document.body.append(img);
    });
    await page.waitForLoadState('networkidle');
  });
  const all = errs.join('\n');
  assert.match(all, /console error: erreur de test/);
  assert.match(all, /uncaught exception in the page: .*exception de test/);
  assert.match(all, /sub-resource answered 404: GET .*\/static\/absent\.png/);
});

test('allowConsole lets an expected message through', async () => {
  const errs = await errorsOf(async (page) => {
    await B.visit(page, '/');
    await page.evaluate(() => console.error('attendu'));
  }, { allowConsole: [/^attendu$/] });
  assert.deepEqual(errs, []);
});

test('a request to another origin is blocked and reported', async () => {
  const errs = await errorsOf(async (page) => {
    await assert.rejects(page.goto('http://example.invalid/'), /ERR_BLOCKED_BY_CLIENT/);
  });
  assert.match(errs.join('\n'), /request to another origin blocked: GET http:\/\/example\.invalid\//);
});

test('the page CSP stays enforced (no bypass): an inline script is refused', async () => {
  const errs = await errorsOf(async (page) => {
    await B.visit(page, '/');
    await assert.rejects(page.addScriptTag({ content: 'window.__inline = 1' }));
    assert.equal(await page.evaluate(() => window.__inline), undefined);
  });
  assert.match(errs.join('\n'), /Content Security Policy/);
});

test('withPage fails the test on a collected error, with a screenshot', async () => {
  const shot = path.join(B.SCREENSHOTS, 'failure-harness-withpage.png');
  fs.rmSync(shot, { force: true });
  await assert.rejects(
    B.withPage(browser, srv.base, { label: 'harness-withpage' }, async (page) => {
      await B.visit(page, '/');
      await page.evaluate(() => console.error('erreur de test'));
      await page.waitForTimeout(100);
    }),
    /errors in the browser on .*\n.*console error: erreur de test/,
  );
  assert.ok(fs.existsSync(shot), 'failure screenshot written');
  fs.rmSync(shot);
});

test('runAxe reports violations with rule, impact and target', () =>
  B.withPage(browser, srv.base, { label: 'harness-axe' }, async (page) => {
    await B.visit(page, '/');
    assert.deepEqual(await B.runAxe(page), []);
    await page.evaluate(() => {
      const img = document.createElement('img');
      img.src = '/static/favicon.svg';
      img.id = 'sans-alt';
      document.querySelector('main').append(img);
    });
    const v = await B.runAxe(page);
    assert.deepEqual(v.map((x) => x.id), ['image-alt']);
    await assert.rejects(B.assertNoAxeViolations(page, 'harness'), (e) => {
      assert.match(e.message, /1 violation\(s\) on harness/);
      assert.match(e.message, /image-alt \(critical\): Images must have alternative text/);
      assert.match(e.message, /#sans-alt/);
      return true;
    });
  }));

test('checkNoHorizontalScroll names the element that sticks out', () =>
  B.withPage(browser, srv.base, { label: 'harness-scroll' }, async (page) => {
    await B.visit(page, '/accessibilite');
    await B.checkNoHorizontalScroll(page);
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.className = 'trop-large';
      p.textContent = 'x'.repeat(300);
      p.style.whiteSpace = 'nowrap'; // CSSOM: not subject to the CSP
      document.querySelector('main').append(p);
    });
    await assert.rejects(B.checkNoHorizontalScroll(page), /horizontal scroll at 320px.*\n.*p\.trop-large/);
    assert.equal(page.viewportSize().width, B.DEFAULT_WIDTH, 'viewport restored');
  }));

test('fillForm and submit drive the search form', () =>
  B.withPage(browser, srv.base, { label: 'harness-form' }, async (page) => {
    await B.visit(page, '/recherche');
    await B.fillForm(page, { 'Mots-clés': 'eau' });
    const doc = await B.submit(page, 'Rechercher', { status: 200 });
    assert.equal(new URL(doc.url).pathname, '/recherche');
    assert.equal(new URL(doc.url).searchParams.get('q'), 'eau');
    assert.ok((await page.locator('.hit').count()) > 0);
    await assert.rejects(B.fillForm(page, { 'Pas de tel champ': 'x' }), /0 fields labelled « Pas de tel champ »/);
  }));

test('screenshot writes NAME.png, or NAME-WIDTH.png per width', () =>
  B.withPage(browser, srv.base, { label: 'harness-shot' }, async (page) => {
    await B.visit(page, '/accessibilite');
    const one = await B.screenshot(page, 'harness-one');
    assert.deepEqual(one.map((f) => f.split('/').pop()), ['harness-one.png']);
    const two = await B.screenshot(page, 'harness-two', { widths: [1280, 320] });
    assert.deepEqual(two.map((f) => f.split('/').pop()), ['harness-two-1280.png', 'harness-two-320.png']);
    for (const f of [...one, ...two]) {
      const head = fs.readFileSync(f).subarray(0, 24);
      assert.equal(head.subarray(1, 4).toString(), 'PNG');
      const w = head.readUInt32BE(16);
      assert.equal(w, f.endsWith('-320.png') ? 320 : 1280, `${f} width`);
      fs.rmSync(f);
    }
  }));
