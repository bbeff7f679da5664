/*
 * survey.c — campaign definitions, answers and targeting (see survey.h).
 *
 * Design notes
 * - Pure: jansson values in, jansson values and struct verrors out.
 * - Messages name the place first: « question 3 (budget), min : … » for a
 *   question's field (1-based position, then its code when it has a valid
 *   one), « champ FIELD : … » for a campaign field, « « Libellé » : … » for
 *   an answer. Codes are the model's (validation.required, .type, .enum,
 *   .too_long, .format, .unknown_field) plus validation.range,
 *   validation.duplicate and validation.condition.
 * - Lengths are counted in characters (code points), as the contract says.
 */
#include "survey.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org.h"
#include "text.h"
#include "util.h"

#define TITLE_MAX 200
#define LABEL_MAX 500
#define HELP_MAX 2000
#define INTRO_MAX 20000
#define UNIT_MAX 30
#define OPTIONS_MIN 2
#define OPTIONS_MAX 50

static const char *const kind_names[] = { "single", "multiple", "number", "scale", "text", "longtext" };
static const char *const kind_labels[] = { "choix unique", "choix multiple", "nombre", "échelle de 1 à 5",
	                                   "texte court", "texte long" };
static const char *const org_kinds[] = { "commune", "epci", "ept", "departement", "region", "syndicat", "operateur", "autre" };
static const char *const bands[] = { "lt_3500", "3500_20000", "20000_100000", "gt_100000" };

const char *survey_kind_name(enum survey_kind k) { return kind_names[k]; }
const char *survey_kind_label(enum survey_kind k) { return kind_labels[k]; }

bool survey_code_ok(const char *s)
{
	if (!s || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9'))) return false;
	size_t n = 1;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
	}
	return n <= 64;
}

bool survey_date_ok(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
	int md = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	return d <= md;
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0) return true;
	return false;
}

/* ---- error helpers ---- */

/* "question N (code)" or "question N" into out. */
static void qname(char *out, size_t n, int i, const char *code)
{
	if (code && survey_code_ok(code)) snprintf(out, n, "question %d (%s)", i + 1, code);
	else snprintf(out, n, "question %d", i + 1);
}

static void qerr(struct verrors *e, const char *code, int i, const char *qcode, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void qerr(struct verrors *e, const char *code, int i, const char *qcode, const char *field, const char *fmt, ...)
{
	char where[96], msg[200], f[64];
	qname(where, sizeof where, i, qcode);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(f, sizeof f, "questions.%d.%s", i + 1, field);
	verrors_add(e, code, f, "%s, %s : %s", where, field, msg);
}

/* A string value: required non-empty (after trimming), UTF-8, no control
 * characters (newlines allowed when multiline), at most max characters.
 * Returns a heap trimmed copy, NULL when absent/empty (*bad false) or
 * invalid (*bad true, *why set). */
static char *clean_text(const json_t *v, size_t max, bool multiline, bool *bad, const char **why, const char **code)
{
	*bad = false;
	if (!json_is_string(v)) {
		*bad = true;
		*why = "un texte est attendu";
		*code = "validation.type";
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (strlen(s) != len || !text_utf8_valid(s, len)) {
		*bad = true;
		*why = "texte UTF-8 invalide";
		*code = "validation.format";
		return NULL;
	}
	size_t a = 0, b = len;
	while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n' || s[a] == '\r')) a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n' || s[b - 1] == '\r')) b--;
	for (size_t i = a; i < b; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f) {
			*bad = true;
			*why = "caractères de contrôle interdits";
			*code = "validation.format";
			return NULL;
		}
	}
	if (a == b) return NULL;
	if (text_utf8_len(s + a, b - a) > max) {
		*bad = true;
		*why = "texte trop long";
		*code = "validation.too_long";
		return NULL;
	}
	return xstrndup(s + a, b - a);
}

/* ---- definition ---- */

static void free_strs(char **v, int n)
{
	for (int i = 0; i < n; i++) free(v[i]);
	free(v);
}

void survey_def_free(struct survey_def *d)
{
	if (!d) return;
	free(d->code);
	free(d->title);
	free(d->intro);
	free_strs(d->kinds, d->nkinds);
	free_strs(d->bands, d->nbands);
	free_strs(d->regions, d->nregions);
	for (int i = 0; i < d->nq; i++) {
		struct survey_question *q = &d->q[i];
		free(q->code);
		free(q->label);
		free(q->help);
		free(q->unit);
		free(q->show_value);
		for (int k = 0; k < q->noptions; k++) {
			free(q->options[k].code);
			free(q->options[k].label);
		}
		free(q->options);
	}
	free(d->q);
	memset(d, 0, sizeof *d);
}

/* A campaign text field. */
static char *campaign_text(const json_t *in, const char *key, size_t max, bool required, bool multiline,
                           struct verrors *e)
{
	const json_t *v = json_object_get(in, key);
	if (!v || json_is_null(v)) {
		if (required) verrors_add(e, "validation.required", key, "champ %s : obligatoire.", key);
		return NULL;
	}
	bool bad;
	const char *why, *code;
	char *s = clean_text(v, max, multiline, &bad, &why, &code);
	if (bad) {
		if (strcmp(code, "validation.too_long") == 0)
			verrors_add(e, code, key, "champ %s : %zu caractères au plus.", key, max);
		else
			verrors_add(e, code, key, "champ %s : %s.", key, why);
	} else if (!s && required) {
		verrors_add(e, "validation.required", key, "champ %s : obligatoire (texte non vide).", key);
	}
	return s;
}

/* One list of the target: unique strings accepted by ok(). */
static int target_list(const json_t *t, const char *key, bool (*ok)(const char *), const char *what, char ***out,
                       int *n, struct verrors *e)
{
	*out = NULL;
	*n = 0;
	const json_t *v = json_object_get(t, key);
	if (!v || json_is_null(v)) return 0;
	char f[32];
	snprintf(f, sizeof f, "target.%s", key);
	if (!json_is_array(v)) {
		verrors_add(e, "validation.type", f, "champ %s : une liste est attendue.", f);
		return -1;
	}
	size_t sz = json_array_size(v);
	*out = xcalloc(sz + 1, sizeof **out);
	for (size_t i = 0; i < sz; i++) {
		const json_t *it = json_array_get(v, i);
		const char *s = json_string_value(it);
		if (!s || !ok(s)) {
			verrors_add(e, "validation.enum", f, "champ %s : « %.40s » n'est pas %s.", f, s ? s : "?", what);
			continue;
		}
		bool dup = false;
		for (int k = 0; k < *n; k++)
			if (strcmp((*out)[k], s) == 0) dup = true;
		if (dup) {
			verrors_add(e, "validation.duplicate", f, "champ %s : « %s » figure deux fois.", f, s);
			continue;
		}
		(*out)[(*n)++] = xstrdup(s);
	}
	return 0;
}

static bool kind_ok(const char *s) { return in_list(org_kinds, ARRAY_LEN(org_kinds), s); }
static bool band_ok(const char *s) { return in_list(bands, ARRAY_LEN(bands), s); }
static bool region_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 3) return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9') return false;
	return true;
}

static bool keys_ok(const json_t *obj, const char *const *allowed, size_t n, const char **bad)
{
	const char *k;
	const json_t *v;
	json_object_foreach ((json_t *)obj, k, v) {
		(void)v;
		if (!in_list(allowed, n, k)) {
			*bad = k;
			return false;
		}
	}
	return true;
}

static int find_kind(const char *s)
{
	for (int k = 0; k < (int)ARRAY_LEN(kind_names); k++)
		if (strcmp(kind_names[k], s) == 0) return k;
	return -1;
}

static void parse_question(const json_t *in, int i, struct survey_def *d, struct verrors *e)
{
	static const char *const qkeys[] = { "code", "kind", "label", "help", "required", "options",
		                             "unit", "min", "max", "show_if" };
	struct survey_question *q = &d->q[i];
	q->show_q = -1;
	if (!json_is_object(in)) {
		qerr(e, "validation.type", i, NULL, "question", "un objet est attendu.");
		return;
	}
	const char *code = json_string_value(json_object_get(in, "code"));
	const char *bad;
	if (!keys_ok(in, qkeys, ARRAY_LEN(qkeys), &bad))
		qerr(e, "validation.unknown_field", i, code, bad, "champ inconnu.");
	if (!code) {
		qerr(e, "validation.required", i, NULL, "code", "obligatoire.");
	} else if (!survey_code_ok(code)) {
		qerr(e, "validation.format", i, NULL, "code",
		     "« %.64s » ne convient pas (lettres minuscules, chiffres, - et _, 64 caractères au plus).", code);
	} else {
		for (int k = 0; k < i; k++)
			if (d->q[k].code && strcmp(d->q[k].code, code) == 0)
				qerr(e, "validation.duplicate", i, code, "code", "déjà utilisé par la question %d.", k + 1);
		q->code = xstrdup(code);
	}
	const char *kind = json_string_value(json_object_get(in, "kind"));
	int k = kind ? find_kind(kind) : -1;
	if (!kind)
		qerr(e, "validation.required", i, code, "kind", "obligatoire (single, multiple, number, scale, text ou longtext).");
	else if (k < 0)
		qerr(e, "validation.enum", i, code, "kind",
		     "« %.40s » inconnu (single, multiple, number, scale, text ou longtext).", kind);
	q->kind = k < 0 ? SQ_TEXT : (enum survey_kind)k;

	bool badt;
	const char *why, *tcode;
	const json_t *lv = json_object_get(in, "label");
	if (!lv) {
		qerr(e, "validation.required", i, code, "label", "obligatoire.");
	} else {
		q->label = clean_text(lv, LABEL_MAX, false, &badt, &why, &tcode);
		if (badt) qerr(e, tcode, i, code, "label", "%s (%d caractères au plus).", why, LABEL_MAX);
		else if (!q->label) qerr(e, "validation.required", i, code, "label", "obligatoire (texte non vide).");
	}
	const json_t *hv = json_object_get(in, "help");
	if (hv && !json_is_null(hv)) {
		q->help = clean_text(hv, HELP_MAX, true, &badt, &why, &tcode);
		if (badt) qerr(e, tcode, i, code, "help", "%s (%d caractères au plus).", why, HELP_MAX);
	}
	const json_t *rv = json_object_get(in, "required");
	if (rv && !json_is_boolean(rv)) qerr(e, "validation.type", i, code, "required", "true ou false attendu.");
	q->required = json_is_true(rv);

	bool choice = k == SQ_SINGLE || k == SQ_MULTIPLE;
	const json_t *ov = json_object_get(in, "options");
	if (k >= 0 && !choice && ov) {
		qerr(e, "validation.not_allowed", i, code, "options", "seulement pour les questions single et multiple.");
	} else if (choice) {
		if (!json_is_array(ov)) {
			qerr(e, ov ? "validation.type" : "validation.required", i, code, "options",
			     "une liste de %d à %d options est attendue.", OPTIONS_MIN, OPTIONS_MAX);
		} else {
			size_t n = json_array_size(ov);
			if (n < OPTIONS_MIN || n > OPTIONS_MAX)
				qerr(e, "validation.range", i, code, "options", "de %d à %d options (ici %zu).", OPTIONS_MIN,
				     OPTIONS_MAX, n);
			q->options = xcalloc(n + 1, sizeof *q->options);
			for (size_t j = 0; j < n && j < OPTIONS_MAX; j++) {
				const json_t *o = json_array_get(ov, j);
				static const char *const okeys[] = { "code", "label" };
				char f[32];
				snprintf(f, sizeof f, "options.%zu", j + 1);
				if (!json_is_object(o) || !keys_ok(o, okeys, 2, &bad)) {
					qerr(e, "validation.type", i, code, f, "un objet {\"code\", \"label\"} est attendu.");
					continue;
				}
				const char *oc = json_string_value(json_object_get(o, "code"));
				if (!oc || !survey_code_ok(oc)) {
					qerr(e, "validation.format", i, code, f,
					     "code d'option « %.64s » invalide (lettres minuscules, chiffres, - et _).", oc ? oc : "");
					continue;
				}
				bool dup = false;
				for (int m = 0; m < q->noptions; m++)
					if (strcmp(q->options[m].code, oc) == 0) dup = true;
				if (dup) {
					qerr(e, "validation.duplicate", i, code, f, "le code d'option « %s » figure deux fois.", oc);
					continue;
				}
				const json_t *ol = json_object_get(o, "label");
				char *label = ol ? clean_text(ol, LABEL_MAX, false, &badt, &why, &tcode) : NULL;
				if (!label) {
					qerr(e, "validation.required", i, code, f, "libellé de l'option « %s » obligatoire (%d caractères au plus).",
					     oc, LABEL_MAX);
					continue;
				}
				q->options[q->noptions].code = xstrdup(oc);
				q->options[q->noptions].label = label;
				q->noptions++;
			}
		}
	}
	static const char *const numkeys[] = { "unit", "min", "max" };
	for (size_t j = 0; j < 3; j++) {
		const json_t *v = json_object_get(in, numkeys[j]);
		if (!v) continue;
		if (k >= 0 && k != SQ_NUMBER) {
			qerr(e, "validation.not_allowed", i, code, numkeys[j], "seulement pour les questions number.");
			continue;
		}
		if (j == 0) {
			q->unit = clean_text(v, UNIT_MAX, false, &badt, &why, &tcode);
			if (badt) qerr(e, tcode, i, code, "unit", "%s (%d caractères au plus).", why, UNIT_MAX);
		} else if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			qerr(e, "validation.type", i, code, numkeys[j], "un nombre est attendu.");
		} else if (j == 1) {
			q->has_min = true;
			q->min = json_number_value(v);
		} else {
			q->has_max = true;
			q->max = json_number_value(v);
		}
	}
	if (q->has_min && q->has_max && q->min > q->max)
		qerr(e, "validation.range", i, code, "min", "le minimum (%g) dépasse le maximum (%g).", q->min, q->max);

	const json_t *sv = json_object_get(in, "show_if");
	if (sv && !json_is_null(sv)) {
		static const char *const skeys[] = { "question", "value" };
		const char *sq = json_string_value(json_object_get(sv, "question"));
		const char *sval = json_string_value(json_object_get(sv, "value"));
		if (!json_is_object(sv) || !keys_ok(sv, skeys, 2, &bad) || !sq || !sval) {
			qerr(e, "validation.type", i, code, "show_if", "un objet {\"question\", \"value\"} est attendu.");
			return;
		}
		int target = -1;
		for (int m = 0; m < i; m++)
			if (d->q[m].code && strcmp(d->q[m].code, sq) == 0) target = m;
		if (target < 0) {
			qerr(e, "validation.condition", i, code, "show_if",
			     "la question « %.64s » n'est pas une question PRÉCÉDENTE de la campagne.", sq);
			return;
		}
		const struct survey_question *t = &d->q[target];
		if (t->kind != SQ_SINGLE && t->kind != SQ_MULTIPLE) {
			qerr(e, "validation.condition", i, code, "show_if",
			     "la question « %s » n'est pas à choix (single ou multiple).", sq);
			return;
		}
		bool found = false;
		for (int m = 0; m < t->noptions; m++)
			if (strcmp(t->options[m].code, sval) == 0) found = true;
		if (!found) {
			qerr(e, "validation.condition", i, code, "show_if",
			     "« %.64s » n'est pas une option de la question « %s ».", sval, sq);
			return;
		}
		q->show_q = target;
		q->show_value = xstrdup(sval);
	}
}

int survey_def_parse(const json_t *in, struct survey_def *out, struct verrors *e)
{
	memset(out, 0, sizeof *out);
	int before = e->count;
	if (!json_is_object(in)) {
		verrors_add(e, "validation.type", "definition", "La définition doit être un objet JSON.");
		return -1;
	}
	static const char *const keys[] = { "format", "code", "year", "title", "intro",
		                            "opens_on", "closes_on", "target", "questions" };
	const char *bad;
	if (!keys_ok(in, keys, ARRAY_LEN(keys), &bad))
		verrors_add(e, "validation.unknown_field", bad, "champ %.60s : champ inconnu.", bad);
	const char *fmt = json_string_value(json_object_get(in, "format"));
	if (!fmt || strcmp(fmt, SURVEY_FORMAT) != 0)
		verrors_add(e, "validation.format", "format", "champ format : « %s » attendu.", SURVEY_FORMAT);
	const char *code = json_string_value(json_object_get(in, "code"));
	if (!code)
		verrors_add(e, "validation.required", "code", "champ code : obligatoire.");
	else if (!survey_code_ok(code))
		verrors_add(e, "validation.format", "code",
		            "champ code : « %.64s » ne convient pas (lettres minuscules, chiffres, - et _, 64 caractères au plus).",
		            code);
	else
		out->code = xstrdup(code);
	const json_t *y = json_object_get(in, "year");
	if (!json_is_integer(y) || json_integer_value(y) < 2000 || json_integer_value(y) > 2100)
		verrors_add(e, y ? "validation.range" : "validation.required", "year",
		            "champ year : une année entière entre 2000 et 2100 est attendue.");
	else
		out->year = (int)json_integer_value(y);
	out->title = campaign_text(in, "title", TITLE_MAX, true, false, e);
	out->intro = campaign_text(in, "intro", INTRO_MAX, false, true, e);
	static const char *const dkeys[] = { "opens_on", "closes_on" };
	for (int k = 0; k < 2; k++) {
		const char *s = json_string_value(json_object_get(in, dkeys[k]));
		if (!survey_date_ok(s))
			verrors_add(e, s ? "validation.format" : "validation.required", dkeys[k],
			            "champ %s : une date AAAA-MM-JJ est attendue.", dkeys[k]);
		else
			snprintf(k ? out->closes_on : out->opens_on, 11, "%s", s);
	}
	if (out->opens_on[0] && out->closes_on[0] && strcmp(out->opens_on, out->closes_on) > 0)
		verrors_add(e, "validation.range", "closes_on", "champ closes_on : la clôture (%s) précède l'ouverture (%s).",
		            out->closes_on, out->opens_on);
	const json_t *t = json_object_get(in, "target");
	if (t && !json_is_null(t)) {
		static const char *const tkeys[] = { "kinds", "bands", "regions" };
		if (!json_is_object(t)) {
			verrors_add(e, "validation.type", "target", "champ target : un objet est attendu.");
		} else {
			if (!keys_ok(t, tkeys, 3, &bad))
				verrors_add(e, "validation.unknown_field", "target", "champ target.%.40s : champ inconnu.", bad);
			target_list(t, "kinds", kind_ok, "un type d'organisation connu", &out->kinds, &out->nkinds, e);
			target_list(t, "bands", band_ok, "une strate (lt_3500, 3500_20000, 20000_100000, gt_100000)",
			            &out->bands, &out->nbands, e);
			target_list(t, "regions", region_ok, "un code INSEE de région", &out->regions, &out->nregions, e);
		}
	}
	const json_t *qs = json_object_get(in, "questions");
	if (!json_is_array(qs) || json_array_size(qs) == 0) {
		verrors_add(e, "validation.required", "questions", "champ questions : une liste d'au moins une question est attendue.");
	} else if (json_array_size(qs) > SURVEY_MAX_QUESTIONS) {
		verrors_add(e, "validation.range", "questions", "champ questions : %d questions au plus.", SURVEY_MAX_QUESTIONS);
	} else {
		out->nq = (int)json_array_size(qs);
		out->q = xcalloc((size_t)out->nq, sizeof *out->q);
		for (int i = 0; i < out->nq; i++) parse_question(json_array_get(qs, (size_t)i), i, out, e);
	}
	if (e->count > before) {
		survey_def_free(out);
		return -1;
	}
	return 0;
}

int survey_def_parse_text(const char *text, size_t len, struct survey_def *out, struct verrors *e)
{
	json_error_t je;
	memset(out, 0, sizeof *out);
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		verrors_add(e, "validation.json", "definition", "JSON invalide (ligne %d, colonne %d) : %.120s", je.line,
		            je.column, je.text);
		return -1;
	}
	int rc = survey_def_parse(j, out, e);
	json_decref(j);
	return rc;
}

static json_t *str_array(char **v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *num_value(double v)
{
	if (v == floor(v) && fabs(v) < 9e15) return json_integer((json_int_t)v);
	return json_real(v);
}

json_t *survey_def_json(const struct survey_def *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "format", json_string(SURVEY_FORMAT));
	json_object_set_new(o, "code", json_string(d->code));
	json_object_set_new(o, "year", json_integer(d->year));
	json_object_set_new(o, "title", json_string(d->title));
	if (d->intro) json_object_set_new(o, "intro", json_string(d->intro));
	json_object_set_new(o, "opens_on", json_string(d->opens_on));
	json_object_set_new(o, "closes_on", json_string(d->closes_on));
	json_t *t = json_object();
	json_object_set_new(t, "kinds", str_array(d->kinds, d->nkinds));
	json_object_set_new(t, "bands", str_array(d->bands, d->nbands));
	json_object_set_new(t, "regions", str_array(d->regions, d->nregions));
	json_object_set_new(o, "target", t);
	json_t *qs = json_array();
	for (int i = 0; i < d->nq; i++) {
		const struct survey_question *q = &d->q[i];
		json_t *j = json_object();
		json_object_set_new(j, "code", json_string(q->code));
		json_object_set_new(j, "kind", json_string(kind_names[q->kind]));
		json_object_set_new(j, "label", json_string(q->label));
		if (q->help) json_object_set_new(j, "help", json_string(q->help));
		if (q->required) json_object_set_new(j, "required", json_true());
		if (q->kind == SQ_SINGLE || q->kind == SQ_MULTIPLE) {
			json_t *os = json_array();
			for (int k = 0; k < q->noptions; k++)
				json_array_append_new(os, json_pack("{s:s,s:s}", "code", q->options[k].code, "label",
				                                    q->options[k].label));
			json_object_set_new(j, "options", os);
		}
		if (q->unit) json_object_set_new(j, "unit", json_string(q->unit));
		if (q->has_min) json_object_set_new(j, "min", num_value(q->min));
		if (q->has_max) json_object_set_new(j, "max", num_value(q->max));
		if (q->show_q >= 0)
			json_object_set_new(j, "show_if", json_pack("{s:s,s:s}", "question", d->q[q->show_q].code, "value",
			                                            q->show_value));
		json_array_append_new(qs, j);
	}
	json_object_set_new(o, "questions", qs);
	return o;
}

int survey_question_index(const struct survey_def *d, const char *code)
{
	for (int i = 0; i < d->nq; i++)
		if (strcmp(d->q[i].code, code) == 0) return i;
	return -1;
}

/* ---- targeting and dates ---- */

static bool list_has(char **v, int n, const char *s)
{
	if (n == 0) return true;
	if (!s) return false;
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0) return true;
	return false;
}

bool survey_targets(const struct survey_def *d, const char *kind, const char *band, const char *region)
{
	return list_has(d->kinds, d->nkinds, kind) && list_has(d->bands, d->nbands, band) &&
	       list_has(d->regions, d->nregions, region);
}

int survey_state(const struct survey_def *d, const char *today)
{
	if (strcmp(today, d->opens_on) < 0) return -1;
	if (strcmp(today, d->closes_on) > 0) return 1;
	return 0;
}

const char *survey_state_label(int state)
{
	return state < 0 ? "à venir" : state == 0 ? "ouverte" : "close";
}

/* ---- answers ---- */

static bool has_option(const struct survey_question *q, const char *code)
{
	for (int k = 0; k < q->noptions; k++)
		if (strcmp(q->options[k].code, code) == 0) return true;
	return false;
}

bool survey_question_shown(const struct survey_def *d, int i, const json_t *answers)
{
	const struct survey_question *q = &d->q[i];
	if (q->show_q < 0) return true;
	if (!survey_question_shown(d, q->show_q, answers)) return false;
	const json_t *v = json_object_get(answers, d->q[q->show_q].code);
	if (json_is_string(v)) return strcmp(json_string_value(v), q->show_value) == 0;
	if (json_is_array(v)) {
		size_t k;
		const json_t *it;
		json_array_foreach (v, k, it)
			if (json_is_string(it) && strcmp(json_string_value(it), q->show_value) == 0) return true;
	}
	return false;
}

static void aerr(struct verrors *e, const char *code, const struct survey_question *q, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void aerr(struct verrors *e, const char *code, const struct survey_question *q, const char *fmt, ...)
{
	char f[72], msg[220];
	snprintf(f, sizeof f, "q-%s", q->code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	verrors_add(e, code, f, "« %.120s » : %s", q->label, msg);
}

/* The cleaned value of one answer, NULL when not answered (or invalid:
 * then an error is added). */
static json_t *check_one(const struct survey_question *q, const json_t *v, struct verrors *e)
{
	switch (q->kind) {
	case SQ_SINGLE:
		if (!json_is_string(v)) {
			aerr(e, "validation.type", q, "choisissez une option.");
			return NULL;
		}
		if (json_string_length(v) == 0) return NULL;
		if (!has_option(q, json_string_value(v))) {
			aerr(e, "validation.enum", q, "« %.64s » n'est pas une des options proposées.", json_string_value(v));
			return NULL;
		}
		return json_string(json_string_value(v));
	case SQ_MULTIPLE: {
		if (!json_is_array(v)) {
			aerr(e, "validation.type", q, "une liste d'options est attendue.");
			return NULL;
		}
		json_t *out = json_array();
		size_t k;
		const json_t *it;
		json_array_foreach (v, k, it) {
			const char *s = json_string_value(it);
			if (!s || !has_option(q, s)) {
				aerr(e, "validation.enum", q, "« %.64s » n'est pas une des options proposées.", s ? s : "?");
				json_decref(out);
				return NULL;
			}
			for (size_t m = 0; m < json_array_size(out); m++)
				if (strcmp(json_string_value(json_array_get(out, m)), s) == 0) {
					aerr(e, "validation.duplicate", q, "l'option « %s » est choisie deux fois.", s);
					json_decref(out);
					return NULL;
				}
			json_array_append_new(out, json_string(s));
		}
		if (json_array_size(out) == 0) {
			json_decref(out);
			return NULL;
		}
		return out;
	}
	case SQ_NUMBER: {
		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			aerr(e, "validation.type", q, "un nombre est attendu.");
			return NULL;
		}
		double x = json_number_value(v);
		if ((q->has_min && x < q->min) || (q->has_max && x > q->max)) {
			if (q->has_min && q->has_max)
				aerr(e, "validation.range", q, "un nombre entre %g et %g est attendu.", q->min, q->max);
			else if (q->has_min)
				aerr(e, "validation.range", q, "un nombre supérieur ou égal à %g est attendu.", q->min);
			else
				aerr(e, "validation.range", q, "un nombre inférieur ou égal à %g est attendu.", q->max);
			return NULL;
		}
		return json_deep_copy(v);
	}
	case SQ_SCALE:
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5) {
			aerr(e, json_is_integer(v) ? "validation.range" : "validation.type", q,
			     "un entier de 1 à 5 est attendu.");
			return NULL;
		}
		return json_integer(json_integer_value(v));
	case SQ_TEXT:
	case SQ_LONGTEXT: {
		bool bad;
		const char *why, *code;
		size_t max = q->kind == SQ_TEXT ? SURVEY_TEXT_MAX : SURVEY_LONGTEXT_MAX;
		char *s = clean_text(v, max, q->kind == SQ_LONGTEXT, &bad, &why, &code);
		if (bad) {
			if (strcmp(code, "validation.too_long") == 0)
				aerr(e, code, q, "%zu caractères au plus.", max);
			else
				aerr(e, code, q, "%s.", why);
			return NULL;
		}
		if (!s) return NULL;
		json_t *r = json_string(s);
		free(s);
		return r;
	}
	}
	return NULL;
}

json_t *survey_answers_check(const struct survey_def *d, const json_t *answers, bool complete, struct verrors *e)
{
	int before = e->count;
	if (!json_is_object(answers)) {
		verrors_add(e, "validation.type", "answers", "Les réponses doivent être un objet JSON.");
		return NULL;
	}
	const char *k;
	const json_t *v;
	json_object_foreach ((json_t *)answers, k, v) {
		(void)v;
		if (survey_question_index(d, k) < 0)
			verrors_add(e, "validation.unknown_field", "answers", "« %.64s » n'est pas une question de la campagne.", k);
	}
	json_t *out = json_object();
	for (int i = 0; i < d->nq; i++) {
		const struct survey_question *q = &d->q[i];
		if (!survey_question_shown(d, i, out)) continue;   /* hidden: its answer is dropped */
		const json_t *a = json_object_get(answers, q->code);
		int pre = e->count;
		json_t *c = a && !json_is_null(a) ? check_one(q, a, e) : NULL;
		if (c) json_object_set_new(out, q->code, c);
		else if (complete && q->required && e->count == pre) aerr(e, "validation.required", q, "réponse obligatoire.");
	}
	if (e->count > before) {
		json_decref(out);
		return NULL;
	}
	return out;
}

int survey_def_check_change(const struct survey_def *oldd, const struct survey_def *newd, const char *const *answered,
                            int n, struct verrors *e)
{
	int count = 0;
	for (int a = 0; a < n; a++) {
		int oi = survey_question_index(oldd, answered[a]);
		if (oi < 0) continue;
		const struct survey_question *o = &oldd->q[oi];
		int ni = survey_question_index(newd, answered[a]);
		char f[72];
		snprintf(f, sizeof f, "questions.%s", o->code);
		if (ni < 0) {
			verrors_add(e, "state.answered", f,
			            "question « %s » : elle a déjà des réponses, elle ne peut pas être supprimée.", o->code);
			count++;
			continue;
		}
		const struct survey_question *q = &newd->q[ni];
		if (q->kind != o->kind) {
			verrors_add(e, "state.answered", f,
			            "question %d (%s), kind : elle a déjà des réponses, son type (%s) ne peut pas devenir %s.",
			            ni + 1, o->code, kind_names[o->kind], kind_names[q->kind]);
			count++;
			continue;
		}
		bool same = q->noptions == o->noptions;
		for (int k = 0; same && k < o->noptions; k++)
			if (!has_option(q, o->options[k].code)) same = false;
		if (!same) {
			verrors_add(e, "state.answered", f,
			            "question %d (%s), options : elle a déjà des réponses, ses codes d'options ne peuvent pas changer "
			            "(les libellés, si).",
			            ni + 1, o->code);
			count++;
		}
	}
	return count;
}
