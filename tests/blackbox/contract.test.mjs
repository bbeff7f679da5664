// contract.test.mjs — the API contract (issue 6, section 1): doc/openapi.json
// is what the server serves at /api/v1/openapi.json, is a valid OpenAPI 3.1
// document, describes every API route of src/router.c (methods and query
// parameters), every error code the code can send and every record field of
// /api/v1/schema (French and English); and every reply of every API route,
// for every documented status, validates against it (lib.mjs
// checkContract(), switched on for this whole file).
//
// After a change of the model or of the skeleton (src/openapi/), regenerate
// the committed file with: UPDATE_OPENAPI=1 ctest -R blackbox/contract
// (then run it again without).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import * as L from './lib.mjs';

const DOC = path.join(L.SOURCE_DIR, 'doc/openapi.json');
let env;
let srv;
let c; // the loaded contract (lib.mjs)
const seen = new Set(); // "get /api/v1/usecases/{id} 200"

// every request of this file goes through the contract check; remember
// which (operation, status) pairs were exercised
async function req(s, method, p, o) {
  const r = await s.request(method, p, o);
  const t = c.template(p.split('?')[0]);
  seen.add(`${method.toLowerCase()} ${t} ${r.status}`);
  return r;
}

before(async () => {
  if (process.env.UPDATE_OPENAPI) {
    // write the served document first, then check against it
    const e = L.setupLibrary({ csv: null, accounts: {} });
    const s = await L.startServer(e.db);
    // plain fetch: request() would load (and keep) the old document to check the reply
    const r = await fetch(`${s.base}/api/v1/openapi.json`);
    assert.equal(r.status, 200);
    fs.writeFileSync(DOC, await r.text());
    await L.stopServerClean(s);
  }
  c = await L.enableContractCheck();
  env = L.setupLibrary();
  // issue 6 §2: international references, so that {ref} has one (id 1)
  L.iatOk(['import', 'uk-atrs', '--db', env.db, path.join(L.SOURCE_DIR, 'data/demo/registers/atrs_records.json')]);
  srv = await L.startServer(env.db);
});

after(async () => {
  if (srv) await L.stopServerClean(srv);
});

test('the served document is doc/openapi.json, public and cross-origin', async () => {
  const r = await req(srv, 'GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.text, fs.readFileSync(DOC, 'utf8'),
    'doc/openapi.json differs from the served document: regenerate it (UPDATE_OPENAPI=1 ctest -R blackbox/contract) and review the change');
  const etag = r.headers.get('etag');
  assert.ok(etag);
  const r304 = await req(srv, 'GET', '/api/v1/openapi.json', { headers: { 'If-None-Match': etag } });
  assert.equal(r304.status, 304);
});

test('the document is valid OpenAPI 3.1 (swagger-parser)', async () => {
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  const doc = JSON.parse(fs.readFileSync(DOC, 'utf8'));
  assert.match(doc.openapi, /^3\.1\./);
  await SwaggerParser.validate(doc); // throws with the reason
  // a broken document is refused (the validation is real)
  const bad = JSON.parse(fs.readFileSync(DOC, 'utf8'));
  bad.paths['/api/v1/usecases'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
  await assert.rejects(SwaggerParser.validate(bad));
});

test('every API route of src/router.c is in the document with its query parameters, and only those', () => {
  const router = fs.readFileSync(path.join(L.SOURCE_DIR, 'src/router.c'), 'utf8');
  // parameter lists may be macros (#define LIST_PARAMS "…", EXPORT_PARAMS…)
  const macros = new Map([...router.matchAll(/#define ([A-Z_]+_PARAMS) "([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const fromRouter = new Map();
  const re = /\{\s*"(GET|POST|PATCH|PUT|DELETE)",\s*"([^"]+)",\s*\w+,\s*CAP_\w+,\s*([^,]+),\s*([A-Z_]+_PARAMS|"[^"]*")\s*\}/g;
  for (const m of router.matchAll(re)) {
    if (!/R_API/.test(m[3])) continue;
    assert.ok(m[4].startsWith('"') || macros.has(m[4]), `unknown parameter macro ${m[4]}`);
    const params = (m[4].startsWith('"') ? m[4].slice(1, -1) : macros.get(m[4])).split(' ').filter(Boolean).sort();
    fromRouter.set(`${m[1].toLowerCase()} ${m[2]}`, params);
  }
  assert.ok(fromRouter.size >= 20, `only ${fromRouter.size} API routes parsed from src/router.c`);
  const fromDoc = new Map();
  for (const [t, item] of Object.entries(c.doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const params = (op.parameters || []).map(c.resolve).filter((p) => p.in === 'query').map((p) => p.name).sort();
      fromDoc.set(`${m} ${t.replace(/\{[^}]+\}/g, '{}')}`, params);
      assert.ok(op.operationId && op.summary && op.tags?.length, `${m} ${t}: operationId, summary, tags`);
      for (const st of ['400', '401', '500']) assert.ok(op.responses[st], `${m} ${t}: response ${st}`);
      if (/\{/.test(t)) assert.ok(op.responses['404'], `${m} ${t}: response 404`);
      if (m !== 'get') {
        for (const st of ['401', '413', '415', '422', '429']) assert.ok(op.responses[st], `${m} ${t}: response ${st}`);
        assert.deepEqual(op.security, [{ bearer: [] }], `${m} ${t}: bearer token required`);
        const r429 = c.resolve(op.responses['429']);
        assert.ok(r429.headers['Retry-After'], `${m} ${t}: 429 documents Retry-After`);
      }
    }
  }
  assert.deepEqual([...fromDoc.keys()].sort(), [...fromRouter.keys()].sort());
  for (const [k, params] of fromRouter) assert.deepEqual(fromDoc.get(k), params, `query parameters of ${k}`);
});

test('every error code of doc/api.md and of the code is in the document, with its status', () => {
  const codes = new Map(c.doc['x-error-codes'].map((e) => [e.code, e.status]));
  const errEnum = c.doc.components.schemas.Error.properties.error.properties.code.enum;
  assert.deepEqual([...codes.keys()].sort(), [...errEnum].sort(), 'x-error-codes and the Error schema enum');
  for (const e of c.doc['x-error-codes']) assert.ok(e.description && e.description_en, e.code);
  const apiMd = fs.readFileSync(path.join(L.SOURCE_DIR, 'doc/api.md'), 'utf8');
  const rows = [...apiMd.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \| (\d{3})/gm)];
  assert.ok(rows.length >= 20);
  for (const [, code, st] of rows) assert.equal(codes.get(code), Number(st), `doc/api.md ${code}`);
  // api_error(r, STATUS, "code", ...) in the API handlers and the router
  const src = path.join(L.SOURCE_DIR, 'src');
  for (const f of fs.readdirSync(src).filter((n) => /^api_.*\.c$/.test(n))) {
    const text = fs.readFileSync(path.join(src, f), 'utf8');
    for (const [, st, code] of text.matchAll(/api_error\(r, (\d{3}), "([a-z_.]+)"/g)) {
      assert.ok(codes.has(code), `${f}: ${code} is not in the document`);
      if (code !== 'server.database') assert.equal(codes.get(code), Number(st), `${f}: status of ${code}`);
    }
  }
  // validation codes of the model and the API layer
  for (const f of ['model.c', 'impact.c', 'reuse.c', ...fs.readdirSync(src).filter((n) => /^api_.*\.c$/.test(n))]) {
    const text = fs.readFileSync(path.join(src, f), 'utf8');
    for (const [code] of text.matchAll(/(?<=")validation\.[a-z_]+(?=")/g)) assert.ok(codes.has(code), `${f}: ${code}`);
  }
  // the router's codes that API callers can get
  const router = fs.readFileSync(path.join(src, 'router.c'), 'utf8');
  for (const [, st, code] of router.matchAll(/fail\(r, api, (\d{3}), "([a-z_.]+)"/g)) {
    if (['auth.missing_session', 'auth.csrf', 'request.bad_form'].includes(code)) continue; // web forms only
    assert.equal(codes.get(code), Number(st), `router.c: ${code}`);
  }
});

test('every field of /api/v1/schema is in the record schemas, in French and in English', async () => {
  const r = await req(srv, 'GET', '/api/v1/schema');
  assert.equal(r.status, 200);
  const fields = r.json.data.fields;
  const out = c.doc.components.schemas.RecordFields;
  const inp = c.doc.components.schemas.RecordInput;
  assert.deepEqual(Object.keys(out.properties), fields.map((f) => f.name), 'RecordFields: every field, in schema order');
  assert.deepEqual(Object.keys(inp.properties), fields.map((f) => f.name), 'RecordInput: every field');
  for (const f of fields) {
    for (const s of [out.properties[f.name], inp.properties[f.name]]) {
      assert.equal(s.title, f.label, `${f.name}: French label`);
      assert.ok(s.description.startsWith(f.help), `${f.name}: French help`);
      assert.match(s.description, /\n\nEN: (?!\(missing\))\S.{10,}/, `${f.name}: English description`);
      assert.equal(s['x-visibility'], f.visibility, `${f.name}: visibility`);
      assert.equal(s['x-type'], f.type, `${f.name}: type`);
    }
    assert.equal(out.required.includes(f.name), f.visibility === 'public', `${f.name}: always present when public`);
  }
});

test('every example of the document follows its schema', () => {
  let n = 0;
  const check = (key, schema, example) => {
    const v = c.validator(`example ${key}`, schema);
    assert.ok(v(example), `${key}: ${c.ajv.errorsText(v.errors)}`);
    n++;
  };
  for (const [tp, item] of Object.entries(c.doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const body = op.requestBody?.content?.['application/json'];
      if (body?.example) check(`${m} ${tp} body`, body.schema, body.example);
      for (const [st, r] of Object.entries(op.responses)) {
        const mt = c.resolve(r).content?.['application/json'];
        if (mt?.example) check(`${m} ${tp} ${st}`, mt.schema, mt.example);
      }
    }
  }
  assert.ok(n >= 25, `${n} examples`);
  for (const p of ['/api/v1/usecases', '/api/v1/usecases/{id}', '/api/v1/status']) {
    assert.ok(c.doc.paths[p].get.responses['200'].content['application/json'].example, `example of GET ${p}`);
  }
});

test('the check is real: a reply that does not follow the contract is refused', async () => {
  const h = { 'content-type': 'application/json; charset=utf-8' };
  const reject = (m, p, status, json, re) =>
    assert.rejects(L.checkContract(m, p, { status, headers: h, json, text: JSON.stringify(json) }), re);
  await reject('GET', '/api/v1/usecases/3', 200, { ok: true, data: { id: 'x' } }, /contract/);
  await reject('GET', '/api/v1/usecases', 200, { ok: true, data: [] }, /meta/);
  await reject('GET', '/api/v1/usecases/3', 418, { ok: false, error: { status: 418, code: 'x', message: 'y' } }, /not documented/);
  await reject('GET', '/api/v1/usecases/3', 404, { ok: false, error: { status: 404, code: 'resource.nope', message: 'y' } }, /not listed/);
  await reject('POST', '/api/v1/usecases', 201, { ok: true, data: { id: 1 } }, /contract/);
  // a record with a field the model does not have
  const rec = (await req(srv, 'GET', '/api/v1/usecases/1')).json;
  await L.checkContract('GET', '/api/v1/usecases/1', { status: 200, headers: h, json: rec, text: 'x' });
  await reject('GET', '/api/v1/usecases/1', 200, { ...rec, data: { ...rec.data, surprise: 1 } }, /unevaluated/);
  await reject('GET', '/api/v1/usecases/1', 200, { ...rec, data: { ...rec.data, theme: 'nope' } }, /enum|anyOf/);
});

// ---- every route, every documented status ----

const big = 'x'.repeat((1 << 20) + 10);

function concrete(t, ids) {
  return t.replace('{id}', String(ids.id)).replace('{n}', '1').replace('{key}', ids.key)
    .replace('{ref}', String(ids.ref || ids.id));
}

test('every API route answers every documented status, each reply as documented', async () => {
  const t = env.tokens;
  const bdx = L.BORDEAUX_METROPOLE.key;
  // a published record of Bordeaux with an indicator, a draft, a reuse
  const pub = await L.createRecord(srv, t.refBdx, L.validRecord({
    state: 'published', partner_orgs: [L.LYON.key], suppliers: [{ name: 'Éditeur', siren: '123456782' }],
    legal_bases: [{ title: 'Loi', url: 'https://example.fr/loi' }], contact: 'dpo@example.fr',
    indicators: [{ name: 'Fuites détectées', unit: 'fuites', type: 'impact', baseline: { value: 10, date: '2024-01-01' },
      measurements: [{ value: 20, date: '2025-01-01' }], evidence: 'measured', method: 'Comptage.' }],
    reuse_kit: [{ kind: 'specification', title: 'Cahier des charges', url: 'https://example.fr/cdc' }],
  }));
  const draft = await L.createRecord(srv, t.agentBdx, L.validRecord({ title: 'Brouillon' }));
  const ids = { id: pub.id, key: L.LYON.key, ref: 1 };

  // 200 on every GET, 304 with the ETag, 400 with an unknown parameter, 401 with a bad token, 404
  for (const [tp, item] of Object.entries(c.doc.paths)) {
    if (!item.get) continue;
    // issue 7 §1: a survey response needs a member's token and a campaign (survey.test.mjs checks it against the contract)
    if (tp.startsWith('/api/v1/campaigns/')) continue;
    let p = concrete(tp, ids);
    if (tp === '/api/v1/organisations') p += '?q=lyon';
    const r = await req(srv, 'GET', p, { token: t.agentBdx });
    assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 300)}`);
    const anon = await req(srv, 'GET', p);
    assert.equal(anon.status, 200, p);
    if (item.get.responses['304']) {
      const r3 = await req(srv, 'GET', p, { headers: { 'If-None-Match': anon.headers.get('etag') } });
      assert.equal(r3.status, 304, p);
    }
    L.assertApiError(await req(srv, 'GET', p + (p.includes('?') ? '&' : '?') + 'zz=1'), 400, 'request.unknown_parameter');
    L.assertApiError(await req(srv, 'GET', p, { token: 'nope' }), 401, 'auth.invalid_token');
    if (item.get.responses['404']) {
      const p404 = concrete(tp, { id: 999999, key: 'commune-00000' });
      L.assertApiError(await req(srv, 'GET', p404), 404, 'resource.not_found');
    }
  }
  L.assertApiError(await req(srv, 'GET', `/api/v1/usecases/${draft.id}`), 404, 'resource.not_found');
  L.assertApiError(await req(srv, 'GET', `/api/v1/usecases/${pub.id}/versions/99`), 404, 'resource.not_found', 'version');
  L.assertApiError(await req(srv, 'GET', '/api/v1/organisations'), 400, 'request.missing_parameter');
  L.assertApiError(await req(srv, 'GET', '/api/v1/usecases?sort=x'), 400, 'request.invalid_parameter', 'sort');
  L.assertApiError(await req(srv, 'GET', '/api/v1/usecases?per_page=0'), 400, 'request.invalid_parameter', 'per_page');
  L.assertApiError(await req(srv, 'GET', '/api/v1/nope'), 404, 'resource.not_found');
  L.assertApiError(await req(srv, 'DELETE', `/api/v1/usecases/${pub.id}`), 405, 'request.method_not_allowed');
  // lists with a query (snippets, facets)
  assert.equal((await req(srv, 'GET', '/api/v1/usecases?q=eau&theme=ecological_transition&sort=evidence')).status, 200);
  // the restricted view and the public one of the same record both validate
  const full = await req(srv, 'GET', `/api/v1/usecases/${pub.id}`, { token: t.agentLyon });
  assert.equal(full.json.data.contact, 'dpo@example.fr');
  const pubView = await req(srv, 'GET', `/api/v1/usecases/${pub.id}`);
  assert.equal('contact' in pubView.json.data, false);
  // an imported record (provenance)
  assert.ok((await req(srv, 'GET', '/api/v1/usecases/1', { token: t.curator })).json.data.provenance);

  // writes: 201, 200, 400, 401, 403, 404, 409, 413, 415, 422
  const writes = [
    ['post', '/api/v1/usecases', L.validRecord()],
    ['patch', '/api/v1/usecases/{id}', { summary: 'Autre résumé de la fiche.' }],
    ['post', '/api/v1/usecases/{id}/retract', { reason: 'Arrêt.' }],
    ['post', '/api/v1/usecases/{id}/impact', { action: 'review' }],
    ['post', '/api/v1/usecases/{id}/reuses', { owner: L.LYON.key, reuse_context: 'Même besoin.', status: 'experiment' }],
  ];
  for (const [m, tp] of writes) {
    const p = concrete(tp, ids);
    L.assertApiError(await req(srv, m.toUpperCase(), p, { json: {} }), 401, 'auth.missing_token');
    L.assertApiError(await req(srv, m.toUpperCase(), p, { token: 'nope', json: {} }), 401, 'auth.invalid_token');
    L.assertApiError(await req(srv, m.toUpperCase(), p + '?zz=1', { token: t.curator, json: {} }), 400, 'request.unknown_parameter');
    L.assertApiError(await req(srv, m.toUpperCase(), p, { token: t.curator, body: big, headers: { 'Content-Type': 'application/json' } }), 413, 'request.body_too_large');
    L.assertApiError(await req(srv, m.toUpperCase(), p, { token: t.curator, body: '{}', headers: { 'Content-Type': 'text/plain' } }), 415, 'request.unsupported_media_type');
    L.assertApiError(await req(srv, m.toUpperCase(), p, { token: t.curator, body: '{', headers: { 'Content-Type': 'application/json' } }), 400, 'request.malformed_json');
    L.assertApiError(await req(srv, m.toUpperCase(), p, { token: t.curator, json: [] }), 422);
    if (tp.includes('{id}')) L.assertApiError(await req(srv, m.toUpperCase(), concrete(tp, { id: 999999 }), { token: t.curator, json: {} }), 404, 'resource.not_found');
  }
  // 201
  const created = await req(srv, 'POST', '/api/v1/usecases', { token: t.agentBdx, json: L.validRecord({ title: 'Créée' }) });
  assert.equal(created.status, 201);
  const reuse = await req(srv, 'POST', `/api/v1/usecases/${pub.id}/reuses`, { token: t.agentLyon,
    json: { owner: L.LYON.key, reuse_context: 'Même besoin.', status: 'experiment' } });
  assert.equal(reuse.status, 201, reuse.text);
  // 200
  const patched = await req(srv, 'PATCH', `/api/v1/usecases/${pub.id}`, { token: t.refBdx, json: { summary: 'Autre résumé.', version: pub.version } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal((await req(srv, 'POST', `/api/v1/usecases/${pub.id}/impact`, { token: t.curator, json: { action: 'review' } })).status, 200);
  // 403
  L.assertApiError(await req(srv, 'POST', '/api/v1/usecases', { token: t.agentLyon, json: L.validRecord() }), 403, 'auth.forbidden');
  L.assertApiError(await req(srv, 'PATCH', `/api/v1/usecases/${pub.id}`, { token: t.agentLyon, json: { summary: 'Non.' } }), 403);
  L.assertApiError(await req(srv, 'POST', `/api/v1/usecases/${pub.id}/retract`, { token: t.agentBdx, json: { reason: 'Non.' } }), 403);
  L.assertApiError(await req(srv, 'POST', `/api/v1/usecases/${pub.id}/impact`, { token: t.agentBdx, json: { action: 'review' } }), 403, 'auth.forbidden');
  L.assertApiError(await req(srv, 'POST', `/api/v1/usecases/${pub.id}/reuses`, { token: t.agentBdx,
    json: { owner: L.LYON.key, reuse_context: 'x', status: 'experiment' } }), 403, 'auth.forbidden');
  // 409
  L.assertApiError(await req(srv, 'PATCH', `/api/v1/usecases/${pub.id}`, { token: t.refBdx, json: { summary: 'Encore.', version: 1 } }), 409, 'resource.conflict');
  L.assertApiError(await req(srv, 'POST', `/api/v1/usecases/${draft.id}/retract`, { token: t.curator, json: { reason: 'x' } }), 409, 'resource.conflict');
  L.assertApiError(await req(srv, 'POST', `/api/v1/usecases/${draft.id}/impact`, { token: t.curator, json: { action: 'review' } }), 409, 'state.not_published');
  L.assertApiError(await req(srv, 'POST', `/api/v1/usecases/${draft.id}/reuses`, { token: t.curator,
    json: { owner: L.LYON.key, reuse_context: 'x', status: 'experiment' } }), 409, 'state.not_published');
  // 422
  L.assertApiError(await req(srv, 'POST', '/api/v1/usecases', { token: t.agentBdx, json: { title: '' } }), 422, 'validation.required');
  L.assertApiError(await req(srv, 'PATCH', `/api/v1/usecases/${pub.id}`, { token: t.refBdx, json: { theme: 'nope' } }), 422, 'validation.enum', 'theme');
  L.assertApiError(await req(srv, 'POST', `/api/v1/usecases/${pub.id}/retract`, { token: t.refBdx, json: { why: 'x' } }), 422);
  L.assertApiError(await req(srv, 'POST', `/api/v1/usecases/${pub.id}/impact`, { token: t.curator, json: { action: 'x' } }), 422, 'validation.enum', 'action');
  L.assertApiError(await req(srv, 'POST', `/api/v1/usecases/${pub.id}/reuses`, { token: t.curator, json: { owner: bdx, reuse_context: 'x' } }), 422, 'validation.same_owner');
  // 200 retract last (the record is no longer published after it)
  assert.equal((await req(srv, 'POST', `/api/v1/usecases/${pub.id}/retract`, { token: t.refBdx, json: { reason: 'Arrêt.' } })).status, 200);
  // the retracted record and its history still validate
  for (const p of [`/api/v1/usecases/${pub.id}`, `/api/v1/usecases/${pub.id}/versions`, `/api/v1/usecases/${pub.id}/impact-events`,
    `/api/v1/usecases/${pub.id}/lineage`, `/api/v1/usecases/${pub.id}/reuses`]) assert.equal((await req(srv, 'GET', p)).status, 200);

  // issue 7 §1: one organisation's survey response (GET/PUT /api/v1/campaigns/{code}/responses/{key})
  const day = 86400000;
  const dd = (n) => new Date(Date.now() + n * day).toISOString().slice(0, 10);
  for (const [code, opens, closes] of [['contrat', dd(-1), dd(30)], ['contrat-close', dd(-30), dd(-1)]]) {
    const f = path.join(env.dir, `${code}.json`);
    fs.writeFileSync(f, JSON.stringify({ format: 'iat-campaign/1', code, year: 2026, title: 'Contrat', opens_on: opens,
      closes_on: closes, target: { kinds: ['epci'] }, questions: [{ code: 'n', kind: 'scale', label: 'N', required: true }] }));
    L.iatOk(['survey', 'import', '--db', env.db, f]);
  }
  const su = `/api/v1/campaigns/contrat/responses/${bdx}`;
  const sget = await req(srv, 'GET', su, { token: t.agentBdx });
  assert.equal(sget.status, 200, sget.text);
  assert.equal(sget.json.data.state, 'none');
  L.assertApiError(await req(srv, 'GET', su + '?zz=1', { token: t.agentBdx }), 400, 'request.unknown_parameter');
  L.assertApiError(await req(srv, 'GET', su), 401, 'auth.missing_token');
  L.assertApiError(await req(srv, 'GET', su, { token: t.agentLyon }), 403, 'auth.forbidden');
  L.assertApiError(await req(srv, 'GET', `/api/v1/campaigns/contrat/responses/${L.LYON.key}`, { token: t.curator }), 404, 'resource.not_found');
  L.assertApiError(await req(srv, 'PUT', su, { json: {} }), 401, 'auth.missing_token');
  L.assertApiError(await req(srv, 'PUT', su + '?zz=1', { token: t.agentBdx, json: {} }), 400, 'request.unknown_parameter');
  L.assertApiError(await req(srv, 'PUT', su, { token: t.agentBdx, body: big, headers: { 'Content-Type': 'application/json' } }), 413, 'request.body_too_large');
  L.assertApiError(await req(srv, 'PUT', su, { token: t.agentBdx, body: '{}', headers: { 'Content-Type': 'text/plain' } }), 415, 'request.unsupported_media_type');
  L.assertApiError(await req(srv, 'PUT', su, { token: t.agentBdx, json: { answers: { n: 3 }, submit: true } }), 403, 'auth.forbidden', 'submit');
  L.assertApiError(await req(srv, 'PUT', `/api/v1/campaigns/contrat/responses/${L.LYON.key}`, { token: t.agentLyon, json: { answers: {} } }), 404, 'resource.not_found');
  L.assertApiError(await req(srv, 'PUT', `/api/v1/campaigns/contrat-close/responses/${bdx}`, { token: t.agentBdx, json: { answers: {} } }), 409, 'state.closed');
  L.assertApiError(await req(srv, 'PUT', su, { token: t.agentBdx, json: { answers: { n: 9 } } }), 422, 'validation.range', 'q-n');
  L.assertApiError(await req(srv, 'PUT', su, { token: t.refBdx, json: { answers: {}, submit: true } }), 422, 'validation.required', 'q-n');
  const sput = await req(srv, 'PUT', su, { token: t.agentBdx, json: { answers: { n: 3 } } });
  assert.equal(sput.status, 200, sput.text);
  assert.deepEqual([sput.json.data.state, sput.json.data.answers, sput.json.data.publish], ['draft', { n: 3 }, false]);
  const ssub = await req(srv, 'PUT', su, { token: t.refBdx, json: { answers: { n: 4 }, submit: true, publish: true } });
  assert.equal(ssub.status, 200, ssub.text);
  assert.deepEqual([ssub.json.data.state, ssub.json.data.answers, ssub.json.data.publish], ['submitted', { n: 4 }, true]);

  // issue 7: the results of a campaign (GET /api/v1/campaigns/{code}/results): public once closed
  const sr = '/api/v1/campaigns/contrat-close/results';
  const sres = await req(srv, 'GET', sr);
  assert.equal(sres.status, 200, sres.text);
  assert.equal(sres.json.data.provisional, false);
  assert.equal((await req(srv, 'GET', sr, { headers: { 'If-None-Match': sres.headers.get('etag') } })).status, 304);
  L.assertApiError(await req(srv, 'GET', sr + '?zz=1'), 400, 'request.unknown_parameter');
  L.assertApiError(await req(srv, 'GET', sr, { token: 'nope' }), 401, 'auth.invalid_token');
  L.assertApiError(await req(srv, 'GET', '/api/v1/campaigns/contrat/results'), 404, 'resource.not_found');
  assert.equal((await req(srv, 'GET', '/api/v1/campaigns/contrat/results', { token: t.curator })).json.data.provisional, true);

  // 429: a server allowing one write a minute per account
  const s2 = await L.startServer(env.db, ['--write-rate', '1']);
  try {
    const first = await req(s2, 'POST', '/api/v1/usecases', { token: t.curator, json: L.validRecord({ title: 'Une' }) });
    assert.equal(first.status, 201);
    for (const [m, tp, body] of writes) {
      const r = await req(s2, m.toUpperCase(), concrete(tp, { id: draft.id }), { token: t.curator, json: body });
      L.assertApiError(r, 429, 'rate.limited');
      const ra = Number(r.headers.get('retry-after'));
      assert.ok(ra >= 1 && ra <= 60, `Retry-After ${r.headers.get('retry-after')}`);
    }
    L.assertApiError(await req(s2, 'PUT', su, { token: t.curator, json: { answers: {} } }), 429, 'rate.limited');
  } finally {
    await L.stopServerClean(s2);
  }

  // coverage: every documented (operation, status) but 500/503 was seen
  const missing = [];
  for (const [tp, item] of Object.entries(c.doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      for (const st of Object.keys(op.responses)) {
        if (st === '500' || st === '503') continue;
        if (!seen.has(`${m} ${tp} ${st}`)) missing.push(`${m} ${tp} ${st}`);
      }
    }
  }
  assert.deepEqual(missing, [], 'documented statuses never exercised');
});

test('the documentation page renders the whole document in French, escaped, without script, linked from the footer', async () => {
  const r = await srv.get('/api/documentation');
  L.assertHtmlPage(r);
  const html = r.text;
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /(src|href)="https?:/, 'no external resource');
  assert.match(html, /<h1>Documentation de l'API<\/h1>/);
  // a heading per tag, an h3 per operation with its method and path, its parameters, responses and error codes
  for (const tag of c.doc.tags) assert.ok(html.includes(`>${L.htmlEscape(tag.name)}</h2>`), `h2 of tag ${tag.name}`);
  for (const [tp, item] of Object.entries(c.doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const id = op.operationId;
      const start = html.indexOf(`<h3 id="op-${id}"><code>${m.toUpperCase()} ${tp}</code>`);
      assert.ok(start > 0, `h3 of ${m} ${tp}`);
      const section = html.slice(start, html.indexOf('</section>', start));
      for (const st of Object.keys(op.responses)) assert.match(section, new RegExp(`<th scope="row">${st}</th>`), `${id}: response ${st}`);
      for (const p of (op.parameters || []).map(c.resolve)) assert.ok(section.includes(`<code>${p.name}</code>`), `${id}: parameter ${p.name}`);
      for (const st of Object.keys(op.responses)) {
        for (const code of c.resolve(op.responses[st])['x-error-codes'] || []) assert.ok(section.includes(`href="#err-${code}"`), `${id}: ${code}`);
      }
    }
  }
  for (const e of c.doc['x-error-codes']) assert.ok(html.includes(`id="err-${e.code}"`), `error table: ${e.code}`);
  // every record field, with its French label
  for (const [name, f] of Object.entries(c.doc.components.schemas.RecordFields.properties)) {
    assert.ok(html.includes(`<code>${name}</code>`), `record field ${name}`);
    assert.ok(html.includes(L.htmlEscape(f.title)), `label of ${name}`);
  }
  // every in-page link has its target
  const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
  for (const [, id] of html.matchAll(/href="#([^"]+)"/g)) assert.ok(ids.has(id), `no target for #${id}`);
  assert.ok(ids.has('schema-vocab_theme') && ids.has('schema-Record'));
  // texts of the document are escaped (quotes, apostrophes)
  const q = c.doc.paths['/api/v1/usecases'].get.parameters.find((p) => p.name === 'q');
  assert.ok(html.includes(L.htmlEscape(q.description)), 'escaped description of q');
  // linked from the footer of every page, next to the open-data link
  const home = await srv.get('/');
  assert.match(home.text, /API des fiches \(JSON\)<\/a><\/li>\n<li><a href="\/api\/documentation">Documentation de l'API<\/a>/);
});

test('GET /api/v1/status publishes the write limit and measured response times', async () => {
  for (let i = 0; i < 5; i++) await req(srv, 'GET', '/api/v1/usecases?per_page=1');
  const r = await req(srv, 'GET', '/api/v1/status');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('etag'), null, 'no ETag: the reply changes at every call');
  const d = r.json.data;
  assert.equal(d.schema_version, '1.1');
  assert.ok(d.uptime_seconds >= 0);
  const w = d.rate_limits.find((x) => x.name === 'api.writes');
  assert.deepEqual([w.scope, w.limit, w.window_seconds], ['account', 120, 60]); // iat serve's default
  assert.equal(d.request_limits.max_body_bytes, 1 << 20);
  const s = d.response_times['api.usecases.search'];
  assert.ok(s.count >= 5, JSON.stringify(s));
  assert.ok(s.p50_ms > 0 && s.p95_ms >= s.p50_ms, JSON.stringify(s));
  assert.equal(s.window, Math.min(s.count, 1024));
  // the published limit is the enforced one
  const s2 = await L.startServer(env.db, ['--write-rate', '7']);
  try {
    const r2 = await req(s2, 'GET', '/api/v1/status');
    assert.equal(r2.json.data.rate_limits[0].limit, 7);
  } finally {
    await L.stopServerClean(s2);
  }
});
