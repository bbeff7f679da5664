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
 * - Constant memory: the file is read one item at a time (a line of JSON
 *   Lines, or one element of an array cut out by bracket depth), and the
 *   items of one record — contiguous in every export, ordered by id — are
 *   imported as soon as the next record starts; only the set of ids seen
 *   is kept (a record met twice, or history lines of a record apart from
 *   each other, are an error: sort the file as the export does).
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
	int kind;                /* 0 not yet known, 1 records, 2 history */
	bool history;
	bool lines;              /* JSON Lines: where = line numbers */
	char *err;
	/* the reader (one item at a time: constant memory) */
	FILE *f;
	bool array, started, ended;
	int line, item;
	char *lbuf;              /* getline buffer */
	size_t lcap;
	buf_t vbuf;              /* the array item being read */
	/* ids already imported (a record's items must be together) */
	int64_t *seen;
	size_t nseen, capseen;
};

static int cmp_ver(const void *a, const void *b)
{
	const struct iver *x = a, *y = b;
	return (x->version > y->version) - (x->version < y->version);
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

/* ==== Reading the file, one item at a time ==== */

#define WHERE(im) ((im)->lines ? "ligne" : "enregistrement")

static int skip_ws(FILE *f)
{
	int c;
	while ((c = getc(f)) == ' ' || c == '\t' || c == '\r' || c == '\n')
		;
	return c;
}

/* The first item decides: '[' an array, anything else JSON Lines. */
static int reader_start(struct iimp *im)
{
	im->started = true;
	int c = getc(im->f);
	if (c == 0xEF) { /* UTF-8 BOM */
		if (getc(im->f) != 0xBB || getc(im->f) != 0xBF) {
			im->err = xstrdup("ligne 1 : JSON invalide (octets inattendus au début du fichier)");
			return -1;
		}
	} else if (c != EOF) {
		ungetc(c, im->f);
	}
	c = skip_ws(im->f);
	if (c == EOF) {
		im->err = xstrdup("fichier vide");
		return -1;
	}
	if (c == '[') {
		im->array = true;
		return 0;
	}
	ungetc(c, im->f);
	rewind(im->f); /* lines are counted from the start (the BOM is skipped by the parser below) */
	im->lines = true;
	return 0;
}

/* Read the next array item's text into im->vbuf: a JSON value tracked by
 * bracket depth and strings. 1 read, 0 end of array, -1 error. */
static int read_array_item(struct iimp *im)
{
	buf_reset(&im->vbuf);
	int c = skip_ws(im->f);
	if (im->item > 0) {
		if (c == ']') return 0;
		if (c != ',') goto bad;
		c = skip_ws(im->f);
	} else if (c == ']') {
		return 0;
	}
	int depth = 0;
	bool str = false, esc = false;
	for (;; c = getc(im->f)) {
		if (c == EOF) goto bad;
		char ch = (char)c;
		buf_append(&im->vbuf, &ch, 1);
		if (str) {
			if (esc) esc = false;
			else if (c == '\\') esc = true;
			else if (c == '"') str = false;
		} else if (c == '"') {
			str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth < 0) goto bad;
		}
		if (depth == 0 && !str) {
			if (c == '}' || c == ']' || c == '"') return 1;
			/* a scalar item: up to the next separator */
			int n = getc(im->f);
			if (n == ',' || n == ']' || n == ' ' || n == '\n' || n == '\r' || n == '\t' || n == EOF) {
				if (n != EOF) ungetc(n, im->f);
				return 1;
			}
			ungetc(n, im->f);
		}
	}
bad:
	im->err = xasprintf("enregistrement %d : JSON invalide (tableau mal formé)", im->item + 1);
	return -1;
}

/* The next item (a new reference) and where it is; 1, 0 at the end, -1
 * with im->err. */
static int next_item(struct iimp *im, json_t **out, int *where)
{
	json_error_t je;
	*out = NULL;
	if (!im->started && reader_start(im) < 0) return -1;
	if (im->ended) return 0;
	if (im->array) {
		int rc = read_array_item(im);
		if (rc < 0) return -1;
		if (rc == 0) {
			im->ended = true;
			if (skip_ws(im->f) != EOF) {
				im->err = xstrdup("JSON invalide : texte après la fin du tableau");
				return -1;
			}
			return 0;
		}
		im->item++;
		*where = im->item;
		*out = json_loadb(im->vbuf.data, im->vbuf.len, JSON_REJECT_DUPLICATES, &je);
		if (!*out) {
			im->err = xasprintf("enregistrement %d : JSON invalide (%s)", im->item, je.text);
			return -1;
		}
		return 1;
	}
	for (;;) {
		ssize_t n = getline(&im->lbuf, &im->lcap, im->f);
		if (n < 0) {
			im->ended = true;
			return 0;
		}
		im->line++;
		const char *p = im->lbuf;
		size_t len = (size_t)n;
		if (im->line == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3, len -= 3;
		while (len && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r' || p[len - 1] == '\n')) len--;
		if (!len) continue;
		*where = im->line;
		*out = json_loadb(p, len, JSON_REJECT_DUPLICATES, &je);
		if (!*out) {
			im->err = xasprintf("ligne %d : JSON invalide (%s)", im->line, je.text);
			return -1;
		}
		return 1;
	}
}

/* Check an item against the file (object, schema version, kind, id). 0,
 * or -1 with im->err. */
static int check_item(struct iimp *im, json_t *it, int w, int64_t *id)
{
	if (!json_is_object(it)) {
		im->err = xasprintf("%s %d : un objet JSON est attendu", WHERE(im), w);
		return -1;
	}
	const char *sv = str_of(it, "schema_version");
	if (sv && strncmp(sv, "1.", 2) != 0) {
		im->err = xasprintf("%s %d : version de schéma « %s » non prise en charge (1.x attendue)", WHERE(im), w, sv);
		return -1;
	}
	int kind = json_is_object(json_object_get(it, "doc")) ? 2 : 1;
	if (im->kind && kind != im->kind) {
		im->err = xasprintf("%s %d : le fichier mêle des fiches et des versions d'historique", WHERE(im), w);
		return -1;
	}
	im->kind = kind;
	im->history = kind == 2;
	*id = int_of(json_object_get(it, "id"));
	if (*id <= 0) {
		im->err = xasprintf("%s %d : « id » manquant ou invalide", WHERE(im), w);
		return -1;
	}
	return 0;
}

/* Has id been imported already in this file? (open addressing) */
static bool seen_add(struct iimp *im, int64_t id)
{
	if ((im->nseen + 1) * 2 > im->capseen) {
		size_t cap = im->capseen ? im->capseen * 2 : 1024;
		int64_t *t = xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < im->capseen; i++) {
			if (!im->seen[i]) continue;
			size_t h = (size_t)((uint64_t)im->seen[i] * 0x9E3779B97F4A7C15ull) & (cap - 1);
			while (t[h]) h = (h + 1) & (cap - 1);
			t[h] = im->seen[i];
		}
		free(im->seen);
		im->seen = t;
		im->capseen = cap;
	}
	size_t h = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull) & (im->capseen - 1);
	while (im->seen[h]) {
		if (im->seen[h] == id) return true;
		h = (h + 1) & (im->capseen - 1);
	}
	im->seen[h] = id;
	im->nseen++;
	return false;
}

/* Add item it (kept alive by the caller) as a version of record r. */
static void add_version(struct irec *r, json_t *it, bool history)
{
	if (r->nv == r->capv) r->v = xrealloc(r->v, (r->capv = r->capv ? r->capv * 2 : 2) * sizeof *r->v);
	struct iver *v = &r->v[r->nv++];
	memset(v, 0, sizeof *v);
	v->version = json_is_integer(json_object_get(it, "version")) ? json_integer_value(json_object_get(it, "version")) : 0;
	v->state = str_of(it, "state");
	v->note = str_of(it, "note");
	v->retract_reason = str_of(it, "retract_reason");
	if (history) {
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
			reject(im, r, "réutilise la fiche %lld, absente de cette base (une fiche d'origine doit précéder ses réutilisations dans le fichier)",
			       (long long)r->origin);
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

/* Import record r (its versions gathered) in its own savepoint. 0, or -1
 * on a fatal error (im->err). */
static int flush(struct iimp *im, struct irec *r, long fsize)
{
	qsort(r->v, r->nv, sizeof *r->v, cmp_ver);
	if (!r->created_at && r->v[0].version == 1) r->created_at = r->v[0].at;
	struct import_stats *st = im->st;
	st->rows++;
	if (import_row_begin(im->db, &im->err) < 0) return -1;
	bool fatal = false;
	char *reason = NULL;
	if (import_record(im, r, &fatal) < 0) {
		if (fatal) return -1;
		reason = im->err;
		im->err = NULL;
	}
	if (import_row_end(im->db, st, r->where, reason, &im->err) < 0) return -1;
	if (im->o->progress && fsize > 0 && st->rows % 500 == 0) {
		long pos = ftell(im->f);
		fprintf(stderr, "\rimport : %d fiches, %ld %%", st->rows, pos > 0 ? pos * 100 / fsize : 0);
	}
	return 0;
}

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
	buf_init(&im.vbuf);
	bool began = false;
	int ret = -1;
	struct irec cur = { 0 };
	json_t *held = json_array(); /* the items of the current record */
	long fsize = 0;
	im.f = fopen(path, "rb");
	if (!im.f) {
		im.err = xasprintf("%s : lecture impossible (%s)", path, strerror(errno));
		goto out;
	}
	if (fseek(im.f, 0, SEEK_END) == 0) fsize = ftell(im.f);
	rewind(im.f);
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
	for (;;) {
		json_t *it = NULL;
		int w = 0;
		int rc = next_item(&im, &it, &w);
		if (rc < 0) goto out;
		int64_t id = 0;
		if (rc == 1 && check_item(&im, it, w, &id) < 0) {
			json_decref(it);
			goto out;
		}
		if (cur.nv && (rc == 0 || id != cur.id)) {
			if (flush(&im, &cur, fsize) < 0) goto out;
			free(cur.v);
			memset(&cur, 0, sizeof cur);
			json_array_clear(held);
		}
		if (rc == 0) break;
		if (cur.nv == 0) {
			if (seen_add(&im, id)) {
				im.err = im.history ? xasprintf("ligne %d : les lignes de la fiche %lld ne se suivent pas (le fichier "
				                                "doit être rangé par fiche, comme l'export)", w, (long long)id)
				                    : xasprintf("%s %d : la fiche %lld figure deux fois", WHERE(&im), w, (long long)id);
				json_decref(it);
				goto out;
			}
			cur.id = id;
			cur.where = w;
		} else if (!im.history) {
			im.err = xasprintf("%s %d : la fiche %lld figure deux fois", WHERE(&im), w, (long long)id);
			json_decref(it);
			goto out;
		}
		json_array_append_new(held, it);
		add_version(&cur, it, im.history);
	}
	if (o->progress && fsize > 0 && st->rows >= 500) fputc('\n', stderr);
	if (st->rows == 0) {
		im.err = xstrdup("aucun enregistrement");
		goto out;
	}
	if (import_finish(db, o, st, &im.err) < 0) goto out;
	began = false;
	ret = 0;
out:
	if (began) db_rollback(db);
	if (ret < 0) *err = im.err ? im.err : xstrdup("import impossible");
	else free(im.err);
	free(cur.v);
	json_decref(held);
	if (im.f) fclose(im.f);
	free(im.lbuf);
	buf_free(&im.vbuf);
	free(im.seen);
	st->seconds = (double)(mono_ns() - t0) / 1e9;
	return ret;
}
