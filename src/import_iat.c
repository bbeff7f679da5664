/*
 * import_iat.c — `iat import iat-json`: read back IA·T's own exports
 * (issue 6, section 4: old exports stay readable; section 5: the round
 * trip export → import gives identical records).
 *
 * Design notes
 * - Two kinds of files, told apart by their items:
 *     records   the record export (iat export json|jsonl,
 *               /api/v1/exports/usecases.json|.jsonl): each item is a
 *               record as the API renders it (owner and partner
 *               organisations as objects {id, name, kind, siren}); it
 *               gives the current version of each record;
 *     history   the history export (iat export history,
 *               /api/v1/exports/history.jsonl, doc/api.md): one item per
 *               version {id, version, state, at, note, created_at,
 *               published_at, retract_reason, owner {id, name, siren...},
 *               reuse_of, doc} with the doc as stored; it gives every
 *               exported version.
 *   A JSON array or JSON Lines; a UTF-8 BOM is skipped. Any schema_version
 *   "1.x" is read (minor versions only add fields, doc/schema-changelog.md);
 *   another major version is refused as a whole.
 * - Identity: a record keeps its id. An id free in this database is
 *   created with that id (usecase.id is AUTOINCREMENT: explicit ids are
 *   allowed and never reused). An id already used is the same record only
 *   if its creation time is the same (created_at, or the time of its
 *   version 1): then versions the database has are compared (equal:
 *   nothing to do; different: the record is rejected, we never rewrite
 *   history) and newer ones are appended with their number, state and
 *   time. Otherwise the record is rejected ("id déjà utilisé par une autre
 *   fiche"). So re-importing a file is idempotent, and an export of this
 *   very database imports as "unchanged".
 * - Every version is validated by model_validate() like an API write;
 *   provenance is kept as exported. Organisations are found by their key;
 *   a body outside the official reference (syndicat, opérateur, autre)
 *   missing here is created from the record export's {name, siren}.
 * - Reuses: reuse_of names the origin, which must exist in the database
 *   or come earlier in the file (records are imported in id order, and an
 *   origin is always older than its reuses).
 * - The "impact démontré" label: the record export shows the curators'
 *   decisions through impact_label (basis granted/withdrawn, and whether
 *   "not reviewed"/"review outdated" is missing); they are restored
 *   (store_impact_restore(), dated at the record's last change, by no
 *   account, the exception's reason replaced by a fixed text since the
 *   export does not carry it), so the label reads the same. The history
 *   export has no label: imported alone, the label is recomputed from the
 *   rules and awaits a curator's review.
 * - What an export does not carry is not restored: authors of versions
 *   (public exports never name them), error reports, accounts.
 * - Framework contract (importer.h): one transaction, a savepoint per
 *   record, rejected records listed, all or nothing unless skip_invalid.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "history.h"
#include "impact.h"
#include "importer.h"
#include "model.h"
#include "org.h"
#include "siren.h"
#include "store.h"
#include "util.h"

struct iver {                /* one version to import */
	int64_t version;
	const char *state, *at, *note, *retract_reason;
	json_t *src;             /* the doc (history) or the rendered record (records) */
	bool rendered;
};

struct irec {                /* one record: its versions, oldest first */
	int64_t id;
	int where;               /* line (JSON Lines) or item number (array) */
	const char *created_at, *published_at;
	int64_t origin;
	struct iver *v;
	size_t nv, capv;
	json_t *owner_obj;       /* records: the owner as rendered */
	json_t *partner_objs;    /* records: the partners as rendered */
	json_t *label;           /* records: impact_label as rendered */
};

struct iimp {
	db_t *db;
	const struct import_opts *o;
	struct import_stats *st;
	json_t *items;           /* every item (array) */
	int *where;              /* line or item number of each item */
	struct irec *recs;
	size_t nrecs;
	bool history;
	bool lines;              /* JSON Lines: where = line numbers */
	char *err;
};

static int cmp_ver(const void *a, const void *b)
{
	const struct iver *x = a, *y = b;
	return (x->version > y->version) - (x->version < y->version);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct irec *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int64_t int_of(const json_t *v)
{
	if (json_is_integer(v)) return json_integer_value(v);
	if (json_is_object(v)) return int_of(json_object_get(v, "id"));
	return 0;
}

static const char *str_of(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ==== Reading the file ==== */

static int read_items(struct iimp *im, const char *data, size_t len)
{
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, len -= 3;
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) i++;
	if (i == len) {
		im->err = xstrdup("fichier vide");
		return -1;
	}
	json_error_t je;
	if (data[i] == '[') {
		json_t *arr = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
		if (!arr || !json_is_array(arr)) {
			im->err = xasprintf("ligne %d : JSON invalide (%s)", je.line, je.text);
			json_decref(arr);
			return -1;
		}
		im->items = arr;
		im->where = xmalloc((json_array_size(arr) + 1) * sizeof *im->where);
		for (size_t k = 0; k < json_array_size(arr); k++) im->where[k] = (int)k + 1;
		return 0;
	}
	im->items = json_array();
	im->lines = true;
	size_t cap = 64, n = 0;
	im->where = xmalloc(cap * sizeof *im->where);
	int line = 0;
	size_t p = 0;
	while (p < len) {
		const char *nl = memchr(data + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - data) : len;
		line++;
		size_t s = p;
		while (s < e && (data[s] == ' ' || data[s] == '\t' || data[s] == '\r')) s++;
		if (s < e) {
			json_t *it = json_loadb(data + s, e - s, JSON_REJECT_DUPLICATES, &je);
			if (!it) {
				im->err = xasprintf("ligne %d : JSON invalide (%s)", line, je.text);
				return -1;
			}
			json_array_append_new(im->items, it);
			if (n == cap) im->where = xrealloc(im->where, (cap *= 2) * sizeof *im->where);
			im->where[n++] = line;
		}
		p = e + 1;
	}
	return 0;
}

#define WHERE(im) ((im)->lines ? "ligne" : "enregistrement")

/* Group the items into records (file-level checks: kind, schema version,
 * ids). 0 or -1 with im->err. */
static int group(struct iimp *im)
{
	size_t n = json_array_size(im->items);
	if (n == 0) {
		im->err = xstrdup("aucun enregistrement");
		return -1;
	}
	int kind = 0; /* 1 records, 2 history */
	for (size_t k = 0; k < n; k++) {
		json_t *it = json_array_get(im->items, k);
		int w = im->where[k];
		if (!json_is_object(it)) {
			im->err = xasprintf("%s %d : un objet JSON est attendu", im->lines ? "ligne" : "enregistrement", w);
			return -1;
		}
		const char *sv = str_of(it, "schema_version");
		if (sv && strncmp(sv, "1.", 2) != 0) {
			im->err = xasprintf("%s %d : version de schéma « %s » non prise en charge (1.x attendue)", WHERE(im), w, sv);
			return -1;
		}
		int k2 = json_is_object(json_object_get(it, "doc")) ? 2 : 1;
		if (kind && k2 != kind) {
			im->err = xasprintf("%s %d : le fichier mêle des fiches et des versions d'historique", WHERE(im), w);
			return -1;
		}
		kind = k2;
		int64_t id = int_of(json_object_get(it, "id"));
		if (id <= 0) {
			im->err = xasprintf("%s %d : « id » manquant ou invalide", WHERE(im), w);
			return -1;
		}
		struct irec *r = NULL;
		for (size_t j = im->nrecs; j-- > 0;)
			if (im->recs[j].id == id) {
				r = &im->recs[j];
				break;
			}
		if (!r) {
			if ((im->nrecs & (im->nrecs - 1)) == 0)
				im->recs = xrealloc(im->recs, (im->nrecs ? im->nrecs * 2 : 1) * sizeof *im->recs);
			r = &im->recs[im->nrecs++];
			memset(r, 0, sizeof *r);
			r->id = id;
			r->where = w;
		} else if (kind == 1) {
			im->err = xasprintf("%s %d : la fiche %lld figure deux fois", WHERE(im), w, (long long)id);
			return -1;
		}
		if (r->nv == r->capv) r->v = xrealloc(r->v, (r->capv = r->capv ? r->capv * 2 : 2) * sizeof *r->v);
		struct iver *v = &r->v[r->nv++];
		memset(v, 0, sizeof *v);
		v->version = json_is_integer(json_object_get(it, "version")) ? json_integer_value(json_object_get(it, "version")) : 0;
		v->state = str_of(it, "state");
		v->note = str_of(it, "note");
		v->retract_reason = str_of(it, "retract_reason");
		if (kind == 2) {
			v->src = json_object_get(it, "doc");
			v->at = str_of(it, "at");
			if (json_is_object(json_object_get(it, "owner"))) r->owner_obj = json_object_get(it, "owner");
		} else {
			v->src = it;
			v->rendered = true;
			v->at = str_of(it, "updated_at");
			r->owner_obj = json_object_get(it, "owner");
			r->partner_objs = json_object_get(it, "partner_orgs");
			r->label = json_is_object(json_object_get(it, "impact_label")) ? json_object_get(it, "impact_label") : NULL;
		}
		if (str_of(it, "created_at")) r->created_at = str_of(it, "created_at");
		if (str_of(it, "published_at")) r->published_at = str_of(it, "published_at");
		if (!r->origin) r->origin = int_of(json_object_get(it, "reuse_of"));
	}
	im->history = kind == 2;
	for (size_t j = 0; j < im->nrecs; j++) {
		struct irec *r = &im->recs[j];
		qsort(r->v, r->nv, sizeof *r->v, cmp_ver);
		if (!r->created_at && r->v[0].version == 1) r->created_at = r->v[0].at;
	}
	qsort(im->recs, im->nrecs, sizeof *im->recs, cmp_rec);
	return 0;
}

/* ==== One record ==== */

static int reject(struct iimp *im, const struct irec *r, const char *fmt, ...) IAT_PRINTF(3, 4);
static int reject(struct iimp *im, const struct irec *r, const char *fmt, ...)
{
	if (im->err) return -1;
	char head[96];
	snprintf(head, sizeof head, "%s %d (fiche %lld) : ", im->lines ? "ligne" : "enregistrement", r->where,
	         (long long)r->id);
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	im->err = xasprintf("%s%s", head, msg);
	return -1;
}

/* The input object of a version: field values only (organisations as
 * keys), without metadata. */
static json_t *input_of(const struct iver *v)
{
	json_t *in = json_object();
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		json_t *x = json_object_get(v->src, f->name);
		if (!x || json_is_null(x)) continue;
		if (v->rendered && f->type == F_ORG) {
			const char *k = str_of(x, "id");
			if (k) json_object_set_new(in, f->name, json_string(k));
		} else if (v->rendered && f->type == F_ORGS && json_is_array(x)) {
			json_t *keys = json_array();
			size_t j;
			json_t *o;
			json_array_foreach(x, j, o) if (str_of(o, "id")) json_array_append_new(keys, json_string(str_of(o, "id")));
			json_object_set_new(in, f->name, keys);
		} else {
			json_object_set(in, f->name, x);
		}
	}
	return in;
}

/* Make sure organisation key exists: found, or (a body outside the
 * reference) created from its rendered form. 0, or -1 rejected/fatal. */
static int ensure_org(struct iimp *im, const struct irec *r, const char *key, const json_t *rendered, bool *fatal)
{
	struct org o;
	int rc = org_find(im->db, key, &o);
	if (rc == 1) {
		org_free(&o);
		return 0;
	}
	if (rc < 0) {
		*fatal = true;
		return reject(im, r, "erreur de base de données (organisation %s)", key);
	}
	const char *dash = strchr(key, '-');
	char kind[16] = "";
	if (dash && (size_t)(dash - key) < sizeof kind) memcpy(kind, key, (size_t)(dash - key)), kind[dash - key] = 0;
	bool other = !strcmp(kind, "syndicat") || !strcmp(kind, "operateur") || !strcmp(kind, "autre");
	const char *name = rendered && str_of(rendered, "id") && !strcmp(str_of(rendered, "id"), key) ? str_of(rendered, "name") : NULL;
	if (!other || !name || !siren_valid(dash + 1))
		return reject(im, r, "organisation « %s » inconnue dans cette base (chargez le référentiel : iat orgs load)", key);
	char *err = NULL;
	if (org_create_other(im->db, kind, dash + 1, name, NULL, &err) < 0) {
		reject(im, r, "organisation « %s » : %s", key, err ? err : "création impossible");
		free(err);
		return -1;
	}
	return 0;
}

static const json_t *rendered_partner(const struct irec *r, const char *key)
{
	size_t j;
	json_t *o;
	if (!json_is_array(r->partner_objs)) return NULL;
	json_array_foreach(r->partner_objs, j, o) if (str_of(o, "id") && !strcmp(str_of(o, "id"), key)) return o;
	return NULL;
}

/* "AAAA-MM-JJTHH:MM:SSZ", digits where digits go */
static bool iso_ok(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	if (strlen(s) != sizeof pat - 1) return false;
	for (size_t i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i]) return false;
	return true;
}

static json_t *comparable(const json_t *doc)
{
	json_t *c = json_deep_copy(doc);
	json_object_del(c, "provenance");
	return c;
}

static int import_record(struct iimp *im, struct irec *r, bool *fatal)
{
	int ret = -1;
	struct uc_full old = { 0 };
	bool have_old = false;
	struct uc_version *hv = NULL;
	int nhv = 0;
	char key[40];
	snprintf(key, sizeof key, "iat:%lld", (long long)r->id);

	if (r->created_at && !iso_ok(r->created_at))
		return reject(im, r, "date de création « %s » invalide (AAAA-MM-JJTHH:MM:SSZ attendue)", r->created_at);
	if (r->published_at && !iso_ok(r->published_at))
		return reject(im, r, "date de publication « %s » invalide (AAAA-MM-JJTHH:MM:SSZ attendue)", r->published_at);
	int lrc = store_usecase_load(im->db, r->id, &old);
	if (lrc < 0) {
		*fatal = true;
		return reject(im, r, "erreur de base de données (lecture de la fiche)");
	}
	have_old = lrc == 1;
	if (have_old) {
		if (!r->created_at || strcmp(r->created_at, old.created_at) != 0) {
			reject(im, r, "l'id %lld est déjà utilisé dans cette base par une autre fiche (« %s », créée le %s)",
			       (long long)r->id, doc_str(old.doc, "title") ? doc_str(old.doc, "title") : "", old.created_at);
			goto out;
		}
		nhv = history_load(im->db, r->id, old.owner_org_id, &hv);
		if (nhv < 0) {
			*fatal = true;
			reject(im, r, "erreur de base de données (historique)");
			goto out;
		}
	}
	if (r->origin) {
		struct uc_full o = { 0 };
		int orc = store_usecase_load(im->db, r->origin, &o);
		if (orc == 1) store_usecase_free(&o);
		if (orc < 0) {
			*fatal = true;
			reject(im, r, "erreur de base de données (fiche d'origine)");
			goto out;
		}
		if (orc == 0) {
			reject(im, r, "réutilise la fiche %lld, absente de cette base et du fichier", (long long)r->origin);
			goto out;
		}
		if (have_old && old.origin_id != r->origin) {
			reject(im, r, "la fiche de cette base ne réutilise pas la fiche %lld", (long long)r->origin);
			goto out;
		}
	}
	int64_t current = have_old ? old.version : 0;
	int appended = 0;
	for (size_t k = 0; k < r->nv; k++) {
		struct iver *v = &r->v[k];
		if (v->version <= 0 || (k && v->version == r->v[k - 1].version)) {
			reject(im, r, "numéro de version manquant ou en double");
			goto out;
		}
		if (!v->state || vocab_index(&vocab_state, v->state) < 0) {
			reject(im, r, "version %lld : état « %s » inconnu", (long long)v->version, v->state ? v->state : "");
			goto out;
		}
		if (!v->at || !iso_ok(v->at)) {
			reject(im, r, "version %lld : date « %s » invalide (AAAA-MM-JJTHH:MM:SSZ attendue)", (long long)v->version,
			       v->at ? v->at : "");
			goto out;
		}
		json_t *in = input_of(v);
		struct verrors errs = { 0 };
		json_t *doc = model_validate(in, NULL, &errs);
		json_decref(in);
		if (!doc) {
			const struct verror *e = &errs.items[0];
			reject(im, r, "version %lld, champ %s : %s", (long long)v->version, e->field, e->message);
			goto out;
		}
		json_t *prov = json_object_get(v->src, "provenance");
		if (json_is_object(prov)) json_object_set(doc, "provenance", prov);

		if (v->version <= current) {
			/* the database has this version: it must be the same */
			const json_t *mine = NULL;
			for (int j = 0; j < nhv; j++)
				if (hv[j].version == v->version) mine = hv[j].doc;
			bool same = true;
			if (mine) {
				json_t *a = comparable(doc), *b = comparable(mine);
				same = json_equal(a, b);
				json_decref(a);
				json_decref(b);
			}
			json_decref(doc);
			if (!same) {
				reject(im, r, "la version %lld diffère de celle de cette base (l'historique n'est jamais réécrit)",
				       (long long)v->version);
				goto out;
			}
			continue;
		}
		/* organisations first (a missing body of the reference is an error) */
		const char *owner = doc_str(doc, "owner");
		if (owner && ensure_org(im, r, owner, r->owner_obj, fatal) < 0) {
			json_decref(doc);
			goto out;
		}
		json_t *partners = json_object_get(doc, "partner_orgs");
		size_t j;
		json_t *pk;
		json_array_foreach(partners, j, pk) {
			if (json_is_string(pk) &&
			    ensure_org(im, r, json_string_value(pk), rendered_partner(r, json_string_value(pk)), fatal) < 0) {
				json_decref(doc);
				goto out;
			}
		}
		struct uc_save p = { 0 };
		p.id = current ? r->id : 0;
		p.want_id = current ? 0 : r->id;
		p.want_version = v->version;
		p.state = v->state;
		p.retract_reason = v->retract_reason;
		p.at = v->at;
		p.note = v->note;
		p.import_key = current ? NULL : key;
		p.in_tx = true;
		p.origin_id = current ? 0 : r->origin;
		p.created_at = current ? NULL : r->created_at;
		p.published_at = r->published_at;
		memset(&errs, 0, sizeof errs);
		int64_t id_out = 0, ver_out = 0;
		int src = store_usecase_save(im->db, doc, &p, &errs, &id_out, &ver_out);
		json_decref(doc);
		if (src == STORE_INVALID) {
			reject(im, r, "version %lld, champ %s : %s", (long long)v->version, errs.items[0].field,
			       errs.items[0].message);
			goto out;
		}
		if (src != STORE_OK || id_out != r->id) {
			*fatal = true;
			reject(im, r, "erreur de base de données à l'enregistrement de la version %lld", (long long)v->version);
			goto out;
		}
		current = v->version;
		appended++;
	}
	bool label_changed = false;
	if (r->label) {
		/* the curators' decisions on the label, as the record export shows
		 * them: a review of the current indicators unless it says none or
		 * an outdated one; an exception by its basis. Restored when they
		 * differ from what this database has (so a re-import is a no-op). */
		bool want_review = true;
		size_t j;
		json_t *m;
		json_array_foreach(json_object_get(r->label, "missing"), j, m) {
			const char *code = str_of(m, "code");
			if (code && (!strcmp(code, "impact.not_reviewed") || !strcmp(code, "impact.review_outdated")))
				want_review = false;
		}
		const char *basis = str_of(r->label, "basis");
		const char *want_override = basis && (!strcmp(basis, "granted") || !strcmp(basis, "withdrawn")) ? basis : NULL;
		struct uc_impact ix = { 0 };
		struct uc_full cur = { 0 };
		if (store_impact_get(im->db, r->id, &ix) < 0 || store_usecase_load(im->db, r->id, &cur) != 1) {
			store_impact_free(&ix);
			*fatal = true;
			reject(im, r, "erreur de base de données (label « impact démontré »)");
			goto out;
		}
		char h[17];
		impact_hash(cur.doc, h);
		store_usecase_free(&cur);
		char have_override[16];
		snprintf(have_override, sizeof have_override, "%s", ix.override ? ix.override : "");
		bool have_review = ix.reviewed_hash && strcmp(ix.reviewed_hash, h) == 0;
		store_impact_free(&ix);
		bool review = want_review && !have_review;
		if (review || strcmp(want_override ? want_override : "", have_override) != 0) {
			if (store_impact_restore(im->db, r->id, review, want_override,
			                         want_override ? "Décision de l'équipe de l'observatoire reprise d'un export IA·T." : NULL,
			                         r->v[r->nv - 1].at) < 0) {
				*fatal = true;
				reject(im, r, "erreur de base de données (label « impact démontré »)");
				goto out;
			}
			label_changed = true;
		}
	}
	if (!have_old) im->st->created++;
	else if (appended || label_changed) im->st->updated++;
	else im->st->unchanged++;
	ret = 0;
out:
	if (have_old) store_usecase_free(&old);
	if (hv) history_free(hv, nhv);
	return ret;
}

/* ==== Entry point ==== */

int import_iat_json(db_t *db, const char *path, const struct import_opts *o, struct import_stats *st, char **err)
{
	static const struct import_opts defaults = { 0 };
	if (!o) o = &defaults;
	memset(st, 0, sizeof *st);
	*err = NULL;
	uint64_t t0 = mono_ns();
	struct iimp im = { 0 };
	im.db = db;
	im.o = o;
	im.st = st;
	bool began = false;
	int ret = -1;
	size_t len;
	char *data = read_file(path, &len);
	if (!data) {
		im.err = xasprintf("%s : lecture impossible (%s)", path, strerror(errno));
		goto out;
	}
	if (read_items(&im, data, len) < 0 || group(&im) < 0) goto out;
	char *loaded = NULL;
	int mrc = db_meta_get(db, "orgs_loaded_at", &loaded);
	free(loaded);
	if (mrc != 1) {
		im.err = xstrdup(mrc < 0 ? "erreur de base de données (lecture de meta)"
		                         : "les organisations officielles ne sont pas chargées (iat orgs load)");
		goto out;
	}
	if (db_begin(db) < 0) {
		im.err = xasprintf("erreur de base de données : %s", sqlite3_errmsg(db_sqlite(db)));
		goto out;
	}
	began = true;
	bool shown = false;
	for (size_t i = 0; i < im.nrecs; i++) {
		st->rows++;
		if (db_exec(db, "SAVEPOINT import_row") < 0) {
			im.err = xasprintf("erreur de base de données : %s", sqlite3_errmsg(db_sqlite(db)));
			goto out;
		}
		bool fatal = false;
		if (import_record(&im, &im.recs[i], &fatal) < 0) {
			if (fatal || db_exec(db, "ROLLBACK TO import_row") < 0) goto out;
			import_reject(st, im.recs[i].where, im.err);
			im.err = NULL;
		}
		if (db_exec(db, "RELEASE import_row") < 0) {
			im.err = xasprintf("erreur de base de données : %s", sqlite3_errmsg(db_sqlite(db)));
			goto out;
		}
		if (o->progress && (i % 100 == 99 || i + 1 == im.nrecs)) {
			fprintf(stderr, "\rimport : %zu/%zu", i + 1, im.nrecs);
			shown = true;
		}
	}
	if (shown) fputc('\n', stderr);
	if (st->rejected && !o->skip_invalid) {
		im.err = xasprintf("%d enregistrement%s refusé%s : rien n'a été importé", st->rejected,
		                   st->rejected > 1 ? "s" : "", st->rejected > 1 ? "s" : "");
		goto out;
	}
	if (o->dry_run) {
		db_rollback(db);
	} else if (db_commit(db) < 0) {
		im.err = xasprintf("erreur de base de données à la validation : %s", sqlite3_errmsg(db_sqlite(db)));
		goto out;
	}
	began = false;
	ret = 0;
out:
	if (began) db_rollback(db);
	if (ret < 0) *err = im.err ? im.err : xstrdup("import impossible");
	else free(im.err);
	for (size_t i = 0; i < im.nrecs; i++) free(im.recs[i].v);
	free(im.recs);
	free(im.where);
	json_decref(im.items);
	free(data);
	st->seconds = (double)(mono_ns() - t0) / 1e9;
	return ret;
}
