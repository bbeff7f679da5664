/*
 * page_survey_edit.c — the curators' editors of a campaign (issue 7 §1):
 *   GET/POST /observatoire/campagnes/{code}/modifier           title, year, intro, dates, target
 *   GET/POST /observatoire/campagnes/{code}/questions/nouvelle one more question (at the end)
 *   GET/POST /observatoire/campagnes/{code}/questions/{q}/modifier   one question
 *   POST     /observatoire/campagnes/{code}/questions/{q}/supprimer  remove a question
 *
 * Design notes
 * - Every editor changes the campaign's canonical definition (JSON) and
 *   saves it through the same path as an import: survey_def_parse() (every
 *   rule of the contract) then store_survey_campaign_save() (a question
 *   with answers keeps its kind and option codes, and stays). One
 *   definition, one set of rules, whatever the way in.
 * - The form fields are named after the contract's keys (title, year,
 *   kinds, bands, regions; code, kind, label, help, required, options,
 *   unit, min, max, show_if_question, show_if_value), so the parser's
 *   errors ("target.kinds", "questions.3.min") are mapped back to a field
 *   by remap() and shown next to it. Options are one per line,
 *   « code | libellé ». Numbers accept a decimal comma.
 * - Creation from scratch: GET/POST /observatoire/nouvelle-campagne asks
 *   for the campaign's fields and its first question (a definition has at
 *   least one); the rest is added with the question form. (The path is not
 *   under /observatoire/campagnes/ so that no campaign code is reserved.)
 *   Reusing last year's campaign: import its definition.json with a new
 *   code, year and dates (page_survey.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "survey.h"
#include "util.h"

static const char *const KINDS[] = { "commune", "epci", "ept", "departement", "region", "syndicat", "operateur", "autre" };
static const char *const BANDS[] = { "lt_3500", "3500_20000", "20000_100000", "gt_100000" };
static const char *const QKINDS[] = { "single", "multiple", "number", "scale", "text", "longtext" };
static const char *const QKIND_LABELS[] = { "Choix unique", "Choix multiple", "Nombre", "Échelle de 1 à 5",
	                                    "Texte court (une ligne)", "Texte long" };

/* The definition of campaign r->args[0] as JSON (new reference), or NULL
 * after replying 404/500. */
static json_t *load_json(struct req *r)
{
	char *def = NULL;
	int rc = store_survey_campaign_get(r->db, r->args[0], NULL, &def);
	if (rc <= 0) {
		page_error(r, rc < 0 ? 500 : 404, rc < 0 ? "Erreur interne." : "Cette campagne n'existe pas.");
		return NULL;
	}
	json_t *j = json_loads(def, 0, NULL);
	free(def);
	if (!j) page_error(r, 500, "La définition de cette campagne est illisible.");
	return j;
}

/* Parser errors back to form fields. */
static void remap(struct verrors *e)
{
	for (int i = 0; i < e->count && i < (int)ARRAY_LEN(e->items); i++) {
		char *f = e->items[i].field;
		char tmp[64];
		if (str_starts(f, "target.")) {
			snprintf(tmp, sizeof tmp, "%s", f + 7);
		} else if (str_starts(f, "questions.")) {
			const char *p = strchr(f + 10, '.');
			if (!p) continue;
			snprintf(tmp, sizeof tmp, "%s", p + 1);
			char *dot = strchr(tmp, '.');
			if (dot) *dot = 0;
			if (strcmp(tmp, "show_if") == 0) snprintf(tmp, sizeof tmp, "show_if_question");
			else if (strcmp(tmp, "question") == 0) snprintf(tmp, sizeof tmp, "code");
		} else {
			continue;
		}
		snprintf(f, sizeof e->items[i].field, "%s", tmp);
	}
}

/* Validate and save j as the new definition of campaign old_code. 1 saved,
 * 0 refused (e filled), -1 after replying 500. */
static int save_json(struct req *r, const char *old_code, json_t *j, struct verrors *e)
{
	struct survey_def d;
	if (survey_def_parse(j, &d, e) < 0) {
		remap(e);
		return 0;
	}
	int rc = store_survey_campaign_save(r->db, old_code, &d, r->viewer.user_id, false, e);
	survey_def_free(&d);
	if (rc == STORE_OK) return 1;
	if (rc == STORE_INVALID) {
		remap(e);
		return 0;
	}
	page_error(r, 500, "Erreur interne : rien n'a été enregistré.");
	return -1;
}

static bool parse_num(const char *s, double *out)
{
	char tmp[64];
	size_t n = 0;
	for (; *s && n + 1 < sizeof tmp; s++) {
		if (*s == ' ') continue;
		tmp[n++] = *s == ',' ? '.' : *s;
	}
	tmp[n] = 0;
	if (!n || strspn(tmp, "0123456789.-+eE") != n) return false;
	char *end;
	*out = strtod(tmp, &end);
	return !*end && isfinite(*out);
}

static json_t *num_json(double v)
{
	if (v == floor(v) && fabs(v) < 9e15) return json_integer((json_int_t)v);
	return json_real(v);
}

static bool in_json_list(const json_t *a, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach (a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

static void checkbox_group(buf_t *b, const char *name, const char *legend, const char *const *codes,
                           const char *(*label)(const char *), size_t n, const json_t *list, const struct verrors *e)
{
	const char *err = html_ferr(e, name);
	buf_fmt(b, "<fieldset class=\"field field-group%h\">\n<legend>%h</legend>\n<p class=\"help\">Aucune case cochée : "
	           "toutes.</p>\n",
	        err ? " field-invalid" : "", legend);
	html_field_error(b, e, name);
	for (size_t k = 0; k < n; k++) {
		const char *l = label(codes[k]);
		if (k == 0) buf_fmt(b, "<div class=\"choice\"><input type=\"checkbox\" id=\"f-%h\"", name);
		else buf_fmt(b, "<div class=\"choice\"><input type=\"checkbox\" id=\"f-%h-%h\"", name, codes[k]);
		buf_fmt(b, " name=\"%h\" value=\"%h\"%h>", name, codes[k], in_json_list(list, codes[k]) ? " checked" : "");
		if (k == 0) buf_fmt(b, "<label for=\"f-%h\">%h</label></div>\n", name, l ? l : codes[k]);
		else buf_fmt(b, "<label for=\"f-%h-%h\">%h</label></div>\n", name, codes[k], l ? l : codes[k]);
	}
	buf_puts(b, "</fieldset>\n");
}

/* ---- campaign metadata ---- */

static void meta_form(struct req *r, const char *code, const json_t *j, const struct verrors *e)
{
	buf_t *b = &r->out;
	char *title = xasprintf("%sModifier la campagne", e->count ? "Erreur : " : "");
	html_begin(r, title);
	free(title);
	buf_fmt(b, "<p><a href=\"/observatoire/campagnes/%U\">Retour à la campagne</a></p>\n<h1>Modifier la campagne "
	           "<code>%h</code></h1>\n",
	        code, code);
	html_error_summary(b, e);
	char *action = xasprintf("/observatoire/campagnes/%s/modifier", code);
	html_form_begin(r, action, "form");
	free(action);
	char year[16] = "";
	const json_t *y = json_object_get(j, "year");
	if (json_is_integer(y)) snprintf(year, sizeof year, "%lld", (long long)json_integer_value(y));
	const char *yv = json_is_string(y) ? json_string_value(y) : year;
	html_input(b, &(struct html_field){ .name = "title", .label = "Titre", .required = true, .maxlength = 200,
	                                    .value = json_string_value(json_object_get(j, "title")) }, e);
	html_input(b, &(struct html_field){ .name = "year", .label = "Année", .required = true, .maxlength = 4, .value = yv }, e);
	html_input(b, &(struct html_field){ .name = "intro", .label = "Introduction", .type = "textarea", .rows = 6,
	                                    .help = "Markdown, facultative.",
	                                    .value = json_string_value(json_object_get(j, "intro")) }, e);
	html_input(b, &(struct html_field){ .name = "opens_on", .label = "Date d'ouverture", .help = "AAAA-MM-JJ.",
	                                    .required = true, .maxlength = 10,
	                                    .value = json_string_value(json_object_get(j, "opens_on")) }, e);
	html_input(b, &(struct html_field){ .name = "closes_on", .label = "Date de clôture",
	                                    .help = "AAAA-MM-JJ, dernier jour des réponses (inclus).", .required = true,
	                                    .maxlength = 10, .value = json_string_value(json_object_get(j, "closes_on")) }, e);
	const json_t *t = json_object_get(j, "target");
	checkbox_group(b, "kinds", "Types d'organisation visés", KINDS, org_kind_label, ARRAY_LEN(KINDS),
	               json_object_get(t, "kinds"), e);
	checkbox_group(b, "bands", "Strates de population visées", BANDS, org_band_label, ARRAY_LEN(BANDS),
	               json_object_get(t, "bands"), e);
	buf_t regions = BUF_INIT;
	size_t i;
	const json_t *v;
	json_array_foreach (json_object_get(t, "regions"), i, v) {
		if (i) buf_puts(&regions, ", ");
		if (json_is_string(v)) buf_puts(&regions, json_string_value(v));
	}
	html_input(b, &(struct html_field){ .name = "regions", .label = "Régions visées",
	                                    .help = "Codes INSEE séparés par des virgules (par exemple 75, 84) ; vide : "
	                                            "toutes.",
	                                    .value = buf_cstr(&regions) }, e);
	buf_free(&regions);
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Enregistrer</button></div>\n</form>\n");
	html_end(r);
}

int page_survey_edit(struct req *r)
{
	json_t *j = load_json(r);
	if (!j) return 0;
	struct verrors e = { 0 };
	r->status = 200;
	r->no_etag = true;
	meta_form(r, r->args[0], j, &e);
	json_decref(j);
	return 0;
}

static json_t *form_list(struct req *r, const char *name)
{
	const char *vals[16];
	int n = req_form_all(r, name, vals, 16);
	json_t *a = json_array();
	for (int i = 0; i < n; i++) json_array_append_new(a, json_string(vals[i]));
	return a;
}

int page_survey_edit_post(struct req *r)
{
	json_t *j = load_json(r);
	if (!j) return 0;
	struct verrors e = { 0 };
	static const char *const texts[] = { "title", "intro", "opens_on", "closes_on" };
	for (size_t k = 0; k < ARRAY_LEN(texts); k++) {
		const char *v = req_form(r, texts[k]);
		if (v && *v) json_object_set_new(j, texts[k], json_string(v));
		else json_object_del(j, texts[k]);
	}
	const char *y = req_form(r, "year");
	int64_t year;
	if (y && parse_int64(y, 2000, 2100, &year) == 0) json_object_set_new(j, "year", json_integer(year));
	else json_object_set_new(j, "year", json_string(y ? y : ""));
	json_t *t = json_object();
	json_object_set_new(t, "kinds", form_list(r, "kinds"));
	json_object_set_new(t, "bands", form_list(r, "bands"));
	json_t *regions = json_array();
	const char *rv = req_form(r, "regions");
	for (const char *p = rv ? rv : ""; *p;) {
		size_t n = strcspn(p, ", ;");
		if (n) {
			char *s = xstrndup(p, n);
			json_array_append_new(regions, json_string(s));
			free(s);
		}
		p += n;
		if (*p) p++;
	}
	json_object_set_new(t, "regions", regions);
	json_object_set_new(j, "target", t);
	int rc = save_json(r, r->args[0], j, &e);
	if (rc == 1) {
		char *loc = xasprintf("/observatoire/campagnes/%s", r->args[0]);
		req_flash(r, "survey-updated");
		req_redirect(r, loc);
		free(loc);
	} else if (rc == 0) {
		r->status = 422;
		r->no_etag = true;
		meta_form(r, r->args[0], j, &e);
	}
	json_decref(j);
	return 0;
}

/* ---- one question ---- */

/* Index of question code in j's questions, or -1. */
static int q_index(const json_t *j, const char *code)
{
	size_t i;
	const json_t *q;
	json_array_foreach (json_object_get(j, "questions"), i, q)
		if (json_string_value(json_object_get(q, "code")) && strcmp(json_string_value(json_object_get(q, "code")), code) == 0) return (int)i;
	return -1;
}

/* The question form. q: the question's JSON (stored, or built from the
 * post); pos: its index (count of questions for a new one). */
static void question_form(struct req *r, const json_t *j, const json_t *q, int pos, bool is_new, const struct verrors *e)
{
	buf_t *b = &r->out;
	const char *code = r->args[0];
	char *title = xasprintf("%s%s", e->count ? "Erreur : " : "", is_new ? "Nouvelle question" : "Modifier une question");
	html_begin(r, title);
	free(title);
	buf_fmt(b, "<p><a href=\"/observatoire/campagnes/%U\">Retour à la campagne</a></p>\n<h1>%h (question %d)</h1>\n",
	        code, is_new ? "Nouvelle question" : "Modifier une question", pos + 1);
	html_error_summary(b, e);
	char *action = is_new ? xasprintf("/observatoire/campagnes/%s/questions/nouvelle", code)
	                      : xasprintf("/observatoire/campagnes/%s/questions/%s/modifier", code, r->args[1]);
	html_form_begin(r, action, "form");
	free(action);
	html_input(b, &(struct html_field){ .name = "code", .label = "Code", .required = true, .maxlength = 64,
	                                    .help = "Stable d'une année à l'autre : même code, même question. Lettres "
	                                            "minuscules, chiffres, - et _.",
	                                    .value = json_string_value(json_object_get(q, "code")) }, e);
	const char *kind = json_string_value(json_object_get(q, "kind"));
	const char *kerr = html_ferr(e, "kind");
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-kind\">Type de question <span class=\"req\">(obligatoire)</span>"
	           "</label>\n",
	        kerr ? " field-invalid" : "");
	html_field_error(b, e, "kind");
	buf_puts(b, "<select id=\"f-kind\" name=\"kind\">\n");
	for (size_t k = 0; k < ARRAY_LEN(QKINDS); k++)
		buf_fmt(b, "<option value=\"%h\"%h>%h</option>\n", QKINDS[k], kind && strcmp(kind, QKINDS[k]) == 0 ? " selected" : "",
		        QKIND_LABELS[k]);
	buf_puts(b, "</select>\n</div>\n");
	html_input(b, &(struct html_field){ .name = "label", .label = "Libellé", .required = true, .maxlength = 500,
	                                    .value = json_string_value(json_object_get(q, "label")) }, e);
	html_input(b, &(struct html_field){ .name = "help", .label = "Aide", .type = "textarea", .rows = 3,
	                                    .help = "Facultative.", .value = json_string_value(json_object_get(q, "help")) }, e);
	buf_fmt(b, "<div class=\"field\"><div class=\"choice\"><input type=\"checkbox\" id=\"f-required\" name=\"required\" "
	           "value=\"1\"%h> <label for=\"f-required\">Réponse obligatoire (pour soumettre)</label></div></div>\n",
	        json_is_true(json_object_get(q, "required")) ? " checked" : "");
	buf_t opts = BUF_INIT;
	size_t i;
	const json_t *o;
	json_array_foreach (json_object_get(q, "options"), i, o) {
		const char *oc = json_string_value(json_object_get(o, "code"));
		const char *ol = json_string_value(json_object_get(o, "label"));
		buf_puts(&opts, oc ? oc : "");
		buf_puts(&opts, " | ");
		buf_puts(&opts, ol ? ol : "");
		buf_puts(&opts, "\n");
	}
	const json_t *rawopts = json_object_get(q, "options_text");
	html_input(b, &(struct html_field){ .name = "options", .label = "Options (choix unique ou multiple)", .type = "textarea",
	                                    .rows = 6,
	                                    .help = "Une option par ligne : « code | libellé », de 2 à 50 options.",
	                                    .value = json_is_string(rawopts) ? json_string_value(rawopts) : buf_cstr(&opts) },
	           e);
	buf_free(&opts);
	html_input(b, &(struct html_field){ .name = "unit", .label = "Unité (nombre)", .maxlength = 30,
	                                    .value = json_string_value(json_object_get(q, "unit")) }, e);
	static const char *const nums[] = { "min", "max" };
	static const char *const numl[] = { "Minimum (nombre)", "Maximum (nombre)" };
	for (int k = 0; k < 2; k++) {
		char tmp[48] = "";
		const json_t *v = json_object_get(q, nums[k]);
		if (json_is_number(v)) snprintf(tmp, sizeof tmp, "%.15g", json_number_value(v));
		else if (json_is_string(v)) snprintf(tmp, sizeof tmp, "%s", json_string_value(v));
		html_input(b, &(struct html_field){ .name = nums[k], .label = numl[k], .maxlength = 30, .value = tmp }, e);
	}
	const json_t *sif = json_object_get(q, "show_if");
	const char *sq = json_string_value(json_object_get(sif, "question"));
	const char *serr = html_ferr(e, "show_if_question");
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-show_if_question\">Afficher seulement si la question</label>\n"
	           "<p class=\"help\" id=\"h-show_if_question\">Une question précédente à choix.</p>\n",
	        serr ? " field-invalid" : "");
	html_field_error(b, e, "show_if_question");
	buf_puts(b, "<select id=\"f-show_if_question\" name=\"show_if_question\" aria-describedby=\"h-show_if_question\">\n"
	            "<option value=\"\">— Toujours affichée —</option>\n");
	const json_t *qq;
	json_array_foreach (json_object_get(j, "questions"), i, qq) {
		if ((int)i >= pos) break;
		const char *k = json_string_value(json_object_get(qq, "kind"));
		const char *c = json_string_value(json_object_get(qq, "code"));
		if (!k || !c || (strcmp(k, "single") != 0 && strcmp(k, "multiple") != 0)) continue;
		buf_fmt(b, "<option value=\"%h\"%h>%h (%h)</option>\n", c, sq && strcmp(sq, c) == 0 ? " selected" : "",
		        json_string_value(json_object_get(qq, "label")), c);
	}
	buf_puts(b, "</select>\n</div>\n");
	html_input(b, &(struct html_field){ .name = "show_if_value", .label = "… a pour réponse l'option (code)",
	                                    .maxlength = 64, .value = json_string_value(json_object_get(sif, "value")) }, e);
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Enregistrer la question</button></div>\n</form>\n");
	html_end(r);
}

/* The question of the post as JSON (with "options_text" kept for
 * redisplay: removed before saving). Unreadable numbers and option lines
 * are errors here. */
static json_t *question_of_form(struct req *r, struct verrors *e)
{
	json_t *q = json_object();
	static const char *const texts[] = { "code", "kind", "label", "help" };
	for (size_t k = 0; k < ARRAY_LEN(texts); k++) {
		const char *v = req_form(r, texts[k]);
		if (v && (*v || k != 3)) json_object_set_new(q, texts[k], json_string(v));
	}
	if (req_form(r, "required")) json_object_set_new(q, "required", json_true());
	const char *kind = req_form(r, "kind");
	bool choice = kind && (strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0);
	bool number = kind && strcmp(kind, "number") == 0;
	const char *ot = req_form(r, "options");
	if (ot) json_object_set_new(q, "options_text", json_string(ot));
	if (choice) {
		json_t *opts = json_array();
		int line = 0;
		for (const char *p = ot ? ot : ""; *p;) {
			size_t n = strcspn(p, "\n");
			line++;
			char *l = xstrndup(p, n);
			char *bar = strchr(l, '|');
			char *s = l;
			while (*s == ' ' || *s == '\r') s++;
			if (*s) {
				if (!bar) {
					verrors_add(e, "validation.format", "options", "Options, ligne %d : « code | libellé » attendu.", line);
				} else {
					*bar = 0;
					char *c = s, *lab = bar + 1;
					for (char *z = bar - 1; z >= c && (*z == ' '); z--) *z = 0;
					while (*lab == ' ') lab++;
					size_t ll = strlen(lab);
					while (ll && (lab[ll - 1] == ' ' || lab[ll - 1] == '\r')) lab[--ll] = 0;
					json_array_append_new(opts, json_pack("{s:s,s:s}", "code", c, "label", lab));
				}
			}
			free(l);
			p += n;
			if (*p) p++;
		}
		json_object_set_new(q, "options", opts);
	}
	const char *unit = req_form(r, "unit");
	if (number && unit && *unit) json_object_set_new(q, "unit", json_string(unit));
	static const char *const nums[] = { "min", "max" };
	for (int k = 0; k < 2; k++) {
		const char *v = req_form(r, nums[k]);
		if (!v || !*v) continue;
		double x;
		if (!parse_num(v, &x)) {
			verrors_add(e, "validation.type", nums[k], "%s : un nombre est attendu.", k ? "Maximum" : "Minimum");
			json_object_set_new(q, nums[k], json_string(v));
		} else if (number) {
			json_object_set_new(q, nums[k], num_json(x));
		}
	}
	const char *sq = req_form(r, "show_if_question");
	const char *sv = req_form(r, "show_if_value");
	if (sq && *sq) json_object_set_new(q, "show_if", json_pack("{s:s,s:s}", "question", sq, "value", sv ? sv : ""));
	return q;
}

static int question_get(struct req *r, bool is_new)
{
	json_t *j = load_json(r);
	if (!j) return 0;
	json_t *qs = json_object_get(j, "questions");
	int pos = is_new ? (int)json_array_size(qs) : q_index(j, r->args[1]);
	if (pos < 0) {
		json_decref(j);
		page_error(r, 404, "Cette question n'existe pas dans cette campagne.");
		return 0;
	}
	struct verrors e = { 0 };
	json_t *q = is_new ? json_pack("{s:s}", "kind", "single") : json_incref(json_array_get(qs, (size_t)pos));
	r->status = 200;
	r->no_etag = true;
	question_form(r, j, q, pos, is_new, &e);
	json_decref(q);
	json_decref(j);
	return 0;
}

static int question_post(struct req *r, bool is_new)
{
	json_t *j = load_json(r);
	if (!j) return 0;
	json_t *qs = json_object_get(j, "questions");
	int pos = is_new ? (int)json_array_size(qs) : q_index(j, r->args[1]);
	if (pos < 0) {
		json_decref(j);
		page_error(r, 404, "Cette question n'existe pas dans cette campagne.");
		return 0;
	}
	struct verrors e = { 0 };
	json_t *q = question_of_form(r, &e);
	int rc = 0;
	if (!e.count) {
		json_t *copy = json_deep_copy(j);
		json_t *nq = json_deep_copy(q);
		json_object_del(nq, "options_text");
		json_t *cqs = json_object_get(copy, "questions");
		if (is_new) json_array_append_new(cqs, nq);
		else json_array_set_new(cqs, (size_t)pos, nq);
		rc = save_json(r, r->args[0], copy, &e);
		json_decref(copy);
	}
	if (rc == 1) {
		char *loc = xasprintf("/observatoire/campagnes/%s#question-%s", r->args[0],
		                      json_string_value(json_object_get(q, "code")));
		req_flash(r, "survey-updated");
		req_redirect(r, loc);
		free(loc);
	} else if (rc == 0) {
		r->status = 422;
		r->no_etag = true;
		question_form(r, j, q, pos, is_new, &e);
	}
	json_decref(q);
	json_decref(j);
	return 0;
}

int page_survey_question_new(struct req *r) { return question_get(r, true); }
int page_survey_question_new_post(struct req *r) { return question_post(r, true); }
int page_survey_question_edit(struct req *r) { return question_get(r, false); }
int page_survey_question_edit_post(struct req *r) { return question_post(r, false); }

int page_survey_question_delete_post(struct req *r)
{
	json_t *j = load_json(r);
	if (!j) return 0;
	int pos = q_index(j, r->args[1]);
	if (pos < 0) {
		json_decref(j);
		page_error(r, 404, "Cette question n'existe pas dans cette campagne.");
		return 0;
	}
	json_array_remove(json_object_get(j, "questions"), (size_t)pos);
	struct verrors e = { 0 };
	int rc = save_json(r, r->args[0], j, &e);
	if (rc == 1) {
		char *loc = xasprintf("/observatoire/campagnes/%s", r->args[0]);
		req_flash(r, "survey-updated");
		req_redirect(r, loc);
		free(loc);
	} else if (rc == 0) {
		page_error(r, 409, e.count ? e.items[0].message : "La question ne peut pas être supprimée.");
	}
	json_decref(j);
	return 0;
}

/* ---- a new campaign from scratch ---- */

static void new_form(struct req *r, const struct verrors *e)
{
	buf_t *b = &r->out;
	html_begin(r, e->count ? "Erreur : Nouvelle campagne" : "Nouvelle campagne");
	buf_puts(b, "<p><a href=\"/observatoire/campagnes\">Toutes les campagnes</a></p>\n<h1>Nouvelle campagne</h1>\n"
	            "<p>Les champs de la campagne et sa première question ; les autres questions, l'introduction et les "
	            "organisations visées s'ajoutent ensuite depuis la page de la campagne. Pour reprendre la campagne "
	            "d'une autre année, importez plutôt sa définition JSON.</p>\n");
	html_error_summary(b, e);
	html_form_begin(r, "/observatoire/nouvelle-campagne", "form");
	html_input(b, &(struct html_field){ .name = "code", .label = "Code de la campagne", .required = true, .maxlength = 64,
	                                    .help = "Lettres minuscules, chiffres, - et _ (par exemple observatoire-2027).",
	                                    .value = req_form(r, "code") }, e);
	html_input(b, &(struct html_field){ .name = "year", .label = "Année", .required = true, .maxlength = 4,
	                                    .value = req_form(r, "year") }, e);
	html_input(b, &(struct html_field){ .name = "title", .label = "Titre", .required = true, .maxlength = 200,
	                                    .value = req_form(r, "title") }, e);
	html_input(b, &(struct html_field){ .name = "opens_on", .label = "Date d'ouverture", .help = "AAAA-MM-JJ.",
	                                    .required = true, .maxlength = 10, .value = req_form(r, "opens_on") }, e);
	html_input(b, &(struct html_field){ .name = "closes_on", .label = "Date de clôture",
	                                    .help = "AAAA-MM-JJ, dernier jour des réponses (inclus).", .required = true,
	                                    .maxlength = 10, .value = req_form(r, "closes_on") }, e);
	buf_puts(b, "<h2>Première question</h2>\n");
	html_input(b, &(struct html_field){ .name = "question_code", .label = "Code de la question", .required = true,
	                                    .maxlength = 64, .help = "Stable d'une année à l'autre (par exemple uses_ai).",
	                                    .value = req_form(r, "question_code") }, e);
	const char *kind = req_form(r, "question_kind");
	const char *kerr = html_ferr(e, "question_kind");
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-question_kind\">Type de la question <span class=\"req\">"
	           "(obligatoire)</span></label>\n",
	        kerr ? " field-invalid" : "");
	html_field_error(b, e, "question_kind");
	buf_puts(b, "<select id=\"f-question_kind\" name=\"question_kind\">\n");
	for (size_t k = 0; k < ARRAY_LEN(QKINDS); k++)
		buf_fmt(b, "<option value=\"%h\"%h>%h</option>\n", QKINDS[k], kind && strcmp(kind, QKINDS[k]) == 0 ? " selected" : "",
		        QKIND_LABELS[k]);
	buf_puts(b, "</select>\n</div>\n");
	html_input(b, &(struct html_field){ .name = "question_label", .label = "Libellé de la question", .required = true,
	                                    .maxlength = 500, .value = req_form(r, "question_label") }, e);
	html_input(b, &(struct html_field){ .name = "question_options", .label = "Options (choix unique ou multiple)",
	                                    .type = "textarea", .rows = 5,
	                                    .help = "Une option par ligne : « code | libellé », de 2 à 50 options.",
	                                    .value = req_form(r, "question_options") }, e);
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Créer la campagne</button></div>\n</form>\n");
	html_end(r);
}

int page_survey_new(struct req *r)
{
	struct verrors e = { 0 };
	r->status = 200;
	new_form(r, &e);
	return 0;
}

int page_survey_new_post(struct req *r)
{
	struct verrors e = { 0 };
	json_t *j = json_object();
	json_object_set_new(j, "format", json_string(SURVEY_FORMAT));
	static const char *const texts[] = { "code", "title", "opens_on", "closes_on" };
	for (size_t k = 0; k < ARRAY_LEN(texts); k++) {
		const char *v = req_form(r, texts[k]);
		if (v && *v) json_object_set_new(j, texts[k], json_string(v));
	}
	const char *y = req_form(r, "year");
	int64_t year;
	if (y && parse_int64(y, 2000, 2100, &year) == 0) json_object_set_new(j, "year", json_integer(year));
	else if (y && *y) json_object_set_new(j, "year", json_string(y));
	/* the first question: the question form's reader on renamed fields */
	json_t *q = json_object();
	const char *qc = req_form(r, "question_code"), *qk = req_form(r, "question_kind"), *ql = req_form(r, "question_label");
	if (qc && *qc) json_object_set_new(q, "code", json_string(qc));
	if (qk && *qk) json_object_set_new(q, "kind", json_string(qk));
	if (ql && *ql) json_object_set_new(q, "label", json_string(ql));
	if (qk && (strcmp(qk, "single") == 0 || strcmp(qk, "multiple") == 0)) {
		json_t *opts = json_array();
		const char *ot = req_form(r, "question_options");
		int line = 0;
		for (const char *p = ot ? ot : ""; *p;) {
			size_t n = strcspn(p, "\n");
			line++;
			char *l = xstrndup(p, n);
			char *bar = strchr(l, '|');
			if (strspn(l, " \r") != strlen(l)) {
				if (!bar) {
					verrors_add(&e, "validation.format", "question_options", "Options, ligne %d : « code | libellé » attendu.",
					            line);
				} else {
					*bar = 0;
					char *c = l, *lab = bar + 1;
					while (*c == ' ') c++;
					for (char *z = bar - 1; z >= c && *z == ' '; z--) *z = 0;
					while (*lab == ' ') lab++;
					size_t ll = strlen(lab);
					while (ll && (lab[ll - 1] == ' ' || lab[ll - 1] == '\r')) lab[--ll] = 0;
					json_array_append_new(opts, json_pack("{s:s,s:s}", "code", c, "label", lab));
				}
			}
			free(l);
			p += n;
			if (*p) p++;
		}
		json_object_set_new(q, "options", opts);
	}
	json_object_set_new(j, "questions", json_pack("[o]", q));
	struct survey_def d;
	bool refused = true;
	if (!e.count && survey_def_parse(j, &d, &e) == 0) {
		int rc;
		rc = store_survey_campaign_save(r->db, NULL, &d, r->viewer.user_id, false, &e);
		refused = rc == STORE_INVALID;
		if (rc == STORE_OK) {
			char *loc = xasprintf("/observatoire/campagnes/%s", d.code);
			req_flash(r, "survey-created");
			req_redirect(r, loc);
			free(loc);
		} else if (rc != STORE_INVALID) {
			page_error(r, 500, "Erreur interne : rien n'a été enregistré.");
		}
		survey_def_free(&d);
	}
	if (refused) {
		/* "questions.1.X" → "question_X" */
		for (int i = 0; i < e.count && i < (int)ARRAY_LEN(e.items); i++) {
			char *f = e.items[i].field;
			if (!str_starts(f, "questions.")) continue;
			const char *p = strchr(f + 10, '.');
			char tmp[64];
			snprintf(tmp, sizeof tmp, "question_%.40s", p ? p + 1 : "code");
			char *dot = strchr(tmp + 9, '.');
			if (dot) *dot = 0;
			snprintf(f, sizeof e.items[i].field, "%s", tmp);
		}
		r->status = 422;
		new_form(r, &e);
	}
	json_decref(j);
	return 0;
}
