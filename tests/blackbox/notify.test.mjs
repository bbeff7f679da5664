// notify.test.mjs — the messages the application sends (to the outbox,
// read with `iat outbox`): workflow steps and error reports.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  BORDEAUX_METROPOLE,
  createRecord,
  createWebAccount,
  iatOk,
  setupLibrary,
  startServer,
  stopServerClean,
  validRecord,
  webClient,
} from './lib.mjs';

const AGENT = 'auteur@bordeaux-metropole.example.fr';
const REF = 'chef@bordeaux-metropole.example.fr';
let env;
let srv;

const outbox = (to) => iatOk(['outbox', '--db', env.db, '--to', to]);

before(async () => {
  env = setupLibrary({ csv: null, accounts: {} });
  createWebAccount(env.db, AGENT, 'agent', BORDEAUX_METROPOLE.siren);
  createWebAccount(env.db, REF, 'referent', BORDEAUX_METROPOLE.siren);
  srv = await startServer(env.db, ['--base-url', 'https://iat.example.fr']);
});
after(async () => {
  await stopServerClean(srv);
});

test('workflow: submission to the referents, changes requested and publication to the author', async () => {
  const agent = webClient(srv);
  await agent.signIn(AGENT);
  const ref = webClient(srv);
  await ref.signIn(REF);
  let r = await agent.post('/fiches/nouvelle', {
    title: 'Fiche notifiée',
    summary: 'Une fiche pour vérifier les messages envoyés.',
    owner: BORDEAUX_METROPOLE.key,
    theme: 'ecological_transition',
    status: 'experiment',
  });
  assert.equal(r.status, 303, r.text.slice(0, 2000));
  const id = Number(/\/fiches\/(\d+)/.exec(r.location)[1]);
  r = await agent.post(`/fiches/${id}/soumettre`, { version: 1 });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  let box = outbox(REF);
  assert.match(box, /Objet : Fiche à relire/);
  assert.match(box, new RegExp(`https://iat\\.example\\.fr/fiches/${id}`), 'an absolute link with --base-url');
  assert.doesNotMatch(outbox(AGENT), /Fiche à relire/, 'agents are not asked to review');

  r = await ref.post(`/fiches/${id}/demander-modifications`, { version: 2, commentaire: 'Précisez les données utilisées.' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  box = outbox(AGENT);
  assert.match(box, /Objet : Modifications demandées sur votre fiche/);
  assert.match(box, /Précisez les données utilisées\./);

  r = await agent.post(`/fiches/${id}/soumettre`, { version: 3 });
  assert.equal(r.status, 303);
  r = await ref.post(`/fiches/${id}/publier`, { version: 4 });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  assert.match(outbox(AGENT), /Objet : Votre fiche est publiée/);
});

test('error reports: the members are told (without the description), the reporter gets the answer', async () => {
  const token = iatOk(['token', 'create', '--db', env.db, REF]).trim();
  const rec = await createRecord(srv, token, validRecord({ title: 'Fiche signalée', state: 'published' }));
  const visitor = webClient(srv);
  await visitor.get(`/fiches/${rec.id}/signaler`);
  let r = await visitor.post(`/fiches/${rec.id}/signaler`, {
    field: 'title',
    description: 'Description confidentielle du signalement.',
    contact: 'habitant@example.fr',
  });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  for (const who of [AGENT, REF]) {
    const box = outbox(who);
    assert.match(box, /Objet : Nouveau signalement sur une fiche/);
    assert.match(box, /https:\/\/iat\.example\.fr\/espace\/signalements/);
    assert.doesNotMatch(box, /Description confidentielle/);
  }
  const ref = webClient(srv);
  await ref.signIn(REF);
  const inbox = await ref.get('/espace/signalements');
  const rid = Math.max(...[...inbox.text.matchAll(/\/signalements\/(\d+)\/repondre/g)].map((m) => Number(m[1])));
  r = await ref.post(`/signalements/${rid}/repondre`, { outcome: 'fixed', answer: 'Le titre est corrigé, merci.' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  const box = outbox('habitant@example.fr');
  assert.match(box, /Objet : Réponse à votre signalement/);
  assert.match(box, /Le titre est corrigé, merci\./);
});
