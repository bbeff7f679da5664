/*
 * page_survey.c — survey campaigns on the web (issue 7 §1).
 *
 * Curators (CAP_CURATOR, checked by the router; auth_can_manage_surveys()):
 *   GET  /observatoire/campagnes                     list (state, answers) + JSON import form
 *   POST /observatoire/campagnes/importer            import a definition (multipart), optionally
 *                                                   with a new code, year and dates
 *   GET  /observatoire/campagnes/{code}              every question, readable
 *   GET  /observatoire/campagnes/{code}/definition.json   the definition (iat-campaign/1)
 *   GET  /observatoire/campagnes/{code}/apercu       the questionnaire as respondents see it
 *   GET  /observatoire/campagnes/{code}/suivi        response rate by type, band, région
 *   GET  /observatoire/campagnes/{code}/non-repondants.csv  targeted authorities without a
 *                                                   submitted response
 * Respondents (CAP_USER; auth_can_answer_survey(), auth_can_submit_survey()):
 *   GET  /espace/enquetes                            open campaigns of the viewer's organisations
 *   GET  /espace/enquetes/{code}?organisation=KEY    the questionnaire
 *   POST /espace/enquetes/{code}                     save a draft, or submit (referent)
 *
 * Design notes
 * - Dates are UTC days: a campaign is open from opens_on to closes_on
 *   inclusive (survey_state()). Answers can be changed until the closing
 *   date, after submission too (the response stays submitted); after it
 *   the questionnaire is shown read-only and a post is a 409.
 * - Who answers for which organisation: a member (agent or referent) of a
 *   TARGETED active organisation. A member of an organisation outside the
 *   target gets 404 (the campaign does not exist for it); a non-member
 *   naming an organisation gets 403.
 * - The form has one control per question named "q-CODE" (checkboxes
 *   repeat it); numbers accept a decimal comma. Every conditional question
 *   is shown with « (seulement si … ) » and its answer is dropped on save
 *   when its condition does not hold (survey_answers_check()), no
 *   JavaScript. On error: 422, summary, each error next to its question,
 *   every value typed sent back.
 * - A draft checks types, options and bounds; a submission adds the
 *   required answers. "publish" is the organisation's consent to publish
 *   its individual answers; only a referent changes it (an agent's draft
 *   keeps the stored choice).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "csvw.h"
#include "markdown.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "survey.h"
#include "util.h"

#define MAX_CHOICES 64

static void today(char out[11])
{
	char ts[21];
	iso8601_utc(now_unix(), ts);
	memcpy(out, ts, 10);
	out[10] = 0;
}

/* Load campaign r->args[0]: 1 with *id and *d (survey_def_free()), or 0
 * after replying 404/500. */
static int load_campaign(struct req *r, int64_t *id, struct survey_def *d)
{
	char *def = NULL;
	int rc = store_survey_campaign_get(r->db, r->args[0], id, &def);
	if (rc < 0) {
		page_error(r, 500, "Erreur interne.");
		return 0;
	}
	if (rc == 0) {
		page_error(r, 404, "Cette campagne n'existe pas.");
		return 0;
	}
	struct verrors e = { 0 };
	rc = survey_def_parse_text(def, strlen(def), d, &e);
	free(def);
	if (rc < 0) {
		page_error(r, 500, "La définition de cette campagne est illisible.");
		return 0;
	}
	return 1;
}

static void state_badge(buf_t *b, int st)
{
	buf_fmt(b, "<span class=\"badge badge-%h\">%h</span>", st < 0 ? "upcoming" : st == 0 ? "open" : "closed",
	        survey_state_label(st));
}

static void target_text(buf_t *b, const struct survey_def *d)
{
	if (!d->nkinds && !d->nbands && !d->nregions) {
		buf_puts(b, "toutes les organisations");
		return;
	}
	bool first = true;
	if (d->nkinds) {
		buf_puts(b, "types : ");
		for (int i = 0; i < d->nkinds; i++) {
			const char *l = org_kind_label(d->kinds[i]);
			buf_fmt(b, "%h%h", i ? ", " : "", l ? l : d->kinds[i]);
		}
		first = false;
	}
	if (d->nbands) {
		buf_fmt(b, "%hstrates : ", first ? "" : " ; ");
		for (int i = 0; i < d->nbands; i++) {
			const char *l = org_band_label(d->bands[i]);
			buf_fmt(b, "%h%h", i ? ", " : "", l ? l : d->bands[i]);
		}
		first = false;
	}
	if (d->nregions) {
		buf_fmt(b, "%hrégions (code INSEE) : ", first ? "" : " ; ");
		for (int i = 0; i < d->nregions; i++) buf_fmt(b, "%h%h", i ? ", " : "", d->regions[i]);
	}
}

/* « (seulement si « label » = « option ») » for a conditional question. */
static void condition_hint(buf_t *b, const struct survey_def *d, const struct survey_question *q)
{
	if (q->show_q < 0) return;
	const struct survey_question *t = &d->q[q->show_q];
	const char *ol = q->show_value;
	for (int k = 0; k < t->noptions; k++)
		if (strcmp(t->options[k].code, q->show_value) == 0) ol = t->options[k].label;
	buf_fmt(b, " <span class=\"condition\">(seulement si vous avez répondu « %h » à « %h »)</span>", ol, t->label);
}

static void bounds_text(buf_t *b, const struct survey_question *q)
{
	if (q->kind == SQ_NUMBER) {
		if (q->has_min && q->has_max) {
			buf_puts(b, "Nombre entre ");
			html_num_fr(b, q->min);
			buf_puts(b, " et ");
			html_num_fr(b, q->max);
		} else if (q->has_min) {
			buf_puts(b, "Nombre supérieur ou égal à ");
			html_num_fr(b, q->min);
		} else if (q->has_max) {
			buf_puts(b, "Nombre inférieur ou égal à ");
			html_num_fr(b, q->max);
		} else {
			buf_puts(b, "Nombre");
		}
		if (q->unit) buf_fmt(b, ", en %h", q->unit);
		buf_puts(b, ".");
	} else if (q->kind == SQ_SCALE) {
		buf_puts(b, "De 1 (le moins) à 5 (le plus).");
	} else if (q->kind == SQ_TEXT) {
		buf_fmt(b, "%d caractères au plus, sur une ligne.", SURVEY_TEXT_MAX);
	} else if (q->kind == SQ_LONGTEXT) {
		buf_puts(b, "10 000 caractères au plus.");
	} else if (q->kind == SQ_MULTIPLE) {
		buf_puts(b, "Plusieurs réponses possibles.");
	}
}

/* ---- the questionnaire ---- */

/* The value of question q to show: from the posted form when form is
 * true, else from the stored answers. For choices, whether code is
 * chosen. */
static bool chosen(const struct req *r, bool form, const json_t *answers, const struct survey_question *q,
                   const char *code)
{
	char name[72];
	snprintf(name, sizeof name, "q-%s", q->code);
	if (form) {
		const char *vals[MAX_CHOICES];
		int n = req_form_all(r, name, vals, MAX_CHOICES);
		for (int i = 0; i < n; i++)
			if (strcmp(vals[i], code) == 0) return true;
		return false;
	}
	const json_t *v = json_object_get(answers, q->code);
	if (json_is_string(v)) return strcmp(json_string_value(v), code) == 0;
	size_t k;
	const json_t *it;
	json_array_foreach (v, k, it)
		if (json_is_string(it) && strcmp(json_string_value(it), code) == 0) return true;
	if (json_is_integer(v)) {
		char s[24];
		snprintf(s, sizeof s, "%lld", (long long)json_integer_value(v));
		return strcmp(s, code) == 0;
	}
	return false;
}

static void text_value(buf_t *b, const struct req *r, bool form, const json_t *answers,
                       const struct survey_question *q)
{
	char name[72];
	snprintf(name, sizeof name, "q-%s", q->code);
	if (form) {
		const char *v = req_form(r, name);
		buf_fmt(b, "%h", v ? v : "");
		return;
	}
	const json_t *v = json_object_get(answers, q->code);
	if (json_is_string(v)) buf_fmt(b, "%h", json_string_value(v));
	else if (json_is_number(v)) html_num_exact(b, json_number_value(v));
}

/* One question with its control. disabled: the preview and closed
 * campaigns. */
static void render_question(struct req *r, const struct survey_def *d, int i, bool form, const json_t *answers,
                            const struct verrors *e, bool disabled)
{
	buf_t *b = &r->out;
	const struct survey_question *q = &d->q[i];
	char name[72];
	snprintf(name, sizeof name, "q-%s", q->code);
	bool err = html_ferr(e, name) != NULL;
	bool group = q->kind == SQ_SINGLE || q->kind == SQ_MULTIPLE || q->kind == SQ_SCALE;
	const char *dis = disabled ? " disabled" : "";
	buf_t desc = BUF_INIT;
	buf_fmt(&desc, "h-%h", name);
	if (err) buf_fmt(&desc, " e-%h", name);
	if (group) {
		buf_fmt(b, "<fieldset class=\"field field-group%h\" id=\"question-%h\" aria-describedby=\"%h\">\n<legend>",
		        err ? " field-invalid" : "", q->code, buf_cstr(&desc));
	} else {
		buf_fmt(b, "<div class=\"field%h\" id=\"question-%h\">\n<label for=\"f-%h\">", err ? " field-invalid" : "",
		        q->code, name);
	}
	buf_fmt(b, "%d. %h", i + 1, q->label);
	if (q->required) buf_puts(b, " <span class=\"req\">(obligatoire)</span>");
	condition_hint(b, d, q);
	buf_puts(b, group ? "</legend>\n" : "</label>\n");
	buf_fmt(b, "<p class=\"help\" id=\"h-%h\">", name);
	if (q->help) buf_fmt(b, "%h ", q->help);
	bounds_text(b, q);
	buf_puts(b, "</p>\n");
	html_field_error(b, e, name);
	switch (q->kind) {
	case SQ_SINGLE:
	case SQ_MULTIPLE:
		for (int k = 0; k < q->noptions; k++) {
			const struct survey_option *o = &q->options[k];
			char id[160];
			if (k == 0) snprintf(id, sizeof id, "f-%s", name);
			else snprintf(id, sizeof id, "f-%s-%s", name, o->code);
			buf_fmt(b, "<div class=\"choice\"><input type=\"%h\" id=\"%h\" name=\"%h\" value=\"%h\"%h%h>"
			           "<label for=\"%h\">%h</label></div>\n",
			        q->kind == SQ_SINGLE ? "radio" : "checkbox", id, name, o->code,
			        chosen(r, form, answers, q, o->code) ? " checked" : "", dis, id, o->label);
		}
		break;
	case SQ_SCALE:
		for (int k = 1; k <= 5; k++) {
			char id[160], code[4];
			snprintf(code, sizeof code, "%d", k);
			if (k == 1) snprintf(id, sizeof id, "f-%s", name);
			else snprintf(id, sizeof id, "f-%s-%d", name, k);
			buf_fmt(b, "<div class=\"choice\"><input type=\"radio\" id=\"%h\" name=\"%h\" value=\"%h\"%h%h>"
			           "<label for=\"%h\">%h</label></div>\n",
			        id, name, code, chosen(r, form, answers, q, code) ? " checked" : "", dis, id, code);
		}
		break;
	case SQ_NUMBER:
	case SQ_TEXT:
		buf_fmt(b, "<input type=\"text\" id=\"f-%h\" name=\"%h\"", name, name);
		buf_puts(b, q->kind == SQ_NUMBER ? " inputmode=\"decimal\"" : " maxlength=\"500\"");
		buf_fmt(b, " aria-describedby=\"%h\"", buf_cstr(&desc));
		if (err) buf_puts(b, " aria-invalid=\"true\"");
		buf_fmt(b, "%h value=\"", dis);
		text_value(b, r, form, answers, q);
		buf_puts(b, "\">\n");
		break;
	case SQ_LONGTEXT:
		buf_fmt(b, "<textarea id=\"f-%h\" name=\"%h\" rows=\"6\" aria-describedby=\"%h\"", name, name, buf_cstr(&desc));
		if (err) buf_puts(b, " aria-invalid=\"true\"");
		buf_fmt(b, "%h>", dis);
		text_value(b, r, form, answers, q);
		buf_puts(b, "</textarea>\n");
		break;
	}
	buf_puts(b, group ? "</fieldset>\n" : "</div>\n");
	buf_free(&desc);
}

static void render_intro(buf_t *b, const struct survey_def *d)
{
	if (d->intro) {
		buf_puts(b, "<div class=\"survey-intro\">");
		markdown_render(b, d->intro, strlen(d->intro));
		buf_puts(b, "</div>\n");
	}
}

/* ---- curators: list and import ---- */

struct list_ctx {
	buf_t *b;
	char today[11];
	int n;
	db_t *db;
};

static int list_row(void *ctx, const struct survey_campaign_row *c)
{
	struct list_ctx *l = ctx;
	int st = strcmp(l->today, c->opens_on) < 0 ? -1 : strcmp(l->today, c->closes_on) > 0 ? 1 : 0;
	if (!l->n) {
		buf_puts(l->b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"titre-campagnes\">\n"
		               "<table class=\"data\">\n<caption>Campagnes, de la plus récente à la plus ancienne</caption>\n"
		               "<thead><tr><th scope=\"col\">Campagne</th><th scope=\"col\">Année</th>"
		               "<th scope=\"col\">Ouverture</th><th scope=\"col\">Clôture</th><th scope=\"col\">État</th>"
		               "<th scope=\"col\">Brouillons</th><th scope=\"col\">Réponses soumises</th></tr></thead>\n<tbody>\n");
	}
	l->n++;
	buf_fmt(l->b, "<tr><td><a href=\"/observatoire/campagnes/%U\">%h</a> <code>%h</code></td><td class=\"num\">%D</td><td>",
	        c->code, c->title, c->code, c->year);
	html_time(l->b, c->opens_on);
	buf_puts(l->b, "</td><td>");
	html_time(l->b, c->closes_on);
	buf_puts(l->b, "</td><td>");
	state_badge(l->b, st);
	buf_fmt(l->b, "</td><td class=\"num\">%D</td><td class=\"num\">%D</td></tr>\n", c->drafts, c->submitted);
	return 0;
}

static void import_form(struct req *r, const struct verrors *e)
{
	buf_t *b = &r->out;
	buf_fmt(b, "<form method=\"post\" action=\"/observatoire/campagnes/importer\" class=\"form\" "
	           "enctype=\"multipart/form-data\" novalidate aria-labelledby=\"titre-importer\">\n"
	           "<h2 id=\"titre-importer\">Importer une définition (JSON)</h2>\n"
	           "<p>Le fichier <code>definition.json</code> d'une campagne (format <code>iat-campaign/1</code>, "
	           "décrit dans doc/surveys.md), par exemple celui de l'an dernier. Une campagne qui porte déjà le code "
	           "est remplacée ; les questions qui ont déjà des réponses ne peuvent changer ni de type ni "
	           "d'options.</p>\n<input type=\"hidden\" name=\"csrf\" value=\"%h\">\n",
	        req_csrf(r));
	const char *ferr = html_ferr(e, "fichier");
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-fichier\">Fichier JSON <span class=\"req\">(obligatoire)</span></label>\n"
	           "<p class=\"help\" id=\"h-fichier\">1 Mio au plus.</p>\n", ferr ? " field-invalid" : "");
	html_field_error(b, e, "fichier");
	buf_fmt(b, "<input id=\"f-fichier\" name=\"fichier\" type=\"file\" accept=\".json,application/json\" "
	           "aria-describedby=\"h-fichier%h\"",
	        ferr ? " e-fichier" : "");
	buf_puts(b, ferr ? " aria-invalid=\"true\">\n</div>\n" : ">\n</div>\n");
	buf_puts(b, "<p>Pour réutiliser la campagne d'une autre année, indiquez ci-dessous ce qui change (laissez vide pour "
	            "garder la valeur du fichier) :</p>\n");
	html_input(b, &(struct html_field){ .name = "code", .label = "Nouveau code de campagne",
	                                    .help = "Lettres minuscules, chiffres, - et _ (par exemple observatoire-2027).",
	                                    .value = req_form(r, "code"), .maxlength = 64 }, e);
	html_input(b, &(struct html_field){ .name = "year", .label = "Nouvelle année", .help = "Par exemple 2027.",
	                                    .value = req_form(r, "year"), .maxlength = 4 }, e);
	html_input(b, &(struct html_field){ .name = "opens_on", .label = "Nouvelle date d'ouverture",
	                                    .help = "AAAA-MM-JJ.", .value = req_form(r, "opens_on"), .maxlength = 10 }, e);
	html_input(b, &(struct html_field){ .name = "closes_on", .label = "Nouvelle date de clôture",
	                                    .help = "AAAA-MM-JJ, dernier jour des réponses.",
	                                    .value = req_form(r, "closes_on"), .maxlength = 10 }, e);
	buf_fmt(b, "<div class=\"field\"><div class=\"choice\"><input type=\"checkbox\" id=\"f-essai\" name=\"essai\" "
	           "value=\"1\"%h aria-describedby=\"h-essai\"> <label for=\"f-essai\">Essai</label></div>\n"
	           "<p class=\"help\" id=\"h-essai\">Tout vérifier sans rien écrire.</p></div>\n",
	        req_form(r, "essai") ? " checked" : "");
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Importer</button></div>\n</form>\n");
}

static void campaigns_page(struct req *r, const struct verrors *e, const char *notice)
{
	buf_t *b = &r->out;
	html_begin(r, e && e->count ? "Erreur : Campagnes d'enquête" : "Campagnes d'enquête");
	buf_puts(b, "<h1>Campagnes d'enquête</h1>\n");
	if (e) html_error_summary(b, e);
	if (notice) buf_fmt(b, "<div class=\"notice\" role=\"status\"><p>%h</p></div>\n", notice);
	buf_puts(b, "<p class=\"lead\">Les enquêtes annuelles de l'observatoire auprès des collectivités : chaque "
	            "organisation visée répond une fois par campagne (ses agents préparent un brouillon, un référent "
	            "soumet).</p>\n<h2 id=\"titre-campagnes\">Campagnes</h2>\n");
	struct list_ctx l = { .b = b, .db = r->db };
	today(l.today);
	if (store_survey_campaigns(r->db, list_row, &l) < 0) buf_puts(b, "<p>La liste n'a pas pu être lue.</p>\n");
	else if (!l.n) buf_puts(b, "<p>Aucune campagne pour l'instant : importez une définition ci-dessous.</p>\n");
	else buf_puts(b, "</tbody>\n</table>\n</div>\n");
	buf_puts(b, "<p><a href=\"/observatoire/nouvelle-campagne\">Créer une campagne</a> (ses champs et sa première "
	            "question), ou importez une définition :</p>\n");
	import_form(r, e);
	html_end(r);
}

int page_survey_campaigns(struct req *r)
{
	r->status = 200;
	r->no_etag = true;
	campaigns_page(r, NULL, NULL);
	return 0;
}

int page_survey_import_post(struct req *r)
{
	struct verrors e = { 0 };
	bool dry_run = req_form(r, "essai") != NULL;
	json_t *j = NULL;
	if (!r->upload.present || !r->upload.filename[0]) {
		verrors_add(&e, "validation.required", "fichier", "Fichier JSON : choisissez le fichier de la définition.");
	} else if (r->upload.len > (1u << 20)) {
		verrors_add(&e, "validation.too_long", "fichier", "Fichier JSON : 1 Mio au plus.");
	} else {
		json_error_t je;
		j = json_loadb(r->upload.data, r->upload.len, JSON_REJECT_DUPLICATES, &je);
		if (!j)
			verrors_add(&e, "validation.json", "fichier", "Fichier JSON : JSON invalide (ligne %d, colonne %d) : %.120s",
			            je.line, je.column, je.text);
	}
	/* overrides of the form (a campaign reused for a new year) */
	static const char *const keys[] = { "code", "year", "opens_on", "closes_on" };
	for (int k = 0; j && json_is_object(j) && k < 4; k++) {
		const char *v = req_form(r, keys[k]);
		if (!v || !*v) continue;
		if (k == 1) {
			int64_t y;
			if (parse_int64(v, 2000, 2100, &y) < 0) {
				verrors_add(&e, "validation.range", "year", "Nouvelle année : une année entre 2000 et 2100.");
				continue;
			}
			json_object_set_new(j, "year", json_integer(y));
		} else {
			json_object_set_new(j, keys[k], json_string(v));
		}
	}
	struct survey_def d;
	bool parsed = false;
	if (j && !e.count) {
		if (survey_def_parse(j, &d, &e) == 0) parsed = true;
	}
	json_decref(j);
	char notice[200] = "";
	if (parsed) {
		int64_t id = 0;
		int exists = store_survey_campaign_get(r->db, d.code, &id, NULL);
		int rc = exists < 0 ? STORE_ERR
		                    : store_survey_campaign_save(r->db, exists ? d.code : NULL, &d, r->viewer.user_id, dry_run, &e);
		if (rc == STORE_ERR) {
			survey_def_free(&d);
			page_error(r, 500, "Erreur interne : rien n'a été importé.");
			return 0;
		}
		if (rc == STORE_OK && !dry_run) {
			char *loc = xasprintf("/observatoire/campagnes/%s", d.code);
			req_flash(r, exists ? "survey-replaced" : "survey-created");
			req_redirect(r, loc);
			free(loc);
			survey_def_free(&d);
			return 0;
		}
		if (rc == STORE_OK)
			snprintf(notice, sizeof notice, "Essai : la définition « %s » (%d questions) est valide ; rien n'a été écrit.",
			         d.code, d.nq);
		survey_def_free(&d);
	}
	r->status = e.count ? 422 : 200;
	r->no_etag = true;
	campaigns_page(r, &e, notice[0] ? notice : NULL);
	return 0;
}

/* ---- curators: one campaign ---- */

static void question_view(struct req *r, const struct survey_def *d, int i)
{
	buf_t *b = &r->out;
	const struct survey_question *q = &d->q[i];
	buf_fmt(b, "<li id=\"question-%h\"><p><strong>%h</strong> <code>%h</code> — %h%h", q->code, q->label, q->code,
	        survey_kind_label(q->kind), q->required ? ", obligatoire" : ", facultative");
	condition_hint(b, d, q);
	buf_puts(b, "</p>\n");
	if (q->help) buf_fmt(b, "<p class=\"help\">%h</p>\n", q->help);
	if (q->noptions) {
		buf_puts(b, "<ul>\n");
		for (int k = 0; k < q->noptions; k++)
			buf_fmt(b, "<li>%h <code>%h</code></li>\n", q->options[k].label, q->options[k].code);
		buf_puts(b, "</ul>\n");
	}
	if (q->kind == SQ_NUMBER) {
		buf_puts(b, "<p>");
		bounds_text(b, q);
		buf_puts(b, "</p>\n");
	}
	buf_fmt(b, "<p><a href=\"/observatoire/campagnes/%U/questions/%U/modifier\">Modifier la question %d "
	           "<span class=\"visually-hidden\">(%h)</span></a></p>\n",
	        d->code, q->code, i + 1, q->code);
	char *action = xasprintf("/observatoire/campagnes/%s/questions/%s/supprimer", d->code, q->code);
	html_form_begin(r, action, "inline");
	free(action);
	buf_fmt(b, "<button type=\"submit\" class=\"link-button\">Supprimer la question %d "
	           "<span class=\"visually-hidden\">(%h)</span></button></form>\n",
	        i + 1, q->code);
	buf_puts(b, "</li>\n");
}

int page_survey_campaign(struct req *r)
{
	int64_t id;
	struct survey_def d;
	if (!load_campaign(r, &id, &d)) return 0;
	char t[11];
	today(t);
	buf_t *b = &r->out;
	r->status = 200;
	r->no_etag = true;
	html_begin(r, d.title);
	buf_fmt(b, "<p><a href=\"/observatoire/campagnes\">Toutes les campagnes</a></p>\n<h1>%h</h1>\n<p>", d.title);
	state_badge(b, survey_state(&d, t));
	buf_fmt(b, " Code <code>%h</code>, année %d, du ", d.code, d.year);
	html_time(b, d.opens_on);
	buf_puts(b, " au ");
	html_time(b, d.closes_on);
	buf_puts(b, " inclus.</p>\n<p>Organisations visées : ");
	target_text(b, &d);
	buf_fmt(b, ".</p>\n<ul class=\"links\">\n"
	           "<li><a href=\"/observatoire/campagnes/%U/modifier\">Modifier la campagne</a> (titre, année, "
	           "introduction, dates, organisations visées)</li>\n"
	           "<li><a href=\"/observatoire/campagnes/%U/apercu\">Aperçu du questionnaire</a></li>\n"
	           "<li><a href=\"/observatoire/campagnes/%U/suivi\">Suivi des réponses</a></li>\n"
	           "<li><a href=\"/observatoire/campagnes/%U/definition.json\" download>Définition JSON</a> (à réimporter "
	           "pour une autre année)</li>\n</ul>\n",
	        d.code, d.code, d.code, d.code);
	render_intro(b, &d);
	buf_fmt(b, "<h2>Questions (%d)</h2>\n<ol class=\"survey-questions\">\n", d.nq);
	for (int i = 0; i < d.nq; i++) question_view(r, &d, i);
	buf_fmt(b, "</ol>\n<p><a href=\"/observatoire/campagnes/%U/questions/nouvelle\">Ajouter une question</a></p>\n", d.code);
	html_end(r);
	survey_def_free(&d);
	return 0;
}

int page_survey_definition(struct req *r)
{
	char *def = NULL;
	int rc = store_survey_campaign_get(r->db, r->args[0], NULL, &def);
	if (rc <= 0) {
		page_error(r, rc < 0 ? 500 : 404, rc < 0 ? "Erreur interne." : "Cette campagne n'existe pas.");
		return 0;
	}
	json_t *j = json_loads(def, 0, NULL);
	free(def);
	char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	json_decref(j);
	if (!text) {
		page_error(r, 500, "La définition de cette campagne est illisible.");
		return 0;
	}
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	buf_puts(&r->out, text);
	buf_puts(&r->out, "\n");
	free(text);
	char *cd = xasprintf("attachment; filename=\"%s.json\"", r->args[0]);
	req_add_header(r, "Content-Disposition", cd);
	free(cd);
	return 0;
}

int page_survey_preview(struct req *r)
{
	int64_t id;
	struct survey_def d;
	if (!load_campaign(r, &id, &d)) return 0;
	buf_t *b = &r->out;
	r->status = 200;
	char *title = xasprintf("Aperçu : %s", d.title);
	html_begin(r, title);
	free(title);
	buf_fmt(b, "<p><a href=\"/observatoire/campagnes/%U\">Retour à la campagne</a></p>\n<h1>Aperçu : %h</h1>\n"
	           "<p class=\"notice\">Le questionnaire tel que les organisations le verront (champs désactivés).</p>\n",
	        d.code, d.title);
	render_intro(b, &d);
	buf_puts(b, "<div class=\"form survey-form\">\n");
	struct verrors e = { 0 };
	for (int i = 0; i < d.nq; i++) render_question(r, &d, i, false, NULL, &e, true);
	buf_puts(b, "</div>\n");
	html_end(r);
	survey_def_free(&d);
	return 0;
}

/* ---- curators: follow-up ---- */

#define MAX_GROUPS 128

struct group {
	char key[24];
	int64_t targeted, submitted, drafts;
};

struct followup {
	struct group kinds[16], bands[8], regions[MAX_GROUPS];
	int nkinds, nbands, nregions;
	int64_t targeted, submitted, drafts;
};

static void group_add(struct group *g, int *n, int max, const char *key, const char *state)
{
	const char *k = key ? key : "";
	int i = 0;
	for (; i < *n; i++)
		if (strcmp(g[i].key, k) == 0) break;
	if (i == *n) {
		if (*n == max) return;
		snprintf(g[i].key, sizeof g[i].key, "%s", k);
		(*n)++;
	}
	g[i].targeted++;
	if (state && strcmp(state, "submitted") == 0) g[i].submitted++;
	else if (state) g[i].drafts++;
}

static int followup_row(void *ctx, const struct survey_target_row *row)
{
	struct followup *f = ctx;
	f->targeted++;
	if (row->state && strcmp(row->state, "submitted") == 0) f->submitted++;
	else if (row->state) f->drafts++;
	group_add(f->kinds, &f->nkinds, 16, row->kind, row->state);
	group_add(f->bands, &f->nbands, 8, row->band, row->state);
	group_add(f->regions, &f->nregions, MAX_GROUPS, row->region, row->state);
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->key, ((const struct group *)b)->key);
}

static void rate(buf_t *b, int64_t num, int64_t den)
{
	if (!den) {
		buf_puts(b, "—");
		return;
	}
	html_num_fr(b, round(1000.0 * (double)num / (double)den) / 10.0);
	buf_puts(b, " %");
}

static void group_table(struct req *r, const char *id, const char *title, const char *col, struct group *g, int n,
                        int which)
{
	buf_t *b = &r->out;
	qsort(g, (size_t)n, sizeof *g, group_cmp);
	buf_fmt(b, "<h2 id=\"%h\">%h</h2>\n<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"%h\">\n"
	           "<table class=\"data\" id=\"table-%h\">\n<caption>%h</caption>\n<thead><tr><th scope=\"col\">%h</th>"
	           "<th scope=\"col\">Visées</th><th scope=\"col\">Réponses soumises</th><th scope=\"col\">Brouillons</th>"
	           "<th scope=\"col\">Taux de réponse</th></tr></thead>\n<tbody>\n",
	        id, title, id, id, title, col);
	for (int i = 0; i < n; i++) {
		const char *label = g[i].key;
		char *area = NULL;
		if (!*label) label = "Inconnu";
		else if (which == 0 && org_kind_label(label)) label = org_kind_label(label);
		else if (which == 1 && org_band_label(label)) label = org_band_label(label);
		else if (which == 2 && (area = org_area_name(r->db, "region", label))) label = area;
		buf_fmt(b, "<tr><th scope=\"row\" data-code=\"%h\">%h</th><td class=\"num\">%D</td><td class=\"num\">%D</td>"
		           "<td class=\"num\">%D</td><td class=\"num\">",
		        g[i].key, label, g[i].targeted, g[i].submitted, g[i].drafts);
		rate(b, g[i].submitted, g[i].targeted);
		buf_puts(b, "</td></tr>\n");
		free(area);
	}
	buf_puts(b, "</tbody>\n</table>\n</div>\n");
}

int page_survey_followup(struct req *r)
{
	int64_t id;
	struct survey_def d;
	if (!load_campaign(r, &id, &d)) return 0;
	struct followup *f = xcalloc(1, sizeof *f);
	if (store_survey_targets(r->db, id, &d, followup_row, f) < 0) {
		free(f);
		survey_def_free(&d);
		page_error(r, 500, "Erreur interne.");
		return 0;
	}
	buf_t *b = &r->out;
	r->status = 200;
	r->no_etag = true;
	char *title = xasprintf("Suivi : %s", d.title);
	html_begin(r, title);
	free(title);
	buf_fmt(b, "<p><a href=\"/observatoire/campagnes/%U\">Retour à la campagne</a></p>\n<h1>Suivi des réponses : %h</h1>\n"
	           "<p>Organisations visées : <strong id=\"n-visees\">%D</strong> ; réponses soumises : "
	           "<strong id=\"n-soumises\">%D</strong> ; brouillons : <strong id=\"n-brouillons\">%D</strong> ; taux de "
	           "réponse : <strong id=\"taux\">",
	        d.code, d.title, f->targeted, f->submitted, f->drafts);
	rate(b, f->submitted, f->targeted);
	buf_fmt(b, "</strong>. Seules les réponses soumises comptent.</p>\n"
	           "<p><a href=\"/observatoire/campagnes/%U/non-repondants.csv\">Organisations visées sans réponse soumise "
	           "(CSV)</a></p>\n",
	        d.code);
	group_table(r, "par-type", "Par type d'organisation", "Type", f->kinds, f->nkinds, 0);
	group_table(r, "par-strate", "Par strate de population", "Strate", f->bands, f->nbands, 1);
	group_table(r, "par-region", "Par région", "Région", f->regions, f->nregions, 2);
	html_end(r);
	free(f);
	survey_def_free(&d);
	return 0;
}

struct csv_ctx {
	buf_t *b;
};

static int csv_row(void *ctx, const struct survey_target_row *row)
{
	struct csv_ctx *c = ctx;
	if (row->state && strcmp(row->state, "submitted") == 0) return 0;
	const char *code = row->kind && (strcmp(row->kind, "commune") == 0 || strcmp(row->kind, "departement") == 0 ||
	                                 strcmp(row->kind, "region") == 0)
	                       ? row->code
	                       : NULL;
	csvw_cell(c->b, row->name, ',', false);
	csvw_cell(c->b, row->kind, ',', false);
	csvw_cell(c->b, row->siren, ',', false);
	csvw_cell(c->b, code, ',', false);
	csvw_cell(c->b, row->region, ',', false);
	csvw_cell(c->b, row->departement, ',', false);
	csvw_cell(c->b, row->state ? "brouillon" : "aucune", ',', true);
	buf_puts(c->b, "\r\n");
	return 0;
}

int page_survey_nonrespondents(struct req *r)
{
	int64_t id;
	struct survey_def d;
	if (!load_campaign(r, &id, &d)) return 0;
	buf_t *b = &r->out;
	buf_puts(b, "\xEF\xBB\xBFnom,type,siren,code_insee,region,departement,reponse\r\n");
	struct csv_ctx c = { b };
	if (store_survey_targets(r->db, id, &d, csv_row, &c) < 0) {
		survey_def_free(&d);
		page_error(r, 500, "Erreur interne.");
		return 0;
	}
	r->status = 200;
	r->no_etag = true;
	r->content_type = "text/csv; charset=utf-8";
	char *cd = xasprintf("attachment; filename=\"%s-non-repondants.csv\"", d.code);
	req_add_header(r, "Content-Disposition", cd);
	free(cd);
	survey_def_free(&d);
	return 0;
}

/* ---- respondents ---- */

struct mine_ctx {
	struct req *r;
	char today[11];
	int n;
};

static int mine_row(void *ctx, const struct survey_campaign_row *c)
{
	struct mine_ctx *m = ctx;
	struct req *r = m->r;
	if (strcmp(m->today, c->opens_on) < 0 || strcmp(m->today, c->closes_on) > 0) return 0;
	char *def = NULL;
	if (store_survey_campaign_get(r->db, c->code, NULL, &def) <= 0) return 0;
	struct survey_def d;
	struct verrors e = { 0 };
	int rc = survey_def_parse_text(def, strlen(def), &d, &e);
	free(def);
	if (rc < 0) return 0;
	for (int i = 0; i < r->viewer.norgs; i++) {
		struct org o;
		if (org_get(r->db, r->viewer.orgs[i], &o) != 1) continue;
		if (o.active && survey_targets(&d, o.kind, org_band(o.population), o.region)) {
			struct survey_response_row resp;
			int has = store_survey_response_get(r->db, c->id, o.id, &resp);
			char *key = org_key(&o);
			m->n++;
			buf_fmt(&r->out, "<li><a href=\"/espace/enquetes/%U?organisation=%U\">%h</a> — %h : %h, jusqu'au ",
			        c->code, key, c->title, o.name,
			        has == 1 ? (strcmp(resp.state, "submitted") == 0 ? "réponse soumise" : "brouillon enregistré")
			                 : "pas encore de réponse");
			html_time(&r->out, c->closes_on);
			buf_puts(&r->out, " inclus</li>\n");
			free(key);
			if (has == 1) store_survey_response_free(&resp);
		}
		org_free(&o);
	}
	survey_def_free(&d);
	return 0;
}

int page_survey_mine(struct req *r)
{
	buf_t *b = &r->out;
	r->status = 200;
	r->no_etag = true;
	html_begin(r, "Enquêtes de l'observatoire");
	buf_puts(b, "<h1>Enquêtes de l'observatoire</h1>\n<p>Les campagnes ouvertes auxquelles vos organisations sont "
	            "invitées à répondre. Les agents enregistrent un brouillon ; un référent soumet la réponse. Elle reste "
	            "modifiable jusqu'à la date de clôture.</p>\n<ul class=\"survey-list\">\n");
	struct mine_ctx m = { .r = r };
	today(m.today);
	store_survey_campaigns(r->db, mine_row, &m);
	buf_puts(b, "</ul>\n");
	if (!m.n) buf_puts(b, "<p>Aucune enquête ouverte pour vos organisations en ce moment.</p>\n");
	html_end(r);
	return 0;
}

/* The organisation answering: ?organisation= (or the form field), or the
 * viewer's only targeted organisation. 1 with *o, or 0 after replying. */
static int answer_org(struct req *r, const struct survey_def *d, const char *key, struct org *o)
{
	if (key && *key) {
		int rc = org_find(r->db, key, o);
		if (rc < 0) {
			page_error(r, 500, "Erreur interne.");
			return 0;
		}
		if (rc == 0) {
			page_error(r, 404, "Organisation inconnue.");
			return 0;
		}
		if (!auth_can_answer_survey(&r->viewer, o->id)) {
			org_free(o);
			page_error(r, 403, "Seuls les membres de cette organisation répondent pour elle.");
			return 0;
		}
		if (!o->active || !survey_targets(d, o->kind, org_band(o->population), o->region)) {
			org_free(o);
			page_error(r, 404, "Cette enquête ne concerne pas cette organisation.");
			return 0;
		}
		return 1;
	}
	int found = 0;
	for (int i = 0; i < r->viewer.norgs; i++) {
		struct org x;
		if (org_get(r->db, r->viewer.orgs[i], &x) != 1) continue;
		if (x.active && survey_targets(d, x.kind, org_band(x.population), x.region)) {
			if (!found) *o = x;
			else org_free(&x);
			found++;
		} else {
			org_free(&x);
		}
	}
	if (found == 1) return 1;
	if (found > 1) {
		org_free(o);
		page_error(r, 400, "Vous êtes membre de plusieurs organisations concernées : choisissez-en une depuis la "
		                   "liste des enquêtes (paramètre organisation).");
		return 0;
	}
	if (r->viewer.norgs == 0)
		page_error(r, 403, "Seuls les agents et référents des organisations visées répondent aux enquêtes.");
	else
		page_error(r, 404, "Cette enquête ne concerne pas vos organisations.");
	return 0;
}

static void answer_page(struct req *r, const struct survey_def *d, const struct org *o, const json_t *answers,
                        bool form, const struct survey_response_row *resp, bool has_resp, const struct verrors *e,
                        bool publish)
{
	buf_t *b = &r->out;
	char t[11];
	today(t);
	int st = survey_state(d, t);
	bool open = st == 0;
	bool referent = auth_can_submit_survey(&r->viewer, o->id);
	char *title = xasprintf("%s%s — %s", e && e->count ? "Erreur : " : "", d->title, o->name);
	html_begin(r, title);
	free(title);
	char *key = org_key(o);
	buf_fmt(b, "<p><a href=\"/espace/enquetes\">Toutes les enquêtes</a></p>\n<h1>%h</h1>\n<p>Réponse de "
	           "<strong>%h</strong>. ",
	        d->title, o->name);
	if (has_resp)
		buf_fmt(b, "État : <strong id=\"etat-reponse\">%h</strong>. ",
		        strcmp(resp->state, "submitted") == 0 ? "réponse soumise" : "brouillon");
	else
		buf_puts(b, "État : <strong id=\"etat-reponse\">pas encore de réponse</strong>. ");
	if (open) {
		buf_puts(b, "Modifiable jusqu'au ");
		html_time(b, d->closes_on);
		buf_puts(b, " inclus.</p>\n");
	} else {
		buf_puts(b, st < 0 ? "L'enquête n'est pas encore ouverte.</p>\n" : "L'enquête est close : la réponse n'est plus modifiable.</p>\n");
	}
	if (e) html_error_summary(b, e);
	render_intro(b, d);
	if (open) {
		char *action = xasprintf("/espace/enquetes/%s", d->code);
		html_form_begin(r, action, "form survey-form");
		free(action);
		buf_fmt(b, "<input type=\"hidden\" name=\"organisation\" value=\"%h\">\n", key);
	} else {
		buf_puts(b, "<div class=\"form survey-form\">\n");
	}
	buf_puts(b, "<p class=\"help\">Les questions marquées « seulement si … » ne sont prises en compte que si la "
	            "condition est remplie : sinon leur réponse est ignorée à l'enregistrement.</p>\n");
	for (int i = 0; i < d->nq; i++) render_question(r, d, i, form, answers, e, !open);
	if (referent) {
		buf_fmt(b, "<div class=\"field\"><div class=\"choice\"><input type=\"checkbox\" id=\"f-publier\" name=\"publier\" "
		           "value=\"1\"%h%h aria-describedby=\"h-publier\"> <label for=\"f-publier\">Nous acceptons que nos "
		           "réponses individuelles soient publiées</label></div>\n<p class=\"help\" id=\"h-publier\">Sans cet "
		           "accord, seules des statistiques d'ensemble (jamais moins de 5 réponses) utilisent vos "
		           "réponses.</p></div>\n",
		        publish ? " checked" : "", open ? "" : " disabled");
	} else {
		buf_fmt(b, "<p>Publication des réponses individuelles : <strong>%h</strong> (choisie par un référent).</p>\n",
		        publish ? "acceptée" : "non");
	}
	if (open) {
		buf_puts(b, "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"brouillon\">Enregistrer le "
		            "brouillon</button>");
		if (referent) buf_puts(b, " <button type=\"submit\" name=\"action\" value=\"soumettre\">Soumettre la réponse</button>");
		buf_puts(b, "</div>\n");
		if (!referent) buf_puts(b, "<p>Un référent de votre organisation soumettra la réponse.</p>\n");
		buf_puts(b, "</form>\n");
	} else {
		buf_puts(b, "</div>\n");
	}
	free(key);
	html_end(r);
}

int page_survey_answer(struct req *r)
{
	int64_t id;
	struct survey_def d;
	if (!load_campaign(r, &id, &d)) return 0;
	struct org o;
	if (!answer_org(r, &d, req_param(r, "organisation"), &o)) {
		survey_def_free(&d);
		return 0;
	}
	char t[11];
	today(t);
	if (survey_state(&d, t) < 0) {
		page_error(r, 404, "Cette enquête n'est pas encore ouverte.");
		org_free(&o);
		survey_def_free(&d);
		return 0;
	}
	struct survey_response_row resp;
	int has = store_survey_response_get(r->db, id, o.id, &resp);
	if (has < 0) {
		page_error(r, 500, "Erreur interne.");
	} else {
		json_t *answers = has ? json_loads(resp.answers, 0, NULL) : json_object();
		r->status = 200;
		r->no_etag = true;
		answer_page(r, &d, &o, answers, false, &resp, has == 1, NULL, has == 1 && resp.publish);
		json_decref(answers);
		if (has) store_survey_response_free(&resp);
	}
	org_free(&o);
	survey_def_free(&d);
	return 0;
}

/* Parse a French or plain number ("1 234,5", "1234.5"). */
static bool parse_number(const char *s, double *out)
{
	char tmp[64];
	size_t n = 0;
	for (const char *p = s; *p && n + 1 < sizeof tmp; p++) {
		if (*p == ' ') continue;
		if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0xAF) {
			p += 2;
			continue;
		}
		if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
			p += 1;
			continue;
		}
		tmp[n++] = *p == ',' ? '.' : *p;
	}
	tmp[n] = 0;
	if (!n) return false;
	char *end;
	double v = strtod(tmp, &end);
	if (*end || !isfinite(v)) return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789.-+eE", tmp[i])) return false;
	*out = v;
	return true;
}

/* The posted form as answers JSON; unreadable numbers and scales are
 * errors here (the rest: survey_answers_check()). */
static json_t *form_answers(struct req *r, const struct survey_def *d, struct verrors *e)
{
	json_t *a = json_object();
	for (int i = 0; i < d->nq; i++) {
		const struct survey_question *q = &d->q[i];
		char name[72];
		snprintf(name, sizeof name, "q-%s", q->code);
		if (q->kind == SQ_MULTIPLE) {
			const char *vals[MAX_CHOICES];
			int n = req_form_all(r, name, vals, MAX_CHOICES);
			if (!n) continue;
			json_t *arr = json_array();
			for (int k = 0; k < n; k++) json_array_append_new(arr, json_string(vals[k]));
			json_object_set_new(a, q->code, arr);
			continue;
		}
		const char *v = req_form(r, name);
		if (!v) continue;
		if (q->kind == SQ_NUMBER || q->kind == SQ_SCALE) {
			const char *p = v;
			while (*p == ' ') p++;
			if (!*p) continue;
			double x;
			if (!parse_number(p, &x)) {
				if (survey_question_shown(d, i, a))
					verrors_add(e, "validation.type", name, "« %.120s » : un nombre est attendu (par exemple 1 234,5).",
					            q->label);
				continue;
			}
			if (q->kind == SQ_SCALE || (x == floor(x) && fabs(x) < 9e15))
				json_object_set_new(a, q->code, x == floor(x) && fabs(x) < 9e15 ? json_integer((json_int_t)x) : json_real(x));
			else
				json_object_set_new(a, q->code, json_real(x));
			continue;
		}
		json_object_set_new(a, q->code, json_string(v));
	}
	return a;
}

int page_survey_answer_post(struct req *r)
{
	int64_t id;
	struct survey_def d;
	if (!load_campaign(r, &id, &d)) return 0;
	struct org o;
	if (!answer_org(r, &d, req_form(r, "organisation"), &o)) {
		survey_def_free(&d);
		return 0;
	}
	char t[11];
	today(t);
	int st = survey_state(&d, t);
	if (st != 0) {
		page_error(r, st < 0 ? 404 : 409,
		           st < 0 ? "Cette enquête n'est pas encore ouverte." : "L'enquête est close : la réponse n'est plus modifiable.");
		goto out;
	}
	const char *action = req_form(r, "action");
	bool submit = action && strcmp(action, "soumettre") == 0;
	bool referent = auth_can_submit_survey(&r->viewer, o.id);
	if (submit && !referent) {
		page_error(r, 403, "Seul un référent de l'organisation soumet la réponse.");
		goto out;
	}
	struct survey_response_row resp;
	int has = store_survey_response_get(r->db, id, o.id, &resp);
	if (has < 0) {
		page_error(r, 500, "Erreur interne.");
		goto out;
	}
	bool publish = referent ? req_form(r, "publier") != NULL : (has == 1 && resp.publish);
	/* a submitted response edited stays submitted: it is checked as complete */
	bool complete = submit || (has == 1 && strcmp(resp.state, "submitted") == 0);
	struct verrors e = { 0 };
	json_t *raw = form_answers(r, &d, &e);
	json_t *clean = survey_answers_check(&d, raw, complete, &e);
	if (e.count || !clean) {
		r->status = 422;
		r->no_etag = true;
		answer_page(r, &d, &o, NULL, true, &resp, has == 1, &e, publish);
	} else {
		char *text = json_dumps(clean, JSON_COMPACT);
		if (store_survey_response_save(r->db, id, o.id, text, publish, submit, r->viewer.user_id) < 0) {
			page_error(r, 500, "Erreur interne : la réponse n'a pas été enregistrée.");
		} else {
			char *key = org_key(&o);
			buf_t loc = BUF_INIT;
			buf_puts(&loc, "/espace/enquetes/");
			buf_url(&loc, d.code, strlen(d.code));
			buf_puts(&loc, "?organisation=");
			buf_url(&loc, key, strlen(key));
			req_flash(r, submit ? "survey-submitted" : "survey-saved");
			req_redirect(r, buf_cstr(&loc));
			buf_free(&loc);
			free(key);
		}
		free(text);
	}
	json_decref(clean);
	json_decref(raw);
	if (has == 1) store_survey_response_free(&resp);
out:
	org_free(&o);
	survey_def_free(&d);
	return 0;
}
