// security.test.mjs — restricted fields never reach anonymous readers, no
// stored XSS (HTML escaped, JSON escapes < > &, no javascript: links),
// SQL injection attempts are harmless, security headers are present.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';

import {
  reviveServer,
  BORDEAUX_METROPOLE,
  assertApiError,
  createRecord,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
} from './lib.mjs';

let env;
let srv;
let schema;

before(async () => {
  env = setupLibrary();
  srv = await startServer(env.db, ['--write-rate', '0']);
  schema = (await srv.request('GET', '/api/v1/schema')).json.data;
});

after(async () => {
  if (srv) await srv.stop();
});

// a crash fails the test that caused it; later tests get a new server
const crashes = [];
beforeEach(async () => {
  srv = await reviveServer(srv, () => startServer(env.db, ['--write-rate', '0']), crashes);
});

const get = (p, o) => srv.request('GET', p, o);

// ==== Restricted fields ====

const HEX = crypto.randomBytes(6).toString('hex');
const MARKER = `SECRET-MARKER-${HEX}`;
// a word that appears only in restricted fields (searched for below)
const SECRET_WORD = `kqzw${HEX}fonds`;
const RESTRICTED_VALUES = {
  contact: `${MARKER} dpo-secret@bordeaux-metropole.example.fr`,
  funding: `${MARKER} ${SECRET_WORD} Fonds vert`,
  budget_band: 'gt_100k',
  hosting: 'third_party_cloud',
  algorithm_operations: `${MARKER} ${SECRET_WORD} opérations détaillées`,
  data_access: 'manual',
  cost_one_off: 987654.5,
  cost_yearly: 12345.25,
  staff_time: 1.5,
};
// lists whose items carry their own visibility: one public item, one restricted (with the marker)
const RESTRICTED_ITEMS = {
  indicators: [
    { name: 'Délai public Pangolin', unit: 'jours', baseline: { value: 20, date: '2024-01-15' }, measurements: [{ value: 12, date: '2024-09-15' }] },
    { name: `${MARKER} ${SECRET_WORD} indicateur`, unit: 'heures', method: `${MARKER} méthode`, comments: SECRET_WORD,
      visibility: 'restricted', baseline: { value: 1, date: '2024-01-15' }, measurements: [{ value: 2, date: '2024-06-15' }] },
  ],
  reuse_kit: [
    { kind: 'specification', title: 'Cahier des charges public Pangolin', url: 'https://example.org/cdc-pangolin' },
    { kind: 'contract', title: `${MARKER} contrat`, reference: `${SECRET_WORD} marché 2024-17`, visibility: 'restricted' },
  ],
};
// labels of the restricted enum values (from the schema) — must not show either
const RESTRICTED_LABELS = ['Plus de 100 k€ par an', 'Cloud chez un tiers', 'Récupération manuelle'];
let secret; // the record

test('restricted fields: the schema marks exactly the nine restricted fields', () => {
  assert.deepEqual(
    schema.fields.filter((f) => f.visibility === 'restricted').map((f) => f.name).sort(),
    Object.keys(RESTRICTED_VALUES).sort(),
  );
  const byName = Object.fromEntries(schema.fields.map((f) => [f.name, f]));
  assert.equal(byName.budget_band.enum.find((e) => e.code === 'gt_100k').label, RESTRICTED_LABELS[0]);
  assert.equal(byName.hosting.enum.find((e) => e.code === 'third_party_cloud').label, RESTRICTED_LABELS[1]);
  assert.equal(byName.data_access.enum.find((e) => e.code === 'manual').label, RESTRICTED_LABELS[2]);
});

test('restricted fields: a record with all of them filled, created by an agent and published by a referent', async () => {
  const d = await createRecord(srv, env.tokens.agentBdx, validRecord({
    title: 'Projet Confidentialité Pangolin',
    summary: 'Un projet public dont certaines informations sont réservées.',
    description: 'Description publique du projet Pangolin.',
    ...RESTRICTED_VALUES,
    ...RESTRICTED_ITEMS,
  }));
  for (const [k, v] of Object.entries(RESTRICTED_VALUES)) assert.equal(d[k], v, `author reads ${k}`);
  for (const k of Object.keys(RESTRICTED_ITEMS)) assert.equal(d[k].length, 2, `author reads both items of ${k}`);
  const p = await srv.request('PATCH', `/api/v1/usecases/${d.id}`, { token: env.tokens.refBdx, json: { state: 'published' } });
  assert.equal(p.status, 200, p.text);
  secret = p.json.data;
  assert.equal(secret.state, 'published');
});

function assertNoSecret(text, where) {
  assert.ok(!text.includes(MARKER), `${where}: the marker leaked`);
  assert.ok(!text.includes(HEX), `${where}: the marker's hex part leaked`);
  assert.ok(!text.toLowerCase().includes(SECRET_WORD), `${where}: a restricted word leaked`);
  assert.ok(!text.includes('dpo-secret'), `${where}: the contact leaked`);
}

test('restricted fields: absent from the anonymous record JSON', async () => {
  const r = await get(`/api/v1/usecases/${secret.id}`);
  assert.equal(r.status, 200);
  for (const k of Object.keys(RESTRICTED_VALUES)) assert.ok(!(k in r.json.data), `${k} absent`);
  for (const k of Object.keys(RESTRICTED_ITEMS)) {
    assert.equal(r.json.data[k].length, 1, `${k}: only the public item`);
    assert.equal(r.json.data[k][0].visibility, 'public');
  }
  assertNoSecret(r.text, 'record JSON');
  for (const code of ['gt_100k', 'third_party_cloud', '"manual"']) assert.ok(!r.text.includes(code), `${code} absent`);
});

test('restricted fields: absent from lists, searches, snippets and facets', async () => {
  const pages = [
    '/api/v1/usecases?per_page=100',
    '/api/v1/usecases?per_page=100&sort=updated',
    `/api/v1/usecases?owner=${BORDEAUX_METROPOLE.key}`,
    '/api/v1/usecases?q=pangolin',
    '/api/v1/usecases?q=projet&per_page=100',
    '/api/v1/usecases?q=fonds&per_page=100',
    '/api/v1/usecases?q=dpo&per_page=100',
    '/api/v1/usecases?q=operations%20detaillees&per_page=100',
  ];
  for (const p of pages) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    assertNoSecret(r.text, p);
    for (const x of r.json.data) if (x.snippet_html) assertNoSecret(x.snippet_html, `${p} snippet`);
  }
  // searching for restricted text finds nothing (the index holds public text only)
  for (const q of [HEX, SECRET_WORD, MARKER, 'dpo-secret', 'opérations détaillées pangolin']) {
    const r = await get(`/api/v1/usecases?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.meta.total, 0, `search "${q}" must not find the record through restricted text`);
    assert.deepEqual(r.json.data, []);
  }
  // even for an agent: search does not index restricted text
  const a = await get(`/api/v1/usecases?q=${SECRET_WORD}`, { token: env.tokens.agentLyon });
  assert.equal(a.json.meta.total, 0);
  const f = await get('/api/v1/usecases?per_page=1');
  assert.ok(!JSON.stringify(f.json.meta.facets).includes('third_party_cloud'));
});

test('restricted fields: absent from the HTML record page', async () => {
  const r = await get(secret.url);
  assert.equal(r.status, 200);
  assertNoSecret(r.text, 'record page');
  for (const label of RESTRICTED_LABELS) assert.ok(!r.text.includes(label), `label « ${label} » absent`);
  for (const k of Object.keys(RESTRICTED_VALUES)) assert.ok(!r.text.includes(`field-${k}`), `no ${k} field on the page`);
  assert.match(r.text, /réservées aux agents/);
  assert.match(r.text, /Pangolin/);
});

test('restricted fields: absent from the search, home and organisation pages and API', async () => {
  const pages = [
    '/',
    '/recherche',
    '/recherche?q=pangolin',
    `/recherche?q=${SECRET_WORD}`,
    `/recherche?owner=${BORDEAUX_METROPOLE.key}`,
    `/organisations/${BORDEAUX_METROPOLE.key}`,
    `/api/v1/organisations/${BORDEAUX_METROPOLE.key}`,
    `/api/v1/organisations/${BORDEAUX_METROPOLE.siren}?per_page=100`,
  ];
  for (const p of pages) {
    const r = await get(p);
    assert.equal(r.status, 200, `${p}: ${r.status}`);
    if (p.includes(SECRET_WORD)) {
      // the page repeats the query itself: only the query may show, never the record
      assert.ok(!r.text.includes(MARKER) && !r.text.includes('dpo-secret'), `${p}: leaked`);
      assert.ok(!r.text.includes(`/fiches/${secret.id}-`), `${p}: the record is not a hit`);
    } else {
      assertNoSecret(r.text, p);
    }
    for (const label of RESTRICTED_LABELS) assert.ok(!r.text.includes(label), `${p}: « ${label} »`);
  }
  const search = await get('/recherche?q=pangolin');
  assert.ok(search.text.includes(`/fiches/${secret.id}-`), 'the public part is searchable');
  const org = await get(`/organisations/${BORDEAUX_METROPOLE.key}`);
  assert.ok(org.text.includes(`/fiches/${secret.id}-`), 'the record is listed on its organisation page');
});

test('restricted fields: an agent of any organisation reads them (JSON and page)', async () => {
  for (const t of ['agentLyon', 'agentBdx', 'curator']) {
    const r = await get(`/api/v1/usecases/${secret.id}`, { token: env.tokens[t] });
    assert.equal(r.status, 200);
    for (const [k, v] of Object.entries(RESTRICTED_VALUES)) assert.equal(r.json.data[k], v, `${t} reads ${k}`);
    for (const k of Object.keys(RESTRICTED_ITEMS)) assert.equal(r.json.data[k].length, 2, `${t} reads both items of ${k}`);
  }
  const page = await get(secret.url, { token: env.tokens.agentLyon });
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(MARKER), 'the agent sees the restricted values on the page');
  // numbers in French with their unit, never an exponent (costs reach millions)
  assert.ok(page.text.includes('987\u00a0654,5\u00a0€ HT'), 'the one-off cost in French with its unit');
  assert.ok(page.text.includes('12\u00a0345,25\u00a0€ HT par an'), 'the yearly cost');
  assert.ok(page.text.includes('1,5\u00a0ETP'), 'the staff time');
  assert.doesNotMatch(page.text, /\de\+\d/, 'no exponent notation');
  const form = await get(`/fiches/${secret.id}/modifier`, { token: env.tokens.refBdx });
  assert.equal(form.status, 200);
  assert.ok(form.text.includes('value="987654,5"'), 'the form shows the cost as typed, in fixed notation');
  assert.ok(page.text.includes('Cloud chez un tiers'));
  // and the anonymous representation is not served from a cache to agents, nor the reverse
  const anon = await get(`/api/v1/usecases/${secret.id}`);
  const agent = await get(`/api/v1/usecases/${secret.id}`, { token: env.tokens.agentLyon, headers: { 'If-None-Match': anon.headers.get('etag') } });
  assert.equal(agent.status, 200, 'the anonymous ETag does not validate the agent representation');
});

test('restricted items: absent from the public history, comparison and versions API', async () => {
  // a second version that changes only the restricted items
  const items = structuredClone(RESTRICTED_ITEMS);
  items.indicators[1].comments = `${SECRET_WORD} v2`;
  items.reuse_kit[1].reference = `${SECRET_WORD} marché 2024-18`;
  const p = await srv.request('PATCH', `/api/v1/usecases/${secret.id}`, { token: env.tokens.refBdx, json: items });
  assert.equal(p.status, 200, p.text);
  const v = p.json.data.version;
  for (const path of [`/fiches/${secret.id}/historique`, `/fiches/${secret.id}/comparer?de=${v - 1}&a=${v}&tout=1`,
    `/fiches/${secret.id}/comparer?de=${v - 1}&a=${v}`, `/api/v1/usecases/${secret.id}/versions`,
    `/api/v1/usecases/${secret.id}/versions/${v}`, `/api/v1/usecases/${secret.id}/versions/${v - 1}`]) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assertNoSecret(r.text, path);
  }
  const h = await get(`/fiches/${secret.id}/historique`);
  assert.match(h.text, /Pas de modification des informations publiques/, 'the restricted-only change is counted as hidden');
  const agent = await get(`/fiches/${secret.id}/historique`, { token: env.tokens.agentLyon });
  assert.ok(agent.text.includes('Indicateurs d'), 'an agent sees the indicators change');
});

test('restricted fields: a retracted record does not leak them either', async () => {
  const d = await createRecord(srv, env.tokens.refBdx, validRecord({ title: 'Projet Tatou retiré', state: 'published', ...RESTRICTED_VALUES }));
  const r = await srv.request('POST', `/api/v1/usecases/${d.id}/retract`, { token: env.tokens.refBdx, json: { reason: 'Arrêt du projet Tatou.' } });
  assert.equal(r.status, 200);
  for (const p of [`/api/v1/usecases/${d.id}`, d.url, '/api/v1/usecases?q=tatou', '/recherche?q=tatou']) {
    const g = await get(p);
    assert.equal(g.status, 200, p);
    assertNoSecret(g.text, p);
  }
});

// ==== XSS ====

const P = `<script>alert(1)</script>"'><img src=x onerror=alert(1)>`;
const XSS_WORD = 'xsswombat';
let xss; // the record with the payload everywhere
let xssRetracted;

function payloadBody() {
  const body = validRecord({ state: 'published' });
  for (const f of schema.fields) {
    const v = `${P} ${XSS_WORD} ${f.name}`;
    switch (f.type) {
      case 'string':
      case 'text':
        body[f.name] = f.max_length && v.length > f.max_length ? P.slice(0, f.max_length) : v;
        break;
      case 'markdown':
        body[f.name] = [
          `# Titre ${P}`,
          '',
          `Paragraphe ${P} ${XSS_WORD}.`,
          '',
          '[lien js](javascript:alert(1)) [lien JS](JaVaScRiPt:alert(2)) [lien tab](java\tscript:alert(3))',
          '[lien entité](javascript&colon;alert(4)) [lien data](data:text/html,<script>alert(5)</script>)',
          '[lien vbs](vbscript:msgbox(1)) ![image](javascript:alert(6)) <javascript:alert(7)>',
          '<a href="javascript:alert(8)">html brut</a> <img src=x onerror=alert(9)>',
          '[bon lien](https://example.org/?a=1&b="2") [ref][r]',
          '',
          '[r]: javascript:alert(10)',
          '',
          '```',
          P,
          '```',
        ].join('\n');
        break;
      case 'string_list':
        body[f.name] = [v];
        break;
      case 'supplier_list':
        body[f.name] = [{ name: v }];
        break;
      case 'legal_basis_list':
        body[f.name] = [{ title: v, url: 'https://example.org/loi?a=1&b=2' }, { title: `${P} sans lien` }];
        break;
      case 'indicator_list':
        body[f.name] = [{
          name: v, unit: v.slice(0, 40), source: v, method: v, comments: v, evaluator: v,
          baseline: { value: 1, date: '2024-01-01' }, measurements: [{ value: 2, date: '2024-06-01' }],
        }];
        break;
      case 'reuse_kit':
        body[f.name] = [{ kind: 'other', title: v, url: 'https://example.org/kit?a=1&b=2', reference: v }];
        break;
      default:
        break;
    }
  }
  body.title = `${P} ${XSS_WORD}`;
  body.summary = `${P} ${XSS_WORD} résumé`;
  body.info_url = 'https://example.org/page?x=1&y=<2>'.replace('<2>', '2');
  return body;
}

test('XSS: a record with the payload in every text field is accepted as data', async () => {
  const body = payloadBody();
  const filled = schema.fields.filter((f) => body[f.name] !== undefined).map((f) => f.name);
  for (const n of ['title', 'summary', 'description', 'partners', 'sub_themes', 'suppliers', 'legal_bases', 'algorithm_name',
    'algorithm_description', 'human_oversight', 'decision_scope', 'abandon_reasons', 'risk_assessment', 'source_code_licence', 'contact', 'funding']) {
    assert.ok(filled.includes(n), `${n} carries the payload`);
  }
  xss = await createRecord(srv, env.tokens.refBdx, body);
  assert.equal(xss.title, body.title, 'stored as given');
  assert.deepEqual(xss.partners, body.partners);
  const d2 = await createRecord(srv, env.tokens.refBdx, validRecord({ title: `Retrait ${XSS_WORD}`, state: 'published' }));
  const r = await srv.request('POST', `/api/v1/usecases/${d2.id}/retract`, { token: env.tokens.refBdx, json: { reason: `${P} motif` } });
  assert.equal(r.status, 200);
  xssRetracted = r.json.data;
});

function assertNoActiveMarkup(html, where) {
  assert.doesNotMatch(html, /<script>alert/i, `${where}: unescaped <script>`);
  assert.doesNotMatch(html, /<img src=x/i, `${where}: unescaped <img>`);
  // event handler attributes: look at the tags, outside the (quoted) attribute values
  for (const tag of html.match(/<[a-z][^>]*>/gi) || []) {
    const names = tag.replace(/"[^"]*"/g, '""');
    assert.doesNotMatch(names, /\son[a-z]+\s*=/i, `${where}: an element with an event handler: ${tag}`);
    assert.doesNotMatch(names, /'/, `${where}: an attribute quoted with ' or broken by one: ${tag}`);
  }
  assert.doesNotMatch(html, /<script/i, `${where}: no script element at all (CSP)`);
  assert.doesNotMatch(html, /(href|src|action|formaction)\s*=\s*["']?\s*(javascript|vbscript|data):/i, `${where}: a dangerous URL`);
  const hrefs = [...html.matchAll(/\shref\s*=\s*"([^"]*)"/gi)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&#\d+;|&[a-z]+;/gi, '').replace(/\s/g, ''));
  for (const h of hrefs) assert.ok(!/^(javascript|vbscript|data):/i.test(h), `${where}: href ${h}`);
  // attributes are quoted and the payload's quote does not close them
  assert.doesNotMatch(html, /"'><img/, `${where}: the payload broke out of an attribute`);
}

test('XSS: the record page shows the payload escaped, Markdown links without javascript:', async () => {
  for (const token of [undefined, env.tokens.agentLyon]) {
    const r = await get(xss.url, { token });
    assert.equal(r.status, 200);
    assertNoActiveMarkup(r.text, 'record page');
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'payload shown escaped');
    assert.ok((r.text.match(/&lt;script&gt;alert\(1\)/g) || []).length >= 10, 'escaped in every field');
    // markdown: dangerous links rendered as text, a safe link kept
    assert.match(r.text, /lien js/);
    assert.match(r.text, /href="https:\/\/example\.org\/\?a=1&amp;b=%22?2/);
    assert.match(r.text, /<title>[^<]*&lt;script&gt;/, 'the <title> is escaped');
  }
  const ret = await get(xssRetracted.url);
  assert.equal(ret.status, 200);
  assertNoActiveMarkup(ret.text, 'retracted record page');
  assert.ok(ret.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'retract reason escaped');
});

test('XSS: search, home and organisation pages escape the payload', async () => {
  const pages = [
    `/recherche?q=${XSS_WORD}`,
    `/recherche?q=${encodeURIComponent(P)}`,
    `/recherche?q=${encodeURIComponent(`${XSS_WORD} ${P}`)}`,
    '/recherche',
    '/recherche?theme=ecological_transition',
    '/',
    `/organisations/${BORDEAUX_METROPOLE.key}`,
    `/recherche?owner=${BORDEAUX_METROPOLE.key}`,
  ];
  for (const p of pages) {
    const r = await get(p);
    assert.equal(r.status, 200, `${p}: ${r.status}`);
    assertNoActiveMarkup(r.text, p);
  }
  const s = await get(`/recherche?q=${XSS_WORD}`);
  assert.ok(s.text.includes(`/fiches/${xss.id}-`), 'the record is a hit');
  assert.ok(s.text.includes('&lt;script&gt;'), 'the hit shows the escaped payload');
  assert.match(s.text, /<mark>/i, 'matches highlighted');
  const home = await get('/');
  assert.ok(home.text.includes('&lt;script&gt;alert(1)'), 'latest records on the home page, escaped');
});

test('XSS: JSON replies escape < > & (\\u003c...)', async () => {
  for (const p of [`/api/v1/usecases/${xss.id}`, `/api/v1/usecases?q=${XSS_WORD}`, `/api/v1/organisations/${BORDEAUX_METROPOLE.key}`,
    `/api/v1/usecases/${xssRetracted.id}`, `/api/v1/usecases?q=${encodeURIComponent(P)}`]) {
    for (const token of [undefined, env.tokens.agentLyon]) {
      const r = await get(p, { token });
      assert.equal(r.status, 200, p);
      assert.doesNotMatch(r.text, /[<>&]/, `${p}: raw < > & in JSON`);
    }
  }
  const r = await get(`/api/v1/usecases/${xss.id}`);
  assert.ok(r.text.includes('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e'));
  assert.equal(r.json.data.title, `${P} ${XSS_WORD}`, 'the value round-trips exactly');
  const l = await get(`/api/v1/usecases?q=${XSS_WORD}`);
  const hit = l.json.data.find((x) => x.id === xss.id);
  assert.ok(hit);
  if (hit.snippet_html) {
    assert.doesNotMatch(hit.snippet_html.replace(/<\/?mark>/g, ''), /[<>]/, 'snippet: only <mark> as markup');
  }
  // the error envelope escapes too (the message quotes the input)
  const e = await get(`/api/v1/usecases?theme=${encodeURIComponent('<script>')}`);
  assert.equal(e.status, 400);
  assert.doesNotMatch(e.text, /[<>]/);
  const e2 = await get(`/api/v1/organisations/${encodeURIComponent('<img src=x>')}`);
  assert.equal(e2.status, 404);
  assert.doesNotMatch(e2.text, /[<>]/);
});

test('XSS: error pages escape the address and the parameters', async () => {
  for (const p of [`/recherche?theme=${encodeURIComponent(P)}`, `/recherche?${encodeURIComponent(P)}=1`,
    `/fiches/${encodeURIComponent(P)}`, `/organisations/${encodeURIComponent(P)}`, `/${encodeURIComponent(P)}`,
    `/recherche?owner=${encodeURIComponent(P)}`]) {
    const r = await get(p);
    assert.ok(r.status >= 400 && r.status < 500, `${p}: ${r.status}`);
    assertNoActiveMarkup(r.text, p);
  }
});

// ==== SQL injection ====

const SQLI = [`' OR 1=1 --`, `"; DROP TABLE usecase; --`, `1 UNION SELECT sql FROM sqlite_master`, `1' UNION SELECT 1,2,3 --`,
  `') OR ('1'='1`, `%' OR '%'='`, `*`, `" OR ""="`, `1; ATTACH DATABASE '/tmp/x' AS x; --`];
let baselineTotal;
let baselineOrg;

test('SQL injection: payloads in every query parameter are harmless', async () => {
  baselineTotal = (await get('/api/v1/usecases')).json.meta.total;
  baselineOrg = (await get('/api/v1/organisations/commune-69123')).text;
  const params = ['q', 'owner', 'theme', 'status', 'org_kind', 'region', 'departement', 'population_band', 'ai_technique',
    'risk_level', 'page', 'per_page', 'sort'];
  for (const s of SQLI) {
    for (const p of params) {
      const r = await get(`/api/v1/usecases?${p}=${encodeURIComponent(s)}`);
      assert.ok(r.status === 200 || r.status === 400, `${p}=${s}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.ok(r.json, 'a JSON reply');
      if (p === 'q') {
        assert.equal(r.status, 200, `q=${s}`);
        // user text never becomes FTS5 syntax: every term is quoted (or,
        // when only stop words and punctuation remain, there is no text
        // search at all and the list is the plain one)
        const fts = r.json.meta.fts;
        if (fts === null) assert.equal(r.json.meta.total, baselineTotal);
        else assert.match(fts.replace(/"[^"]*"/g, ''), /^[\s*]*$/, `q=${s}: FTS expression ${fts}`);
      } else if (r.status === 400) {
        assert.equal(r.json.error.code, 'request.invalid_parameter');
        assert.equal(r.json.error.field, p);
      }
      const h = await get(`/recherche?${p}=${encodeURIComponent(s)}`);
      assert.ok(h.status === 200 || h.status === 400, `/recherche ${p}=${s}: ${h.status}`);
    }
    const o = await get(`/api/v1/organisations?q=${encodeURIComponent(s)}`);
    assert.equal(o.status, 200, `organisations q=${s}: ${o.status} ${o.text.slice(0, 200)}`);
    assert.ok(o.json.data.length < 100, 'organisation search does not return everything');
  }
});

test('SQL injection: payloads in path segments are harmless (4xx)', async () => {
  for (const s of SQLI) {
    const e = encodeURIComponent(s);
    for (const p of [`/api/v1/usecases/1${e}`, `/api/v1/usecases/${e}`, `/api/v1/organisations/${e}`, `/api/v1/organisations/commune-69123${e}`,
      `/fiches/1${e}`, `/fiches/${e}`, `/organisations/${e}`, `/static/${e}`]) {
      const r = await get(p);
      assert.ok([301, 400, 404].includes(r.status), `${p}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status === 301) {
        // /fiches/1<junk> may redirect only to the canonical address of record 1
        assert.match(r.headers.get('location'), /^\/fiches\/1-[a-z0-9-]+$/);
      }
    }
  }
  for (const p of ["/api/v1/usecases/1'", '/api/v1/usecases/1%27%20OR%201=1', "/fiches/1'", "/api/v1/organisations/'; DROP TABLE organisation; --"]) {
    const r = await srv.rawHttp('GET', p.replace(/ /g, '%20'));
    assert.ok(r.status >= 300 && r.status < 500, `${p}: ${r.status}`);
  }
});

test('SQL injection: payloads stored as data round-trip exactly and search finds them as text', async () => {
  const title = `Robert'); DROP TABLE usecase;-- ${SQLI[0]}`;
  const d = await createRecord(srv, env.tokens.refBdx, validRecord({ title, summary: SQLI.join(' | '), state: 'published', partners: SQLI }));
  const g = await get(`/api/v1/usecases/${d.id}`);
  assert.equal(g.json.data.title, title);
  assert.equal(g.json.data.summary, SQLI.join(' | '));
  assert.deepEqual(g.json.data.partners, SQLI);
  const s = await get(`/api/v1/usecases?q=${encodeURIComponent('robert drop table')}`);
  assert.ok(s.json.data.some((x) => x.id === d.id));
  baselineTotal += 1;
});

test('SQL injection: the data is intact afterwards', async () => {
  assert.equal((await get('/api/v1/usecases')).json.meta.total, baselineTotal);
  assert.equal((await get('/api/v1/organisations/commune-69123')).text, baselineOrg);
  const h = await get('/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.json.data.status, 'ok');
  const one = await get('/api/v1/usecases/1');
  assert.equal(one.status, 200);
  assert.equal(one.json.data.title, 'Stacoptim');
  const orgs = await get('/api/v1/organisations?q=lyon');
  assert.ok(orgs.json.data.some((o) => o.id === 'commune-69123'));
});

// ==== Headers ====

test('security headers on HTML pages, error pages, static files and JSON', async () => {
  const paths = ['/', '/recherche?q=eau', xss.url, `/organisations/${BORDEAUX_METROPOLE.key}`, '/accessibilite', '/nope', '/fiches/999999',
    '/api/v1/usecases', '/api/v1/nope', '/static/iat.css'];
  for (const p of paths) {
    const r = await get(p);
    const csp = r.headers.get('content-security-policy') || '';
    assert.match(csp, /default-src 'none'/, `${p}: CSP`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${p}: no unsafe CSP`);
    assert.match(csp, /frame-ancestors 'none'/, `${p}: frame-ancestors`);
    assert.match(csp, /script-src 'self'|script-src 'none'/, `${p}: script-src`);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${p}: nosniff`);
    assert.equal(r.headers.get('x-frame-options'), 'DENY', `${p}: X-Frame-Options`);
    assert.ok(r.headers.get('referrer-policy'), `${p}: Referrer-Policy`);
    assert.ok(r.headers.get('content-type'), `${p}: Content-Type`);
    assert.match(r.headers.get('content-type'), /charset=utf-8|^image\//, `${p}: charset`);
  }
  const e = await get('/api/v1/usecases?foo=1');
  assertApiError(e, 400, 'request.unknown_parameter', 'foo');
  assert.equal(e.headers.get('x-content-type-options'), 'nosniff');
});

test('HTML pages are not served for draft records and do not reveal them', async () => {
  const d = await createRecord(srv, env.tokens.agentBdx, validRecord({ title: 'Brouillon Okapi secret' }));
  for (const p of [`/fiches/${d.id}`, `/fiches/${d.id}-brouillon-okapi-secret`, `/api/v1/usecases/${d.id}`]) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    assert.ok(!r.text.includes('Okapi'), `${p}: the draft's title leaked`);
  }
  const nope = await get('/fiches/999999');
  assert.equal(nope.status, 404);
  // same page for a draft as for a missing record (apart from the id)
  const draftPage = await get(`/fiches/${d.id}`);
  // (the id is replaced only where it stands as a path segment)
  const norm = (t, id) => t.replaceAll(`/fiches/${id}`, '/fiches/N');
  assert.equal(norm(draftPage.text, d.id), norm(nope.text, '999999'), 'a draft is indistinguishable from a missing record');
  for (const p of ['/api/v1/usecases?q=okapi', '/recherche?q=okapi', `/organisations/${BORDEAUX_METROPOLE.key}`, '/']) {
    const r = await get(p);
    assert.ok(!r.text.includes('Okapi') || p.includes('okapi'), `${p}: draft listed`);
    assert.ok(!r.text.includes(`/fiches/${d.id}-`), `${p}: draft linked`);
  }
});

test('the server stops cleanly on SIGTERM (exit 0, no sanitizer report), and never crashed', async () => {
  await stopServerClean(srv);
  assert.deepEqual(crashes, [], `the server crashed ${crashes.length} time(s):\n\n${crashes.join('\n\n')}`);
});
