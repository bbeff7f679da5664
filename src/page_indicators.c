/*
 * page_indicators.c — editing the item lists of a record on the web: its
 * impact indicators (/fiches/{id}/indicateurs...) and its reuse kit
 * (/fiches/{id}/kit...). For each list: the list page, a form for ONE
 * item (new or n-th), and a deletion confirmed on its own page.
 *
 * Design notes
 * - One machine for both lists (struct kind): loading and rights, the list
 *   page, the form page around the item's inputs, saving, deleting and the
 *   error mapping are written once; each list only says how its inputs are
 *   rendered, read back into a JSON item, filled from a stored item, and
 *   which input an error of the model names (kind->render, build, load,
 *   map).
 * - Rights are those of the record form (workflow.c, WF_EDIT): members edit
 *   drafts, submitted records and records to be modified; a published
 *   record only by those who may publish it (the change goes live at once
 *   as a new version); a retracted record is final. A record the viewer
 *   may not read is a 404, like everywhere.
 * - Validation is the API's: the whole list, with the item replaced,
 *   appended or removed, goes through model_validate() with the stored doc
 *   as base. Its errors name paths ("indicators[2].measurements[1].date");
 *   those of this item are brought back to the input of THIS form (a
 *   measurement's index is mapped to its row of the table, skipped empty
 *   rows included) with a French label; the model's own prefix
 *   ("Indicateur 3, mesure 2 : ") is replaced by the input's label. Numbers
 *   are read the French way (comma or point, spaces as digit separators)
 *   before the model sees them.
 * - Saving is one store_usecase_save() (one transaction, a new version with
 *   a note): nothing half-written. The form carries the version it was
 *   filled from; if the record moved on, the form comes back (409) with
 *   the typed values and the new version: saving again applies this item
 *   to the current record.
 * - Measurements are rows of a table: the existing ones plus three empty
 *   rows; the "Ajouter des lignes" button posts the form, which comes back
 *   (200, nothing saved) with three more rows and every typed value. Empty
 *   rows are ignored.
 * - The common-indicator pick-list needs no script: when one is chosen and
 *   the name, unit or type are left empty, the server fills them (the
 *   model does the same for the API).
 * - Deletion: the list links to a confirmation page (GET .../supprimer)
 *   showing the item, whose button posts to the same address with the
 *   version. A post without a valid version is refused (400).
 * - Memory: form values are request-owned strings (req_own); JSON values
 *   and loaded records are freed before returning.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact.h"
#include "model.h"
#include "pages.h"
#include "store.h"
#include "util.h"
#include "workflow.h"

#define MAX_ROWS 150     /* measurement rows a form may show */
#define ADD_ROWS 3       /* empty rows offered, and added by "Ajouter des lignes" */
#define MAX_VALS 600

struct form;

/* One kind of item list. */
struct kind {
	const char *field;        /* model field: "indicators" or "reuse_kit" */
	const char *seg;          /* URL segment: "indicateurs" or "kit" */
	const char *list_title;   /* "Indicateurs d'impact" */
	const char *item;         /* "l'indicateur" */
	const char *add;          /* "Ajouter un indicateur" */
	const char *new_title;    /* "Nouvel indicateur" */
	const char *edit_title;   /* "Modifier l'indicateur" */
	const char *del_title;    /* "Supprimer l'indicateur" */
	const char *save_label;   /* "Enregistrer l'indicateur" */
	const char *empty;        /* "Aucun indicateur pour l'instant." */
	const char *missing;      /* 404 message of an unknown position */
	const char *flash_saved, *flash_deleted;
	const char *note_add, *note_edit, *note_del;   /* version notes */
	const char *intro;        /* a paragraph above the list */
	void (*render)(struct form *fm);
	json_t *(*build)(struct form *fm);                  /* posted inputs → JSON item (conversion errors in fm->e) */
	void (*load)(struct form *fm, const json_t *item);  /* stored item → input values */
	void (*map)(struct form *fm, const char *sub, const char *message, const char *code);
};

/* The state of one form page. */
struct form {
	struct req *r;
	const struct kind *k;
	struct uc_full u;
	int n;                    /* 1-based position of the item, 0: a new one */
	bool posted;              /* values come from the post (else from the map) */
	const char *names[MAX_VALS], *vals[MAX_VALS];
	int nvals;
	struct verrors e;
	int rows;                 /* measurement rows shown */
	int rowmap[MAX_ROWS];     /* measurement index in the built item → row (1-based) */
	int nrowmap;
	int64_t version;          /* the version the form is based on */
	const char *notice;       /* conflict message, or NULL */
};

/* ==== Small helpers ==== */


/* A position "1".."999", 0 when invalid. */
static int seg_pos(const char *seg)
{
	int64_t v;
	if (!seg || strlen(seg) > 3 || parse_int64(seg, 1, 999, &v) < 0) return 0;
	for (const char *p = seg; *p; p++)
		if (*p < '0' || *p > '9') return 0;
	return (int)v;
}

static const char *owned(struct req *r, char *heap)
{
	req_own(r, heap);
	return heap;
}

static const char *fmt_owned(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *fmt_owned(struct req *r, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	return owned(r, xstrdup(tmp));
}

/* The value of input name: set explicitly (stored item, filled-in
 * defaults), else posted, else "". */
static const char *fv(const struct form *fm, const char *name)
{
	for (int i = fm->nvals - 1; i >= 0; i--)
		if (strcmp(fm->names[i], name) == 0) return fm->vals[i];
	if (fm->posted) {
		const char *v = req_form(fm->r, name);
		if (v) return v;
	}
	return "";
}

static void fv_set(struct form *fm, const char *name, const char *value)
{
	if (fm->nvals >= MAX_VALS) return;
	fm->names[fm->nvals] = owned(fm->r, xstrdup(name));
	fm->vals[fm->nvals] = owned(fm->r, xstrdup(value ? value : ""));
	fm->nvals++;
}

/* Trimmed copy of an input (request-owned); "" when blank. */
static const char *fv_trim(struct form *fm, const char *name)
{
	const char *s = fv(fm, name);
	size_t len = strlen(s);
	while (len && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n')) len--;
	return owned(fm->r, xstrndup(s, len));
}

/* A number as typed in French (comma decimal, no grouping). */
static void num_text(char *out, size_t size, double d)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, d);
		if (strtod(out, NULL) == d) break;
	}
	if (strchr(out, 'e')) snprintf(out, size, "%.6f", d);
	for (char *p = out; *p; p++)
		if (*p == '.') *p = ',';
}

/* Parse a French number ("1 234,5", "-0.25"): true and *out, false when s
 * is not one. Spaces (also U+00A0 and U+202F) are digit separators. */
static bool parse_num_fr(const char *s, double *out)
{
	char t[64];
	size_t j = 0;
	for (size_t i = 0; s[i];) {
		const unsigned char *u = (const unsigned char *)s + i;
		if (u[0] == ' ') i++;
		else if (u[0] == 0xC2 && u[1] == 0xA0) i += 2;
		else if (u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xAF) i += 3;
		else {
			if (j + 1 >= sizeof t) return false;
			char c = s[i++];
			t[j++] = c == ',' ? '.' : c;
		}
	}
	t[j] = 0;
	size_t k = 0;
	if (t[k] == '-' || t[k] == '+') k++;
	int digits = 0, dots = 0;
	for (; t[k]; k++) {
		if (t[k] >= '0' && t[k] <= '9') digits++;
		else if (t[k] == '.' && dots == 0) dots++;
		else return false;
	}
	if (!digits) return false;
	double d = strtod(t, NULL);
	if (!isfinite(d) || fabs(d) > 1e15) return false;
	*out = d;
	return true;
}

/* The number of input name into obj[key]: nothing when blank, an error on
 * input name (label) when it is not a number. */
static void put_num(struct form *fm, json_t *obj, const char *key, const char *name, const char *label)
{
	const char *s = fv_trim(fm, name);
	if (!*s) return;
	double d;
	if (parse_num_fr(s, &d)) json_object_set_new(obj, key, json_real(d));
	else verrors_add(&fm->e, "validation.type", name, "%s : « %.40s » n'est pas un nombre (par exemple 12,5 ou 1 200).", label, s);
}

static void put_str(struct form *fm, json_t *obj, const char *key, const char *name)
{
	const char *s = fv_trim(fm, name);
	if (*s) json_object_set_new(obj, key, json_string(s));
}

/* Drop the model's prefix of an item message ("Indicateur 3, mesure 2 : ",
 * "Indicateur 1 (« nom ») : ", "Kit de réutilisation, élément 2 : ").
 * Returns a pointer into msg. */
static const char *strip_prefix(const char *msg)
{
	const char *p = msg;
	if (str_starts(p, "Indicateur ")) p += strlen("Indicateur ");
	else if (str_starts(p, "Kit de réutilisation, élément ")) p += strlen("Kit de réutilisation, élément ");
	else return msg;
	while (*p >= '0' && *p <= '9') p++;
	if (str_starts(p, ", mesure ")) {
		p += strlen(", mesure ");
		while (*p >= '0' && *p <= '9') p++;
	} else if (str_starts(p, ", valeur de référence")) {
		p += strlen(", valeur de référence");
	} else if (str_starts(p, ", cible")) {
		p += strlen(", cible");
	}
	if (str_starts(p, " (« ")) {
		const char *q = strstr(p, "») : ");
		if (!q) return msg;
		p = q + strlen("»)");
	}
	if (!str_starts(p, " : ")) return msg;
	return p + 3;
}

/* Add an error on input name, "label : message" (message without the
 * model's prefix), unless the input has one already. */
static void add_err(struct form *fm, const char *code, const char *name, const char *label, const char *message)
{
	if (*name && html_ferr(&fm->e, name)) return;
	verrors_add(&fm->e, code, name, "%s : %s", label, strip_prefix(message));
}

/* ==== Inputs (same conventions as every form: f-NAME, h-NAME, e-NAME) ==== */

static void describedby(buf_t *b, const char *name, bool help, bool err)
{
	if (!help && !err) return;
	buf_puts(b, " aria-describedby=\"");
	if (help) buf_fmt(b, "h-%h", name);
	if (err) buf_fmt(b, "%he-%h", help ? " " : "", name);
	buf_puts(b, "\"");
}

/* A labelled text input; inputmode "decimal" for numbers. */
static void text_input(struct form *fm, const char *name, const char *label, const char *help, const char *type,
                       bool required, bool decimal)
{
	buf_t *b = &fm->r->out;
	const char *err = html_ferr(&fm->e, name);
	if (type && strcmp(type, "textarea") == 0) {
		html_input(b, &(struct html_field){ .name = name, .label = label, .help = help, .type = "textarea",
		                                    .value = fv(fm, name), .rows = 4, .required = required },
		           &fm->e);
		return;
	}
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-%h\">%h", err ? " field-invalid" : "", name, label);
	if (required) buf_puts(b, " <span class=\"req\">(obligatoire)</span>");
	buf_puts(b, "</label>\n");
	if (help) buf_fmt(b, "<p class=\"help\" id=\"h-%h\">%h</p>\n", name, help);
	html_field_error(b, &fm->e, name);
	buf_fmt(b, "<input type=\"%h\" id=\"f-%h\" name=\"%h\"", type ? type : "text", name, name);
	if (decimal) buf_puts(b, " inputmode=\"decimal\"");
	if (required) buf_puts(b, " required aria-required=\"true\"");
	if (err) buf_puts(b, " aria-invalid=\"true\"");
	describedby(b, name, help != NULL, err != NULL);
	buf_fmt(b, " value=\"%h\">\n</div>\n", fv(fm, name));
}

/* A select of a vocabulary, with an empty first option (empty_label). */
static void vocab_select(struct form *fm, const char *name, const char *label, const char *help, const struct vocab *v,
                         const char *empty_label, bool required)
{
	buf_t *b = &fm->r->out;
	const char *err = html_ferr(&fm->e, name);
	const char *cur = fv(fm, name);
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-%h\">%h", err ? " field-invalid" : "", name, label);
	if (required) buf_puts(b, " <span class=\"req\">(obligatoire)</span>");
	buf_puts(b, "</label>\n");
	if (help) buf_fmt(b, "<p class=\"help\" id=\"h-%h\">%h</p>\n", name, help);
	html_field_error(b, &fm->e, name);
	buf_fmt(b, "<select id=\"f-%h\" name=\"%h\"", name, name);
	if (required) buf_puts(b, " required aria-required=\"true\"");
	if (err) buf_puts(b, " aria-invalid=\"true\"");
	describedby(b, name, help != NULL, err != NULL);
	buf_fmt(b, ">\n<option value=\"\">%h</option>\n", empty_label);
	bool known = !*cur;
	for (size_t k = 0; k < v->count; k++) {
		bool sel = strcmp(v->terms[k].code, cur) == 0;
		if (sel) known = true;
		buf_fmt(b, "<option value=\"%h\"%h>%h</option>\n", v->terms[k].code, sel ? " selected" : "", v->terms[k].label);
	}
	if (!known) buf_fmt(b, "<option value=\"%h\" selected>Valeur inconnue : %h</option>\n", cur, cur);
	buf_puts(b, "</select>\n</div>\n");
}

/* A group of radio buttons (codes/labels), the first one with id f-NAME. */
static void radios(struct form *fm, const char *name, const char *legend, const char *help, const char *const *codes,
                   const char *const *labels, int n)
{
	buf_t *b = &fm->r->out;
	const char *err = html_ferr(&fm->e, name);
	const char *cur = fv(fm, name);
	buf_fmt(b, "<fieldset class=\"field field-group%h\"", err ? " field-invalid" : "");
	describedby(b, name, help != NULL, err != NULL);
	buf_fmt(b, ">\n<legend>%h</legend>\n", legend);
	if (help) buf_fmt(b, "<p class=\"help\" id=\"h-%h\">%h</p>\n", name, help);
	html_field_error(b, &fm->e, name);
	for (int k = 0; k < n; k++) {
		const char *id = k == 0 ? fmt_owned(fm->r, "f-%s", name) : fmt_owned(fm->r, "f-%s-%d", name, k + 1);
		buf_fmt(b, "<div class=\"choice\"><input type=\"radio\" id=\"%h\" name=\"%h\" value=\"%h\"%h>"
		           "<label for=\"%h\">%h</label></div>\n",
		        id, name, codes[k], strcmp(cur, codes[k]) == 0 ? " checked" : "", id, labels[k]);
	}
	buf_puts(b, "</fieldset>\n");
}

static void visibility_radios(struct form *fm)
{
	static const char *const codes[] = { "public", "restricted" };
	static const char *const labels[] = { "Public : visible de tous, exporté en données ouvertes",
		                              "Réservé aux agents des collectivités" };
	radios(fm, "visibility", "Visibilité", NULL, codes, labels, 2);
}

/* ==== Impact indicators ==== */

static const char *row_name(struct form *fm, const char *col, int row)
{
	return fmt_owned(fm->r, "m_%s_%d", col, row);
}

static void ind_load(struct form *fm, const json_t *x)
{
	char num[48];
	static const char *const strs[] = { "common", "name", "type", "unit", "frequency", "source", "method", "comments",
		                            "evidence", "evaluator", "report_url", "visibility" };
	for (size_t i = 0; i < ARRAY_LEN(strs); i++) {
		const char *s = doc_str(x, strs[i]);
		if (s) fv_set(fm, strs[i], s);
	}
	json_t *a = json_object_get(x, "automated");
	if (json_is_boolean(a)) fv_set(fm, "automated", json_is_true(a) ? "oui" : "non");
	json_t *bl = json_object_get(x, "baseline");
	if (json_is_object(bl)) {
		num_text(num, sizeof num, json_number_value(json_object_get(bl, "value")));
		fv_set(fm, "baseline_value", num);
		fv_set(fm, "baseline_date", doc_str(bl, "date"));
	}
	json_t *tg = json_object_get(x, "target");
	if (json_is_object(tg)) {
		num_text(num, sizeof num, json_number_value(json_object_get(tg, "value")));
		fv_set(fm, "target_value", num);
		fv_set(fm, "target_date", doc_str(tg, "date"));
	}
	json_t *ms = json_object_get(x, "measurements");
	size_t k;
	json_t *m;
	int row = 0;
	json_array_foreach(ms, k, m) {
		if (++row > MAX_ROWS - ADD_ROWS) break;
		num_text(num, sizeof num, json_number_value(json_object_get(m, "value")));
		fv_set(fm, row_name(fm, "value", row), num);
		fv_set(fm, row_name(fm, "date", row), doc_str(m, "date"));
		fv_set(fm, row_name(fm, "start", row), doc_str(m, "start"));
	}
	fm->rows = row + ADD_ROWS;
}

/* Fill name, unit and type from the chosen common indicator when they are
 * left empty (shown back, and sent to the model). */
static void ind_fill_common(struct form *fm)
{
	const struct impact_common *c = impact_common_find(fv_trim(fm, "common"));
	if (!c) return;
	if (!*fv_trim(fm, "name")) fv_set(fm, "name", c->label);
	if (!*fv_trim(fm, "unit")) fv_set(fm, "unit", c->unit);
	if (!*fv_trim(fm, "type")) fv_set(fm, "type", c->type);
}

static json_t *ind_build(struct form *fm)
{
	ind_fill_common(fm);
	json_t *x = json_object();
	static const char *const strs[] = { "common", "name", "type", "unit", "frequency", "source", "method", "comments",
		                            "evidence", "evaluator", "report_url", "visibility" };
	for (size_t i = 0; i < ARRAY_LEN(strs); i++) put_str(fm, x, strs[i], strs[i]);
	const char *a = fv_trim(fm, "automated");
	if (strcmp(a, "oui") == 0) json_object_set_new(x, "automated", json_true());
	else if (strcmp(a, "non") == 0) json_object_set_new(x, "automated", json_false());
	/* baseline and target: present when one of their inputs is filled */
	static const struct {
		const char *key, *value, *date, *label;
	} pts[] = { { "baseline", "baseline_value", "baseline_date", "Valeur de référence" },
		    { "target", "target_value", "target_date", "Valeur cible" } };
	for (size_t i = 0; i < ARRAY_LEN(pts); i++) {
		if (!*fv_trim(fm, pts[i].value) && !*fv_trim(fm, pts[i].date)) continue;
		json_t *p = json_object();
		put_num(fm, p, "value", pts[i].value, pts[i].label);
		put_str(fm, p, "date", pts[i].date);
		json_object_set_new(x, pts[i].key, p);
	}
	json_t *ms = json_array();
	fm->nrowmap = 0;
	for (int row = 1; row <= fm->rows; row++) {
		const char *vn = row_name(fm, "value", row), *dn = row_name(fm, "date", row), *sn = row_name(fm, "start", row);
		if (!*fv_trim(fm, vn) && !*fv_trim(fm, dn) && !*fv_trim(fm, sn)) continue;
		json_t *m = json_object();
		put_num(fm, m, "value", vn, fmt_owned(fm->r, "Mesure, ligne %d, valeur", row));
		put_str(fm, m, "date", dn);
		put_str(fm, m, "start", sn);
		json_array_append_new(ms, m);
		fm->rowmap[fm->nrowmap++] = row;
	}
	if (json_array_size(ms)) json_object_set_new(x, "measurements", ms);
	else json_decref(ms);
	return x;
}

/* The row of the measurements table an error about the whole list points
 * at: a measurement not after the baseline, or the second of two on the
 * same date; else the first filled row. */
static int ind_list_error_row(struct form *fm, const char *message)
{
	const char *bd = fv_trim(fm, "baseline_date");
	bool before = strstr(message, "référence") != NULL;
	for (int i = 0; i < fm->nrowmap; i++) {
		const char *d = fv_trim(fm, row_name(fm, "date", fm->rowmap[i]));
		if (before && *bd && *d && strcmp(d, bd) <= 0) return fm->rowmap[i];
		if (!before)
			for (int j = 0; j < i; j++)
				if (*d && strcmp(d, fv_trim(fm, row_name(fm, "date", fm->rowmap[j]))) == 0 &&
				    strcmp(fv_trim(fm, row_name(fm, "start", fm->rowmap[i])),
				           fv_trim(fm, row_name(fm, "start", fm->rowmap[j]))) == 0)
					return fm->rowmap[i];
	}
	return fm->nrowmap ? fm->rowmap[0] : 1;
}

static void ind_map(struct form *fm, const char *sub, const char *message, const char *code)
{
	static const struct {
		const char *sub, *name, *label;
	} direct[] = {
		{ ".name", "name", "Nom de l'indicateur" },
		{ ".common", "common", "Indicateur courant" },
		{ ".type", "type", "Type d'indicateur" },
		{ ".unit", "unit", "Unité" },
		{ ".frequency", "frequency", "Fréquence de suivi" },
		{ ".automated", "automated", "Collecte automatisée" },
		{ ".source", "source", "Source de la collecte" },
		{ ".method", "method", "Méthode" },
		{ ".comments", "comments", "Biais et limites" },
		{ ".evidence", "evidence", "Niveau de preuve" },
		{ ".evaluator", "evaluator", "Évaluateur" },
		{ ".report_url", "report_url", "Lien du rapport d'évaluation" },
		{ ".visibility", "visibility", "Visibilité" },
		{ ".baseline.value", "baseline_value", "Valeur de référence" },
		{ ".baseline.date", "baseline_date", "Date de la valeur de référence" },
		{ ".baseline", "baseline_value", "Valeur de référence" },
		{ ".target.value", "target_value", "Valeur cible" },
		{ ".target.date", "target_date", "Date de la cible" },
		{ ".target", "target_value", "Valeur cible" },
		{ "", "name", "Indicateur" },
	};
	for (size_t i = 0; i < ARRAY_LEN(direct); i++)
		if (strcmp(sub, direct[i].sub) == 0) {
			add_err(fm, code, direct[i].name, direct[i].label, message);
			return;
		}
	if (str_starts(sub, ".measurements[")) {
		int k = atoi(sub + strlen(".measurements["));
		int row = k >= 0 && k < fm->nrowmap ? fm->rowmap[k] : 1;
		const char *rest = strchr(sub, ']');
		rest = rest ? rest + 1 : "";
		const char *col = strcmp(rest, ".value") == 0 ? "value" : strcmp(rest, ".start") == 0 ? "start" : "date";
		const char *what = strcmp(col, "value") == 0 ? "valeur" : strcmp(col, "start") == 0 ? "date de début" : "date";
		add_err(fm, code, row_name(fm, col, row), fmt_owned(fm->r, "Mesure, ligne %d, %s", row, what), message);
		return;
	}
	if (strcmp(sub, ".measurements") == 0) {
		int row = ind_list_error_row(fm, message);
		add_err(fm, code, row_name(fm, "date", row), fmt_owned(fm->r, "Mesure, ligne %d, date", row), message);
		return;
	}
	add_err(fm, code, "", "Indicateur", message);
}

/* One cell input of the measurements table, with its hidden label. */
static void cell(struct form *fm, const char *col, int row, const char *label, bool decimal)
{
	buf_t *b = &fm->r->out;
	const char *name = row_name(fm, col, row);
	const char *err = html_ferr(&fm->e, name);
	buf_puts(b, err ? "<td class=\"field-invalid\">" : "<td>");
	buf_fmt(b, "<label class=\"visually-hidden\" for=\"f-%h\">%h, ligne %d</label>", name, label, row);
	html_field_error(b, &fm->e, name);
	buf_fmt(b, "<input type=\"text\" id=\"f-%h\" name=\"%h\" size=\"12\"", name, name);
	if (decimal) buf_puts(b, " inputmode=\"decimal\"");
	if (err) buf_fmt(b, " aria-invalid=\"true\" aria-describedby=\"e-%h\"", name);
	buf_fmt(b, " value=\"%h\"></td>\n", fv(fm, name));
}

static void ind_render(struct form *fm)
{
	struct req *r = fm->r;
	buf_t *b = &r->out;
	/* what: the pick-list */
	buf_puts(b, "<fieldset>\n<legend>L'indicateur</legend>\n");
	{
		const char *name = "common";
		const char *err = html_ferr(&fm->e, name);
		const char *cur = fv(fm, name);
		buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-common\">Indicateur courant</label>\n"
		           "<p class=\"help\" id=\"h-common\">Choisir un indicateur courant permet de comparer les collectivités. "
		           "Laissez le nom, l'unité ou le type vides : ils seront remplis d'après l'indicateur choisi.</p>\n",
		        err ? " field-invalid" : "");
		html_field_error(b, &fm->e, name);
		buf_puts(b, "<select id=\"f-common\" name=\"common\"");
		describedby(b, name, true, err != NULL);
		buf_puts(b, ">\n<option value=\"\">— Indicateur libre —</option>\n");
		for (size_t i = 0; i < impact_ncommons; i++) {
			const struct impact_common *c = &impact_commons[i];
			buf_fmt(b, "<option value=\"%h\"%h>%h (%h)</option>\n", c->code, strcmp(cur, c->code) == 0 ? " selected" : "",
			        c->label, c->unit);
		}
		buf_puts(b, "</select>\n</div>\n");
	}
	text_input(fm, "name", "Nom de l'indicateur", "Par exemple « Délai moyen de réponse aux demandes ».", NULL, false, false);
	vocab_select(fm, "type", "Type d'indicateur",
	             "Impact : l'effet recherché (temps gagné, délai, coût...). Usage : l'utilisation du service.",
	             &vocab_indicator_type, "— Selon l'indicateur courant (impact par défaut) —", false);
	text_input(fm, "unit", "Unité", "heures, jours, €, kWh, m³, %, unité...", NULL, false, false);
	buf_puts(b, "</fieldset>\n");

	/* the figures */
	buf_puts(b, "<fieldset>\n<legend>Valeur de référence</legend>\n"
	            "<p>La situation avant le projet, à laquelle les mesures sont comparées.</p>\n");
	text_input(fm, "baseline_value", "Valeur de référence", "Nombre : virgule ou point pour les décimales.", NULL, false, true);
	text_input(fm, "baseline_date", "Date de la valeur de référence", "Format : AAAA-MM-JJ.", NULL, false, false);
	buf_puts(b, "</fieldset>\n");

	buf_fmt(b, "<fieldset id=\"mesures\">\n<legend>Mesures</legend>\n"
	           "<p id=\"h-mesures\">Une ligne par mesure. Date de fin ou de mesure au format AAAA-MM-JJ ; la date de début "
	           "seulement si la mesure porte sur une période. Chaque mesure doit être postérieure à la valeur de référence. "
	           "Les lignes vides sont ignorées.</p>\n"
	           "<input type=\"hidden\" name=\"rows\" value=\"%d\">\n"
	           "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau des mesures (défilement horizontal possible)\">\n"
	           "<table class=\"data measures\">\n<caption class=\"visually-hidden\">Mesures de l'indicateur</caption>\n"
	           "<thead><tr><th scope=\"col\">Ligne</th><th scope=\"col\">Date de début (facultative)</th>"
	           "<th scope=\"col\">Date de fin ou de mesure</th><th scope=\"col\">Valeur</th></tr></thead>\n<tbody>\n",
	        fm->rows);
	for (int row = 1; row <= fm->rows; row++) {
		buf_fmt(b, "<tr><th scope=\"row\">%d</th>\n", row);
		cell(fm, "start", row, "Date de début", false);
		cell(fm, "date", row, "Date de fin ou de mesure", false);
		cell(fm, "value", row, "Valeur", true);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</tbody>\n</table>\n</div>\n");
	if (fm->rows + ADD_ROWS <= MAX_ROWS)
		buf_puts(b, "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"lignes\" class=\"button-secondary\">"
		            "Ajouter des lignes</button></div>\n");
	buf_puts(b, "</fieldset>\n");

	buf_puts(b, "<fieldset>\n<legend>Cible</legend>\n");
	text_input(fm, "target_value", "Valeur cible", "Facultative.", NULL, false, true);
	text_input(fm, "target_date", "Date de la cible", "Format : AAAA-MM-JJ (facultative).", NULL, false, false);
	buf_puts(b, "</fieldset>\n");

	/* how it is measured */
	buf_puts(b, "<fieldset>\n<legend>Méthode et niveau de preuve</legend>\n");
	vocab_select(fm, "frequency", "Fréquence de suivi", "Demandée par le schéma Etalab de l'impact.", &vocab_frequency,
	             "— Non renseignée —", false);
	{
		static const char *const codes[] = { "oui", "non", "" };
		static const char *const labels[] = { "Oui", "Non", "Non renseigné" };
		radios(fm, "automated", "Collecte automatisée", NULL, codes, labels, 3);
	}
	text_input(fm, "source", "Source de la collecte", "Script, enquête, comptage manuel, logiciel métier...", NULL, false,
	           false);
	text_input(fm, "method", "Méthode", "Comment la valeur est obtenue (une méthode nommée est requise pour le label « impact démontré »).",
	           "textarea", false, false);
	text_input(fm, "comments", "Biais et limites", "Limites connues, biais, manière de lire l'indicateur.", "textarea",
	           false, false);
	{
		const char *codes[3], *labels[3];
		for (size_t k = 0; k < 3 && k < vocab_evidence.count; k++) {
			codes[k] = vocab_evidence.terms[k].code;
			labels[k] = vocab_evidence.terms[k].label;
		}
		radios(fm, "evidence", "Niveau de preuve",
		       "Une évaluation indépendante doit nommer son évaluateur et donner le lien de son rapport.", codes, labels,
		       (int)(vocab_evidence.count < 3 ? vocab_evidence.count : 3));
	}
	text_input(fm, "evaluator", "Évaluateur", "Pour une évaluation indépendante : l'organisme qui l'a conduite.", NULL, false,
	           false);
	text_input(fm, "report_url", "Lien du rapport d'évaluation", "Adresse commençant par http:// ou https://.", "url", false,
	           false);
	buf_puts(b, "</fieldset>\n");
	visibility_radios(fm);
}

static const struct kind k_indicators = {
	.field = "indicators",
	.seg = "indicateurs",
	.list_title = "Indicateurs d'impact",
	.item = "l'indicateur",
	.add = "Ajouter un indicateur",
	.new_title = "Nouvel indicateur",
	.edit_title = "Modifier l'indicateur",
	.del_title = "Supprimer l'indicateur",
	.save_label = "Enregistrer l'indicateur",
	.empty = "Cette fiche n'a pas encore d'indicateur.",
	.missing = "Cet indicateur n'existe pas (ou plus) sur cette fiche.",
	.flash_saved = "indicator-saved",
	.flash_deleted = "indicator-deleted",
	.note_add = "indicateur ajouté",
	.note_edit = "indicateur modifié",
	.note_del = "indicateur supprimé",
	.intro = "Chaque indicateur compare une valeur de référence à des mesures datées (modèle du schéma Etalab de "
	         "l'impact des services publics numériques). Les indicateurs publics figurent sur la fiche et dans "
	         "l'export en données ouvertes ; les indicateurs réservés ne sont lus que par les agents des collectivités.",
	.render = ind_render,
	.build = ind_build,
	.load = ind_load,
	.map = ind_map,
};

/* ==== Reuse kit ==== */

static void kit_load(struct form *fm, const json_t *x)
{
	static const char *const strs[] = { "kind", "title", "url", "reference", "visibility" };
	for (size_t i = 0; i < ARRAY_LEN(strs); i++) {
		const char *s = doc_str(x, strs[i]);
		if (s) fv_set(fm, strs[i], s);
	}
}

static json_t *kit_build(struct form *fm)
{
	json_t *x = json_object();
	static const char *const strs[] = { "kind", "title", "url", "reference", "visibility" };
	for (size_t i = 0; i < ARRAY_LEN(strs); i++) put_str(fm, x, strs[i], strs[i]);
	return x;
}

static void kit_map(struct form *fm, const char *sub, const char *message, const char *code)
{
	static const struct {
		const char *sub, *name, *label;
	} direct[] = {
		{ ".kind", "kind", "Nature du document" },
		{ ".title", "title", "Titre" },
		{ ".url", "url", "Adresse" },
		{ ".reference", "reference", "Référence" },
		{ ".visibility", "visibility", "Visibilité" },
		{ "", "title", "Élément" },
	};
	for (size_t i = 0; i < ARRAY_LEN(direct); i++)
		if (strcmp(sub, direct[i].sub) == 0) {
			add_err(fm, code, direct[i].name, direct[i].label, message);
			return;
		}
	add_err(fm, code, "", "Élément", message);
}

static void kit_render(struct form *fm)
{
	vocab_select(fm, "kind", "Nature du document", NULL, &vocab_kit_kind, "— Choisissez —", true);
	text_input(fm, "title", "Titre", "Par exemple « Cahier des clauses techniques du marché ».", NULL, true, false);
	text_input(fm, "url", "Adresse", "Lien vers le document (http:// ou https://). Donnez une adresse ou une référence.",
	           "url", false, false);
	text_input(fm, "reference", "Référence", "Référence du contrat, personne à contacter, précisions...", "textarea", false,
	           false);
	visibility_radios(fm);
}

static const struct kind k_kit = {
	.field = "reuse_kit",
	.seg = "kit",
	.list_title = "Kit de réutilisation",
	.item = "l'élément",
	.add = "Ajouter un élément au kit",
	.new_title = "Nouvel élément du kit de réutilisation",
	.edit_title = "Modifier l'élément du kit de réutilisation",
	.del_title = "Supprimer l'élément du kit de réutilisation",
	.save_label = "Enregistrer l'élément",
	.empty = "Le kit de réutilisation de cette fiche est vide.",
	.missing = "Cet élément n'existe pas (ou plus) dans le kit de cette fiche.",
	.flash_saved = "kit-saved",
	.flash_deleted = "kit-deleted",
	.note_add = "kit de réutilisation : élément ajouté",
	.note_edit = "kit de réutilisation : élément modifié",
	.note_del = "kit de réutilisation : élément supprimé",
	.intro = "Les documents et liens utiles pour reprendre le projet ailleurs : cahier des charges, pièces du marché, "
	         "référence du contrat, code, schéma de données, formation, contact. Chaque élément est public ou réservé "
	         "aux agents des collectivités.",
	.render = kit_render,
	.build = kit_build,
	.load = kit_load,
	.map = kit_map,
};

/* ==== Shared machinery ==== */

/* Load record args[0] for editing into fm->u: 1, or 0 after replying. */
static int load_record(struct form *fm)
{
	struct req *r = fm->r;
	if (!page_usecase_load(r, &fm->u)) return 0;
	const char *why = NULL;
	int st = wf_check(&r->viewer, WF_EDIT, fm->u.state, fm->u.owner_org_id, &why);
	if (st) {
		store_usecase_free(&fm->u);
		page_error(r, st, why);
		return 0;
	}
	fm->version = fm->u.version;
	return 1;
}

static json_t *items_of(const struct form *fm)
{
	json_t *a = json_object_get(fm->u.doc, fm->k->field);
	return json_is_array(a) ? a : NULL;
}

/* Load the record and the position args[1] (when with_pos): 1, or 0 after
 * replying. */
static int open_form(struct form *fm, struct req *r, const struct kind *k, bool with_pos)
{
	memset(fm, 0, sizeof *fm);
	fm->r = r;
	fm->k = k;
	fm->rows = ADD_ROWS;
	if (!load_record(fm)) return 0;
	if (with_pos) {
		fm->n = seg_pos(r->args[1]);
		json_t *a = items_of(fm);
		if (fm->n == 0 || !a || (size_t)fm->n > json_array_size(a)) {
			store_usecase_free(&fm->u);
			page_error(r, 404, k->missing);
			return 0;
		}
	}
	return 1;
}

static const char *list_path(struct form *fm)
{
	return fmt_owned(fm->r, "/fiches/%lld/%s", (long long)fm->u.id, fm->k->seg);
}

static void record_link(struct form *fm)
{
	buf_t *b = &fm->r->out;
	const char *title = doc_str(fm->u.doc, "title");
	buf_puts(b, "<p>Fiche : <a href=\"");
	html_usecase_path(b, fm->u.id, fm->u.slug);
	buf_fmt(b, "\">%h</a></p>\n", title ? title : "");
}

static void published_notice(struct form *fm)
{
	if (strcmp(fm->u.state, "published") == 0)
		buf_puts(&fm->r->out, "<div class=\"notice\" role=\"note\"><p>Cette fiche est publiée : vos modifications seront "
		                      "visibles dès l'enregistrement (l'ancienne version reste dans l'historique).</p></div>\n");
}

/* "Title — « record »" page title, with "Erreur : " when failed. */
static void begin_page(struct form *fm, const char *what, bool failed)
{
	const char *title = doc_str(fm->u.doc, "title");
	buf_t t = BUF_INIT;
	if (failed) buf_puts(&t, "Erreur : ");
	buf_puts(&t, what);
	buf_puts(&t, " — « ");
	buf_puts(&t, title ? title : "");
	buf_puts(&t, " »");
	html_begin(fm->r, buf_cstr(&t));
	buf_free(&t);
}

/* The list page. */
static int list_page(struct req *r, const struct kind *k)
{
	struct form fm;
	if (!open_form(&fm, r, k, false)) return 0;
	buf_t *b = &r->out;
	begin_page(&fm, k->list_title, false);
	buf_fmt(b, "<h1>%h</h1>\n", k->list_title);
	record_link(&fm);
	published_notice(&fm);
	buf_fmt(b, "<p>%h</p>\n", k->intro);
	json_t *a = items_of(&fm);
	const struct field *f = model_field(k->field);
	if (!a || json_array_size(a) == 0) {
		buf_fmt(b, "<p>%h</p>\n", k->empty);
	} else {
		buf_puts(b, "<ol class=\"item-list\">\n");
		size_t i;
		json_t *x;
		json_array_foreach(a, i, x) {
			buf_puts(b, "<li><p>");
			html_item_summary(b, f, x);
			const char *label = doc_str(x, k == &k_kit ? "title" : "name");
			buf_fmt(b, "</p>\n<p class=\"actions\"><a href=\"/fiches/%D/%h/%z/modifier\">Modifier<span class=\"visually-hidden\"> "
			           "%h « %h »</span></a> <a href=\"/fiches/%D/%h/%z/supprimer\">Supprimer<span class=\"visually-hidden\"> "
			           "%h « %h »</span></a></p></li>\n",
			        fm.u.id, k->seg, i + 1, k->item, label ? label : "", fm.u.id, k->seg, i + 1, k->item,
			        label ? label : "");
		}
		buf_puts(b, "</ol>\n");
	}
	buf_fmt(b, "<div class=\"actions\"><a class=\"button\" href=\"/fiches/%D/%h/nouveau\">%h</a> "
	           "<a href=\"/fiches/%D/modifier\">Retour au formulaire de la fiche</a></div>\n",
	        fm.u.id, k->seg, k->add, fm.u.id);
	html_end(r);
	store_usecase_free(&fm.u);
	return 0;
}

/* The form page of one item (fm filled). */
static void form_page(struct form *fm)
{
	struct req *r = fm->r;
	buf_t *b = &r->out;
	const struct kind *k = fm->k;
	bool failed = fm->e.count || fm->notice;
	begin_page(fm, fm->n ? k->edit_title : k->new_title, failed);
	buf_fmt(b, "<h1>%h</h1>\n", fm->n ? k->edit_title : k->new_title);
	record_link(fm);
	if (fm->notice) buf_fmt(b, "<div class=\"error-summary\" role=\"alert\" id=\"conflit\"><p>%h</p></div>\n", fm->notice);
	html_error_summary(b, &fm->e);
	published_notice(fm);
	const char *action = fm->n ? fmt_owned(r, "/fiches/%lld/%s/%d/modifier", (long long)fm->u.id, k->seg, fm->n)
	                           : fmt_owned(r, "/fiches/%lld/%s/nouveau", (long long)fm->u.id, k->seg);
	html_form_begin(r, action, "form item-form");
	buf_fmt(b, "<input type=\"hidden\" name=\"version\" value=\"%D\">\n", fm->version);
	k->render(fm);
	buf_fmt(b, "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"enregistrer\">%h</button> "
	           "<a href=\"%h\">Annuler</a></div>\n</form>\n",
	        k->save_label, list_path(fm));
	html_end(r);
}

static int form_get(struct req *r, const struct kind *k, bool with_pos)
{
	struct form fm;
	if (!open_form(&fm, r, k, with_pos)) return 0;
	if (fm.n) k->load(&fm, json_array_get(items_of(&fm), (size_t)fm.n - 1));
	else {
		fv_set(&fm, "visibility", "public");
		fv_set(&fm, "evidence", "declared");
	}
	form_page(&fm);
	store_usecase_free(&fm.u);
	return 0;
}

/* Bring the model's errors back to the inputs: those of item idx to this
 * form (kind->map), the others to the summary. */
static void map_errors(struct form *fm, const struct verrors *mv, size_t idx)
{
	char prefix[80];
	snprintf(prefix, sizeof prefix, "%s[%zu]", fm->k->field, idx);
	int n = mv->count < 32 ? mv->count : 32;
	for (int i = 0; i < n; i++) {
		const struct verror *it = &mv->items[i];
		if (str_starts(it->field, prefix)) fm->k->map(fm, it->field + strlen(prefix), it->message, it->code);
		else verrors_add(&fm->e, it->code, "", "%s", it->message);
	}
}

static const char *conflict_msg =
    "Quelqu'un a modifié cette fiche pendant que vous la modifiiez. Vos saisies sont conservées ci-dessous ; "
    "enregistrer de nouveau appliquera votre saisie à la version actuelle de la fiche.";

/* Validate the list arr (stolen) against the stored doc and save it.
 * idx: position of the item in arr (for the errors). Returns 0 when the
 * reply is done (redirect or error page), 1 when the form must come back
 * (fm->e or fm->notice set, r->status set). */
static int save_list(struct form *fm, json_t *arr, size_t idx, const char *note, const char *flash, int64_t expect)
{
	struct req *r = fm->r;
	json_t *in = json_object();
	json_object_set_new(in, fm->k->field, json_array_size(arr) ? arr : json_null());
	if (!json_array_size(arr)) json_decref(arr);
	struct verrors mv = { 0 };
	json_t *doc = model_validate(in, fm->u.doc, &mv);
	json_decref(in);
	if (!doc || fm->e.count) {
		/* conversion errors (numbers) first, then the model's */
		json_decref(doc);
		map_errors(fm, &mv, idx);
		r->status = 422;
		return 1;
	}
	if (expect != fm->u.version) {
		json_decref(doc);
		fm->notice = conflict_msg;
		fm->version = fm->u.version;
		r->status = 409;
		return 1;
	}
	if (json_equal(doc, fm->u.doc)) {
		json_decref(doc);
		req_flash(r, "unchanged");
		req_redirect(r, list_path(fm));
		return 0;
	}
	struct uc_save p = { 0 };
	p.id = fm->u.id;
	p.expect_version = expect;
	p.user_id = r->viewer.user_id;
	p.note = note;
	struct verrors se = { 0 };
	int64_t id;
	int rc = store_usecase_save(r->db, doc, &p, &se, &id, NULL);
	json_decref(doc);
	if (rc == STORE_OK) {
		req_flash(r, flash);
		req_redirect(r, list_path(fm));
		return 0;
	}
	if (rc == STORE_CONFLICT) {
		int64_t rid = fm->u.id;
		store_usecase_free(&fm->u);
		if (store_usecase_load(r->db, rid, &fm->u) != 1) {
			memset(&fm->u, 0, sizeof fm->u);
			page_error(r, 500, "La fiche n'a pas pu être lue.");
			return 0;
		}
		fm->notice = conflict_msg;
		fm->version = fm->u.version;
		r->status = 409;
		return 1;
	}
	if (rc == STORE_INVALID) {
		map_errors(fm, &se, idx);
		r->status = 422;
		return 1;
	}
	page_error(r, 500, "Erreur interne : la fiche n'a pas été enregistrée.");
	return 0;
}

/* The posted version: 1 and *v, or 0 after replying 400. */
static int posted_version(struct form *fm, int64_t *v)
{
	const char *vs = req_form(fm->r, "version");
	if (!vs || parse_int64(vs, 1, 999999999999LL, v) < 0) {
		page_error(fm->r, 400, "Formulaire incomplet (version manquante) : rechargez la page.");
		return 0;
	}
	return 1;
}

static int form_post(struct req *r, const struct kind *k, bool with_pos)
{
	struct form fm;
	if (!open_form(&fm, r, k, with_pos)) return 0;
	int64_t expect;
	if (!posted_version(&fm, &expect)) goto out;
	fm.posted = true;
	fm.version = expect;
	int64_t rows;
	const char *rs = req_form(r, "rows");
	fm.rows = rs && parse_int64(rs, 1, MAX_ROWS, &rows) == 0 ? (int)rows : ADD_ROWS;
	const char *action = req_form(r, "action");
	if (action && strcmp(action, "lignes") == 0) {
		/* more empty rows, nothing saved */
		fm.rows = fm.rows + ADD_ROWS <= MAX_ROWS ? fm.rows + ADD_ROWS : MAX_ROWS;
		if (k == &k_indicators) ind_fill_common(&fm);
		form_page(&fm);
		goto out;
	}
	json_t *item = k->build(&fm);
	json_t *old = items_of(&fm);
	json_t *arr = old ? json_copy(old) : json_array();
	size_t idx;
	if (fm.n) {
		idx = (size_t)fm.n - 1;
		json_array_set_new(arr, idx, item);
	} else {
		idx = json_array_size(arr);
		json_array_append_new(arr, item);
	}
	if (save_list(&fm, arr, idx, fm.n ? k->note_edit : k->note_add, k->flash_saved, expect) == 1) form_page(&fm);
out:
	if (fm.u.doc) store_usecase_free(&fm.u);
	return 0;
}

/* The deletion page (GET) or its error/conflict reply. */
static void delete_page(struct form *fm)
{
	struct req *r = fm->r;
	buf_t *b = &r->out;
	const struct kind *k = fm->k;
	begin_page(fm, k->del_title, fm->e.count || fm->notice);
	buf_fmt(b, "<h1>%h</h1>\n", k->del_title);
	record_link(fm);
	if (fm->notice) buf_fmt(b, "<div class=\"error-summary\" role=\"alert\" id=\"conflit\"><p>%h</p></div>\n", fm->notice);
	html_error_summary(b, &fm->e);
	published_notice(fm);
	buf_fmt(b, "<p>Vous allez supprimer %h suivant de la fiche :</p>\n<blockquote><p>", k->item);
	html_item_summary(b, model_field(k->field), json_array_get(items_of(fm), (size_t)fm->n - 1));
	buf_puts(b, "</p></blockquote>\n<p>L'ancienne version de la fiche reste consultable dans son historique.</p>\n");
	html_form_begin(r, fmt_owned(r, "/fiches/%lld/%s/%d/supprimer", (long long)fm->u.id, k->seg, fm->n), "form");
	buf_fmt(b, "<input type=\"hidden\" name=\"version\" value=\"%D\">\n"
	           "<div class=\"actions\"><button type=\"submit\" class=\"button-danger\">%h</button> "
	           "<a href=\"%h\">Annuler</a></div>\n</form>\n",
	        fm->version, k->del_title, list_path(fm));
	html_end(r);
}

static int delete_get(struct req *r, const struct kind *k)
{
	struct form fm;
	if (!open_form(&fm, r, k, true)) return 0;
	delete_page(&fm);
	store_usecase_free(&fm.u);
	return 0;
}

static int delete_post(struct req *r, const struct kind *k)
{
	struct form fm;
	if (!open_form(&fm, r, k, true)) return 0;
	int64_t expect;
	if (!posted_version(&fm, &expect)) goto out;
	fm.version = expect;
	json_t *arr = json_copy(items_of(&fm));
	json_array_remove(arr, (size_t)fm.n - 1);
	if (save_list(&fm, arr, (size_t)-1, k->note_del, k->flash_deleted, expect) == 1) {
		/* the item may have moved in a newer version */
		json_t *a = items_of(&fm);
		if (!a || (size_t)fm.n > json_array_size(a)) {
			store_usecase_free(&fm.u);
			page_error(r, 404, k->missing);
			return 0;
		}
		delete_page(&fm);
	}
out:
	if (fm.u.doc) store_usecase_free(&fm.u);
	return 0;
}

/* ==== Handlers ==== */

int page_indicators(struct req *r) { return list_page(r, &k_indicators); }
int page_indicator_new(struct req *r) { return form_get(r, &k_indicators, false); }
int page_indicator_new_post(struct req *r) { return form_post(r, &k_indicators, false); }
int page_indicator_edit(struct req *r) { return form_get(r, &k_indicators, true); }
int page_indicator_edit_post(struct req *r) { return form_post(r, &k_indicators, true); }
int page_indicator_delete(struct req *r) { return delete_get(r, &k_indicators); }
int page_indicator_delete_post(struct req *r) { return delete_post(r, &k_indicators); }

int page_kit(struct req *r) { return list_page(r, &k_kit); }
int page_kit_new(struct req *r) { return form_get(r, &k_kit, false); }
int page_kit_new_post(struct req *r) { return form_post(r, &k_kit, false); }
int page_kit_edit(struct req *r) { return form_get(r, &k_kit, true); }
int page_kit_edit_post(struct req *r) { return form_post(r, &k_kit, true); }
int page_kit_delete(struct req *r) { return delete_get(r, &k_kit); }
int page_kit_delete_post(struct req *r) { return delete_post(r, &k_kit); }
