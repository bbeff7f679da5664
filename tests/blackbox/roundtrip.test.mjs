// roundtrip.test.mjs — `iat import iat-json` (import_iat.c) and the round
// trip of issue 6 section 5: export everything → import into an empty
// database → identical records (ids, versions and their times, states,
// indicators public and restricted, reuse links, provenance), seen through
// the API of a server on each database. Also: re-importing is idempotent,
// an id taken by another record is refused with its reason and nothing is
// written (or the rest with --skip-invalid), an export of schema 1.0
// (before issue 5's additions) still imports, a major version and broken
// JSON are refused naming the line.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  LYON,
  ORGS_DIR,
  SOURCE_DIR,
  createAccount,
  createRecord,
  iat,
  iatOk,
  initDb,
  loadOrgs,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
} from './lib.mjs';

let env;
let srv;
const made = {}; // records made by the test

function indicator(over = {}) {
  return {
    name: 'Délai de traitement des demandes',
    common: 'processing_delay',
    baseline: { value: 20, date: '2024-01-01' },
    measurements: [{ value: 15, date: '2024-02-15' }, { value: 13, date: '2024-06-01' }],
    frequency: 'monthly',
    method: 'Extraction mensuelle.',
    evidence: 'measured',
    ...over,
  };
}

before(async () => {
  env = setupLibrary();
  srv = await startServer(env.db);
  const t = env.tokens;
  // a record with public and restricted indicators and kit items, edited twice
  made.rich = await createRecord(srv, t.refBdx, validRecord({
    title: 'Tri des demandes « aller-retour »',
    indicators: [indicator(), indicator({ name: 'Indicateur interne', visibility: 'restricted' })],
    reuse_kit: [{ kind: 'specification', title: 'Cahier des charges', url: 'https://example.org/cctp.pdf', visibility: 'public' },
      { kind: 'contract', title: 'Marché 2024-12', reference: 'M2024-12', visibility: 'restricted' }],
    cost_yearly: 12000,
    contact: 'dpo@bordeaux-metropole.example.fr',
    state: 'published',
  }));
  let r = await srv.request('PATCH', `/api/v1/usecases/${made.rich.id}`, { token: t.refBdx, json: { summary: 'Résumé modifié une première fois.' } });
  assert.equal(r.status, 200, r.text);
  r = await srv.request('PATCH', `/api/v1/usecases/${made.rich.id}`, { token: t.refBdx, json: { status: 'deployed' } });
  assert.equal(r.status, 200, r.text);
  // the curators' decisions on the label: a review (label awarded), an exception
  r = await srv.request('POST', `/api/v1/usecases/${made.rich.id}/impact`, { token: t.curator, json: { action: 'review' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.impact_label.awarded, true, 'the rich record earns the label');
  made.granted = await createRecord(srv, t.refBdx, validRecord({ title: 'Projet distingué par exception', state: 'published' }));
  r = await srv.request('POST', `/api/v1/usecases/${made.granted.id}/impact`, {
    token: t.curator, json: { action: 'grant', reason: 'Évaluation nationale publiée.' },
  });
  assert.equal(r.status, 200, r.text);
  // a reuse of it by Lyon, published
  r = await srv.request('POST', `/api/v1/usecases/${made.rich.id}/reuses`, {
    token: t.curator, json: { owner: LYON.key, reuse_context: 'Reprise par Lyon.', status: 'experiment', state: 'published' },
  });
  assert.equal(r.status, 201, r.text);
  made.reuse = r.json.data;
  // a retracted record
  made.retracted = await createRecord(srv, t.refBdx, validRecord({ title: 'Projet retiré', state: 'published' }));
  r = await srv.request('POST', `/api/v1/usecases/${made.retracted.id}/retract`, { token: t.refBdx, json: { reason: 'Projet arrêté.' } });
  assert.equal(r.status, 200, r.text);
  // a draft: not in the exports
  made.draft = await createRecord(srv, t.agentBdx, validRecord({ title: 'Brouillon jamais publié' }));
});

after(async () => {
  if (srv) await stopServerClean(srv);
});

function emptyDb(name) {
  const db = path.join(env.dir, name);
  initDb(db);
  loadOrgs(db);
  return db;
}

/** GET every record of ids on a server as the curator: {id: json}. */
async function records(server, token, ids) {
  const out = {};
  for (const id of ids) {
    const r = await server.request('GET', `/api/v1/usecases/${id}`, { token });
    assert.equal(r.status, 200, `GET ${id}: ${r.text}`);
    out[id] = r.json.data;
  }
  return out;
}

test('records export → import into an empty database: the same records, ids and reuse links', async () => {
  const file = path.join(env.dir, 'fiches.json');
  iatOk(['export', 'json', '--restricted', '--db', env.db, '--out', file]);
  const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
  const ids = exported.map((x) => x.id);
  assert.ok(ids.includes(made.rich.id) && ids.includes(made.reuse.id) && ids.includes(made.retracted.id));
  assert.ok(!ids.includes(made.draft.id), 'a draft is not exported');

  const db2 = emptyDb('copie-fiches.db');
  const out = iatOk(['import', 'iat-json', '--db', db2, file]);
  assert.match(out, new RegExp(`^import iat-json : ${ids.length} fiches \\(${ids.length} créées, 0 mises à jour, 0 inchangées\\)`));
  const tok2 = createAccount(db2, 'curator2@observatoire.example.fr', 'curator', null);
  const srv2 = await startServer(db2);
  try {
    const a = await records(srv, env.tokens.curator, ids);
    const b = await records(srv2, tok2, ids);
    for (const id of ids) {
      const x = { ...a[id] }, y = { ...b[id] };
      assert.deepEqual(y, x, `record ${id}`);
    }
    assert.equal(b[made.reuse.id].reuse_of.id, made.rich.id, 'the reuse still names its origin');
    assert.equal(b[made.rich.id].impact_label.awarded, true, 'the review is restored');
    assert.equal(b[made.granted.id].impact_label.basis, 'granted', 'the exception is restored');
    assert.equal(b[made.rich.id].indicators.length, 2, 'restricted indicator kept for agents');
    const pub = await srv2.request('GET', `/api/v1/usecases/${made.rich.id}`);
    assert.equal(pub.json.data.indicators.length, 1, 'and still restricted');
    assert.equal(pub.json.data.contact, undefined);
    const lineage = await srv2.request('GET', `/api/v1/usecases/${made.rich.id}/reuses`);
    assert.deepEqual(lineage.json.data.map((x) => x.id), [made.reuse.id]);
    // a new record in the copy gets a fresh id, after the imported ones
    const fresh = await createRecord(srv2, tok2, validRecord({ title: 'Après import' }));
    assert.ok(fresh.id > Math.max(...ids), `new id ${fresh.id} after ${Math.max(...ids)}`);
  } finally {
    await stopServerClean(srv2);
  }

  // idempotent: again into the copy, and into the database it came from
  assert.match(iatOk(['import', 'iat-json', '--db', db2, file]), new RegExp(`\\(0 créées, 0 mises à jour, ${ids.length} inchangées\\)`));
  assert.match(iatOk(['import', 'iat-json', '--db', env.db, file]), new RegExp(`\\(0 créées, 0 mises à jour, ${ids.length} inchangées\\)`));
});

test('history export (agents) → import into an empty database: every public version identical; then the record export restores the label', async () => {
  const hist = path.join(env.dir, 'historique.jsonl');
  iatOk(['export', 'history', '--restricted', '--db', env.db, '--out', hist]);
  const rec = path.join(env.dir, 'fiches-agents.jsonl');
  iatOk(['export', 'jsonl', '--restricted', '--db', env.db, '--out', rec]);
  const ids = fs.readFileSync(rec, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id);
  const db7 = emptyDb('copie-historique.db');
  const out = iatOk(['import', 'iat-json', '--db', db7, hist]);
  assert.match(out, new RegExp(`^import iat-json : ${ids.length} fiches \\(${ids.length} créées, 0 mises à jour, 0 inchangées\\)`));
  const tok7 = createAccount(db7, 'curator7@observatoire.example.fr', 'curator', null);
  const srv7 = await startServer(db7);
  try {
    const versions = async (server, token, id) => {
      const r = await server.request('GET', `/api/v1/usecases/${id}/versions`, { token });
      assert.equal(r.status, 200, r.text);
      return r.json.data.map((v) => ({ version: v.version, state: v.state, at: v.at }));
    };
    for (const id of ids) {
      // the public history is the same, version by version, and so is each version's content
      const a = await versions(srv, undefined, id);
      const b = await versions(srv7, undefined, id);
      assert.deepEqual(b, a, `public versions of ${id}`);
      for (const v of a) {
        const x = await srv.request('GET', `/api/v1/usecases/${id}/versions/${v.version}`, { token: env.tokens.curator });
        const y = await srv7.request('GET', `/api/v1/usecases/${id}/versions/${v.version}`, { token: tok7 });
        assert.equal(y.status, 200, y.text);
        assert.deepEqual(y.json.data.doc ?? y.json.data, x.json.data.doc ?? x.json.data, `version ${v.version} of ${id}`);
      }
    }
    const before = await records(srv, env.tokens.curator, ids);
    let after = await records(srv7, tok7, ids);
    for (const id of ids) {
      assert.deepEqual({ ...after[id], impact_label: undefined }, { ...before[id], impact_label: undefined }, `record ${id}`);
    }
    assert.equal(after[made.rich.id].impact_label.awarded, false, 'the history carries no review: the label awaits one');
    // the record export then restores the curators' decisions (2 records:
    // the reviewed one, the exception), nothing else changes
    assert.match(iatOk(['import', 'iat-json', '--db', db7, rec]), new RegExp(`\\(0 créées, 2 mises à jour, ${ids.length - 2} inchangées\\)`));
    after = await records(srv7, tok7, ids);
    for (const id of ids) assert.deepEqual(after[id], before[id], `record ${id} with its label`);
    assert.match(iatOk(['import', 'iat-json', '--db', db7, rec]), new RegExp(`\\(0 créées, 0 mises à jour, ${ids.length} inchangées\\)`));
  } finally {
    await stopServerClean(srv7);
  }
});

test('JSON Lines works the same; an id used by another record is refused, nothing written; --skip-invalid imports the rest', async () => {
  const file = path.join(env.dir, 'fiches.jsonl');
  iatOk(['export', 'jsonl', '--db', env.db, '--out', file]);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const db3 = emptyDb('autre.db');
  // db3 gets its own record first: id 1 is taken by something else
  const first = JSON.parse(lines[0]);
  const own = JSON.parse(lines[0]);
  own.created_at = '2020-01-01T00:00:00Z';
  own.updated_at = '2020-01-01T00:00:00Z';
  own.title = 'Une autre fiche, même id';
  const ownFile = path.join(env.dir, 'own.jsonl');
  fs.writeFileSync(ownFile, JSON.stringify(own) + '\n');
  iatOk(['import', 'iat-json', '--db', db3, ownFile]);

  const r = iat(['import', 'iat-json', '--db', db3, file]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, new RegExp(`iat: refusé : ligne 1 \\(fiche ${first.id}\\) : l'id ${first.id} est déjà utilisé dans cette base par une autre fiche \\(« Une autre fiche, même id », créée le 2020-01-01T00:00:00Z\\)`));
  assert.match(r.stderr, /iat: import iat-json : 1 enregistrement refusé : rien n'a été importé\n$/);
  const count = () => {
    const o = iatOk(['export', 'jsonl', '--db', db3, '--out', path.join(env.dir, 'count.jsonl')]);
    return fs.readFileSync(path.join(env.dir, 'count.jsonl'), 'utf8').trim().split('\n').length;
  };
  assert.equal(count(), 1, 'nothing written');
  const s = iatOk(['import', 'iat-json', '--skip-invalid', '--db', db3, file]);
  assert.match(s, new RegExp(`${lines.length - 1} créées, 0 mises à jour, 0 inchangées, 1 refusée\\)`));
  assert.match(s, /^refusé : ligne 1 /m);
  assert.equal(count(), lines.length);
});

test('an export of schema 1.0 (before measured impact and reuse) still imports', async () => {
  const fixture = path.join(SOURCE_DIR, 'tests/fixtures/iat-json/export-schema-1.0.jsonl');
  const db4 = emptyDb('ancien.db');
  const out = iatOk(['import', 'iat-json', '--db', db4, fixture]);
  assert.match(out, /2 fiches \(2 créées/);
  const srv4 = await startServer(db4);
  try {
    const r = await srv4.request('GET', '/api/v1/usecases/7');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.title, 'Chatbot des démarches (export 1.0)');
    assert.equal(r.json.data.schema_version, '1.1', 'served in the current schema');
    assert.equal(r.json.data.created_at, '2025-03-01T09:00:00Z');
    assert.equal(r.json.data.version, 3);
    assert.equal(r.json.data.owner.id, BORDEAUX_METROPOLE.key);
    assert.deepEqual(r.json.data.indicators, null);
  } finally {
    await stopServerClean(srv4);
  }
});

test('refused files: a major schema version, broken JSON (its line), an unknown organisation, a bad state', () => {
  const db5 = emptyDb('refus.db');
  const write = (name, text) => {
    const f = path.join(env.dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const base = { id: 3, schema_version: '1.1', state: 'published', version: 1, created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', published_at: '2025-01-01T00:00:00Z', title: 'Titre', summary: 'Résumé.', theme: 'mobility', status: 'idea', owner: { id: BORDEAUX_METROPOLE.key } };
  let r = iat(['import', 'iat-json', '--db', db5, write('v2.jsonl', JSON.stringify({ ...base, schema_version: '2.0' }) + '\n')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /version de schéma « 2\.0 » non prise en charge/);
  r = iat(['import', 'iat-json', '--db', db5, write('broken.jsonl', JSON.stringify(base) + '\n{"id": 4,\n')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^iat: import iat-json : ligne 2 : JSON invalide/m);
  r = iat(['import', 'iat-json', '--db', db5, write('org.jsonl', JSON.stringify({ ...base, owner: { id: 'commune-99999' } }) + '\n')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refusé : ligne 1 \(fiche 3\) : (version 1, champ owner|organisation « commune-99999 »)/);
  r = iat(['import', 'iat-json', '--db', db5, write('state.jsonl', JSON.stringify({ ...base, state: 'perdu' }) + '\n')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /version 1 : état « perdu » inconnu/);
  r = iat(['import', 'iat-json', '--db', db5, write('empty.json', '[]')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /aucun enregistrement/);
  const ok = iatOk(['import', 'iat-json', '--dry-run', '--db', db5, write('good.jsonl', JSON.stringify(base) + '\n')]);
  assert.match(ok, /essai, rien n'a été écrit.*1 créée/);
});

test('a history file: every version with its number, state and time; re-import unchanged; a newer version appended; a rewritten one refused', async () => {
  const db6 = emptyDb('historique.db');
  const doc = { title: 'Fiche avec historique', summary: 'Première rédaction.', owner: BORDEAUX_METROPOLE.key, theme: 'mobility', status: 'idea' };
  const line = (version, state, at, over = {}, extra = {}) => JSON.stringify({
    schema_version: '1.1', id: 42, version, state, at, created_at: '2025-01-10T08:00:00Z', note: null, doc: { ...doc, ...over }, ...extra,
  });
  const v = [
    line(1, 'draft', '2025-01-10T08:00:00Z'),
    line(3, 'published', '2025-02-01T10:00:00Z', { summary: 'Deuxième rédaction.' }),
    line(4, 'published', '2025-03-01T10:00:00Z', { summary: 'Troisième rédaction.', status: 'experiment' }),
  ];
  const file = path.join(env.dir, 'hist.jsonl');
  // lines in any order: grouped by record, sorted by version
  fs.writeFileSync(file, [v[2], v[0], v[1]].join('\n') + '\n');
  assert.match(iatOk(['import', 'iat-json', '--db', db6, file]), /1 fiche \(1 créée/);
  const tok = createAccount(db6, 'curator6@observatoire.example.fr', 'curator', null);
  const srv6 = await startServer(db6);
  try {
    const r = await srv6.request('GET', '/api/v1/usecases/42', { token: tok });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.version, 4);
    assert.equal(r.json.data.summary, 'Troisième rédaction.');
    assert.equal(r.json.data.created_at, '2025-01-10T08:00:00Z');
    assert.equal(r.json.data.published_at, '2025-02-01T10:00:00Z');
    assert.equal(r.json.data.updated_at, '2025-03-01T10:00:00Z');
    const vs = await srv6.request('GET', '/api/v1/usecases/42/versions', { token: tok });
    assert.equal(vs.status, 200, vs.text);
    const list = vs.json.data.map((x) => [x.version, x.state, x.at]);
    assert.deepEqual(list.sort((a, b) => a[0] - b[0]), [
      [1, 'draft', '2025-01-10T08:00:00Z'],
      [3, 'published', '2025-02-01T10:00:00Z'],
      [4, 'published', '2025-03-01T10:00:00Z'],
    ]);
  } finally {
    await stopServerClean(srv6);
  }
  assert.match(iatOk(['import', 'iat-json', '--db', db6, file]), /\(0 créées, 0 mises à jour, 1 inchangée\)/);
  // a newer version appended
  const v5 = line(5, 'retracted', '2025-04-01T10:00:00Z', { summary: 'Troisième rédaction.', status: 'experiment' }, { retract_reason: 'Projet arrêté.' });
  fs.writeFileSync(file, [...v, v5].join('\n') + '\n');
  assert.match(iatOk(['import', 'iat-json', '--db', db6, file]), /\(0 créées, 1 mise à jour, 0 inchangées\)/);
  // version 3 rewritten: refused, nothing written
  fs.writeFileSync(file, [v[0], line(3, 'published', '2025-02-01T10:00:00Z', { summary: 'Réécrite.' })].join('\n') + '\n');
  const r = iat(['import', 'iat-json', '--db', db6, file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refusé : ligne 1 \(fiche 42\) : la version 3 diffère de celle de cette base/);
});
