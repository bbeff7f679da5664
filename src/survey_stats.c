/*
 * survey_stats.c — the statistics engine of one survey campaign: reading
 * the definition, the columnar conversion of the answers, the figures,
 * year over year (see survey_stats.h for the rules). The writers are in
 * survey_stats_out.c.
 *
 * Design notes
 * - Column of a question: st[i] (0 hidden, 1 shown but not answered,
 *   2 answered) and one value: iv[i] (single: option index; scale: 1..5),
 *   mask[i] (multiple: bit per option, at most 50 < 64), num[i] (number).
 *   Numbers and scales also keep the indices of their answers sorted by
 *   value (sorted once at conversion), so each cell's median is read
 *   without sorting at compute time.
 * - One pass per question: every answer adds to at most four cells (all,
 *   kind, band, région); shares come from the sums n, x, Σw, Σw², Σw·y
 *   (stats_share_sums), numbers from per-cell runs filled in sorted order
 *   (stats_numeric_sorted).
 * - A suppressed cell is wiped (every figure zero, flag set) right after
 *   it is computed, so no writer can leak it by mistake.
 */
#include "survey_stats.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "org.h"
#include "util.h"

static const char *const band_codes[SV_NBANDS] = { "lt_3500", "3500_20000", "20000_100000", "gt_100000", "unknown" };
static const char *const kind_order[] = { "commune", "epci", "ept", "departement", "region", "syndicat", "operateur", "autre" };

static const struct {
	const char *code, *name;
} region_names[] = {
	{ "01", "Guadeloupe" },         { "02", "Martinique" },
	{ "03", "Guyane" },             { "04", "La Réunion" },
	{ "06", "Mayotte" },            { "11", "Île-de-France" },
	{ "24", "Centre-Val de Loire" }, { "27", "Bourgogne-Franche-Comté" },
	{ "28", "Normandie" },          { "32", "Hauts-de-France" },
	{ "44", "Grand Est" },          { "52", "Pays de la Loire" },
	{ "53", "Bretagne" },           { "75", "Nouvelle-Aquitaine" },
	{ "76", "Occitanie" },          { "84", "Auvergne-Rhône-Alpes" },
	{ "93", "Provence-Alpes-Côte d’Azur" }, { "94", "Corse" },
};

static const char *region_label(const char *code)
{
	for (size_t i = 0; i < sizeof region_names / sizeof region_names[0]; i++)
		if (strcmp(region_names[i].code, code) == 0) return region_names[i].name;
	return code;
}

static int band_index(const char *band)
{
	if (!band) return SV_NBANDS - 1;
	for (int i = 0; i < SV_NBANDS - 1; i++)
		if (strcmp(band_codes[i], band) == 0) return i;
	return SV_NBANDS - 1;
}

static const char *band_label(int b)
{
	const char *l = b < SV_NBANDS - 1 ? org_band_label(band_codes[b]) : NULL;
	return l ? l : "population inconnue";
}

static int kind_rank(const char *k)
{
	for (size_t i = 0; i < sizeof kind_order / sizeof kind_order[0]; i++)
		if (strcmp(kind_order[i], k) == 0) return (int)i;
	return 100;
}

/* ==== the definition ==== */

static char *dupstr(const json_t *v)
{
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static void free_strs(char **s, int n)
{
	for (int i = 0; i < n; i++) free(s[i]);
	free(s);
}

void sv_def_free(struct sv_def *d)
{
	if (!d) return;
	for (int i = 0; i < d->nq; i++) {
		struct sv_question *q = &d->q[i];
		free(q->code);
		free(q->label);
		free(q->unit);
		free_strs(q->opt_code, q->nopt);
		free_strs(q->opt_label, q->nopt);
	}
	free(d->q);
	free(d->code);
	free(d->title);
	free_strs(d->tkinds, d->ntkinds);
	free_strs(d->tbands, d->ntbands);
	free_strs(d->tregions, d->ntregions);
	free(d);
}

int sv_question_index(const struct sv_def *d, const char *code)
{
	for (int i = 0; i < d->nq; i++)
		if (strcmp(d->q[i].code, code) == 0) return i;
	return -1;
}

static int opt_index(const struct sv_question *q, const char *code)
{
	for (int i = 0; i < q->nopt; i++)
		if (strcmp(q->opt_code[i], code) == 0) return i;
	return -1;
}

static char **str_list(const json_t *a, int *n)
{
	*n = 0;
	if (!json_is_array(a) || json_array_size(a) == 0) return NULL;
	char **out = xcalloc(json_array_size(a), sizeof *out);
	size_t i;
	const json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_string(v)) out[(*n)++] = xstrdup(json_string_value(v));
	return out;
}

static struct sv_def *def_fail(struct sv_def *d, json_t *root, char **err, const char *msg, const char *code)
{
	if (err) *err = code ? xasprintf("%s (question « %s »)", msg, code) : xstrdup(msg);
	sv_def_free(d);
	json_decref(root);
	return NULL;
}

struct sv_def *sv_def_parse(const char *json, size_t len, char **err)
{
	if (err) *err = NULL;
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je);
	if (!json_is_object(root)) return def_fail(NULL, root, err, "La définition de campagne n’est pas un objet JSON.", NULL);
	struct sv_def *d = xcalloc(1, sizeof *d);
	d->code = xstrdup(json_is_string(json_object_get(root, "code")) ? json_string_value(json_object_get(root, "code")) : "");
	d->title = xstrdup(json_is_string(json_object_get(root, "title")) ? json_string_value(json_object_get(root, "title")) : "");
	d->year = json_is_integer(json_object_get(root, "year")) ? (int)json_integer_value(json_object_get(root, "year")) : 0;
	const json_t *t = json_object_get(root, "target");
	if (json_is_object(t)) {
		d->tkinds = str_list(json_object_get(t, "kinds"), &d->ntkinds);
		d->tbands = str_list(json_object_get(t, "bands"), &d->ntbands);
		d->tregions = str_list(json_object_get(t, "regions"), &d->ntregions);
	}
	const json_t *qs = json_object_get(root, "questions");
	if (!json_is_array(qs) || json_array_size(qs) == 0)
		return def_fail(d, root, err, "La définition de campagne n’a pas de questions.", NULL);
	d->q = xcalloc(json_array_size(qs), sizeof *d->q);
	size_t qi;
	const json_t *jq;
	json_array_foreach(qs, qi, jq) {
		struct sv_question *q = &d->q[d->nq];
		const char *code = json_string_value(json_object_get(jq, "code"));
		const char *kind = json_string_value(json_object_get(jq, "kind"));
		if (!code || !*code || !kind) return def_fail(d, root, err, "Une question n’a pas de code ou de type.", NULL);
		if (sv_question_index(d, code) >= 0) return def_fail(d, root, err, "Code de question en double", code);
		q->code = xstrdup(code);
		d->nq++;
		q->label = dupstr(json_object_get(jq, "label"));
		if (!q->label) q->label = xstrdup(code);
		q->unit = dupstr(json_object_get(jq, "unit"));
		q->show_q = -1;
		if (strcmp(kind, "single") == 0) q->kind = SV_SINGLE;
		else if (strcmp(kind, "multiple") == 0) q->kind = SV_MULTIPLE;
		else if (strcmp(kind, "number") == 0) q->kind = SV_NUMBER;
		else if (strcmp(kind, "scale") == 0) q->kind = SV_SCALE;
		else if (strcmp(kind, "text") == 0) q->kind = SV_TEXT;
		else if (strcmp(kind, "longtext") == 0) q->kind = SV_LONGTEXT;
		else return def_fail(d, root, err, "Type de question inconnu", code);
		if (q->kind == SV_SINGLE || q->kind == SV_MULTIPLE) {
			const json_t *os = json_object_get(jq, "options");
			size_t no = json_is_array(os) ? json_array_size(os) : 0;
			if (no < 1 || no > SV_MAX_OPTIONS) return def_fail(d, root, err, "Nombre d’options invalide", code);
			q->opt_code = xcalloc(no, sizeof *q->opt_code);
			q->opt_label = xcalloc(no, sizeof *q->opt_label);
			size_t oi;
			const json_t *o;
			json_array_foreach(os, oi, o) {
				const char *oc = json_string_value(json_object_get(o, "code"));
				if (!oc || !*oc || opt_index(q, oc) >= 0)
					return def_fail(d, root, err, "Option sans code ou en double", code);
				q->opt_code[q->nopt] = xstrdup(oc);
				q->opt_label[q->nopt] = dupstr(json_object_get(o, "label"));
				if (!q->opt_label[q->nopt]) q->opt_label[q->nopt] = xstrdup(oc);
				q->nopt++;
			}
		} else if (q->kind == SV_SCALE) {
			q->nopt = 5;
			q->opt_code = xcalloc(5, sizeof *q->opt_code);
			q->opt_label = xcalloc(5, sizeof *q->opt_label);
			for (int k = 0; k < 5; k++) {
				q->opt_code[k] = xasprintf("%d", k + 1);
				q->opt_label[k] = xasprintf("%d", k + 1);
			}
		}
		const json_t *si = json_object_get(jq, "show_if");
		if (json_is_object(si)) {
			const char *pq = json_string_value(json_object_get(si, "question"));
			const char *pv = json_string_value(json_object_get(si, "value"));
			int p = pq ? sv_question_index(d, pq) : -1;
			/* an earlier choice question only (the question itself is counted in nq) */
			if (p < 0 || p >= d->nq - 1 || (d->q[p].kind != SV_SINGLE && d->q[p].kind != SV_MULTIPLE) || !pv ||
			    opt_index(&d->q[p], pv) < 0)
				return def_fail(d, root, err, "Condition d’affichage invalide", code);
			q->show_q = p;
			q->show_opt = opt_index(&d->q[p], pv);
		}
	}
	json_decref(root);
	return d;
}

/* ==== conversion ==== */

struct col {
	uint8_t *st;        /* 0 hidden, 1 shown, 2 answered */
	int32_t *iv;        /* single: option; scale: 1..5 */
	uint64_t *mask;     /* multiple */
	double *num;        /* number */
	uint32_t *sorted;   /* number, scale: answered respondents by value */
	size_t nsorted;
};

struct sv_data {
	const struct sv_def *def;
	size_t n;                   /* submitted respondents */
	uint16_t *kind;             /* index in kinds */
	uint8_t *band;
	int16_t *region;            /* index in regions, -1 */
	int16_t *dep;               /* map index, -1 */
	int nkinds, nregions;
	char **kinds, **regions;
	int64_t *pop_kb;            /* [nkinds * SV_NBANDS] */
	int64_t *pop_region;        /* [nregions] */
	int64_t *dep_pop;           /* [map_dep_count()] */
	struct col *col;
};

static bool in_list(char **l, int n, const char *s)
{
	if (n == 0) return true;
	if (!s) return false;
	for (int i = 0; i < n; i++)
		if (strcmp(l[i], s) == 0) return true;
	return false;
}

static int list_add(char ***l, int *n, const char *s)
{
	for (int i = 0; i < *n; i++)
		if (strcmp((*l)[i], s) == 0) return i;
	*l = xrealloc(*l, (size_t)(*n + 1) * sizeof **l);
	(*l)[*n] = xstrdup(s);
	return (*n)++;
}

static int list_find(char **l, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(l[i], s) == 0) return i;
	return -1;
}

static int cmp_kind(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int rx = kind_rank(x), ry = kind_rank(y);
	return rx != ry ? (rx > ry) - (rx < ry) : strcmp(x, y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct sortkey {
	double v;
	uint32_t i;
};

static int cmp_key(const void *a, const void *b)
{
	const struct sortkey *x = a, *y = b;
	if (x->v != y->v) return (x->v > y->v) - (x->v < y->v);
	return (x->i > y->i) - (x->i < y->i);
}

static bool pop_in_target(const struct sv_def *def, const struct sv_pop *p)
{
	return in_list(def->tkinds, def->ntkinds, p->kind) && in_list(def->tbands, def->ntbands, p->band) &&
	       in_list(def->tregions, def->ntregions, p->region);
}

/* One answer value into column c, respondent i. */
static void convert_answer(const struct sv_question *q, struct col *c, size_t i, const json_t *v)
{
	switch (q->kind) {
	case SV_SINGLE: {
		int o = json_is_string(v) ? opt_index(q, json_string_value(v)) : -1;
		if (o >= 0) c->iv[i] = o, c->st[i] = 2;
		break;
	}
	case SV_MULTIPLE: {
		uint64_t m = 0;
		size_t k;
		const json_t *e;
		if (json_is_array(v)) json_array_foreach(v, k, e) {
				int o = json_is_string(e) ? opt_index(q, json_string_value(e)) : -1;
				if (o >= 0) m |= (uint64_t)1 << o;
			}
		if (m) c->mask[i] = m, c->st[i] = 2;
		break;
	}
	case SV_NUMBER:
		if (json_is_number(v) && isfinite(json_number_value(v))) c->num[i] = json_number_value(v), c->st[i] = 2;
		break;
	case SV_SCALE: {
		double x = json_is_number(v) ? json_number_value(v) : 0;
		if (x >= 1 && x <= 5 && x == floor(x)) c->iv[i] = (int32_t)x, c->st[i] = 2;
		break;
	}
	case SV_TEXT:
	case SV_LONGTEXT:
		if (json_is_string(v) && json_string_length(v) > 0) c->st[i] = 2;
		break;
	}
}

static bool shown(const struct sv_def *def, const struct sv_data *d, int q, size_t i)
{
	const struct sv_question *qq = &def->q[q];
	if (qq->show_q < 0) return true;
	const struct col *p = &d->col[qq->show_q];
	if (p->st[i] != 2) return false;
	if (def->q[qq->show_q].kind == SV_SINGLE) return p->iv[i] == qq->show_opt;
	return (p->mask[i] >> qq->show_opt) & 1;
}

/* ---- the answers scanner ----
 * The answers of 36,000 organisations are ~30 MB of JSON: jansson builds
 * a tree of every value (about 1 s here). The contract's object is flat
 * — code → string, number, or array of strings — so a scanner reads it
 * in place, writing straight into the columns (st = 2 for a valid value,
 * show_if applied after). Anything else it meets (an escaped key or
 * option code, true/false/null, a nested object, a syntax error) makes it
 * give up (-1): that response is then read by jansson, so the two paths
 * agree on every valid JSON input (tested; fuzzed by
 * tests/fuzz/fuzz_survey.c). On invalid JSON the scanner may be more
 * lenient than jansson inside a text answer (bad escapes, bad UTF-8: the
 * text is only counted); the stored answers are the survey core's
 * validated JSON. */

struct qhash {
	int size;              /* power of two */
	int *slot;             /* question index + 1, 0 empty */
};

static uint32_t hash_bytes(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

static void qhash_build(struct qhash *h, const struct sv_def *def)
{
	h->size = 16;
	while (h->size < 4 * def->nq) h->size *= 2;
	h->slot = xcalloc((size_t)h->size, sizeof *h->slot);
	for (int q = 0; q < def->nq; q++) {
		uint32_t k = hash_bytes(def->q[q].code, strlen(def->q[q].code)) & (uint32_t)(h->size - 1);
		while (h->slot[k]) k = (k + 1) & (uint32_t)(h->size - 1);
		h->slot[k] = q + 1;
	}
}

static int qhash_find(const struct qhash *h, const struct sv_def *def, const char *p, size_t n)
{
	uint32_t k = hash_bytes(p, n) & (uint32_t)(h->size - 1);
	for (; h->slot[k]; k = (k + 1) & (uint32_t)(h->size - 1)) {
		const char *c = def->q[h->slot[k] - 1].code;
		if (strlen(c) == n && memcmp(c, p, n) == 0) return h->slot[k] - 1;
	}
	return -1;
}

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
	return p;
}

/* A string at p ('"'): its raw content [*s, *s + *n), escapes left as
 * they are (*esc set when there is one). Returns the position after the
 * closing quote, or NULL. */
static const char *scan_string(const char *p, const char *e, const char **s, size_t *n, bool *esc)
{
	if (p >= e || *p != '"') return NULL;
	p++;
	*s = p;
	*esc = false;
	while (p < e && *p != '"') {
		if ((unsigned char)*p < 0x20) return NULL;
		if (*p == '\\') {
			*esc = true;
			p++;
			if (p >= e) return NULL;
		}
		p++;
	}
	if (p >= e) return NULL;
	*n = (size_t)(p - *s);
	return p + 1;
}

static int opt_index_n(const struct sv_question *q, const char *s, size_t n)
{
	for (int i = 0; i < q->nopt; i++)
		if (strlen(q->opt_code[i]) == n && memcmp(q->opt_code[i], s, n) == 0) return i;
	return -1;
}

static int fast_answers(struct sv_data *d, const struct qhash *qh, size_t i, const char *p, size_t len)
{
	const struct sv_def *def = d->def;
	const char *e = p + len;
	p = skip_ws(p, e);
	if (p >= e || *p != '{') return -1;
	p = skip_ws(p + 1, e);
	if (p < e && *p == '}') return skip_ws(p + 1, e) == e ? 0 : -1;
	for (;;) {
		const char *ks;
		size_t kn;
		bool esc;
		p = scan_string(p, e, &ks, &kn, &esc);
		if (!p || esc) return -1;
		p = skip_ws(p, e);
		if (p >= e || *p != ':') return -1;
		p = skip_ws(p + 1, e);
		if (p >= e) return -1;
		int q = qhash_find(qh, def, ks, kn);
		const struct sv_question *qq = q >= 0 ? &def->q[q] : NULL;
		struct col *c = q >= 0 ? &d->col[q] : NULL;
		if (q >= 0) c->st[i] = 0; /* a repeated key: the last one counts, as in jansson */
		if (*p == '"') {
			const char *vs;
			size_t vn;
			p = scan_string(p, e, &vs, &vn, &esc);
			if (!p) return -1;
			if (qq && qq->kind == SV_SINGLE) {
				if (esc) return -1;
				int o = opt_index_n(qq, vs, vn);
				if (o >= 0) c->iv[i] = o, c->st[i] = 2;
			} else if (qq && (qq->kind == SV_TEXT || qq->kind == SV_LONGTEXT) && vn > 0) {
				c->st[i] = 2;
			}
		} else if (*p == '[') {
			uint64_t m = 0;
			p = skip_ws(p + 1, e);
			if (p < e && *p == ']') {
				p++;
			} else {
				for (;;) {
					const char *vs;
					size_t vn;
					if (p >= e || *p != '"') return -1;
					p = scan_string(p, e, &vs, &vn, &esc);
					if (!p || esc) return -1;
					int o = qq && qq->kind == SV_MULTIPLE ? opt_index_n(qq, vs, vn) : -1;
					if (o >= 0) m |= (uint64_t)1 << o;
					p = skip_ws(p, e);
					if (p < e && *p == ',') {
						p = skip_ws(p + 1, e);
						continue;
					}
					if (p < e && *p == ']') {
						p++;
						break;
					}
					return -1;
				}
			}
			if (qq && qq->kind == SV_MULTIPLE && m) c->mask[i] = m, c->st[i] = 2;
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			/* JSON's grammar exactly: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
			const char *st = p;
			if (*p == '-') p++;
			if (p < e && *p == '0') p++;
			else if (p < e && *p >= '1' && *p <= '9') while (p < e && *p >= '0' && *p <= '9') p++;
			else return -1;
			if (p < e && *p == '.') {
				p++;
				if (p >= e || *p < '0' || *p > '9') return -1;
				while (p < e && *p >= '0' && *p <= '9') p++;
			}
			if (p < e && (*p == 'e' || *p == 'E')) {
				p++;
				if (p < e && (*p == '+' || *p == '-')) p++;
				if (p >= e || *p < '0' || *p > '9') return -1;
				while (p < e && *p >= '0' && *p <= '9') p++;
			}
			char tmp[64];
			size_t n = (size_t)(p - st);
			if (n >= sizeof tmp) return -1;
			memcpy(tmp, st, n);
			tmp[n] = 0;
			double x = strtod(tmp, NULL);
			if (!isfinite(x)) return -1;
			if (qq && qq->kind == SV_NUMBER) c->num[i] = x, c->st[i] = 2;
			else if (qq && qq->kind == SV_SCALE && x >= 1 && x <= 5 && x == floor(x)) c->iv[i] = (int32_t)x, c->st[i] = 2;
		} else {
			return -1;
		}
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		if (p < e && *p == '}') return skip_ws(p + 1, e) == e ? 0 : -1;
		return -1;
	}
}

struct sv_data *sv_load(const struct sv_def *def, const struct sv_response *r, size_t nr, const struct sv_pop *pop,
                        size_t npop)
{
	if (!def || def->nq == 0) return NULL;
	struct sv_data *d = xcalloc(1, sizeof *d);
	d->def = def;
	/* dimensions: kinds and régions of the target population and of the respondents */
	for (size_t k = 0; k < npop; k++) {
		if (!pop[k].kind || !pop_in_target(def, &pop[k])) continue;
		list_add(&d->kinds, &d->nkinds, pop[k].kind);
		if (pop[k].region) list_add(&d->regions, &d->nregions, pop[k].region);
	}
	for (size_t k = 0; k < nr; k++) {
		if (!r[k].submitted) continue;
		d->n++;
		list_add(&d->kinds, &d->nkinds, r[k].kind ? r[k].kind : "autre");
		if (r[k].region) list_add(&d->regions, &d->nregions, r[k].region);
	}
	if (d->nkinds > 1) qsort(d->kinds, (size_t)d->nkinds, sizeof *d->kinds, cmp_kind);
	if (d->nregions > 1) qsort(d->regions, (size_t)d->nregions, sizeof *d->regions, cmp_str);
	int ndep = map_dep_count();
	d->pop_kb = xcalloc((size_t)d->nkinds * SV_NBANDS, sizeof *d->pop_kb);
	d->pop_region = xcalloc((size_t)(d->nregions ? d->nregions : 1), sizeof *d->pop_region);
	d->dep_pop = xcalloc((size_t)ndep, sizeof *d->dep_pop);
	for (size_t k = 0; k < npop; k++) {
		if (!pop[k].kind || !pop_in_target(def, &pop[k])) continue;
		int ki = list_find(d->kinds, d->nkinds, pop[k].kind);
		d->pop_kb[ki * SV_NBANDS + band_index(pop[k].band)] += pop[k].n;
		if (pop[k].region) d->pop_region[list_find(d->regions, d->nregions, pop[k].region)] += pop[k].n;
		int di = pop[k].departement ? map_dep_index(pop[k].departement) : -1;
		if (di >= 0) d->dep_pop[di] += pop[k].n;
	}
	size_t n = d->n ? d->n : 1;
	d->kind = xcalloc(n, sizeof *d->kind);
	d->band = xcalloc(n, sizeof *d->band);
	d->region = xcalloc(n, sizeof *d->region);
	d->dep = xcalloc(n, sizeof *d->dep);
	d->col = xcalloc((size_t)def->nq, sizeof *d->col);
	for (int q = 0; q < def->nq; q++) {
		struct col *c = &d->col[q];
		c->st = xcalloc(n, 1);
		switch (def->q[q].kind) {
		case SV_SINGLE:
		case SV_SCALE: c->iv = xcalloc(n, sizeof *c->iv); break;
		case SV_MULTIPLE: c->mask = xcalloc(n, sizeof *c->mask); break;
		case SV_NUMBER: c->num = xcalloc(n, sizeof *c->num); break;
		default: break;
		}
	}
	struct qhash qh;
	qhash_build(&qh, def);
	size_t i = 0;
	for (size_t k = 0; k < nr; k++) {
		if (!r[k].submitted) continue;
		d->kind[i] = (uint16_t)list_find(d->kinds, d->nkinds, r[k].kind ? r[k].kind : "autre");
		d->band[i] = (uint8_t)band_index(r[k].band);
		d->region[i] = (int16_t)(r[k].region ? list_find(d->regions, d->nregions, r[k].region) : -1);
		d->dep[i] = (int16_t)(r[k].departement ? map_dep_index(r[k].departement) : -1);
		const char *txt = r[k].answers;
		size_t tlen = txt ? (r[k].answers_len ? r[k].answers_len : strlen(txt)) : 0;
		if (txt && fast_answers(d, &qh, i, txt, tlen) < 0) {
			/* anything the scanner does not expect: jansson decides */
			for (int q = 0; q < def->nq; q++) d->col[q].st[i] = 0;
			json_error_t je;
			json_t *root = json_loadb(txt, tlen, 0, &je);
			if (json_is_object(root))
				for (int q = 0; q < def->nq; q++) {
					const json_t *v = json_object_get(root, def->q[q].code);
					if (v) convert_answer(&def->q[q], &d->col[q], i, v);
				}
			json_decref(root);
		}
		/* show_if, in question order (a parent's state is final first) */
		for (int q = 0; q < def->nq; q++) {
			struct col *c = &d->col[q];
			if (!shown(def, d, q, i)) c->st[i] = 0; /* hidden: its answer ignored */
			else if (c->st[i] != 2) c->st[i] = 1;
		}
		i++;
	}
	free(qh.slot);
	/* numbers and scales: answers sorted by value once */
	struct sortkey *keys = xmalloc(n * sizeof *keys);
	for (int q = 0; q < def->nq; q++) {
		struct col *c = &d->col[q];
		if (def->q[q].kind != SV_NUMBER && def->q[q].kind != SV_SCALE) continue;
		size_t m = 0;
		for (size_t j = 0; j < d->n; j++)
			if (c->st[j] == 2) keys[m++] = (struct sortkey){ c->num ? c->num[j] : (double)c->iv[j], (uint32_t)j };
		qsort(keys, m, sizeof *keys, cmp_key);
		c->sorted = xmalloc((m ? m : 1) * sizeof *c->sorted);
		for (size_t j = 0; j < m; j++) c->sorted[j] = keys[j].i;
		c->nsorted = m;
	}
	free(keys);
	return d;
}

void sv_data_free(struct sv_data *d)
{
	if (!d) return;
	for (int q = 0; q < d->def->nq; q++) {
		free(d->col[q].st);
		free(d->col[q].iv);
		free(d->col[q].mask);
		free(d->col[q].num);
		free(d->col[q].sorted);
	}
	free(d->col);
	free(d->kind);
	free(d->band);
	free(d->region);
	free(d->dep);
	free_strs(d->kinds, d->nkinds);
	free_strs(d->regions, d->nregions);
	free(d->pop_kb);
	free(d->pop_region);
	free(d->dep_pop);
	free(d);
}

size_t sv_data_respondents(const struct sv_data *d)
{
	return d ? d->n : 0;
}

/* ==== computation ==== */

/* Cell index of each kind, band and région (sv_compute). */
struct cellmap {
	int *kind;                  /* [nkinds] → cell */
	int band[SV_NBANDS];
	int *region;                /* [nregions] → cell */
};

static void wipe(struct sv_cell *c, int nopt)
{
	c->shown = 0;
	c->n = 0;
	c->wn = 0;
	c->suppressed = true;
	for (int o = 0; o < nopt; o++) c->opt[o] = (struct share){ .suppressed = true };
	c->num = (struct numeric){ .suppressed = true };
}

/* Respondents fall into groups of the same stratum and région: every
 * cell is a union of groups and a group has one weight, so a question is
 * counted per group (integers, one increment per answer) and the groups
 * are then added into their cells with the sums of weights. */
struct groups {
	int n;
	uint32_t *of;               /* per respondent: its group */
	uint16_t *cells;            /* per group: its 4 cells (ncells: none) */
	double *w;                  /* per group: the weight of its respondents */
	int64_t *cnt;               /* scratch: per group [0] answered, [1] shown, [2 + o] x */
};

static void compute_question(struct sv_result *r, const struct sv_data *d, const struct groups *g, int q,
                             const struct stratum *strata, int nstrata, double *acc, struct num_obs *runs)
{
	const struct sv_question *qq = &d->def->q[q];
	const struct col *c = &d->col[q];
	int nc = r->ncells, no = qq->nopt;
	struct sv_qresult *res = &r->q[q];
	res->q = qq;
	res->cell = xcalloc((size_t)nc, sizeof *res->cell);
	size_t gs = 2 + (size_t)no;
	memset(g->cnt, 0, (size_t)g->n * gs * sizeof *g->cnt);
	for (size_t i = 0; i < d->n; i++) {
		uint8_t st = c->st[i];
		if (!st) continue;
		int64_t *a = g->cnt + (size_t)g->of[i] * gs;
		a[1]++;
		if (st != 2) continue;
		a[0]++;
		if (qq->kind == SV_SINGLE) a[2 + c->iv[i]]++;
		else if (qq->kind == SV_SCALE) a[1 + c->iv[i]]++;
		else if (qq->kind == SV_MULTIPLE)
			for (uint64_t bits = c->mask[i]; bits; bits &= bits - 1) a[2 + __builtin_ctzll(bits)]++;
	}
	/* acc per cell (and a scratch cell nc for "no such cell"): [0] n,
	 * [1] shown, [2] Σw, [3] Σw², then per option x, Σw y */
	size_t stride = 4 + 2 * (size_t)no;
	memset(acc, 0, ((size_t)nc + 1) * stride * sizeof *acc);
	for (int k = 0; k < g->n; k++) {
		const int64_t *a = g->cnt + (size_t)k * gs;
		if (!a[1]) continue;
		double wk = g->w[k], n = (double)a[0];
		for (int j = 0; j < 4; j++) {
			double *x = acc + (size_t)g->cells[4 * k + j] * stride;
			x[0] += n;
			x[1] += (double)a[1];
			x[2] += n * wk;
			x[3] += n * wk * wk;
			for (int o = 0; o < no; o++) {
				x[4 + 2 * o] += (double)a[2 + o];
				x[5 + 2 * o] += (double)a[2 + o] * wk;
			}
		}
	}
	for (int j = 0; j < nc; j++) {
		struct sv_cell *cell = &res->cell[j];
		const double *a = acc + (size_t)j * stride;
		cell->n = (int64_t)a[0];
		cell->shown = (int64_t)a[1];
		cell->wn = a[2];
		cell->suppressed = cell->n < STATS_MIN_CELL;
		if (no) cell->opt = xcalloc((size_t)no, sizeof *cell->opt);
		for (int o = 0; o < no; o++)
			stats_share_sums(cell->n, (int64_t)a[4 + 2 * o], a[2], a[3], a[5 + 2 * o], r->cells[j].population,
			                 &cell->opt[o]);
	}
	if (qq->kind == SV_NUMBER || qq->kind == SV_SCALE) {
		/* runs: each cell's answers in sorted order, at offsets by cell */
		size_t *off = xcalloc((size_t)nc + 1, sizeof *off);
		for (int j = 0; j < nc; j++) off[j + 1] = off[j] + (size_t)res->cell[j].n;
		size_t *fill = xmalloc(((size_t)nc + 1) * sizeof *fill);
		memcpy(fill, off, ((size_t)nc + 1) * sizeof *fill);
		for (size_t s = 0; s < c->nsorted; s++) {
			size_t i = c->sorted[s];
			const uint16_t *cl = g->cells + 4 * (size_t)g->of[i];
			double v = c->num ? c->num[i] : (double)c->iv[i];
			int h = d->kind[i] * SV_NBANDS + d->band[i];
			for (int j = 0; j < 4; j++)
				if (cl[j] < nc) runs[fill[cl[j]]++] = (struct num_obs){ h, v };
		}
		for (int j = 0; j < nc; j++)
			stats_numeric_sorted(strata, nstrata, runs + off[j], off[j + 1] - off[j], &res->cell[j].num);
		free(off);
		free(fill);
	}
	for (int j = 0; j < nc; j++)
		if (res->cell[j].suppressed) wipe(&res->cell[j], no);
}

struct sv_result *sv_compute(struct sv_data *d)
{
	if (!d) return NULL;
	const struct sv_def *def = d->def;
	struct sv_result *r = xcalloc(1, sizeof *r);
	r->def = def;
	r->data_ = d;
	r->respondents = (int64_t)d->n;
	/* strata: kind × band */
	int ns = d->nkinds * SV_NBANDS;
	struct stratum *s = xcalloc((size_t)(ns ? ns : 1), sizeof *s);
	bool *adjusted = xcalloc((size_t)(ns ? ns : 1), sizeof *adjusted);
	for (int k = 0; k < d->nkinds; k++)
		for (int b = 0; b < SV_NBANDS; b++) {
			int h = k * SV_NBANDS + b;
			s[h] = (struct stratum){ .kind = d->kinds[k], .band = b, .population = d->pop_kb[h] };
		}
	for (size_t i = 0; i < d->n; i++) s[d->kind[i] * SV_NBANDS + d->band[i]].respondents++;
	for (int h = 0; h < ns; h++)
		if (s[h].respondents > s[h].population) {
			s[h].population = s[h].respondents;
			adjusted[h] = true;
		}
	stats_weights(s, ns, &r->wsum);
	r->population = r->wsum.population;
	/* the weights table: strata with authorities or respondents */
	r->strata = xcalloc((size_t)(ns ? ns : 1), sizeof *r->strata);
	for (int h = 0; h < ns; h++) {
		if (!s[h].population && !s[h].respondents) continue;
		struct sv_stratum_row *row = &r->strata[r->nstrata++];
		*row = (struct sv_stratum_row){ .kind = s[h].kind, .band = band_codes[s[h].band], .population = s[h].population,
			                        .respondents = s[h].respondents, .weight = s[h].weight,
			                        .population_adjusted = adjusted[h] };
		row->collapsed = s[h].respondents == 0 && s[h].into >= 0;
		row->covered = s[h].respondents > 0 || s[h].into >= 0;
		if (row->collapsed) {
			row->into_kind = s[s[h].into].kind;
			row->into_band = band_codes[s[s[h].into].band];
		}
	}
	/* cells: all, kinds, bands (with authorities or respondents), régions */
	struct cellmap m;
	m.kind = xcalloc((size_t)(d->nkinds ? d->nkinds : 1), sizeof *m.kind);
	m.region = xcalloc((size_t)(d->nregions ? d->nregions : 1), sizeof *m.region);
	r->cells = xcalloc((size_t)(1 + d->nkinds + SV_NBANDS + d->nregions), sizeof *r->cells);
	r->cells[r->ncells++] = (struct sv_cellkey){ SV_ALL, "", "Ensemble", r->population, r->respondents };
	for (int k = 0; k < d->nkinds; k++) {
		int64_t p = 0;
		for (int b = 0; b < SV_NBANDS; b++) p += s[k * SV_NBANDS + b].population;
		const char *l = org_kind_label(d->kinds[k]);
		m.kind[k] = r->ncells;
		r->cells[r->ncells++] = (struct sv_cellkey){ SV_KIND, d->kinds[k], l ? l : d->kinds[k], p, 0 };
	}
	for (int b = 0; b < SV_NBANDS; b++) {
		int64_t p = 0, n = 0;
		for (int k = 0; k < d->nkinds; k++) {
			p += s[k * SV_NBANDS + b].population;
			n += s[k * SV_NBANDS + b].respondents;
		}
		m.band[b] = -1;
		if (!p && !n) continue;
		m.band[b] = r->ncells;
		r->cells[r->ncells++] = (struct sv_cellkey){ SV_BAND, band_codes[b], band_label(b), p, 0 };
	}
	for (int g = 0; g < d->nregions; g++) {
		m.region[g] = r->ncells;
		r->cells[r->ncells++] =
			(struct sv_cellkey){ SV_REGION, d->regions[g], region_label(d->regions[g]), d->pop_region[g], 0 };
	}
	int ndep = map_dep_count();
	r->dep_population = xcalloc((size_t)ndep, sizeof *r->dep_population);
	r->dep_respondents = xcalloc((size_t)ndep, sizeof *r->dep_respondents);
	memcpy(r->dep_population, d->dep_pop, (size_t)ndep * sizeof *r->dep_population);
	/* groups: stratum × (région or none) */
	struct groups g;
	int nreg1 = d->nregions + 1;
	g.n = ns * nreg1;
	g.of = xmalloc((d->n ? d->n : 1) * sizeof *g.of);
	g.cells = xmalloc(((size_t)g.n * 4 + 1) * sizeof *g.cells);
	g.w = xmalloc(((size_t)g.n + 1) * sizeof *g.w);
	for (int h = 0; h < ns; h++)
		for (int rg = 0; rg < nreg1; rg++) {
			int k = h * nreg1 + rg;
			g.w[k] = s[h].weight;
			uint16_t *cl = g.cells + 4 * (size_t)k;
			cl[0] = 0;
			cl[1] = (uint16_t)m.kind[h / SV_NBANDS];
			cl[2] = (uint16_t)(m.band[h % SV_NBANDS] >= 0 ? m.band[h % SV_NBANDS] : r->ncells);
			cl[3] = (uint16_t)(rg > 0 ? m.region[rg - 1] : r->ncells);
		}
	for (size_t i = 0; i < d->n; i++) {
		g.of[i] = (uint32_t)((d->kind[i] * SV_NBANDS + d->band[i]) * nreg1 + d->region[i] + 1);
		const uint16_t *cl = g.cells + 4 * (size_t)g.of[i];
		for (int j = 1; j < 4; j++)
			if (cl[j] < r->ncells) r->cells[cl[j]].respondents++;
		if (d->dep[i] >= 0) r->dep_respondents[d->dep[i]]++;
	}
	/* a région cell's population never below its respondents (fpc) */
	for (int j = 0; j < r->ncells; j++)
		if (r->cells[j].population < r->cells[j].respondents) r->cells[j].population = r->cells[j].respondents;
	int maxopt = 0;
	for (int q = 0; q < def->nq; q++)
		if (def->q[q].nopt > maxopt) maxopt = def->q[q].nopt;
	double *acc = xmalloc(((size_t)r->ncells + 1) * (4 + 2 * (size_t)maxopt) * sizeof *acc);
	struct num_obs *runs = xmalloc((4 * d->n + 1) * sizeof *runs);
	g.cnt = xmalloc(((size_t)g.n * (2 + (size_t)maxopt) + 1) * sizeof *g.cnt);
	r->nq = def->nq;
	r->q = xcalloc((size_t)def->nq, sizeof *r->q);
	for (int q = 0; q < def->nq; q++) compute_question(r, d, &g, q, s, ns, acc, runs);
	free(g.of);
	free(g.cells);
	free(g.w);
	free(g.cnt);
	free(acc);
	free(runs);
	free(m.kind);
	free(m.region);
	free(s);
	free(adjusted);
	return r;
}

void sv_result_free(struct sv_result *r)
{
	if (!r) return;
	for (int q = 0; q < r->nq; q++) {
		if (!r->q[q].cell) continue;
		for (int j = 0; j < r->ncells; j++) free(r->q[q].cell[j].opt);
		free(r->q[q].cell);
	}
	free(r->q);
	free(r->cells);
	free(r->strata);
	free(r->dep_population);
	free(r->dep_respondents);
	for (int y = 0; y < r->nyoy; y++) free(r->yoy[y].opt);
	free(r->yoy);
	free(r);
}

/* ==== year over year ==== */

void sv_compare(struct sv_result *r, const struct sv_result *prev)
{
	for (int y = 0; y < r->nyoy; y++) free(r->yoy[y].opt);
	free(r->yoy);
	r->yoy = NULL;
	r->nyoy = 0;
	r->has_prev = prev != NULL;
	snprintf(r->prev_code, sizeof r->prev_code, "%s", prev ? prev->def->code : "");
	r->prev_year = prev ? prev->def->year : 0;
	if (!prev) return;
	r->yoy = xcalloc((size_t)r->nq, sizeof *r->yoy);
	for (int q = 0; q < r->nq; q++) {
		const struct sv_question *qq = &r->def->q[q];
		if (qq->kind == SV_TEXT || qq->kind == SV_LONGTEXT) continue;
		int p = sv_question_index(prev->def, qq->code);
		if (p < 0 || prev->def->q[p].kind != qq->kind) continue;
		struct sv_yoy *y = &r->yoy[r->nyoy++];
		y->q = q;
		y->prev_q = p;
		y->before_num = prev->q[p].cell[0].num;
		y->after_num = r->q[q].cell[0].num;
		if (qq->nopt) y->opt = xcalloc((size_t)qq->nopt, sizeof *y->opt);
		for (int o = 0; o < qq->nopt; o++) {
			int po = opt_index(&prev->def->q[p], qq->opt_code[o]);
			if (po < 0) continue;
			struct sv_yoy_opt *yo = &y->opt[y->nopt++];
			yo->opt = o;
			yo->prev_opt = po;
			yo->before = prev->q[p].cell[0].opt[po];
			yo->after = r->q[q].cell[0].opt[o];
			stats_change(&yo->before, &yo->after, &yo->change);
			if (yo->change.suppressed) yo->change = (struct change){ .suppressed = true };
		}
	}
}

/* ==== maps ==== */

void sv_dep_response_rate(const struct sv_result *r, double *values, bool *has)
{
	for (int i = 0; i < map_dep_count(); i++) {
		has[i] = r->dep_population[i] > 0;
		values[i] = has[i] ? 100.0 * (double)r->dep_respondents[i] / (double)r->dep_population[i] : 0;
	}
}

void sv_dep_share(const struct sv_result *r, int q, int opt, double *values, bool *has)
{
	int ndep = map_dep_count();
	int64_t *n = xcalloc((size_t)ndep, sizeof *n), *x = xcalloc((size_t)ndep, sizeof *x);
	const struct sv_data *d = r->data_;
	const struct col *c = &d->col[q];
	const struct sv_question *qq = &r->def->q[q];
	for (size_t i = 0; i < d->n; i++) {
		if (c->st[i] != 2 || d->dep[i] < 0) continue;
		n[d->dep[i]]++;
		bool yes = qq->kind == SV_MULTIPLE ? (c->mask[i] >> opt) & 1
		           : qq->kind == SV_SCALE  ? c->iv[i] == opt + 1
		           : qq->kind == SV_SINGLE ? c->iv[i] == opt
		                                   : false;
		if (yes) x[d->dep[i]]++;
	}
	for (int i = 0; i < ndep; i++) {
		has[i] = n[i] >= STATS_MIN_CELL;
		values[i] = has[i] ? 100.0 * (double)x[i] / (double)n[i] : 0;
	}
	free(n);
	free(x);
}
