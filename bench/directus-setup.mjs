// directus-setup.mjs — prepare the Directus peer of `make bench` through
// its own REST API (run by bench/run.sh while Directus runs): sign in as
// the bootstrap administrator, create the collection `usecases` with the
// scalar fields of an IA·T record (the records themselves are then copied
// by SQL into Directus's SQLite table, with Directus stopped), and give the
// public policy read access to it — what a public team would click in the
// admin app. Indexes on the columns the list scenario filters and sorts on
// (theme, status, updated_at), as a careful team would add.
// Idempotent: an existing collection or permission is kept.
// Usage: node bench/directus-setup.mjs http://127.0.0.1:8055 EMAIL PASSWORD
const [base, email, password] = process.argv.slice(2);

async function call(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

function must(r, what) {
  if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

const login = must(await call('POST', '/auth/login', null, { email, password }), 'login');
const token = login.data.access_token;

const str = (field, indexed = false) => ({ field, type: 'string', meta: {}, schema: { is_indexed: indexed } });
const txt = (field) => ({ field, type: 'text', meta: {}, schema: {} });
// every field has a meta object: Directus adds flags (cast-json) to it and
// rejects a meta without its collection and field names
const existing = await call('GET', '/collections/usecases', token);
if (existing.status !== 200) {
  must(await call('POST', '/collections', token, {
    collection: 'usecases',
    meta: { icon: 'lightbulb', note: 'IA·T records (benchmark copy)' },
    schema: {},
    fields: [
      { field: 'id', type: 'integer', meta: {}, schema: { is_primary_key: true, has_auto_increment: true } },
      str('slug'), str('title'), txt('summary'), txt('description'),
      str('theme', true), str('status', true), str('state'),
      str('owner'), str('owner_name'), str('owner_kind'),
      str('risk_level'), str('personal_data'), str('start_date'),
      { field: 'ai_techniques', type: 'json', meta: {}, schema: {} },
      { field: 'audiences', type: 'json', meta: {}, schema: {} },
      { field: 'partners', type: 'json', meta: {}, schema: {} },
      str('created_at'), str('updated_at', true), str('published_at'),
    ],
  }), 'create collection');
  console.log('directus-setup: collection usecases created');
}

// The public policy: the one attached to no role and no user.
const access = must(await call('GET', '/access?filter[role][_null]=true&filter[user][_null]=true&fields=policy', token), 'access');
if (!access.data.length) throw new Error('no public policy found');
const policy = typeof access.data[0].policy === 'object' ? access.data[0].policy.id : access.data[0].policy;
const perms = must(await call('GET', `/permissions?filter[collection][_eq]=usecases&filter[policy][_eq]=${policy}&filter[action][_eq]=read`, token), 'permissions');
if (!perms.data.length) {
  must(await call('POST', '/permissions', token, {
    policy, collection: 'usecases', action: 'read', fields: ['*'], permissions: {}, validation: {},
  }), 'public read permission');
  console.log('directus-setup: public read permission on usecases');
}
