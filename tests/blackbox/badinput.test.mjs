// badinput.test.mjs — every kind of bad input gets a 4xx naming the field
// at fault (error.code, error.field), and NOTHING is written: after each
// case the reference record has the same version and content, the public
// list the same total, and at the end the next record created gets the id
// right after the last one created before (no record was ever inserted).
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import {
  assertApiError,
  reviveServer,
  createRecord,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
} from './lib.mjs';

let env;
let srv;
let ref; // the reference record (published), target of the PATCH cases
let lastCreatedId;
let baseline; // {total, published, refJson}

before(async () => {
  env = setupLibrary({
    csv: null,
    accounts: { refBdx: ['referent@bordeaux-metropole.example.fr', 'referent', '243300316'] },
  });
  // hundreds of writes in a minute: no rate limit here (api.test.mjs tests it)
  srv = await startServer(env.db, ['--write-rate', '0']);
  ref = await createRecord(srv, env.tokens.refBdx, validRecord({
    title: 'Fiche de référence',
    state: 'published',
    partners: ['ADEME'],
    latitude: 44.8,
    dpia_done: false,
  }));
  lastCreatedId = ref.id;
  baseline = await snapshot();
});

after(async () => {
  if (srv) await srv.stop();
});

// Malformed input is where crashes hide: if a request killed the server,
// the test that sent it fails ("iat serve is dead" with the sanitizer
// report); the crash is remembered for the last test and a new server is
// started so that the following cases are still checked.
const crashes = [];
beforeEach(async () => {
  srv = await reviveServer(srv, () => startServer(env.db, ['--write-rate', '0']), crashes);
});

async function snapshot() {
  const list = await srv.request('GET', '/api/v1/usecases');
  const health = await srv.request('GET', '/healthz');
  const rec = await srv.request('GET', `/api/v1/usecases/${ref.id}`, { token: env.tokens.refBdx });
  assert.equal(rec.status, 200);
  return { total: list.json.meta.total, published: health.json.data.published_usecases, refJson: rec.text };
}

async function assertNothingWritten() {
  const now = await snapshot();
  assert.equal(now.total, baseline.total, 'list total unchanged');
  assert.equal(now.published, baseline.published, 'published count unchanged');
  assert.equal(now.refJson, baseline.refJson, 'reference record unchanged (same version and content)');
}

// A valid body that would be published if accepted, so that a wrong
// acceptance shows in the totals.
const good = (over = {}) => validRecord({ state: 'published', ...over });
const json = (o) => JSON.stringify(o);

function post(body, headers = { 'Content-Type': 'application/json' }) {
  return srv.request('POST', '/api/v1/usecases', { token: env.tokens.refBdx, body, headers });
}
function patch(body, id = ref.id, headers = { 'Content-Type': 'application/json' }) {
  return srv.request('PATCH', `/api/v1/usecases/${id}`, { token: env.tokens.refBdx, body, headers });
}

// [name, body (string or Buffer), status, code, field]
const postCases = [
  // ---- not JSON / not an object ----
  ['malformed JSON (truncated)', '{"title": "x",', 400, 'request.malformed_json', 'body'],
  ['malformed JSON (trailing garbage)', json(good()) + ' x', 400, 'request.malformed_json', 'body'],
  ['malformed JSON (single quotes)', "{'title': 'x'}", 400, 'request.malformed_json', 'body'],
  ['malformed JSON (trailing comma)', json(good()).replace(/}$/, ',}'), 400, 'request.malformed_json', 'body'],
  ['malformed JSON (NaN)', json(good()).replace(/}$/, ',"latitude":NaN}'), 400, 'request.malformed_json', 'body'],
  ['duplicate keys', json(good()).replace(/}$/, ',"title":"Autre titre"}'), 400, 'request.malformed_json', 'body'],
  ['duplicate keys (nested object)', json(good({ suppliers: [{ name: 'A' }] })).replace('{"name":"A"}', '{"name":"A","name":"B"}'), 400, 'request.malformed_json', 'body'],
  ['lone surrogate escape', json(good()).replace(/}$/, ',"algorithm_name":"\\ud800"}'), 400, 'request.malformed_json', 'body'],
  ['NUL escape in a string', json(good()).replace(/}$/, ',"algorithm_name":"a\\u0000b"}'), 400, 'request.malformed_json', 'body'],
  ['empty body', '', 400, 'request.empty_body', 'body'],
  // well-formed JSON that is not an object: a type error (doc/api.md:
  // validation.type, "body not an object"), like an array
  ['body is an array', json([good()]), 422, 'validation.type', 'body'],
  ['body is a string', '"hello"', 422, 'validation.type', 'body'],
  ['body is a number', '42', 422, 'validation.type', 'body'],
  ['body is null', 'null', 422, 'validation.type', 'body'],
  // ---- invalid UTF-8 bytes ----
  ['invalid UTF-8 (0xFF 0xFE)', Buffer.concat([Buffer.from(json(good()).slice(0, -1) + ',"algorithm_name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), 400, 'request.invalid_utf8', 'body'],
  ['invalid UTF-8 (overlong /)', Buffer.concat([Buffer.from(json(good()).slice(0, -1) + ',"algorithm_name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), 400, 'request.invalid_utf8', 'body'],
  ['invalid UTF-8 (UTF-16 surrogate encoded)', Buffer.concat([Buffer.from(json(good()).slice(0, -1) + ',"algorithm_name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), 400, 'request.invalid_utf8', 'body'],
  ['invalid UTF-8 (truncated sequence)', Buffer.concat([Buffer.from(json(good()).slice(0, -1) + ',"algorithm_name":"'), Buffer.from([0xc3]), Buffer.from('"}')]), 400, 'request.invalid_utf8', 'body'],
  ['Latin-1 body', Buffer.from(json(good({ title: 'Réseau de chaleur' })), 'latin1'), 400, 'request.invalid_utf8', 'body'],
  // ---- wrong types ----
  ['string for a boolean', json(good({ dpia_done: 'true' })), 422, 'validation.type', 'dpia_done'],
  ['number for a boolean', json(good({ individual_decisions: 1 })), 422, 'validation.type', 'individual_decisions'],
  ['number for a string', json(good({ title: 42 })), 422, 'validation.type', 'title'],
  ['boolean for a text', json(good({ summary: true })), 422, 'validation.type', 'summary'],
  ['list for a string', json(good({ algorithm_name: ['a'] })), 422, 'validation.type', 'algorithm_name'],
  ['object for markdown', json(good({ description: { text: 'x' } })), 422, 'validation.type', 'description'],
  ['number for an enum', json(good({ theme: 3 })), 422, 'validation.type', 'theme'],
  ['number for an organisation', json(good({ owner: 243300316 })), 422, 'validation.type', 'owner'],
  ['number for a URL', json(good({ info_url: 1 })), 422, 'validation.type', 'info_url'],
  ['number for a date', json(good({ start_date: 2024 })), 422, 'validation.type', 'start_date'],
  ['string for an integer', json(good({ decisions_per_year: '12' })), 422, 'validation.type', 'decisions_per_year'],
  ['float for an integer', json(good({ decisions_per_year: 1.5 })), 422, 'validation.type', 'decisions_per_year'],
  ['negative integer', json(good({ decisions_per_year: -1 })), 422, 'validation.type', 'decisions_per_year'],
  ['string for a number', json(good({ latitude: '44.8' })), 422, 'validation.type', 'latitude'],
  ['object for a list', json(good({ partners: { a: 1 } })), 422, 'validation.type', 'partners'],
  ['string for a list', json(good({ ai_techniques: 'nlp' })), 422, 'validation.type', 'ai_techniques'],
  ['list item of wrong type (string list)', json(good({ partners: ['ok', 1] })), 422, 'validation.type', 'partners[1]'],
  ['list item of wrong type (enum list)', json(good({ audiences: [true] })), 422, 'validation.type', 'audiences[0]'],
  ['list item of wrong type (URL list)', json(good({ resource_urls: [{ url: 'https://a.fr' }] })), 422, 'validation.type', 'resource_urls[0]'],
  ['list item null', json(good({ partners: [null] })), 422, 'validation.type', 'partners[0]'],
  ['list item of wrong type (organisation list)', json(good({ partner_orgs: [69123] })), 422, 'validation.type', 'partner_orgs[0]'],
  ['supplier not an object', json(good({ suppliers: ['ACME'] })), 422, 'validation.type', 'suppliers[0]'],
  ['legal basis title not a string', json(good({ legal_bases: [{ title: 5 }] })), 422, 'validation.type', 'legal_bases[0]'],
  ['supplier without name', json(good({ suppliers: [{ siren: '243300316' }] })), 422, 'validation.required', 'suppliers[0]'],
  // ---- unknown and read-only fields ----
  ['unknown field', json(good({ foo: 1 })), 422, 'validation.unknown_field', 'foo'],
  ['unknown field (case)', json(good({ Title: 'x' })), 422, 'validation.unknown_field', 'Title'],
  ['unknown field of a supplier', json(good({ suppliers: [{ name: 'ACME', x: 1 }] })), 422, 'validation.unknown_field', 'suppliers[0].x'],
  ['read-only id', json(good({ id: 5 })), 422, 'validation.read_only', 'id'],
  ['read-only created_at', json(good({ created_at: '2024-01-01T00:00:00Z' })), 422, 'validation.read_only', 'created_at'],
  ['read-only slug', json(good({ slug: 'x' })), 422, 'validation.read_only', 'slug'],
  ['read-only version (in a creation)', json(good({ version: 1 })), 422, 'validation.read_only', 'version'],
  ['read-only provenance', json(good({ provenance: {} })), 422, 'validation.read_only', 'provenance'],
  ['state retracted', json(good({ state: 'retracted' })), 422, 'validation.enum', 'state'],
  ['state not a string', json(good({ state: true })), 422, 'validation.enum', 'state'],
  // ---- required ----
  ['missing title', json((({ title, ...o }) => o)(good())), 422, 'validation.required', 'title'],
  ['empty title', json(good({ title: '' })), 422, 'validation.required', 'title'],
  ['blank title', json(good({ title: '   \u00a0 ' })), 422, 'validation.required', 'title'],
  ['null owner', json(good({ owner: null })), 422, 'validation.required', 'owner'],
  ['abandoned without reasons', json(good({ status: 'abandoned' })), 422, 'validation.required', 'abandon_reasons'],
  // ---- lengths and sizes ----
  ['title of 201 characters', json(good({ title: 'a'.repeat(201) })), 422, 'validation.too_long', 'title'],
  ['title of 201 accented characters', json(good({ title: 'é'.repeat(201) })), 422, 'validation.too_long', 'title'],
  ['summary of 351 characters', json(good({ summary: 's'.repeat(351) })), 422, 'validation.too_long', 'summary'],
  ['description over 20000 characters', json(good({ description: 'd'.repeat(20001) })), 422, 'validation.too_long', 'description'],
  ['partner name over 200 characters', json(good({ partners: ['p'.repeat(201)] })), 422, 'validation.too_long', 'partners[0]'],
  ['51 partners', json(good({ partners: Array.from({ length: 51 }, (_, i) => `Partenaire ${i}`) })), 422, 'validation.too_long', 'partners'],
  ['9 AI techniques', json(good({ ai_techniques: ['nlp', 'rules', 'unknown', 'machine_learning', 'generative_ai', 'computer_vision', 'neural_networks', 'optimisation', 'nlp'] })), 422, 'validation.too_long', 'ai_techniques'],
  ['21 suppliers', json(good({ suppliers: Array.from({ length: 21 }, (_, i) => ({ name: `F${i}` })) })), 422, 'validation.too_long', 'suppliers'],
  ['21 resource URLs', json(good({ resource_urls: Array.from({ length: 21 }, (_, i) => `https://example.org/${i}`) })), 422, 'validation.too_long', 'resource_urls'],
  // ---- vocabularies ----
  ['bad theme code', json(good({ theme: 'not_a_theme' })), 422, 'validation.enum', 'theme'],
  ['status given as its French label', json(good({ status: 'En expérimentation' })), 422, 'validation.enum', 'status'],
  ['bad code in an enum list', json(good({ audiences: ['agents', 'martians'] })), 422, 'validation.enum', 'audiences[1]'],
  ['bad restricted enum', json(good({ hosting: 'moon' })), 422, 'validation.enum', 'hosting'],
  // ---- formats ----
  ['javascript: URL', json(good({ info_url: 'javascript:alert(1)' })), 422, 'validation.format', 'info_url'],
  ['ftp URL', json(good({ info_url: 'ftp://x' })), 422, 'validation.format', 'info_url'],
  ['URL without host', json(good({ image_url: 'http://' })), 422, 'validation.format', 'image_url'],
  ['URL with a space', json(good({ source_code_url: 'https://exa mple.org/' })), 422, 'validation.format', 'source_code_url'],
  ['URL with a quote', json(good({ info_url: 'https://example.org/"><script>' })), 422, 'validation.format', 'info_url'],
  ['data: URL in a list', json(good({ resource_urls: ['data:text/html,<script>alert(1)</script>'] })), 422, 'validation.format', 'resource_urls[0]'],
  ['javascript: URL of a legal basis', json(good({ legal_bases: [{ title: 'Loi', url: 'javascript:alert(1)' }] })), 422, 'validation.format', 'legal_bases[0]'],
  ['date 2024-13', json(good({ start_date: '2024-13' })), 422, 'validation.format', 'start_date'],
  ['date 2024-02-30', json(good({ start_date: '2024-02-30' })), 422, 'validation.format', 'start_date'],
  ['date 2023-02-29 (not a leap year)', json(good({ info_updated_on: '2023-02-29' })), 422, 'validation.format', 'info_updated_on'],
  ['date 2024-00', json(good({ start_date: '2024-00' })), 422, 'validation.format', 'start_date'],
  ['date 01/2024', json(good({ start_date: '01/2024' })), 422, 'validation.format', 'start_date'],
  ['date with time', json(good({ start_date: '2024-01-01T00:00:00Z' })), 422, 'validation.format', 'start_date'],
  ['supplier SIREN with a bad check digit', json(good({ suppliers: [{ name: 'ACME', siren: '243300317' }] })), 422, 'validation.format', 'suppliers[0]'],
  ['supplier SIREN of 8 digits', json(good({ suppliers: [{ name: 'ACME', siren: '24330031' }] })), 422, 'validation.format', 'suppliers[0]'],
  ['supplier SIREN with letters', json(good({ suppliers: [{ name: 'ACME', siren: 'ABCDEFGHI' }] })), 422, 'validation.format', 'suppliers[0]'],
  ['latitude 91', json(good({ latitude: 91 })), 422, 'validation.format', 'latitude'],
  ['latitude -90.5', json(good({ latitude: -90.5 })), 422, 'validation.format', 'latitude'],
  ['longitude 180.1', json(good({ longitude: 180.1 })), 422, 'validation.format', 'longitude'],
  // 1e999 overflows a double: refusing it as malformed is fine
  ['latitude 1e999 (overflow)', json(good()).replace(/}$/, ',"latitude":1e999}'), 400, 'request.malformed_json', 'body'],
  ['dpia_url without dpia_done', json(good({ dpia_url: 'https://example.org/aipd' })), 422, 'validation.format', 'dpia_url'],
  ['control character \\u0007 in the title', json(good({ title: 'Bip\u0007bip' })), 422, 'validation.format', 'title'],
  ['control character \\u001b in a text', json(good({ human_oversight: 'a\u001b[31mrouge' })), 422, 'validation.format', 'human_oversight'],
  ['C1 control character in the summary', json(good({ summary: 'a\u0085b' })), 422, 'validation.format', 'summary'],
  ['DEL in a list item', json(good({ partners: ['a\u007fb'] })), 422, 'validation.format', 'partners[0]'],
  ['newline in the title', json(good({ title: 'Première ligne\nseconde ligne' })), 422, 'validation.format', 'title'],
  ['carriage return in the title', json(good({ title: 'Première ligne\rseconde' })), 422, 'validation.format', 'title'],
  ['newline in a one-line field (algorithm_name)', json(good({ algorithm_name: 'a\nb' })), 422, 'validation.format', 'algorithm_name'],
  ['newline in a supplier name', json(good({ suppliers: [{ name: 'A\nB' }] })), 422, 'validation.format', 'suppliers[0]'],
  // ---- organisations ----
  ['unknown owner (commune)', json(good({ owner: 'commune-99999' })), 422, 'validation.not_found', 'owner'],
  ['unknown owner (SIREN)', json(good({ owner: '999999999' })), 422, 'validation.not_found', 'owner'],
  ['unknown owner (EPCI)', json(good({ owner: 'epci-123456789' })), 422, 'validation.not_found', 'owner'],
  ['malformed owner key', json(good({ owner: 'Bordeaux Métropole' })), 422, 'validation.format', 'owner'],
];

for (const [name, body, status, code, field] of postCases) {
  test(`POST ${name} → ${status} ${code || ''} ${field || ''}`, async () => {
    const r = await post(body);
    assertApiError(r, status, code, field);
    if (code === 'request.malformed_json') assert.match(r.json.error.message, /ligne \d+, colonne \d+/);
    await assertNothingWritten();
  });
}

test('POST with several errors: 422 lists every one in details', async () => {
  const r = await post(json(good({ title: 5, theme: 'x', latitude: 100, foo: 1 })));
  assertApiError(r, 422);
  const fields = r.json.error.details.map((d) => d.field).sort();
  assert.deepEqual(fields, ['foo', 'latitude', 'theme', 'title']);
  for (const d of r.json.error.details) {
    assert.match(d.code, /^validation\./);
    assert.ok(d.message.length > 0);
  }
  assert.equal(r.json.error.field, r.json.error.details[0].field);
  await assertNothingWritten();
});

test('POST body over 1 MiB → 413 request.body_too_large', async () => {
  const big = json(good({ description: 'x'.repeat(1100 * 1024) }));
  const r = await post(big);
  assertApiError(r, 413, 'request.body_too_large');
  // a huge body declared but refused before reading (raw, with Content-Length)
  const raw = await srv.rawHttp('POST', '/api/v1/usecases', {
    headers: { Authorization: `Bearer ${env.tokens.refBdx}`, 'Content-Type': 'application/json' },
    body: Buffer.alloc(3 * 1024 * 1024, 0x20),
  });
  assert.equal(raw.status, 413);
  assert.equal(raw.json.error.code, 'request.body_too_large');
  const p = await patch(json({ description: 'y'.repeat(1100 * 1024) }));
  assertApiError(p, 413, 'request.body_too_large');
  await assertNothingWritten();
});

test('missing or incorrect Content-Type → 415 request.unsupported_media_type', async () => {
  const body = json(good());
  for (const headers of [{}, { 'Content-Type': 'text/plain' }, { 'Content-Type': 'application/jsonx' },
    { 'Content-Type': 'application/x-www-form-urlencoded' }, { 'Content-Type': 'multipart/form-data; boundary=x' },
    { 'Content-Type': 'application/javascript' }]) {
    let r = await srv.request('POST', '/api/v1/usecases', { token: env.tokens.refBdx, body: Buffer.from(body), headers });
    assertApiError(r, 415, 'request.unsupported_media_type');
    r = await srv.request('PATCH', `/api/v1/usecases/${ref.id}`, { token: env.tokens.refBdx, body: Buffer.from(json({ summary: 'x' })), headers });
    assertApiError(r, 415, 'request.unsupported_media_type');
    r = await srv.request('POST', `/api/v1/usecases/${ref.id}/retract`, { token: env.tokens.refBdx, body: Buffer.from(json({ reason: 'x' })), headers });
    assertApiError(r, 415, 'request.unsupported_media_type');
  }
  await assertNothingWritten();
});

// ==== PATCH ====

const patchCases = [
  ['malformed JSON', '{"summary": ', 400, 'request.malformed_json', 'body'],
  ['duplicate keys', '{"summary":"a","summary":"b"}', 400, 'request.malformed_json', 'body'],
  ['empty body', '', 400, 'request.empty_body', 'body'],
  ['body is an array', '[]', 422, 'validation.type', 'body'],
  ['invalid UTF-8', Buffer.concat([Buffer.from('{"summary":"'), Buffer.from([0xff]), Buffer.from('"}')]), 400, 'request.invalid_utf8', 'body'],
  ['version as a string', json({ summary: 'x', version: '1' }), 422, 'validation.type', 'version'],
  ['version 0', json({ summary: 'x', version: 0 }), 422, 'validation.type', 'version'],
  ['state retracted', json({ state: 'retracted' }), 422, 'validation.enum', 'state'],
  ['clearing a required field (null)', json({ title: null }), 422, 'validation.required', 'title'],
  ['clearing a required field ("")', json({ summary: '' }), 422, 'validation.required', 'summary'],
  ['title of 201 characters', json({ title: 't'.repeat(201) }), 422, 'validation.too_long', 'title'],
  ['unknown field', json({ nope: true }), 422, 'validation.unknown_field', 'nope'],
  ['read-only id', json({ id: ref?.id ?? 1 }), 422, 'validation.read_only', 'id'],
  ['read-only updated_at', json({ updated_at: 'x' }), 422, 'validation.read_only', 'updated_at'],
  ['bad enum', json({ status: 'done' }), 422, 'validation.enum', 'status'],
  ['bad URL', json({ info_url: 'javascript:alert(1)' }), 422, 'validation.format', 'info_url'],
  ['bad date', json({ start_date: '2024-02-30' }), 422, 'validation.format', 'start_date'],
  ['newline in the title', json({ title: 'a\nb' }), 422, 'validation.format', 'title'],
  ['unknown owner', json({ owner: 'commune-99999' }), 422, 'validation.not_found', 'owner'],
  ['wrong type and valid field together', json({ summary: 'Valide', dpia_done: 'oui' }), 422, 'validation.type', 'dpia_done'],
];

for (const [name, body, status, code, field] of patchCases) {
  test(`PATCH ${name} → ${status} ${code} ${field}`, async () => {
    const r = await patch(body);
    assertApiError(r, status, code, field);
    await assertNothingWritten();
  });
}

test('PATCH and retract of a missing or malformed id → 404', async () => {
  for (const id of ['999999', 'abc', '0', '1%27']) {
    let r = await patch(json({ summary: 'x' }), id);
    assertApiError(r, 404, 'resource.not_found');
    r = await srv.request('POST', `/api/v1/usecases/${id}/retract`, { token: env.tokens.refBdx, json: { reason: 'x' } });
    assertApiError(r, 404, 'resource.not_found');
  }
  await assertNothingWritten();
});

const retractCases = [
  ['no reason', json({}), 422, 'validation.required', 'reason'],
  ['empty reason', json({ reason: '' }), 422, 'validation.required', 'reason'],
  ['blank reason', json({ reason: '  \n ' }), 422, 'validation.required', 'reason'],
  ['reason not a string', json({ reason: 5 }), 422, 'validation.type', 'reason'],
  ['reason of 2001 characters', json({ reason: 'r'.repeat(2001) }), 422, 'validation.too_long', 'reason'],
  ['reason with a control character', json({ reason: 'a\u0007b' }), 422, undefined, 'reason'],
  ['unknown field', json({ reason: 'ok', why: 'x' }), 422, 'validation.unknown_field', 'why'],
  ['body is an array', '["x"]', 422, 'validation.type', 'body'],
  ['malformed JSON', '{"reason":', 400, 'request.malformed_json', 'body'],
];

for (const [name, body, status, code, field] of retractCases) {
  test(`retract ${name} → ${status} ${code || ''} ${field}`, async () => {
    const r = await srv.request('POST', `/api/v1/usecases/${ref.id}/retract`, {
      token: env.tokens.refBdx,
      body,
      headers: { 'Content-Type': 'application/json' },
    });
    assertApiError(r, status, code, field);
    await assertNothingWritten();
  });
}

// ==== Query strings ====

// [name, raw request target, status, code, field]
const queryCases = [
  ['bad percent-escape %zz', '/api/v1/usecases?q=%zz', 400, 'request.bad_query', 'q'],
  ['truncated percent-escape', '/api/v1/usecases?q=abc%2', 400, 'request.bad_query', 'q'],
  ['lone %', '/api/v1/usecases?q=%', 400, 'request.bad_query', 'q'],
  ['invalid UTF-8 %ff%fe', '/api/v1/usecases?q=%ff%fe', 400, 'request.bad_query', 'q'],
  ['overlong UTF-8 %c0%af', '/api/v1/usecases?q=%c0%af', 400, 'request.bad_query', 'q'],
  ['encoded surrogate %ed%a0%80', '/api/v1/usecases?q=%ed%a0%80', 400, 'request.bad_query', 'q'],
  ['NUL %00', '/api/v1/usecases?q=a%00b', 400, 'request.bad_query', 'q'],
  ['newline %0a', '/api/v1/usecases?q=a%0Ab', 400, 'request.bad_query', 'q'],
  ['control %07', '/api/v1/usecases?q=%07', 400, 'request.bad_query', 'q'],
  ['invalid UTF-8 in a facet value', '/api/v1/usecases?theme=%ff', 400, 'request.bad_query', 'theme'],
  ['bad escape in a parameter name', '/api/v1/usecases?%zz=1', 400, 'request.bad_query', undefined],
  ['empty parameter name', '/api/v1/usecases?=1', 400, 'request.bad_query', undefined],
  ['65 parameters (more than the server keeps)', `/api/v1/usecases?${Array(65).fill('status=experiment').join('&')}`, 400, 'request.bad_query', undefined],
  ['q of 5000 characters', `/api/v1/usecases?q=${'a'.repeat(5000)}`, 400, 'request.invalid_parameter', 'q'],
  ['unknown parameter', '/api/v1/usecases?foo=1', 400, 'request.unknown_parameter', 'foo'],
  ['unknown parameter after good ones', '/api/v1/usecases?q=eau&page=1&Q=x', 400, 'request.unknown_parameter', 'Q'],
  ['parameter on a route without any', '/api/v1/usecases/1?page=1', 400, 'request.unknown_parameter', 'page'],
  ['unknown parameter on /healthz', '/healthz?verbose=1', 400, 'request.unknown_parameter', 'verbose'],
  ['page=0', '/api/v1/usecases?page=0', 400, 'request.invalid_parameter', 'page'],
  ['page=abc', '/api/v1/usecases?page=abc', 400, 'request.invalid_parameter', 'page'],
  ['page=-1', '/api/v1/usecases?page=-1', 400, 'request.invalid_parameter', 'page'],
  ['page=1.5', '/api/v1/usecases?page=1.5', 400, 'request.invalid_parameter', 'page'],
  ['page=10001', '/api/v1/usecases?page=10001', 400, 'request.invalid_parameter', 'page'],
  ['page empty', '/api/v1/usecases?page=', 400, 'request.invalid_parameter', 'page'],
  ['page=99999999999999999999', '/api/v1/usecases?page=99999999999999999999', 400, 'request.invalid_parameter', 'page'],
  ['per_page=1000', '/api/v1/usecases?per_page=1000', 400, 'request.invalid_parameter', 'per_page'],
  ['per_page=0', '/api/v1/usecases?per_page=0', 400, 'request.invalid_parameter', 'per_page'],
  ['per_page=101', '/api/v1/usecases?per_page=101', 400, 'request.invalid_parameter', 'per_page'],
  ['sort=bad', '/api/v1/usecases?sort=bad', 400, 'request.invalid_parameter', 'sort'],
  ['theme=not_a_theme', '/api/v1/usecases?theme=not_a_theme', 400, 'request.invalid_parameter', 'theme'],
  ['one bad value among good ones', '/api/v1/usecases?theme=mobility&theme=nope', 400, 'request.invalid_parameter', 'theme'],
  ['status label instead of code', '/api/v1/usecases?status=Termin%C3%A9', 400, 'request.invalid_parameter', 'status'],
  ['region=abc', '/api/v1/usecases?region=abc', 400, 'request.invalid_parameter', 'region'],
  ['region=8', '/api/v1/usecases?region=8', 400, 'request.invalid_parameter', 'region'],
  ['departement=2C', '/api/v1/usecases?departement=2C', 400, 'request.invalid_parameter', 'departement'],
  ['departement=6900', '/api/v1/usecases?departement=6900', 400, 'request.invalid_parameter', 'departement'],
  ['org_kind=ville', '/api/v1/usecases?org_kind=ville', 400, 'request.invalid_parameter', 'org_kind'],
  ['population_band=big', '/api/v1/usecases?population_band=big', 400, 'request.invalid_parameter', 'population_band'],
  ['ai_technique=magic', '/api/v1/usecases?ai_technique=magic', 400, 'request.invalid_parameter', 'ai_technique'],
  ['risk_level=extreme', '/api/v1/usecases?risk_level=extreme', 400, 'request.invalid_parameter', 'risk_level'],
  ['unknown owner', '/api/v1/usecases?owner=nobody', 400, 'request.invalid_parameter', 'owner'],
  ['unknown owner SIREN', '/api/v1/usecases?owner=999999999', 400, 'request.invalid_parameter', 'owner'],
  ['q over 200 characters', `/api/v1/usecases?q=${'a'.repeat(201)}`, 400, 'request.invalid_parameter', 'q'],
  ['q over 200 accented characters', `/api/v1/usecases?q=${'%C3%A9'.repeat(201)}`, 400, 'request.invalid_parameter', 'q'],
  ['organisations without q', '/api/v1/organisations', 400, 'request.missing_parameter', 'q'],
  ['organisations with empty q', '/api/v1/organisations?q=', 400, 'request.missing_parameter', 'q'],
  ['organisations unknown parameter', '/api/v1/organisations?q=lyon&kind=commune', 400, 'request.unknown_parameter', 'kind'],
  ['organisations per_page=101', '/api/v1/organisations?q=lyon&per_page=101', 400, 'request.invalid_parameter', 'per_page'],
  ['organisations page=0', '/api/v1/organisations?q=lyon&page=0', 400, 'request.invalid_parameter', 'page'],
  ['organisations q over 100 characters', `/api/v1/organisations?q=${'b'.repeat(101)}`, 400, 'request.invalid_parameter', 'q'],
  ['organisation page=abc', '/api/v1/organisations/69123?page=abc', 400, 'request.invalid_parameter', 'page'],
  ['organisation bad escape', '/api/v1/organisations/69123?page=%zz', 400, 'request.bad_query', 'page'],
  ['bad escape in the path', '/api/v1/usecases/%zz', 400, 'request.bad_query', undefined],
  ['invalid UTF-8 in the path', '/api/v1/organisations/%ff', 400, 'request.bad_query', undefined],
];

for (const [name, target, status, code, field] of queryCases) {
  test(`GET ${name} → ${status} ${code} ${field || ''}`, async () => {
    const r = await srv.rawHttp('GET', target);
    assert.equal(r.status, status, `${target}: ${r.status} ${r.text.slice(0, 300)}`);
    assert.ok(r.json, `JSON error reply for ${target}: ${r.text.slice(0, 200)}`);
    assert.equal(r.json.ok, false);
    assert.equal(r.json.error.code, code);
    if (field !== undefined) assert.equal(r.json.error.field, field);
    assert.match(r.headers['content-type'], /^application\/json; charset=utf-8$/);
  });
}

test('raw bytes that are not UTF-8 in the request line → 400, server unharmed', async () => {
  for (const target of [
    Buffer.concat([Buffer.from('/api/v1/usecases?q='), Buffer.from([0xff, 0xfe])]),
    Buffer.concat([Buffer.from('/api/v1/usecases?q=caf'), Buffer.from([0xe9])]),
    Buffer.concat([Buffer.from('/api/v1/organisations/'), Buffer.from([0xc3, 0x28])]),
  ]) {
    const r = await srv.rawHttp('GET', target);
    assert.equal(r.status, 400, `${target.toString('latin1')}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const h = await srv.request('GET', '/healthz');
  assert.equal(h.status, 200);
});

test('a valid body still works after all this: 200 on PATCH with charset, exact boundaries accepted', async () => {
  const scratch = await createRecord(srv, env.tokens.refBdx, validRecord({ title: 'Brouillon de bornes' }));
  assert.equal(scratch.id, lastCreatedId + 1, 'no record was created by any rejected request');
  lastCreatedId = scratch.id;
  const r = await srv.request('PATCH', `/api/v1/usecases/${scratch.id}`, {
    token: env.tokens.refBdx,
    body: json({
      title: 'é'.repeat(200),
      summary: 's'.repeat(350),
      partners: Array.from({ length: 50 }, (_, i) => `Partenaire ${i}`),
      suppliers: [{ name: 'Bordeaux Métropole', siren: '243 300 316' }],
      latitude: 90,
      longitude: -180,
      start_date: '2024-02-29',
      decisions_per_year: 0,
      info_url: 'HTTPS://example.org/a?b=1&c=2#d',
    }),
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
  assert.equal(r.status, 200, r.text);
  const d = r.json.data;
  assert.equal(d.title.length, 200);
  assert.equal(d.summary.length, 350);
  assert.equal(d.partners.length, 50);
  assert.deepEqual(d.suppliers, [{ name: 'Bordeaux Métropole', siren: '243300316' }], 'SIREN normalised to 9 digits');
  assert.equal(d.latitude, 90);
  assert.equal(d.start_date, '2024-02-29');
  // text is trimmed, CRLF normalised in multi-line fields
  const t = await srv.request('PATCH', `/api/v1/usecases/${scratch.id}`, {
    token: env.tokens.refBdx,
    json: { title: '  Titre entouré d’espaces\t ', human_oversight: 'ligne 1\r\nligne 2\rligne 3' },
  });
  assert.equal(t.status, 200, t.text);
  assert.equal(t.json.data.title, 'Titre entouré d’espaces');
  assert.equal(t.json.data.human_oversight, 'ligne 1\nligne 2\nligne 3');
});

test('the server stops cleanly on SIGTERM (exit 0, no sanitizer report), and never crashed', async () => {
  await stopServerClean(srv);
  assert.deepEqual(crashes, [], `the server crashed ${crashes.length} time(s):\n\n${crashes.join('\n\n')}`);
});
