/*
 * page_edit.c — writing records on the web: the record form (GET/POST
 * /fiches/nouvelle, GET/POST /fiches/{id}/modifier), the workflow box of
 * the record page (page_edit_actions) and the workflow actions (POST
 * /fiches/{id}/soumettre, /publier, /demander-modifications, /retirer).
 *
 * Design notes
 * - The form is generated from the field table (model_fields[]): every
 *   field, grouped by section, with its label, help text and visibility
 *   ("public" or "réservé aux collectivités"). A new field of the model
 *   appears here without a change to this file.
 * - Values travel as one string per field (val[i] for model_fields[i]):
 *   lists are one item per line, checkbox groups their codes one per line,
 *   booleans "oui"/"non"/"". The form is filled from the stored doc
 *   (vals_from_doc) or from the post (vals_from_form), so after an error
 *   every value comes back exactly as typed, even an invalid one.
 * - The post is converted into the JSON input of model_validate() (the
 *   same validation as the API), whose errors name fields ("partners[2]");
 *   they are brought back to the form field with the line number of the
 *   item ("Ligne 3 : ..."). Values that cannot even be converted (a number
 *   that is not one) are reported the same way.
 * - Rights and states come from workflow.c (wf_check): members edit
 *   drafts, submitted records and records to be modified; a published
 *   record only by those who may publish it (the edit goes live at once, as
 *   a new version); a retracted record is final. The owner chosen must be
 *   an organisation the viewer may write for.
 * - Concurrent edits: the form carries the version it was filled from
 *   (hidden "version"). If the record moved on meanwhile, the form comes
 *   back (409) with the typed values and the new version, and a message:
 *   saving again replaces the other change deliberately.
 * - A save that changes nothing creates no version: 303 with the flash
 *   "unchanged".
 * - Memory: form strings are owned by the request (req_own); loaded
 *   records and JSON values are freed before returning.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "text.h"
#include "util.h"
#include "workflow.h"

/* ==== Helpers ==== */


/* Trim spaces at both ends of s[0..len) into a request-owned string. */
static char *trim_dup(struct req *r, const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t' || *s == '\r')) s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r')) len--;
	char *t = xstrndup(s, len);
	req_own(r, t);
	return t;
}

/* The record page path of a record, into a request-owned string. */
static const char *record_path(struct req *r, int64_t id, const char *slug)
{
	buf_t b = BUF_INIT;
	html_usecase_path(&b, id, slug);
	char *p = buf_detach(&b);
	req_own(r, p);
	return p;
}

/* ==== Values: doc → strings ==== */

static void number_text(buf_t *b, double d)
{
	/* fixed notation (never "8.5e+04"), the fewest decimals that read
	 * back as the stored value */
	char tmp[64];
	for (int prec = 0; prec <= 12; prec++) {
		snprintf(tmp, sizeof tmp, "%.*f", prec, d);
		if (strtod(tmp, NULL) == d) break;
	}
	for (char *p = tmp; *p; p++)
		if (*p == '.') *p = ',';
	buf_puts(b, tmp);
}

static void vals_from_doc(struct req *r, const json_t *doc, const char **val)
{
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		json_t *v = json_object_get(doc, f->name);
		buf_t b = BUF_INIT;
		size_t k;
		json_t *x;
		if (v && !json_is_null(v)) {
			switch (f->type) {
			case F_BOOL: buf_puts(&b, json_is_true(v) ? "oui" : "non"); break;
			case F_INT: {
				char n[32];
				snprintf(n, sizeof n, "%lld", (long long)json_integer_value(v));
				buf_puts(&b, n);
				break;
			}
			case F_NUM: number_text(&b, json_number_value(v)); break;
			case F_ENUMS:
			case F_STRS:
			case F_URLS:
			case F_ORGS:
				json_array_foreach(v, k, x) {
					if (k) buf_putc(&b, '\n');
					if (json_is_string(x)) buf_puts(&b, json_string_value(x));
				}
				break;
			case F_SUPPLIERS:
			case F_LEGAL: {
				bool sup = f->type == F_SUPPLIERS;
				json_array_foreach(v, k, x) {
					if (k) buf_putc(&b, '\n');
					const char *a = json_string_value(json_object_get(x, sup ? "name" : "title"));
					const char *c = json_string_value(json_object_get(x, sup ? "siren" : "url"));
					if (a) buf_puts(&b, a);
					if (c) {
						buf_puts(&b, " ; ");
						buf_puts(&b, c);
					}
				}
				break;
			}
			default:
				if (json_is_string(v)) buf_puts(&b, json_string_value(v));
				break;
			}
		}
		char *s = buf_detach(&b);
		if (!s) s = xstrdup("");
		req_own(r, s);
		val[i] = s;
	}
}

/* ==== Values: post → strings ==== */

static void vals_from_form(struct req *r, const char **val)
{
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		if (f->type == F_ENUMS) {
			const char *all[HTTP_MAX_FORM];
			int n = req_form_all(r, f->name, all, HTTP_MAX_FORM);
			buf_t b = BUF_INIT;
			for (int k = 0; k < n; k++) {
				if (k) buf_putc(&b, '\n');
				buf_puts(&b, all[k]);
			}
			char *s = buf_detach(&b);
			if (!s) s = xstrdup("");
			req_own(r, s);
			val[i] = s;
		} else {
			const char *v = req_form(r, f->name);
			val[i] = v ? v : "";
		}
	}
}

/* ==== Strings → JSON input ==== */

struct linemap {
	int *line;   /* line number (1-based) of each item of the field */
	int n;
};

/* Split text into its non-blank lines (trimmed), calling add for each
 * with its line number. */
static void each_line(struct req *r, const char *text, void (*add)(void *ctx, char *item, int line), void *ctx)
{
	int line = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		line++;
		char *t = trim_dup(r, p, len);
		if (*t) add(ctx, t, line);
		p += len;
		if (*p == '\n') p++;
	}
}

struct list_ctx {
	const struct field *f;
	json_t *arr;
	struct linemap *map;
};

static void add_item(void *ctx, char *item, int line)
{
	struct list_ctx *c = ctx;
	json_t *v;
	if (c->f->type == F_SUPPLIERS || c->f->type == F_LEGAL) {
		bool sup = c->f->type == F_SUPPLIERS;
		v = json_object();
		char *semi = strrchr(item, ';');
		const char *second = NULL;
		if (semi) {
			*semi = 0;
			second = semi + 1;
			while (*second == ' ' || *second == '\t') second++;
			size_t n = strlen(item);
			while (n && (item[n - 1] == ' ' || item[n - 1] == '\t')) item[--n] = 0;
		}
		json_object_set_new(v, sup ? "name" : "title", json_string(item));
		if (second && *second) json_object_set_new(v, sup ? "siren" : "url", json_string(second));
	} else {
		v = json_string(item);
	}
	json_array_append_new(c->arr, v);
	c->map->line = xrealloc(c->map->line, sizeof(int) * (size_t)(c->map->n + 1));
	c->map->line[c->map->n++] = line;
}

/* Remove spaces used as digit separators (ASCII, U+00A0, U+202F). */
static char *strip_spaces(const char *s)
{
	char *o = xmalloc(strlen(s) + 1);
	size_t j = 0;
	for (size_t i = 0; s[i];) {
		const unsigned char *u = (const unsigned char *)s + i;
		if (u[0] == ' ') i++;
		else if (u[0] == 0xC2 && u[1] == 0xA0) i += 2;
		else if (u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xAF) i += 3;
		else o[j++] = s[i++];
	}
	o[j] = 0;
	return o;
}

/* The JSON input of model_validate() for the strings val. Conversion
 * problems go to e (the field is then left out of the input). maps[i]
 * gets the line of each item of list field i. */
static json_t *vals_to_input(struct req *r, const char **val, struct linemap *maps, struct verrors *e)
{
	json_t *in = json_object();
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		const char *s = val[i];
		json_t *v = NULL;
		/* reuse: the "reuse" section is not in the form of a non-reuse: keep the stored value */
		if (strcmp(f->section, "reuse") == 0 && !req_form(r, f->name)) continue;
		switch (f->type) {
		case F_INDICATORS:
		case F_KIT:
			continue; /* edited on their own pages: left out, so the stored value stays */
		case F_ENUMS:
		case F_STRS:
		case F_URLS:
		case F_ORGS:
		case F_SUPPLIERS:
		case F_LEGAL: {
			struct list_ctx c = { f, json_array(), &maps[i] };
			each_line(r, s, add_item, &c);
			v = c.arr;
			if (json_array_size(v) == 0) {
				json_decref(v);
				v = json_null();
			}
			break;
		}
		case F_BOOL:
			if (!*s) v = json_null();
			else if (strcmp(s, "oui") == 0) v = json_true();
			else if (strcmp(s, "non") == 0) v = json_false();
			else verrors_add(e, "validation.enum", f->name, "« %s » : choisissez Oui, Non ou Non renseigné.", f->label);
			break;
		case F_INT: {
			char *t = strip_spaces(s);
			size_t n = strlen(t);
			bool digits = n > 0 && n <= 15;
			for (size_t k = 0; k < n; k++)
				if (t[k] < '0' || t[k] > '9') digits = false;
			if (!n) v = json_null();
			else if (digits) v = json_integer(strtoll(t, NULL, 10));
			else verrors_add(e, "validation.type", f->name, "« %s » doit être un nombre entier positif (chiffres seulement).", f->label);
			free(t);
			break;
		}
		case F_NUM: {
			char *t = strip_spaces(s);
			for (char *p = t; *p; p++)
				if (*p == ',') *p = '.';
			char *end = NULL;
			double d = *t ? strtod(t, &end) : 0;
			if (!*t) v = json_null();
			else if (end && !*end && isfinite(d) && strlen(t) < 40) v = json_real(d);
			else verrors_add(e, "validation.type", f->name, "« %s » doit être un nombre (par exemple 44,84).", f->label);
			free(t);
			break;
		}
		default:
			v = *s ? json_string(s) : json_null();
			break;
		}
		if (v) json_object_set_new(in, f->name, v);
	}
	return in;
}

/* Copy the errors of src into dst, naming the form field ("partners[2]" →
 * "partners", with "Ligne N : " before the message for lines of a text
 * area), skipping fields dst already has an error for. */
static void merge_errors(struct verrors *dst, const struct verrors *src, const struct linemap *maps)
{
	int n = src->count < 32 ? src->count : 32;
	for (int k = 0; k < n; k++) {
		const struct verror *it = &src->items[k];
		char name[64];
		snprintf(name, sizeof name, "%s", it->field);
		int idx = -1;
		char *br = strchr(name, '[');
		if (br) {
			idx = atoi(br + 1);
			*br = 0;
		}
		char *dot = strchr(name, '.');
		if (dot) *dot = 0;
		const struct field *f = model_field(name);
		if (!f) snprintf(name, sizeof name, "%s", "");
		if (name[0] && html_ferr(dst, name)) continue;
		size_t fi = f ? (size_t)(f - model_fields) : 0;
		if (f && idx >= 0 && f->type != F_ENUMS && idx < maps[fi].n)
			verrors_add(dst, it->code, name, "Ligne %d : %s", maps[fi].line[idx], it->message);
		else
			verrors_add(dst, it->code, name, "%s", it->message);
	}
}

/* ==== Rendering the form ==== */

static void describedby(buf_t *b, const struct field *f, bool err)
{
	buf_fmt(b, " aria-describedby=\"h-%h v-%h", f->name, f->name);
	if (err) buf_fmt(b, " e-%h", f->name);
	buf_puts(b, "\"");
}

static void control_attrs(buf_t *b, const struct field *f, bool err)
{
	buf_fmt(b, " id=\"f-%h\" name=\"%h\"", f->name, f->name);
	if (f->required) buf_puts(b, " required aria-required=\"true\"");
	if (err) buf_puts(b, " aria-invalid=\"true\"");
	describedby(b, f, err);
}

/* Extra help for the widget of a type (appended to the field's help). */
static const char *type_help(const struct field *f)
{
	switch (f->type) {
	case F_MD: return f->help && strstr(f->help, "Markdown") ? NULL : "Markdown accepté (sans HTML).";
	case F_STRS: return "Un élément par ligne.";
	case F_URLS: return "Une adresse (http:// ou https://) par ligne.";
	case F_ORGS: return "Une organisation par ligne : identifiant IA·T, SIREN ou code INSEE.";
	case F_SUPPLIERS: return "Un fournisseur par ligne : « Nom ; SIREN (facultatif) ».";
	case F_LEGAL: return "Une base légale par ligne : « Titre ; adresse (facultative) ».";
	case F_DATE: return f->help && strstr(f->help, "AAAA") ? NULL : "Format : AAAA, AAAA-MM ou AAAA-MM-JJ.";
	case F_INT: return "Nombre entier.";
	case F_NUM: return "Nombre décimal (virgule ou point).";
	case F_URL: return "Adresse commençant par http:// ou https://.";
	default: return NULL;
	}
}

static bool line_in(const char *text, const char *code)
{
	size_t n = strlen(code);
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == n && strncmp(p, code, n) == 0) return true;
		p += len;
		if (*p) p++;
	}
	return false;
}

/* The viewer's organisations as <option>s (value: the key). */
static void owner_options(struct req *r, buf_t *b, const char *cur)
{
	const struct viewer *v = &r->viewer;
	bool found = false;
	if (v->norgs != 1 || !*cur) buf_puts(b, "<option value=\"\">— Choisissez —</option>\n");
	for (int i = 0; i < v->norgs; i++) {
		struct org o;
		if (org_get(r->db, v->orgs[i], &o) != 1) continue;
		char *k = org_key(&o);
		bool sel = strcmp(k, cur) == 0 || (o.siren && strcmp(o.siren, cur) == 0);
		if (sel) found = true;
		buf_fmt(b, "<option value=\"%h\"%h>%h</option>\n", k, sel ? " selected" : "", o.name);
		free(k);
		org_free(&o);
	}
	if (*cur && !found) buf_fmt(b, "<option value=\"%h\" selected>%h</option>\n", cur, cur);
}

static void render_field(struct req *r, buf_t *b, const struct field *f, const char *val, const struct verrors *e)
{
	bool err = html_ferr(e, f->name) != NULL;
	bool group = f->type == F_ENUMS || f->type == F_BOOL;
	if (group) {
		buf_fmt(b, "<fieldset class=\"field field-group%h\"", err ? " field-invalid" : "");
		describedby(b, f, err);
		buf_fmt(b, ">\n<legend>%h", f->label);
		if (f->required) buf_puts(b, " <span class=\"req\">(obligatoire)</span>");
		buf_puts(b, "</legend>\n");
	} else {
		buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-%h\">%h", err ? " field-invalid" : "", f->name, f->label);
		if (f->required) buf_puts(b, " <span class=\"req\">(obligatoire)</span>");
		buf_puts(b, "</label>\n");
	}
	const char *extra = type_help(f);
	buf_fmt(b, "<p class=\"help\" id=\"h-%h\">%h", f->name, f->help ? f->help : "");
	if (extra) buf_fmt(b, " %h", extra);
	buf_puts(b, "</p>\n");
	buf_fmt(b, "<p class=\"field-visibility\" id=\"v-%h\">Visibilité : %h</p>\n", f->name,
	        f->vis == VIS_PUBLIC ? "public" : "réservé aux collectivités");
	html_field_error(b, e, f->name);

	switch (f->type) {
	case F_STR:
	case F_DATE:
		buf_puts(b, "<input type=\"text\"");
		control_attrs(b, f, err);
		buf_fmt(b, " value=\"%h\">\n", val);
		break;
	case F_URL:
		buf_puts(b, "<input type=\"url\"");
		control_attrs(b, f, err);
		buf_fmt(b, " value=\"%h\">\n", val);
		break;
	case F_INT:
	case F_NUM:
		buf_fmt(b, "<input type=\"text\" inputmode=\"%h\"", f->type == F_INT ? "numeric" : "decimal");
		control_attrs(b, f, err);
		buf_fmt(b, " value=\"%h\">\n", val);
		break;
	case F_TEXT:
	case F_MD:
	case F_STRS:
	case F_URLS:
	case F_ORGS:
	case F_SUPPLIERS:
	case F_LEGAL: {
		int rows = f->type == F_MD ? 12 : f->type == F_TEXT ? (f->maxlen > 1000 ? 6 : 3) : 4;
		buf_puts(b, "<textarea");
		control_attrs(b, f, err);
		buf_fmt(b, " rows=\"%d\">%h</textarea>\n", rows, val);
		break;
	}
	case F_ENUM: {
		buf_puts(b, "<select");
		control_attrs(b, f, err);
		buf_puts(b, ">\n<option value=\"\">— Non renseigné —</option>\n");
		bool known = !*val;
		for (size_t k = 0; k < f->vocab->count; k++) {
			const struct term *t = &f->vocab->terms[k];
			bool sel = strcmp(t->code, val) == 0;
			if (sel) known = true;
			buf_fmt(b, "<option value=\"%h\"%h>%h</option>\n", t->code, sel ? " selected" : "", t->label);
		}
		if (!known) buf_fmt(b, "<option value=\"%h\" selected>Valeur inconnue : %h</option>\n", val, val);
		buf_puts(b, "</select>\n");
		break;
	}
	case F_ENUMS:
		for (size_t k = 0; k < f->vocab->count; k++) {
			const struct term *t = &f->vocab->terms[k];
			if (k == 0) buf_fmt(b, "<div class=\"choice\"><input type=\"checkbox\" id=\"f-%h\"", f->name);
			else buf_fmt(b, "<div class=\"choice\"><input type=\"checkbox\" id=\"f-%h-%z\"", f->name, k);
			buf_fmt(b, " name=\"%h\" value=\"%h\"%h>", f->name, t->code, line_in(val, t->code) ? " checked" : "");
			if (k == 0) buf_fmt(b, "<label for=\"f-%h\">%h</label></div>\n", f->name, t->label);
			else buf_fmt(b, "<label for=\"f-%h-%z\">%h</label></div>\n", f->name, k, t->label);
		}
		break;
	case F_BOOL: {
		static const char *const codes[] = { "oui", "non", "" };
		static const char *const labels[] = { "Oui", "Non", "Non renseigné" };
		static const char *const suffix[] = { "", "-non", "-nr" };
		for (int k = 0; k < 3; k++)
			buf_fmt(b, "<div class=\"choice\"><input type=\"radio\" id=\"f-%h%h\" name=\"%h\" value=\"%h\"%h>"
			           "<label for=\"f-%h%h\">%h</label></div>\n",
			        f->name, suffix[k], f->name, codes[k], strcmp(val, codes[k]) == 0 ? " checked" : "",
			        f->name, suffix[k], labels[k]);
		break;
	}
	case F_ORG:
		if (auth_is_curator(&r->viewer)) {
			buf_puts(b, "<input type=\"text\"");
			control_attrs(b, f, err);
			buf_fmt(b, " value=\"%h\">\n", val);
		} else {
			buf_puts(b, "<select");
			control_attrs(b, f, err);
			buf_puts(b, ">\n");
			owner_options(r, b, val);
			buf_puts(b, "</select>\n");
		}
		break;
	case F_INDICATORS:
	case F_KIT:
		break; /* not rendered here (see page_edit_form) */
	}
	buf_puts(b, group ? "</fieldset>\n" : "</div>\n");
}

/* The block of a list edited on its own pages (indicators, reuse kit):
 * label, help and a link to them (N items), or on a new record a sentence
 * saying they come after the first save. */
static void item_list_link(buf_t *b, const struct uc_full *u, const struct field *f)
{
	bool ind = f->type == F_INDICATORS;
	buf_fmt(b, "<div class=\"field field-items\">\n<p class=\"field-label\" id=\"l-%h\"><strong>%h</strong></p>\n"
	           "<p class=\"help\">%h</p>\n<p>",
	        f->name, f->label, f->help ? f->help : "");
	if (u) {
		json_t *a = json_object_get(u->doc, f->name);
		buf_fmt(b, "<a href=\"/fiches/%D/%h\">%h (%z)</a>", u->id, ind ? "indicateurs" : "kit",
		        ind ? "Gérer les indicateurs" : "Gérer le kit de réutilisation", json_is_array(a) ? json_array_size(a) : 0);
		buf_puts(b, " (enregistrez d'abord les autres modifications de ce formulaire)");
	} else {
		buf_fmt(b, "Enregistrez d'abord la fiche : vous pourrez ensuite ajouter %h.",
		        ind ? "ses indicateurs" : "les éléments de son kit de réutilisation");
	}
	buf_puts(b, "</p>\n</div>\n");
}

/* The whole form page. u: the record being edited (NULL for a new one);
 * version: the version the form is based on; notice: a message shown
 * before the errors (conflict), or NULL. */
static void render_form(struct req *r, const struct uc_full *u, const char **val, const struct verrors *e,
                        const char *notice, int64_t version)
{
	buf_t *b = &r->out;
	bool failed = (e && e->count) || notice;
	const char *title = u ? doc_str(u->doc, "title") : NULL;
	buf_t t = BUF_INIT;
	if (failed) buf_puts(&t, "Erreur : ");
	if (u) {
		buf_puts(&t, failed ? "modifier la fiche « " : "Modifier la fiche « ");
		buf_puts(&t, title ? title : "");
		buf_puts(&t, " »");
	} else {
		buf_puts(&t, failed ? "nouvelle fiche" : "Nouvelle fiche");
	}
	html_begin(r, buf_cstr(&t));
	buf_free(&t);
	if (u)
		buf_fmt(b, "<h1>Modifier la fiche « %h »</h1>\n", title ? title : "");
	else
		buf_puts(b, "<h1>Nouvelle fiche</h1>\n");
	if (notice) buf_fmt(b, "<div class=\"error-summary\" role=\"alert\" id=\"conflit\"><p>%h</p></div>\n", notice);
	html_error_summary(b, e);
	if (u && strcmp(u->state, "published") == 0)
		buf_puts(b, "<div class=\"notice\" role=\"note\"><p>Cette fiche est publiée : vos modifications seront "
		            "visibles de tous dès l'enregistrement (l'ancienne version reste dans l'historique).</p></div>\n");
	buf_puts(b, "<p>Les champs marqués « obligatoire » doivent être remplis. Chaque champ indique s'il sera "
	            "public ou réservé aux agents des collectivités.</p>\n");
	if (u) {
		char action[64];
		snprintf(action, sizeof action, "/fiches/%lld/modifier", (long long)u->id);
		html_form_begin(r, action, "form record-form");
		buf_fmt(b, "<input type=\"hidden\" name=\"version\" value=\"%D\">\n", version);
	} else {
		html_form_begin(r, "/fiches/nouvelle", "form record-form");
	}
	const char *secs[16];
	int nsecs = model_sections(secs, (int)ARRAY_LEN(secs));
	for (int si = 0; si < nsecs; si++) {
		const char *sec = secs[si];
		/* reuse: the "reuse" section only for a reuse (fields absent from the
		 * post are left out of the input, see vals_to_input) */
		if (strcmp(sec, "reuse") == 0 && !(u && u->origin_id)) continue;
		buf_fmt(b, "<section class=\"form-section\" aria-labelledby=\"s-%h\">\n<h2 id=\"s-%h\">%h</h2>\n", sec, sec,
		        model_section_label(sec));
		for (size_t j = 0; j < model_nfields; j++) {
			const struct field *f = &model_fields[j];
			if (strcmp(f->section, sec) != 0) continue;
			if (f->type == F_INDICATORS || f->type == F_KIT) { /* edited on their own pages (page_indicators.c) */
				item_list_link(b, u, f);
				continue;
			}
			render_field(r, b, f, val[j], e);
		}
		buf_puts(b, "</section>\n");
	}
	buf_fmt(b, "<div class=\"actions\"><button type=\"submit\">%h</button>",
	        u ? "Enregistrer" : "Enregistrer le brouillon");
	if (u) buf_fmt(b, " <a href=\"%h\">Annuler</a>", record_path(r, u->id, u->slug));
	else buf_puts(b, " <a href=\"/espace\">Annuler</a>");
	buf_puts(b, "</div>\n</form>\n");
	html_end(r);
}

/* ==== Checking and saving ==== */

/* Validate the post: the canonical doc (caller decrefs) or NULL with e
 * filled. base: the stored doc when editing. */
static json_t *validate_post(struct req *r, const char **val, const json_t *base, struct verrors *e)
{
	struct linemap *maps = xcalloc(model_nfields, sizeof *maps);
	struct verrors conv = { 0 }, mv = { 0 };
	json_t *in = vals_to_input(r, val, maps, &conv);
	json_t *doc = model_validate(in, base, &mv);
	json_decref(in);
	merge_errors(e, &conv, maps);
	merge_errors(e, &mv, maps);
	/* model_validate() checks required fields only when all else is valid:
	 * the form says everything at once */
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		if (!f->required || html_ferr(e, f->name)) continue;
		bool blank = true;
		for (const char *p = val[i]; *p; p++)
			if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') blank = false;
		if (blank) verrors_add(e, "validation.required", f->name, "« %s » est obligatoire.", f->label);
	}
	if (e->count && doc) {
		json_decref(doc);
		doc = NULL;
	}
	/* the owner must be an organisation the viewer may write for */
	if (doc) {
		const char *key = doc_str(doc, "owner");
		struct org o;
		int rc = key ? org_find(r->db, key, &o) : 0;
		if (rc == 0) {
			verrors_add(e, "validation.not_found", "owner", "Organisation porteuse « %.60s » introuvable.", key ? key : "");
		} else if (rc == 1) {
			if (!auth_can_edit_org(&r->viewer, o.id))
				verrors_add(e, "auth.forbidden", "owner",
				            "Vous n'êtes pas membre de l'organisation « %.80s » : vous ne pouvez pas écrire pour elle.", o.name);
			org_free(&o);
		} else {
			verrors_add(e, "server.database", "", "Erreur interne : réessayez.");
		}
		if (e->count) {
			json_decref(doc);
			doc = NULL;
		}
	}
	/* store errors may name list items too: keep the maps for them */
	for (size_t i = 0; i < model_nfields; i++) free(maps[i].line);
	free(maps);
	return doc;
}

/* Save doc in one transaction with its audit entry (creation only).
 * Returns a store_rc. */
static int save_doc(struct req *r, json_t *doc, struct uc_save *p, struct verrors *e, int64_t *id)
{
	if (db_begin(r->db) < 0) return STORE_ERR;
	p->in_tx = true;
	struct verrors se = { 0 };
	int rc = store_usecase_save(r->db, doc, p, &se, id, NULL);
	if (rc == STORE_OK && !p->id) {
		char target[32];
		snprintf(target, sizeof target, "usecase:%lld", (long long)*id);
		if (auth_audit(r->db, r->viewer.user_id, "usecase.create", target, "draft") < 0) rc = STORE_ERR;
	}
	if (rc == STORE_OK && db_commit(r->db) < 0) rc = STORE_ERR;
	if (rc != STORE_OK) db_rollback(r->db);
	if (rc == STORE_INVALID) {
		/* item errors of lists (unknown partner organisations): rebuild the
		 * line maps from the post to name the lines */
		struct linemap *maps = xcalloc(model_nfields, sizeof *maps);
		const char **val = xcalloc(model_nfields, sizeof *val);
		vals_from_form(r, val);
		struct verrors scratch = { 0 };
		json_t *in = vals_to_input(r, val, maps, &scratch);
		json_decref(in);
		merge_errors(e, &se, maps);
		for (size_t i = 0; i < model_nfields; i++) free(maps[i].line);
		free(maps);
		free(val);
	}
	return rc;
}

/* A page for viewers who may not create records. */
static void no_org_page(struct req *r)
{
	buf_reset(&r->out);
	r->status = 403;
	r->no_etag = true;
	html_begin(r, "Accès refusé : nouvelle fiche");
	buf_puts(&r->out, "<h1>Vous ne pouvez pas encore écrire de fiche</h1>\n"
	                  "<p>Les fiches sont écrites par les agents des collectivités, au nom de leur organisation. "
	                  "Votre compte n'est membre d'aucune organisation.</p>\n"
	                  "<p><a href=\"/compte/rejoindre\">Demander à rejoindre votre organisation</a></p>\n");
	html_end(r);
}

static bool may_create(const struct viewer *v)
{
	return auth_is_curator(v) || v->norgs > 0;
}

/* ==== GET/POST /fiches/nouvelle ==== */

int page_edit_new(struct req *r)
{
	if (!may_create(&r->viewer)) {
		no_org_page(r);
		return 0;
	}
	const char **val = xcalloc(model_nfields, sizeof *val);
	for (size_t i = 0; i < model_nfields; i++) val[i] = "";
	const char *pre = req_param(r, "organisation");
	const struct field *of = model_field("owner");
	if (pre && of) val[of - model_fields] = pre;
	else if (of && r->viewer.norgs == 1) {
		struct org o;
		if (org_get(r->db, r->viewer.orgs[0], &o) == 1) {
			char *k = org_key(&o);
			req_own(r, k);
			val[of - model_fields] = k;
			org_free(&o);
		}
	}
	render_form(r, NULL, val, NULL, NULL, 0);
	free(val);
	return 0;
}

int page_edit_new_post(struct req *r)
{
	if (!may_create(&r->viewer)) {
		no_org_page(r);
		return 0;
	}
	const char **val = xcalloc(model_nfields, sizeof *val);
	vals_from_form(r, val);
	struct verrors e = { 0 };
	json_t *doc = validate_post(r, val, NULL, &e);
	if (doc) {
		struct uc_save p = { 0 };
		p.state = "draft";
		p.user_id = r->viewer.user_id;
		p.note = "création";
		int64_t id = 0;
		int rc = save_doc(r, doc, &p, &e, &id);
		if (rc == STORE_OK) {
			char *slug = text_slugify(doc_str(doc, "title") ? doc_str(doc, "title") : "", 80);
			req_own(r, slug);
			req_flash(r, "created");
			req_redirect(r, record_path(r, id, slug));
			json_decref(doc);
			free(val);
			return 0;
		}
		if (rc != STORE_INVALID) {
			json_decref(doc);
			free(val);
			page_error(r, 500, "Erreur interne : la fiche n'a pas été enregistrée.");
			return 0;
		}
		json_decref(doc);
	}
	r->status = 422;
	render_form(r, NULL, val, &e, NULL, 0);
	free(val);
	return 0;
}

/* ==== GET/POST /fiches/{id}/modifier ==== */

/* Load record args[0] for the viewer and check action a. 1, or 0 after
 * replying (404, 403, 409). */
static int load_checked(struct req *r, enum wf_action a, struct uc_full *u)
{
	if (!page_usecase_load(r, u)) return 0;
	const char *why = NULL;
	int st = wf_check(&r->viewer, a, u->state, u->owner_org_id, &why);
	if (st) {
		store_usecase_free(u);
		page_error(r, st, why);
		return 0;
	}
	return 1;
}

int page_edit(struct req *r)
{
	struct uc_full u;
	if (!load_checked(r, WF_EDIT, &u)) return 0;
	const char **val = xcalloc(model_nfields, sizeof *val);
	vals_from_doc(r, u.doc, val);
	render_form(r, &u, val, NULL, NULL, u.version);
	free(val);
	store_usecase_free(&u);
	return 0;
}

int page_edit_post(struct req *r)
{
	struct uc_full u;
	if (!load_checked(r, WF_EDIT, &u)) return 0;
	int64_t expect = 0;
	const char *vs = req_form(r, "version");
	if (!vs || parse_int64(vs, 1, 999999999999LL, &expect) < 0) {
		store_usecase_free(&u);
		page_error(r, 400, "Formulaire incomplet (version manquante) : rechargez la page de modification.");
		return 0;
	}
	const char **val = xcalloc(model_nfields, sizeof *val);
	vals_from_form(r, val);
	struct verrors e = { 0 };
	json_t *doc = validate_post(r, val, u.doc, &e);
	const char *notice = NULL;
	int64_t version = expect;
	if (doc && strcmp(u.state, "published") == 0) {
		/* moving a published record needs the right to publish for the new owner */
		struct org o;
		if (org_find(r->db, doc_str(doc, "owner"), &o) == 1) {
			if (!auth_can_publish_org(&r->viewer, o.id))
				verrors_add(&e, "auth.forbidden", "owner",
				            "Cette fiche est publiée : seul un référent de « %.80s » peut la lui attribuer.", o.name);
			org_free(&o);
		}
		if (e.count) {
			json_decref(doc);
			doc = NULL;
		}
	}
	if (doc && expect != u.version) {
		notice = "Quelqu'un a modifié cette fiche pendant que vous la modifiiez. Vos saisies sont conservées "
		         "ci-dessous ; ouvrez la fiche dans un autre onglet pour voir la version actuelle. Enregistrer "
		         "de nouveau remplacera cette version par votre saisie.";
		version = u.version;
		r->status = 409;
	} else if (doc && json_equal(doc, u.doc)) {
		req_flash(r, "unchanged");
		req_redirect(r, record_path(r, u.id, u.slug));
		goto done;
	} else if (doc) {
		struct uc_save p = { 0 };
		p.id = u.id;
		p.expect_version = expect;
		p.user_id = r->viewer.user_id;
		p.note = "modification";
		int64_t id;
		int rc = save_doc(r, doc, &p, &e, &id);
		if (rc == STORE_OK) {
			char *slug = text_slugify(doc_str(doc, "title") ? doc_str(doc, "title") : "", 80);
			req_own(r, slug);
			req_flash(r, "saved");
			req_redirect(r, record_path(r, id, slug));
			goto done;
		}
		if (rc == STORE_CONFLICT) {
			store_usecase_free(&u);
			if (store_usecase_load(r->db, page_seg_id(r->args[0]), &u) != 1) {
				json_decref(doc);
				free(val);
				page_error(r, 500, "La fiche n'a pas pu être lue.");
				return 0;
			}
			notice = "Quelqu'un a modifié cette fiche pendant que vous la modifiiez. Vos saisies sont conservées "
			         "ci-dessous. Enregistrer de nouveau remplacera cette version par votre saisie.";
			version = u.version;
			r->status = 409;
		} else if (rc != STORE_INVALID) {
			json_decref(doc);
			free(val);
			store_usecase_free(&u);
			page_error(r, 500, "Erreur interne : la fiche n'a pas été enregistrée.");
			return 0;
		}
	}
	if (!notice) r->status = 422;
	render_form(r, &u, val, &e, notice, version);
done:
	json_decref(doc);
	free(val);
	store_usecase_free(&u);
	return 0;
}

/* ==== Workflow box of the record page ==== */

static void text_form(struct req *r, const struct uc_full *u, enum wf_action a, const char *value,
                      const char *err)
{
	buf_t *b = &r->out;
	bool retract = a == WF_RETRACT;
	const char *name = retract ? "motif" : "commentaire";
	char action[80];
	snprintf(action, sizeof action, "/fiches/%lld/%s", (long long)u->id,
	         retract ? "retirer" : "demander-modifications");
	html_form_begin(r, action, "form workflow-form");
	buf_fmt(b, "<input type=\"hidden\" name=\"version\" value=\"%D\">\n", u->version);
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-%h\">%h <span class=\"req\">(obligatoire)</span></label>\n"
	           "<p class=\"help\" id=\"h-%h\">%h</p>\n",
	        err ? " field-invalid" : "", name,
	        retract ? "Motif du retrait" : "Modifications demandées", name,
	        retract ? "Public : il est affiché sur la fiche retirée. 2000 caractères au plus."
	                : "Transmis à l'organisation, qui corrige puis soumet de nouveau. 2000 caractères au plus.");
	if (err) buf_fmt(b, "<p class=\"field-error\" id=\"e-%h\"><span class=\"visually-hidden\">Erreur : </span>%h</p>\n", name, err);
	buf_fmt(b, "<textarea id=\"f-%h\" name=\"%h\" rows=\"4\" required aria-required=\"true\"%R aria-describedby=\"h-%h%h%h\">%h</textarea>\n</div>\n",
	        name, name, err ? " aria-invalid=\"true\"" : "", name, err ? " e-" : "", err ? name : "", value ? value : "");
	buf_fmt(b, "<div class=\"actions\"><button type=\"submit\"%R>%h</button></div>\n</form>\n",
	        retract ? " class=\"button-danger\"" : "", wf_action_label(a));
}

static void button_form(struct req *r, const struct uc_full *u, const char *verb, enum wf_action a)
{
	char action[80];
	snprintf(action, sizeof action, "/fiches/%lld/%s", (long long)u->id, verb);
	html_form_begin(r, action, "inline-form");
	buf_fmt(&r->out, "<input type=\"hidden\" name=\"version\" value=\"%D\">\n"
	                 "<button type=\"submit\">%h</button>\n</form>\n",
	        u->version, wf_action_label(a));
}

void page_edit_actions(struct req *r, const struct uc_full *u)
{
	const struct viewer *v = &r->viewer;
	if (!auth_can_edit_org(v, u->owner_org_id)) return;
	buf_t *b = &r->out;
	buf_puts(b, "<section class=\"workflow\" aria-labelledby=\"titre-workflow\">\n"
	            "<h2 id=\"titre-workflow\">Rédaction et publication</h2>\n<p>État de la fiche : ");
	html_badge(b, "state", u->state);
	buf_puts(b, "</p>\n");
	if (strcmp(u->state, "changes_requested") == 0 && u->review_comment && *u->review_comment)
		buf_fmt(b, "<div class=\"notice\" role=\"note\"><p class=\"notice-title\">Modifications demandées par la relecture</p>"
		           "<p class=\"text\">%h</p></div>\n",
		        u->review_comment);
	if (strcmp(u->state, "submitted") == 0)
		buf_puts(b, "<p>La fiche attend la relecture d'un référent de l'organisation.</p>\n");
	buf_puts(b, "<div class=\"actions\">\n");
	if (!wf_can(v, WF_EDIT, u->state, u->owner_org_id))
		buf_fmt(b, "<a class=\"button\" href=\"/fiches/%D/modifier\">Modifier</a>\n", u->id);
	if (!wf_can(v, WF_SUBMIT, u->state, u->owner_org_id)) button_form(r, u, "soumettre", WF_SUBMIT);
	if (!wf_can(v, WF_PUBLISH, u->state, u->owner_org_id)) button_form(r, u, "publier", WF_PUBLISH);
	buf_puts(b, "</div>\n");
	if (!wf_can(v, WF_REQUEST_CHANGES, u->state, u->owner_org_id)) {
		buf_puts(b, "<h3>Demander des modifications</h3>\n");
		text_form(r, u, WF_REQUEST_CHANGES, NULL, NULL);
	}
	if (!wf_can(v, WF_RETRACT, u->state, u->owner_org_id)) {
		buf_puts(b, "<h3>Retirer la fiche</h3>\n<p>Une fiche retirée reste consultable avec la mention « retirée » "
		            "et ne peut plus être modifiée.</p>\n");
		text_form(r, u, WF_RETRACT, NULL, NULL);
	}
	buf_puts(b, "</section>\n");
}

/* ==== POST /fiches/{id}/soumettre, /publier, /demander-modifications, /retirer ==== */

static int wf_post(struct req *r, enum wf_action a, const char *flash)
{
	struct uc_full u;
	if (!load_checked(r, a, &u)) return 0;
	int64_t expect = 0;
	const char *vs = req_form(r, "version");
	if (vs && parse_int64(vs, 1, 999999999999LL, &expect) < 0) expect = -1;
	const char *text = NULL;
	if (wf_needs_text(a)) {
		text = req_form(r, a == WF_RETRACT ? "motif" : "commentaire");
		const char *problem = wf_text_problem(text);
		if (problem) {
			/* a small page with the text area and its error */
			const char *title = doc_str(u.doc, "title");
			buf_reset(&r->out);
			r->status = 422;
			r->no_etag = true;
			buf_t tt = BUF_INIT;   /* the page title is text: html_begin escapes it */
			buf_puts(&tt, "Erreur : ");
			buf_puts(&tt, wf_action_label(a));
			buf_puts(&tt, " — ");
			buf_puts(&tt, title ? title : "");
			html_begin(r, buf_cstr(&tt));
			buf_free(&tt);
			buf_fmt(&r->out, "<h1>%h</h1>\n<p>Fiche : <a href=\"%h\">%h</a></p>\n", wf_action_label(a),
			        record_path(r, u.id, u.slug), title ? title : "");
			struct verrors e = { 0 };
			const char *fname = a == WF_RETRACT ? "motif" : "commentaire";
			verrors_add(&e, "validation.required", fname, "%s : %s",
			            a == WF_RETRACT ? "Motif du retrait" : "Modifications demandées", problem);
			html_error_summary(&r->out, &e);
			text_form(r, &u, a, text, e.items[0].message);
			html_end(r);
			store_usecase_free(&u);
			return 0;
		}
	}
	if (expect < 0) {
		store_usecase_free(&u);
		page_error(r, 400, "Formulaire mal formé (version).");
		return 0;
	}
	const char *msg = NULL;
	int st = wf_apply(r->db, &r->viewer, &u, a, text, expect, &msg);
	if (st) {
		store_usecase_free(&u);
		page_error(r, st, msg);
		return 0;
	}
	req_flash(r, flash);
	req_redirect(r, record_path(r, u.id, u.slug));
	store_usecase_free(&u);
	return 0;
}

int page_wf_submit(struct req *r)
{
	return wf_post(r, WF_SUBMIT, "submitted");
}

int page_wf_publish(struct req *r)
{
	return wf_post(r, WF_PUBLISH, "published");
}

int page_wf_request_changes(struct req *r)
{
	return wf_post(r, WF_REQUEST_CHANGES, "changes-requested");
}

int page_wf_retract(struct req *r)
{
	return wf_post(r, WF_RETRACT, "retracted");
}
