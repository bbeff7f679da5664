// imports.test.mjs — the curators' import page (GET/POST /admin/imports,
// page_import.c) and the import framework's contract seen from the web:
// the same formats as the CLI, a multipart upload checked for CSRF, an
// essai (dry run) that writes nothing, a real import with its report and
// audit entry, idempotence (a second upload is all "inchangées"), a bad
// row that cancels everything with its reason listed, "ignorer les
// enregistrements invalides" that imports the rest, field errors in
// French, escaped file names, the 32 MiB limit of this route only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';

import {
  DATA_CSV,
  assertHtmlPage,
  createWebAccount,
  iatOk,
  setupLibrary,
  startServer,
  stopServerClean,
  webClient,
} from './lib.mjs';

let env;
let srv;
let curator;
let agent;
const CSV = fs.readFileSync(DATA_CSV);

before(async () => {
  env = setupLibrary({ csv: null });
  createWebAccount(env.db, 'curatrice@observatoire.example.fr', 'curator', null);
  createWebAccount(env.db, 'agent-imports@bordeaux-metropole.example.fr', 'agent', '243300316');
  srv = await startServer(env.db);
  curator = webClient(srv);
  await curator.signIn('curatrice@observatoire.example.fr');
  agent = webClient(srv);
  await agent.signIn('agent-imports@bordeaux-metropole.example.fr');
});

after(async () => {
  if (srv) await stopServerClean(srv);
});

async function publishedCount() {
  const r = await srv.request('GET', '/api/v1/usecases?per_page=1');
  assert.equal(r.status, 200);
  return r.json.meta.total;
}

/** The report table's counts: {Lus: n, Créés: n, ...}. */
function counts(html) {
  const out = {};
  for (const m of html.matchAll(/<tr><th scope="row">([^<]+)<\/th><td class="num">(\d+)<\/td><\/tr>/g)) out[m[1]] = Number(m[2]);
  return out;
}

/** The rejected rows: [[line, reason]] (text as shown, unescaped quotes only). */
function rejected(html) {
  const sec = /<caption>Enregistrements refusés et raison<\/caption>([\s\S]*?)<\/table>/.exec(html);
  if (!sec) return [];
  return [...sec[1].matchAll(/<tr><td class="num">(\d+)<\/td><td class="text">([^<]*)<\/td><\/tr>/g)].map((m) => [Number(m[1]), m[2]]);
}

test('the page: curators only, a multipart form offering every format of the CLI', async () => {
  const r = await curator.get('/admin/imports');
  assertHtmlPage(r, 200);
  assert.match(r.text, /<form method="post" action="\/admin\/imports" class="form" enctype="multipart\/form-data"/);
  const help = iatOk(['import', '--help']);
  const offered = [...r.text.matchAll(/<option value="([a-z-]+)"/g)].map((m) => m[1]);
  assert.ok(offered.includes('interconnectes'), offered.join());
  for (const f of offered) assert.match(help, new RegExp(`^  ${f}\\b`, 'm'), `the CLI documents ${f}`);
  assert.match(r.text, /id="f-essai" name="essai" value="1" checked/, 'essai is checked by default');
  assert.equal((await agent.get('/admin/imports')).status, 403);
  const visitor = webClient(srv);
  const v = await visitor.get('/admin/imports');
  assert.equal(v.status, 303);
  assert.match(v.location, /^\/connexion\?retour=/);
});

test('an essai reports what would be done and writes nothing', async () => {
  const before = await publishedCount();
  const r = await curator.postFile('/admin/imports', { format: 'interconnectes', essai: '1' }, { name: 'data.csv', content: CSV });
  assertHtmlPage(r, 200);
  assert.match(r.text, /Essai terminé : rien n’a été écrit|Essai terminé : rien n'a été écrit/);
  const c = counts(r.text);
  assert.equal(c['Lus'], 23);
  assert.equal(c['Créés'], 23);
  assert.equal(c['Refusés'], 0);
  assert.ok(c['Avertissements'] > 0, 'the library has known warnings');
  assert.match(r.text, /<h3>Avertissements<\/h3>/);
  assert.equal(await publishedCount(), before, 'nothing written');
  assert.doesNotMatch(r.text, /import:interconnectes:data\.csv/, 'an essai is not in the list of imports');
});

test('a real import: 23 records created, audited and listed; a second upload changes nothing', async () => {
  const before = await publishedCount();
  const r = await curator.postFile('/admin/imports', { format: 'interconnectes' }, { name: 'data.csv', content: CSV });
  assertHtmlPage(r, 200);
  assert.match(r.text, /Import terminé\./);
  assert.equal(counts(r.text)['Créés'], 23);
  assert.equal(await publishedCount(), before + 23);
  assert.match(r.text, /<td>page des imports<\/td><td>import:interconnectes:data\.csv<\/td><td class="text">23 créées, 0 mises à jour, 0 inchangées, 0 refusées<\/td>/);
  assert.doesNotMatch(r.text, /curatrice@/, 'no e-mail address in the list');
  // provenance: the uploaded file's name, not the temporary file's
  const list = await srv.request('GET', '/api/v1/usecases?per_page=1');
  const one = await srv.request('GET', `/api/v1/usecases/${list.json.data[0].id}`);
  assert.equal((one.json.data || one.json).provenance.file, 'data.csv');
  const again = await curator.postFile('/admin/imports', { format: 'interconnectes' }, { name: 'data.csv', content: CSV });
  assertHtmlPage(again, 200);
  const c = counts(again.text);
  assert.equal(c['Inchangés'], 23);
  assert.equal(c['Créés'], 0);
  assert.equal(await publishedCount(), before + 23);
});

test('a file with bad rows: 422, every bad row with its reason, nothing written; "ignorer" imports the rest', async () => {
  const lines = CSV.toString('utf8').split('\n');
  // a fresh project (new key), then two rows made invalid (unknown status)
  const header = lines[0];
  const good = lines[1].replace(/^([^,]*),([^,]*),/, '$1,Projet Wombat importé par la page,');
  const bad1 = lines[2].replace(/^([^,]*),([^,]*),/, '$1,Projet Wombat refusé 1,').replace(/En (déploiement|expérimentation)|Terminé|Abandonné/, 'Peut-être');
  const bad2 = lines[3].replace(/^([^,]*),([^,]*),/, '$1,Projet Wombat refusé 2,').replace(/En (déploiement|expérimentation)|Terminé|Abandonné/, 'Peut-être');
  const file = [header, good, bad1, bad2].join('\n') + '\n';
  assert.ok(bad1.includes('Peut-être') && bad2.includes('Peut-être'), 'the fixture rows carry a status to spoil');
  const before = await publishedCount();
  const r = await curator.postFile('/admin/imports', { format: 'interconnectes' }, { name: 'mauvais.csv', content: file });
  assertHtmlPage(r, 422);
  assert.match(r.text, /<title>Erreur : /);
  assert.match(r.text, /Rien n’a été importé|Rien n'a été importé/);
  const rej = rejected(r.text);
  assert.deepEqual(rej.map((x) => x[0]), [3, 4]);
  for (const [, reason] of rej) assert.match(reason, /colonne Statut_du_projet : .*Peut-être/);
  assert.equal(await publishedCount(), before, 'nothing written');

  const skip = await curator.postFile('/admin/imports', { format: 'interconnectes', ignorer: '1' }, { name: 'mauvais.csv', content: file });
  assertHtmlPage(skip, 200);
  const c = counts(skip.text);
  assert.equal(c['Créés'], 1);
  assert.equal(c['Refusés'], 2);
  assert.equal(rejected(skip.text).length, 2);
  assert.equal(await publishedCount(), before + 1);
  const s = await srv.request('GET', '/api/v1/usecases?q=wombat');
  assert.deepEqual(s.json.data.map((u) => u.title), ['Projet Wombat importé par la page']);
});

test('field errors in French: no format, unknown format, no file, empty file; the form keeps the choices', async () => {
  let r = await curator.postFile('/admin/imports', { essai: '1' }, { name: 'data.csv', content: CSV });
  assertHtmlPage(r, 400);
  assert.match(r.text, /Choisissez le format du fichier\./);
  assert.match(r.text, /id="f-essai" name="essai" value="1" checked/);
  r = await curator.postFile('/admin/imports', { format: 'inconnu' }, { name: 'data.csv', content: CSV });
  assertHtmlPage(r, 400);
  assert.match(r.text, /Format inconnu/);
  r = await curator.postFile('/admin/imports', { format: 'interconnectes', ignorer: '1' }, null);
  assertHtmlPage(r, 400);
  assert.match(r.text, /Choisissez le fichier à importer\./);
  assert.match(r.text, /<option value="interconnectes" selected>/);
  assert.match(r.text, /id="f-ignorer" name="ignorer" value="1" checked/);
  r = await curator.postFile('/admin/imports', { format: 'interconnectes' }, { name: 'vide<script>.csv', content: '' });
  assertHtmlPage(r, 400);
  assert.match(r.text, /Le fichier « vide&lt;script&gt;\.csv » est vide\./);
  assert.doesNotMatch(r.text, /vide<script>/);
});

test('a file-level error (not a CSV of the library) is reported, nothing written; names are escaped', async () => {
  const before = await publishedCount();
  const r = await curator.postFile('/admin/imports', { format: 'interconnectes' }, { name: '<img src=x>.csv', content: 'a,b\n1,2\n' });
  assertHtmlPage(r, 422);
  assert.match(r.text, /Rien n’a été importé|Rien n'a été importé/);
  assert.match(r.text, /colonne « a » inconnue/);
  assert.match(r.text, /&lt;img src=x&gt;\.csv/);
  assert.doesNotMatch(r.text, /<img src=x>/);
  assert.equal(await publishedCount(), before);
});

test('CSRF, media type and size: checked before anything runs', async () => {
  let r = await curator.postFile('/admin/imports', { format: 'interconnectes' }, { name: 'data.csv', content: CSV }, { csrf: false });
  assert.equal(r.status, 403);
  r = await curator.post('/admin/imports', { format: 'interconnectes' });
  assert.equal(r.status, 415);
  r = await agent.postFile('/admin/imports', { format: 'interconnectes' }, { name: 'data.csv', content: CSV });
  assert.equal(r.status, 403);
  // 2 MiB is fine on this route (other forms stop at 1 MiB)...
  const padded = Buffer.concat([CSV, Buffer.alloc(2 << 20, 0x0a)]);
  r = await curator.postFile('/admin/imports', { format: 'interconnectes', essai: '1' }, { name: 'data.csv', content: padded });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  // ...33 MiB is not
  r = await curator.postFile('/admin/imports', { format: 'interconnectes', essai: '1' }, { name: 'gros.csv', content: Buffer.alloc(33 << 20, 0x61) });
  assert.equal(r.status, 413);
  assert.match(r.text, /32 Mio au plus/);
  const other = await curator.post('/fiches/nouvelle', { title: 'x'.repeat(2 << 20) });
  assert.equal(other.status, 413, 'other forms keep the 1 MiB limit');
});
