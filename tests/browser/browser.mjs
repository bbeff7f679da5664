// browser.mjs — helpers of the real-browser tests: Debian's chromium driven
// by npm playwright-core, axe-core for accessibility. The server and its
// temporary database come from ../blackbox/lib.mjs (setupLibrary,
// startServer, stopServerClean...), which this file re-exports.
//
//   import { test, before, after } from 'node:test';
//   import * as B from './browser.mjs';
//
//   let env, srv, browser;
//   before(async () => {
//     env = B.setupLibrary({ accounts: {} });
//     srv = await B.startServer(env.db);
//     browser = await B.launchBrowser();
//   });
//   after(async () => {
//     await browser?.close();
//     if (srv) await B.stopServerClean(srv);
//   });
//
//   test('the home page', () => B.withPage(browser, srv.base, {}, async (page) => {
//     await B.visit(page, '/');                  // asserts status 200
//     await B.assertNoAxeViolations(page, 'home');
//     await B.screenshot(page, 'home', { widths: [1280, 320] });
//   }));  // withPage: asserts no console/page/request error, closes the page
//
// What a page from newPage() / withPage() guarantees
// - French browser (locale fr-FR, Accept-Language fr-FR, Europe/Paris),
//   viewport 1280x900 unless {width, height} say otherwise, light colours.
// - No request leaves for anything but the server under test: every request
//   whose origin is not baseUrl's is aborted and recorded as an error (the
//   pages must be self-contained). Chromium itself is also given a dead
//   proxy (127.0.0.1:9; loopback addresses bypass proxies), so its own
//   background traffic cannot reach the internet either.
// - Errors are collected, and assertNoErrors() (withPage calls it for you)
//   fails with the list: console messages of type "error" (this includes
//   CSP violations), uncaught exceptions in the page, failed requests
//   (network errors), sub-resource answers >= 400 from the server, and
//   documents answering >= 400 unless announced: a 404 page is a page when
//   the test says so (visit(page, p, {status: 404}), submit(page, b,
//   {status: 422}), or expectStatus(page, 404) before a click). Chromium's
//   own "Failed to load resource: ... status of N" console messages are
//   left to these rules. Other expected console messages: {allowConsole:
//   [/regexp/]} in newPage's options.
//
// axe-core and the Content-Security-Policy
// - The server sends "script-src 'self'" with no inline script, so
//   page.addScriptTag({content}) is refused by the page's CSP (tried: the
//   script is blocked and a console error logged). We evaluate axe.min.js
//   with page.evaluate(source) instead: code run through the DevTools
//   protocol is not subject to the page's CSP, so the CSP stays fully
//   enforced for the page itself (no bypassCSP anywhere) and the page under
//   test is exactly what users get.
//
// Environment
// - CHROMIUM: the browser binary (default /usr/bin/chromium, Debian's).
//   Playwright never downloads a browser here.
// - IAT_SCREENSHOTS: where screenshot() writes PNG files (CTest sets
//   build/screenshots; default: build/screenshots under IAT_SOURCE_DIR).
// - IAT_HEADED=1: show the browser window (needs a display, e.g. xvfb-run
//   or a desktop session); IAT_SLOWMO=250 slows every action by 250 ms.
// - IAT_KEEP_TMP=1 (lib.mjs): keep the temporary databases.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { SOURCE_DIR } from '../blackbox/lib.mjs';

export * from '../blackbox/lib.mjs';

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = process.env.IAT_SCREENSHOTS || path.join(SOURCE_DIR, 'build', 'screenshots');
export const DEFAULT_WIDTH = 1280;
export const DEFAULT_HEIGHT = 900;
/** the narrowest width we support (WCAG 1.4.10 reflow: 320 CSS px) */
export const NARROW = 320;

/** Default time limit of each Playwright action (the machine may be busy). */
const ACTION_TIMEOUT = 20000;
const NAVIGATION_TIMEOUT = 30000;

// ==== Browser ====

/**
 * Launch Debian's chromium, headless unless IAT_HEADED is set. The caller
 * closes it (browser.close()) in its after() hook. Extra launch options in
 * opts are passed to chromium.launch().
 */
export async function launchBrowser(opts = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (scripts/deps.sh build) or set CHROMIUM`);
  }
  const headed = !!process.env.IAT_HEADED;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: !headed,
    slowMo: Number(process.env.IAT_SLOWMO) || 0,
    args: [
      '--no-sandbox', // root in CI containers: the sandbox cannot start
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // everything not loopback goes to a port where nobody listens
      '--proxy-server=http://127.0.0.1:9',
    ],
    ...opts,
  });
}

// ==== Pages ====

// page → its state (base URL, errors...), for the helpers that take a page
const states = new WeakMap();

function stateOf(page) {
  const s = states.get(page);
  if (!s) throw new Error('this page was not made by browser.mjs newPage()');
  return s;
}

/**
 * A new browser context and page for the server at baseUrl.
 * opts: width, height (viewport; default 1280x900), allowConsole (array of
 * RegExp: console errors to ignore), contextOptions (more options for
 * browser.newContext()).
 * Returns {page, context, errors, assertNoErrors(), close()}; the helpers
 * below take the page itself.
 */
let contextSeq = 0;
export async function newPage(browser, baseUrl, opts = {}) {
  const origin = new URL(baseUrl).origin;
  // each context is its own client address (X-Forwarded-For, which the
  // server trusts from loopback as from nginx): per-address throttles
  // (sign-in, reports) count per simulated person, not for the whole run
  contextSeq++;
  const context = await browser.newContext({
    extraHTTPHeaders: { 'X-Forwarded-For': `10.200.${(contextSeq >> 8) & 255}.${contextSeq & 255}` },
    baseURL: origin,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    colorScheme: 'light',
    reducedMotion: 'reduce',
    viewport: { width: opts.width || DEFAULT_WIDTH, height: opts.height || DEFAULT_HEIGHT },
    deviceScaleFactor: 1,
    serviceWorkers: 'block',
    ...(opts.contextOptions || {}),
  });
  context.setDefaultTimeout(ACTION_TIMEOUT);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);

  const state = {
    origin,
    errors: [],
    blocked: new Set(), // URLs we aborted ourselves
    allowConsole: opts.allowConsole || [],
    announced: null, // error status announced for the next document (visit, submit, expectStatus)
    docExpected: null, // error status allowed for the document being loaded
    lastDocument: null, // {url, status} of the last main-frame document
  };

  await context.route('**/*', (route) => {
    const url = route.request().url();
    let o;
    try {
      o = new URL(url).origin;
    } catch {
      o = null;
    }
    if (o === origin) return route.continue();
    state.blocked.add(url);
    state.errors.push(`request to another origin blocked: ${route.request().method()} ${url}`);
    return route.abort('blockedbyclient');
  });

  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (state.allowConsole.some((re) => re.test(text))) return;
    // every HTTP answer >= 400 is judged by the 'response' handler below
    // (sub-resource: error; document: error unless announced)
    if (text.startsWith('Failed to load resource: the server responded with a status of ')) return;
    const loc = m.location();
    state.errors.push(`console error: ${text}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
  });
  page.on('pageerror', (e) => state.errors.push(`uncaught exception in the page: ${e.stack || e.message}`));
  page.on('requestfailed', (req) => {
    if (state.blocked.has(req.url())) return; // already recorded
    const f = req.failure();
    const why = f ? f.errorText : 'failed';
    // a navigation that replaces the document cancels its pending loads
    // (the document itself, or a sub-resource such as the favicon that was
    // still loading): a cancellation by the browser, not a failure of the
    // server — server errors are caught on the responses (status >= 400)
    if (why === 'net::ERR_ABORTED') return;
    state.errors.push(`request failed: ${req.method()} ${req.url()}: ${why}`);
  });
  page.on('request', (req) => {
    // a new document (not the next step of a redirect) takes the announcement
    if (req.isNavigationRequest() && req.frame() === page.mainFrame() && !req.redirectedFrom()) {
      state.docExpected = state.announced;
      state.announced = null;
    }
  });
  page.on('response', (res) => {
    const req = res.request();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      state.lastDocument = { url: res.url(), status: res.status() };
      if (res.status() >= 400 && res.status() !== state.docExpected) {
        state.errors.push(`document answered ${res.status()}: ${req.method()} ${res.url()} ` +
          '(announce an expected error page with visit/submit {status} or expectStatus)');
      }
      return;
    }
    if (res.status() >= 400) state.errors.push(`sub-resource answered ${res.status()}: ${req.method()} ${res.url()}`);
  });

  states.set(page, state);
  return {
    page,
    context,
    errors: state.errors,
    assertNoErrors: () => assertNoErrors(page),
    close: () => context.close(),
  };
}

/** Fail with the list of the errors collected on this page, if any. */
export function assertNoErrors(page) {
  const { errors } = stateOf(page);
  assert.equal(errors.length, 0, `errors in the browser on ${page.url()}:\n  - ${errors.join('\n  - ')}`);
}

/**
 * Forget the errors collected so far (after a step that was expected to
 * produce some, checked by the test itself).
 */
export function clearErrors(page) {
  stateOf(page).errors.length = 0;
}

/**
 * Run fn(page, handle) on a new page, then assert that no error was
 * collected and close the page's context, whatever happened. When fn
 * fails, a screenshot "failure-LABEL.png" is saved first (opts.label,
 * default "page"). opts: as newPage().
 */
export async function withPage(browser, baseUrl, opts, fn) {
  const h = await newPage(browser, baseUrl, opts || {});
  try {
    await fn(h.page, h);
    h.assertNoErrors();
  } catch (e) {
    try {
      await screenshot(h.page, `failure-${(opts && opts.label) || 'page'}`);
    } catch {
      /* the page may be gone */
    }
    throw e;
  } finally {
    await h.close();
  }
}

/**
 * Go to p (a path on the server, or a full URL of it) and assert the status
 * of the document (opts.status, default 200; redirects are followed and the
 * final status counts). Returns the Playwright response.
 */
export async function visit(page, p, opts = {}) {
  const s = stateOf(page);
  const status = opts.status === undefined ? 200 : opts.status;
  s.announced = status;
  const res = await page.goto(new URL(p, s.origin).href, { waitUntil: 'load' });
  assert.ok(res, `no response for ${p}`);
  assert.equal(res.status(), status, `GET ${p}: status ${res.status()}, expected ${status} (now at ${page.url()})`);
  return res;
}

/**
 * Announce that the next document loaded in the page (after a click...)
 * answers with this error status on purpose: it is then not an error.
 */
export function expectStatus(page, status) {
  stateOf(page).announced = status;
}

/** {url, status} of the last document loaded in the page's main frame. */
export function lastDocument(page) {
  return stateOf(page).lastDocument;
}

// ==== Accessibility (axe-core) ====

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
let axeSource = null;

/**
 * Run axe-core on the current document; returns its violations (array of
 * {id, impact, help, helpUrl, nodes: [{target, html, failureSummary}]}).
 * opts.tags: the rule tags (default AXE_TAGS); opts.context: what to test
 * (default the whole document); opts.rules: per-rule options for axe.run.
 * axe is evaluated through the DevTools protocol, not injected as a
 * <script>: see the note at the top of this file.
 */
export async function runAxe(page, opts = {}) {
  if (!axeSource) axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  const result = await page.evaluate(
    ([tags, ctx, rules]) =>
      window.axe.run(ctx || document, {
        runOnly: { type: 'tag', values: tags },
        rules: rules || {},
        resultTypes: ['violations'],
      }),
    [opts.tags || AXE_TAGS, opts.context || null, opts.rules || null],
  );
  return result.violations;
}

/** A readable list of axe violations (one block per rule, one line per node). */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 10)
        .map((n) => `      ${n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | ')}\n` +
          `        ${(n.failureSummary || '').replace(/\n/g, '\n        ')}`)
        .join('\n');
      const more = v.nodes.length > 10 ? `\n      ... and ${v.nodes.length - 10} more` : '';
      return `  - ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes}${more}`;
    })
    .join('\n');
}

/** Run axe and fail with the list of violations, if any. */
export async function assertNoAxeViolations(page, label = page.url(), opts = {}) {
  const v = await runAxe(page, opts);
  assert.equal(v.length, 0, `axe: ${v.length} violation(s) on ${label} (${page.url()}):\n${formatViolations(v)}`);
}

// ==== Screenshots and layout ====

function safeName(name) {
  const n = String(name).replace(/[^A-Za-z0-9._-]+/g, '_');
  assert.ok(n && n !== '.' && n !== '..', `screenshot name ${JSON.stringify(name)}`);
  return n;
}

/**
 * Full-page PNG of the page into $IAT_SCREENSHOTS. Without opts.widths:
 * NAME.png at the current viewport. With opts.widths (e.g. [1280, 320]):
 * NAME-1280.png, NAME-320.png, each at that viewport width (the viewport
 * is restored afterwards). Returns the paths written.
 */
export async function screenshot(page, name, opts = {}) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const base = safeName(name);
  if (!opts.widths) {
    const file = path.join(SCREENSHOTS, `${base}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    return [file];
  }
  const files = [];
  const vp = page.viewportSize();
  try {
    for (const w of opts.widths) {
      await page.setViewportSize({ width: w, height: vp.height });
      const file = path.join(SCREENSHOTS, `${base}-${w}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      files.push(file);
    }
  } finally {
    await page.setViewportSize(vp);
  }
  return files;
}

/**
 * Assert that the page does not scroll sideways at `width` CSS pixels
 * (default 320: WCAG 1.4.10 reflow). The viewport is restored afterwards.
 * The failure names the elements that stick out.
 */
export async function checkNoHorizontalScroll(page, width = NARROW) {
  const vp = page.viewportSize();
  try {
    await page.setViewportSize({ width, height: vp.height });
    const r = await page.evaluate((w) => {
      const sw = document.documentElement.scrollWidth;
      const out = [];
      const name = (el) => {
        const id = el.id ? `#${el.id}` : '';
        const cls = el.classList.length ? `.${[...el.classList].join('.')}` : '';
        return `${el.tagName.toLowerCase()}${id}${cls}`;
      };
      if (sw > w + 1) {
        const boxes = []; // boxes wider than the screen (outermost only)
        const contents = []; // content overflowing its box (long word, nowrap)
        for (const el of document.body.querySelectorAll('*')) {
          const b = el.getBoundingClientRect();
          if (b.width === 0 && b.height === 0) continue;
          if (b.right > w + 1) {
            const p = el.parentElement;
            if (p && p !== document.body && p.getBoundingClientRect().right > w + 1) continue;
            boxes.push([el, `right edge at ${Math.round(b.right)}px`]);
          } else if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 &&
                     getComputedStyle(el).overflowX === 'visible') {
            contents.push([el, `content ${el.scrollWidth}px wide in a ${el.clientWidth}px box`]);
          }
        }
        // an overflowing ancestor only shows its child's overflow: keep the deepest
        const deepest = contents.filter(([el]) => !contents.some(([o]) => o !== el && el.contains(o)));
        for (const [el, why] of [...boxes, ...deepest].slice(0, 10)) out.push(`${name(el)}: ${why}`);
      }
      return { sw, out };
    }, width);
    assert.ok(r.sw <= width + 1,
      `horizontal scroll at ${width}px on ${page.url()}: scrollWidth ${r.sw}\n  ${r.out.join('\n  ')}`);
  } finally {
    await page.setViewportSize(vp);
  }
}

// ==== Forms ====

/**
 * Fill form fields found by their label (exact text of the <label>, or
 * aria-label). fields: {label: value}. Text inputs and textareas are
 * filled, <select> gets the option with that label or value, checkboxes
 * and radios are checked (true) or unchecked (false).
 */
export async function fillForm(page, fields) {
  for (const [label, value] of Object.entries(fields)) {
    const loc = page.getByLabel(label, { exact: true });
    const n = await loc.count();
    assert.equal(n, 1, `fillForm: ${n} fields labelled « ${label} » on ${page.url()}`);
    const kind = await loc.evaluate((el) => (el.tagName === 'INPUT' ? `input:${el.type}` : el.tagName.toLowerCase()));
    if (kind === 'select') {
      const values = Array.isArray(value) ? value : [value];
      // an option's label first, then its value
      const labels = await loc.evaluate((el, v) => v.map((x) => {
        const o = [...el.options].find((opt) => opt.label === x || opt.text.trim() === x);
        return o ? o.value : x;
      }), values.map(String));
      await loc.selectOption(labels);
    } else if (kind === 'input:checkbox' || kind === 'input:radio') {
      await loc.setChecked(!!value);
    } else {
      await loc.fill(String(value));
    }
  }
}

/**
 * Click the button named buttonText (exact accessible name) and wait until
 * the document it leads to has loaded. Returns {url, status} of that
 * document (after redirects). Fails if no navigation happens (e.g. the
 * browser's own validation stopped the form: a required field is empty).
 * opts.status: the expected final status (asserted); give it when the
 * answer is an error page on purpose (a form sent back with its errors,
 * 400/422...), else Chromium's console message about it is an error.
 */
export async function submit(page, buttonText, opts = {}) {
  const s = stateOf(page);
  const btn = page.getByRole('button', { name: buttonText, exact: true });
  const n = await btn.count();
  assert.equal(n, 1, `submit: ${n} buttons named « ${buttonText} » on ${page.url()}`);
  s.announced = opts.status === undefined ? null : opts.status;
  const navigated = page.waitForEvent('framenavigated', {
    predicate: (f) => f === page.mainFrame(),
    timeout: opts.timeout || NAVIGATION_TIMEOUT,
  });
  await btn.click();
  try {
    await navigated;
  } catch (e) {
    throw new Error(`submit « ${buttonText} »: no page loaded after the click (form not sent?) on ${page.url()}`, { cause: e });
  }
  await page.waitForLoadState('load');
  const doc = s.lastDocument || { url: page.url(), status: null };
  if (opts.status !== undefined) {
    assert.equal(doc.status, opts.status, `submit « ${buttonText} »: status ${doc.status} at ${doc.url}`);
  }
  return doc;
}

/**
 * Sign in through the form at /connexion: fields « Adresse électronique »
 * and « Mot de passe », button « Se connecter ». Returns submit()'s
 * {url, status}; the caller checks where it landed.
 */
export async function signIn(page, base, email, password) {
  await visit(page, new URL('/connexion', base).href);
  await fill(page, { 'Adresse électronique': email, 'Mot de passe': password });
  return submit(page, 'Se connecter');
}

// ==== Keyboard ====

/** A short description of the focused element ({tag, id, cls, href, text}). */
export function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id || null,
      cls: el.className || null,
      href: el.getAttribute('href'),
      text: (el.textContent || '').trim().slice(0, 80),
    };
  });
}

/**
 * The computed outline of the focused element: {style, width, color}.
 * Focus must be visible: tests assert style !== 'none' and width > 0.
 */
export function focusOutline(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const cs = getComputedStyle(el);
    return { style: cs.outlineStyle, width: parseFloat(cs.outlineWidth) || 0, color: cs.outlineColor };
  });
}

// ==== Flows (flows*.test.mjs) ====

function reEscape(s) {
  return String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The form control labelled `label`, whatever mark follows the label's
 * text (« (obligatoire) », « (facultatif) »...): the label starts with
 * `label` and nothing but a parenthesised note follows. Asserts there is
 * exactly one. scope: a page or a locator (one form of several).
 */
export async function control(scope, label) {
  const re = new RegExp(`^\\s*${reEscape(label)}(\\s*\\([^)]*\\))?\\s*$`);
  const loc = scope.getByLabel(re);
  const n = await loc.count();
  assert.equal(n, 1, `${n} fields labelled « ${label} »`);
  return loc;
}

/**
 * fillForm() with the labels of control(): {label: value}; inputs and
 * textareas are typed into, selects take the option with that label (or
 * value), checkboxes and radios are set to !!value.
 */
export async function fill(scope, fields) {
  for (const [label, value] of Object.entries(fields)) {
    const loc = await control(scope, label);
    const kind = await loc.evaluate((el) => (el.tagName === 'INPUT' ? `input:${el.type}` : el.tagName.toLowerCase()));
    if (kind === 'select') {
      const v = await loc.evaluate((el, x) => {
        const o = [...el.options].find((opt) => opt.label === x || opt.text.trim() === x || opt.value === x);
        return o ? o.value : null;
      }, String(value));
      assert.ok(v !== null, `no option « ${value} » in the field « ${label} »`);
      await loc.selectOption(v);
    } else if (kind === 'input:checkbox' || kind === 'input:radio') {
      await loc.setChecked(!!value);
    } else {
      await loc.fill(String(value));
    }
  }
}

/** Results of checkPage(): page type → 'OK...' or 'FAILED: ...', for reports. */
export const axeResults = new Map();
const pageFailures = [];

/**
 * The checks every page of a flow gets: one h1, axe-core with no violation
 * at 1280 then 320 px, no sideways scroll at 320 px, screenshots NAME-1280
 * and NAME-320. `name` is the page type (the first page seen of a type is
 * recorded in axeResults, a failure always is). A failure does not stop
 * the flow (the later steps still run and are checked): it is kept, and
 * assertPagesOk() — call it at the end of every test — fails with all of
 * them.
 */
export async function checkPage(page, name) {
  try {
    assert.equal(await page.locator('h1').count(), 1, `${name}: exactly one h1 on ${page.url()}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await assertNoAxeViolations(page, `${name} at ${DEFAULT_WIDTH} px`);
    const vp = page.viewportSize();
    await page.setViewportSize({ width: NARROW, height: vp.height });
    try {
      await assertNoAxeViolations(page, `${name} at ${NARROW} px`);
    } finally {
      await page.setViewportSize(vp);
    }
    await checkNoHorizontalScroll(page, NARROW);
    if (!axeResults.has(name)) axeResults.set(name, 'OK: 0 violations at 1280 and 320 px');
  } catch (e) {
    if (!(e instanceof assert.AssertionError)) throw e;
    axeResults.set(name, `FAILED: ${e.message.split('\n').slice(0, 6).join(' / ')}`);
    pageFailures.push(`${name}: ${e.message}`);
  } finally {
    await screenshot(page, name, { widths: [DEFAULT_WIDTH, NARROW] });
  }
}

/** Fail with the checkPage() failures seen since the last call, if any. */
export function assertPagesOk() {
  const f = pageFailures.splice(0);
  assert.equal(f.length, 0, `${f.length} page(s) failed their checks:\n${f.join('\n')}`);
}

/**
 * Follow the link of the error summary to `field` (its control has id
 * f-FIELD) with the keyboard, and assert that the control gets the focus.
 */
export async function followErrorLink(page, field) {
  const link = page.locator(`.error-summary a[href="#f-${field}"]`);
  assert.equal(await link.count(), 1, `the error summary links to #f-${field}`);
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, `f-${field}`,
    { timeout: 5000 }).catch(() => {});
  const f = await focused(page);
  assert.equal(f && f.id, `f-${field}`, `the error link focuses the field f-${field}: ${JSON.stringify(f)}`);
}

/** The text of the flash message of the page ('' when none). */
export async function flashText(page) {
  const loc = page.locator('.flash');
  return (await loc.count()) ? (await loc.first().innerText()).trim() : '';
}
