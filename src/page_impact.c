/*
 * page_impact.c — the impact part of the record page (the "Impact
 * démontré" badge, the indicators, the label box with what it lacks, the
 * curator's acts), the curator's form posts (/fiches/{id}/impact/...), the
 * label's history on the history page, and the page that explains the
 * label's rules (GET /impact-demontre).
 *
 * Design notes
 * - impact.h holds the model and THE rules (impact_eval); this file only
 *   shows them. The label box re-evaluates through store_impact_eval()
 *   (which reads the curator's review and exception), so "what is missing"
 *   is always the rules' own list, never a second opinion.
 * - The indicators come from the doc as the reader may see it
 *   (model_doc_for_reader, done by the record page): restricted indicators
 *   are only present for restricted readers, and are tagged "réservé aux
 *   agents". The label never counts them (impact_eval skips them).
 * - Each indicator: baseline → latest result, the change in words ("en
 *   baisse de …", "en hausse de …", absolute and %), and, when the
 *   indicator is a common one with a known better direction, whether it is
 *   an improvement — in words, never by colour only. The period is the
 *   one of rule 4 (measurement start, else baseline date).
 * - The chart (2 points or more, baseline included) is an inline SVG drawn
 *   here, no script: role="img" with an aria-label and a <title> that
 *   describe it; its data is ALSO given as a <table> (RGAA: the chart is
 *   never the only way to the data). Every text is escaped (%h); numbers
 *   written into SVG attributes are formatted by this program.
 * - Curator acts (review, grant, withdraw, clear) are for
 *   auth_can_act_on_label() viewers; the same right guards the API
 *   (api_impact.c). Review and grant need a published record (409);
 *   grant, withdraw and clear need a public reason (wf_text_problem, 1 to
 *   2000 characters). One transaction each (store_impact_act).
 * - The label history never names the curator: only the date, what
 *   happened and the public reason.
 * - The rules page (/impact-demontre) is static text that says the same
 *   as doc/impact.md: change both together (and impact.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact.h"
#include "model.h"
#include "pages.h"
#include "store.h"
#include "util.h"
#include "workflow.h"

/* ==== Small helpers ==== */

static const char *sval(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}


/* A value with its unit: "12,5 jours", "35 %", "1 200 €". */
static void value_unit(buf_t *b, double v, const char *unit)
{
	html_num_fr(b, v);
	if (unit && *unit) buf_fmt(b, "\u00a0%h", unit);
}

/* A percentage rounded to one decimal (at most), without sign. */
static void pct_fr(buf_t *b, double p)
{
	double a = round(fabs(p) * 10.0) / 10.0;
	html_num_fr(b, a);
	buf_puts(b, "\u00a0%");
}

/* ==== Badge ==== */

void impact_badge(struct req *r, const struct uc_full *u)
{
	if (!u->impact_label) return;
	buf_puts(&r->out, " <a class=\"tag tag-impact\" href=\"#impact\">"
	                  "<span aria-hidden=\"true\">\u2713 </span>Impact démontré</a>");
}

/* ==== One indicator ==== */

/* A point of the chart and of its table. */
struct point {
	const char *date, *start;
	double value;
	int32_t day;
	bool baseline;
};

static int collect_points(const json_t *ind, struct point *pts, int max)
{
	int n = 0;
	json_t *b = json_object_get(ind, "baseline");
	if (json_is_object(b) && json_is_number(json_object_get(b, "value")) && sval(b, "date") && n < max) {
		pts[n] = (struct point){ sval(b, "date"), NULL, json_number_value(json_object_get(b, "value")),
			                 impact_days(sval(b, "date")), true };
		if (pts[n].day != INT32_MIN) n++;
	}
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(ind, "measurements"), i, m) {
		if (n >= max) break;
		if (!json_is_number(json_object_get(m, "value")) || !sval(m, "date")) continue;
		pts[n] = (struct point){ sval(m, "date"), sval(m, "start"), json_number_value(json_object_get(m, "value")),
			                 impact_days(sval(m, "date")), false };
		if (pts[n].day != INT32_MIN) n++;
	}
	return n;
}

/* A number for an SVG attribute (C locale, 1 decimal). */
static void svg_num(buf_t *b, double v)
{
	/* tenths as integers: no printf of a double (it showed in profiles) */
	int64_t t = (int64_t)llround(v * 10.0);
	if (t < 0) {
		buf_putc(b, '-');
		t = -t;
	}
	buf_fmt(b, "%D.%D", t / 10, t % 10);
}

#define CH_W 320.0
#define CH_H 140.0
#define CH_L 8.0    /* plot area */
#define CH_R 312.0
#define CH_T 16.0
#define CH_B 112.0

static void chart(buf_t *b, int idx, const char *name, const char *unit, const struct point *p, int n)
{
	double lo = p[0].value, hi = p[0].value;
	int32_t d0 = p[0].day, d1 = p[0].day;
	for (int i = 1; i < n; i++) {
		if (p[i].value < lo) lo = p[i].value;
		if (p[i].value > hi) hi = p[i].value;
		if (p[i].day < d0) d0 = p[i].day;
		if (p[i].day > d1) d1 = p[i].day;
	}
	/* the description: what a sighted reader gets from the drawing */
	buf_t desc = BUF_INIT;
	buf_fmt(&desc, "Graphique : évolution de « %h », %d valeurs du ", name, n);
	html_date_fr(&desc, p[0].date);
	buf_puts(&desc, " au ");
	html_date_fr(&desc, p[n - 1].date);
	buf_puts(&desc, ", de ");
	value_unit(&desc, p[0].value, unit);
	buf_puts(&desc, " à ");
	value_unit(&desc, p[n - 1].value, unit);
	buf_puts(&desc, " (minimum ");
	value_unit(&desc, lo, unit);
	buf_puts(&desc, ", maximum ");
	value_unit(&desc, hi, unit);
	buf_puts(&desc, "). Les données sont dans le tableau qui suit.");
	/* desc is already escaped text: it goes into an attribute and into
	 * <title> as is (no markup was produced above) */
	const char *d = buf_cstr(&desc);
	buf_fmt(b, "<figure class=\"impact-chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
	           "viewBox=\"0 0 320 140\" width=\"320\" height=\"140\" aria-label=\"%R\" focusable=\"false\">"
	           "<title id=\"chart-%d-title\">%R</title>\n",
	        d, idx, d);
	buf_free(&desc);
	/* axes */
	buf_puts(b, "<line class=\"axis\" x1=\"8\" y1=\"112\" x2=\"312\" y2=\"112\"/>"
	            "<line class=\"axis\" x1=\"8\" y1=\"16\" x2=\"8\" y2=\"112\"/>\n");
	double span_v = hi - lo, span_d = (double)(d1 - d0);
	double xs[128], ys[128];
	for (int i = 0; i < n && i < 128; i++) {
		xs[i] = span_d > 0 ? CH_L + (CH_R - CH_L) * (double)(p[i].day - d0) / span_d : (CH_L + CH_R) / 2;
		ys[i] = span_v > 0 ? CH_B - (CH_B - CH_T) * (p[i].value - lo) / span_v : (CH_T + CH_B) / 2;
	}
	buf_puts(b, "<polyline class=\"line\" fill=\"none\" points=\"");
	for (int i = 0; i < n && i < 128; i++) {
		if (i) buf_puts(b, " ");
		svg_num(b, xs[i]);
		buf_puts(b, ",");
		svg_num(b, ys[i]);
	}
	buf_puts(b, "\"/>\n");
	for (int i = 0; i < n && i < 128; i++) {
		buf_fmt(b, "<circle class=\"%h\" r=\"3.5\" cx=\"", p[i].baseline ? "point point-baseline" : "point");
		svg_num(b, xs[i]);
		buf_puts(b, "\" cy=\"");
		svg_num(b, ys[i]);
		buf_puts(b, "\"/>");
	}
	/* min and max values, first and last dates, as text */
	buf_puts(b, "\n<text class=\"label\" x=\"12\" y=\"12\">");
	value_unit(b, hi, unit);
	buf_puts(b, "</text><text class=\"label\" x=\"12\" y=\"108\">");
	value_unit(b, lo, unit);
	buf_fmt(b, "</text><text class=\"label\" x=\"8\" y=\"130\">%h</text>"
	           "<text class=\"label\" x=\"312\" y=\"130\" text-anchor=\"end\">%h</text>\n",
	        p[0].date, p[n - 1].date);
	buf_puts(b, "</svg>\n</figure>\n");

	/* the same data as a table (in a region that scrolls on narrow screens) */
	buf_fmt(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Valeurs de « %h » "
	           "(défilement horizontal possible)\">\n"
	           "<table class=\"impact-data\">\n<caption>Valeurs de « %h »</caption>\n"
	           "<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Valeur",
	        name, name);
	if (unit && *unit) buf_fmt(b, " (%h)", unit);
	buf_puts(b, "</th><th scope=\"col\">Nature</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < n; i++) {
		buf_puts(b, "<tr><td>");
		html_time(b, p[i].date);
		buf_puts(b, "</td><td>");
		html_num_fr(b, p[i].value);
		buf_puts(b, "</td><td>");
		if (p[i].baseline) {
			buf_puts(b, "Valeur de référence");
		} else if (p[i].start) {
			buf_puts(b, "Mesure sur la période commençant le ");
			html_date_fr(b, p[i].start);
		} else {
			buf_puts(b, "Mesure");
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody>\n</table>\n</div>\n");
}

static void dl_row(buf_t *b, const char *label, const char *text)
{
	if (!text || !*text) return;
	buf_fmt(b, "<div><dt>%h</dt><dd class=\"text\">%h</dd></div>\n", label, text);
}

/* The change in words: "en baisse de 7 jours (−58,3 %) : une amélioration". */
static void change_words(buf_t *b, const struct impact_figures *f, const char *unit, const struct impact_common *c)
{
	if (f->change == 0) {
		buf_puts(b, "stable (aucune évolution)");
		return;
	}
	bool down = f->change < 0;
	buf_puts(b, down ? "en baisse de " : "en hausse de ");
	if (unit && strcmp(unit, "%") == 0) {
		/* a change of a percentage is in points: 62 % → 71 % is +9 points (+14,5 %) */
		html_num_fr(b, fabs(f->change));
		buf_puts(b, fabs(f->change) < 2 ? " point" : " points");
	} else {
		value_unit(b, fabs(f->change), unit);
	}
	if (!isnan(f->change_pct)) {
		buf_puts(b, " (");
		buf_puts(b, down ? "\u2212" : "+");
		pct_fr(b, f->change_pct);
		buf_puts(b, ")");
	}
	if (c && c->better)
		buf_puts(b, ((c->better > 0) != down) ? " : une amélioration" : " : une dégradation");
}

static void indicator(struct req *r, const struct uc_full *u, const json_t *ind, int idx)
{
	(void)u;
	buf_t *b = &r->out;
	const char *name = sval(ind, "name"), *unit = sval(ind, "unit"), *type = sval(ind, "type");
	if (!name) name = "(sans nom)";
	const struct impact_common *c = impact_common_find(sval(ind, "common"));
	struct impact_figures f;
	impact_figures(ind, &f);
	buf_fmt(b, "<li class=\"indicator-card\" id=\"indicateur-%d\">\n<h3>%h", idx + 1, name);
	if (!impact_is_public(ind)) buf_puts(b, " <span class=\"restricted-tag\">réservé aux agents</span>");
	buf_puts(b, "</h3>\n");
	/* the figures */
	buf_puts(b, "<p class=\"indicator-figures\">");
	if (f.has_baseline) {
		buf_puts(b, "<span class=\"visually-hidden\">Valeur de référence : </span>");
		value_unit(b, f.baseline, unit);
	} else {
		buf_puts(b, "Pas de valeur de référence");
	}
	buf_puts(b, " <span aria-hidden=\"true\">\u2192</span><span class=\"visually-hidden\">, résultat : </span> ");
	if (f.has_result) value_unit(b, f.result, unit);
	else buf_puts(b, "pas encore de résultat mesuré");
	buf_puts(b, "</p>\n");
	if (f.has_baseline && f.has_result) {
		buf_puts(b, "<p class=\"indicator-change\">Évolution : ");
		change_words(b, &f, unit, c);
		buf_puts(b, ".</p>\n");
	}
	if (f.has_result) {
		const char *from = f.result_start ? f.result_start : f.baseline_date;
		buf_puts(b, "<p class=\"indicator-period\">Période : ");
		if (from) {
			buf_puts(b, "du ");
			html_time(b, from);
			buf_puts(b, " au ");
			html_time(b, f.result_date);
			if (f.period_days >= 0) {
				buf_puts(b, " (");
				html_count(b, f.period_days, "jour", "jours");
				buf_puts(b, ")");
			}
		} else {
			buf_puts(b, "mesure du ");
			html_time(b, f.result_date);
			buf_puts(b, " (début de période inconnu)");
		}
		buf_puts(b, ".</p>\n");
	}

	buf_puts(b, "<dl class=\"indicator-details\">\n");
	if (type) dl_row(b, "Type", vocab_label(&vocab_indicator_type, type));
	dl_row(b, "Unité", unit);
	json_t *t = json_object_get(ind, "target");
	if (json_is_object(t) && json_is_number(json_object_get(t, "value"))) {
		buf_puts(b, "<div><dt>Cible</dt><dd>");
		value_unit(b, json_number_value(json_object_get(t, "value")), unit);
		if (sval(t, "date")) {
			buf_puts(b, " au ");
			html_time(b, sval(t, "date"));
		}
		buf_puts(b, "</dd></div>\n");
	}
	if (sval(ind, "frequency")) dl_row(b, "Fréquence de suivi", vocab_label(&vocab_frequency, sval(ind, "frequency")));
	json_t *aut = json_object_get(ind, "automated");
	if (json_is_boolean(aut)) dl_row(b, "Collecte automatisée", json_is_true(aut) ? "Oui" : "Non");
	dl_row(b, "Source des données", sval(ind, "source"));
	dl_row(b, "Méthode de mesure", sval(ind, "method"));
	dl_row(b, "Biais et limites", sval(ind, "comments"));
	int ev = impact_evidence(ind);
	const char *evc = sval(ind, "evidence");
	buf_puts(b, "<div><dt>Niveau de preuve</dt><dd>");
	if (evc && strcmp(evc, "independent") == 0 && ev == 3) {
		buf_fmt(b, "%h, par %h", vocab_label(&vocab_evidence, evc), sval(ind, "evaluator"));
		const char *rep = sval(ind, "report_url");
		if (rep && (strncmp(rep, "https://", 8) == 0 || strncmp(rep, "http://", 7) == 0))
			buf_fmt(b, " — <a class=\"external\" href=\"%h\" rel=\"noopener noreferrer\">rapport d'évaluation</a>", rep);
	} else if (evc && strcmp(evc, "independent") == 0) {
		buf_puts(b, "Évaluation indépendante annoncée sans évaluateur ni rapport : compte comme déclaré");
	} else {
		buf_fmt(b, "%h", evc ? vocab_label(&vocab_evidence, evc) : "Déclaré");
	}
	buf_puts(b, "</dd></div>\n</dl>\n");

	struct point pts[128];
	int n = collect_points(ind, pts, 128);
	if (n >= 2) chart(b, idx + 1, name, unit, pts, n);
	buf_puts(b, "</li>\n");
}

/* ==== The label box and the curator's acts ==== */

static void reason_form(struct req *r, const struct uc_full *u, const char *verb, const char *title,
                        const char *button, const char *value, const char *err)
{
	buf_t *b = &r->out;
	char action[96];
	snprintf(action, sizeof action, "/fiches/%lld/impact/%s", (long long)u->id, verb);
	char fid[32];
	snprintf(fid, sizeof fid, "motif-%s", verb);
	if (title) buf_fmt(b, "<h4>%h</h4>\n", title);
	html_form_begin(r, action, "form impact-form");
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-%h\">Motif public <span class=\"req\">(obligatoire)</span></label>\n"
	           "<p class=\"help\" id=\"h-%h\">Affiché sur la fiche et dans son historique. 2000 caractères au plus.</p>\n",
	        err ? " field-invalid" : "", fid, fid);
	if (err)
		buf_fmt(b, "<p class=\"field-error\" id=\"e-%h\"><span class=\"visually-hidden\">Erreur : </span>%h</p>\n", fid,
		        err);
	buf_fmt(b, "<textarea id=\"f-%h\" name=\"motif\" rows=\"3\" maxlength=\"2000\" required aria-required=\"true\"%R "
	           "aria-describedby=\"h-%h%h%h\">%h</textarea>\n</div>\n"
	           "<div class=\"actions\"><button type=\"submit\">%h</button></div>\n</form>\n",
	        fid, err ? " aria-invalid=\"true\"" : "", fid, err ? " e-" : "", err ? fid : "", value ? value : "",
	        button);
}

static void curator_acts(struct req *r, const struct uc_full *u, const struct uc_impact *x)
{
	buf_t *b = &r->out;
	buf_puts(b, "<div class=\"impact-curator\">\n<h3>Relecture par l'équipe de l'observatoire</h3>\n");
	if (x->reviewed_at) {
		buf_puts(b, "<p>Dernière relecture des preuves d'impact : ");
		html_time(b, x->reviewed_at);
		buf_puts(b, ".</p>\n");
	} else {
		buf_puts(b, "<p>Les preuves d'impact de cette fiche n'ont jamais été relues.</p>\n");
	}
	char action[96];
	snprintf(action, sizeof action, "/fiches/%lld/impact/relire", (long long)u->id);
	html_form_begin(r, action, "inline-form");
	buf_puts(b, "<button type=\"submit\">Valider la relecture des preuves d'impact</button>\n</form>\n");
	if (!x->override || strcmp(x->override, "granted") != 0)
		reason_form(r, u, "accorder", "Accorder le label par exception", "Accorder le label", NULL, NULL);
	if (!x->override || strcmp(x->override, "withdrawn") != 0)
		reason_form(r, u, "retirer", "Retirer le label par exception", "Retirer le label", NULL, NULL);
	if (x->override)
		reason_form(r, u, "retablir", "Revenir aux règles (lever l'exception)", "Revenir aux règles", NULL, NULL);
	buf_puts(b, "</div>\n");
}

static void label_box(struct req *r, const struct uc_full *u)
{
	buf_t *b = &r->out;
	struct impact_result res;
	struct uc_impact x;
	if (store_impact_eval(r->db, u, &res) < 0 || store_impact_get(r->db, u->id, &x) < 0) {
		buf_puts(b, "<p>Le label « impact démontré » n'a pas pu être lu.</p>\n");
		return;
	}
	buf_fmt(b, "<div class=\"impact-label %h\" aria-labelledby=\"titre-label\" role=\"group\">\n"
	           "<h3 id=\"titre-label\">Label « impact démontré »</h3>\n",
	        res.awarded ? "impact-label-yes" : "impact-label-no");
	buf_fmt(b, "<p class=\"impact-label-status\"><strong>%h</strong></p>\n",
	        res.awarded ? "\u2713 Label accordé" : "Label non accordé");
	if (strcmp(res.basis, "granted") == 0) {
		buf_puts(b, "<p>Accordé par exception par l'équipe de l'observatoire");
		if (x.override_at) {
			buf_puts(b, " le ");
			html_time(b, x.override_at);
		}
		buf_puts(b, ".</p>\n");
		if (x.override_reason) buf_fmt(b, "<p>Motif : <span class=\"text\">%h</span></p>\n", x.override_reason);
	} else if (strcmp(res.basis, "withdrawn") == 0) {
		buf_puts(b, "<p>Retiré par exception par l'équipe de l'observatoire");
		if (x.override_at) {
			buf_puts(b, " le ");
			html_time(b, x.override_at);
		}
		buf_puts(b, ".</p>\n");
		if (x.override_reason) buf_fmt(b, "<p>Motif : <span class=\"text\">%h</span></p>\n", x.override_reason);
	} else if (res.awarded) {
		buf_puts(b, "<p>Toutes les règles du label sont remplies, et l'équipe de l'observatoire a relu les preuves.</p>\n");
	}
	if (res.awarded && res.evidence > 0)
		buf_fmt(b, "<p>Meilleur niveau de preuve : %h.</p>\n", impact_evidence_label(res.evidence));
	if (res.nmissing > 0 && strcmp(res.basis, "withdrawn") != 0) {
		buf_fmt(b, "<h4 id=\"titre-manque\">%h</h4>\n<ul class=\"impact-missing\" aria-labelledby=\"titre-manque\">\n",
		        res.awarded ? "Règles non remplies à ce jour" : "Ce qui manque pour l'obtenir");
		for (int i = 0; i < res.nmissing; i++)
			buf_fmt(b, "<li data-code=\"%h\">%h</li>\n", res.missing[i].code, res.missing[i].message);
		buf_puts(b, "</ul>\n");
	}
	buf_puts(b, "<p><a href=\"/impact-demontre\">Les règles du label « impact démontré »</a></p>\n</div>\n");
	if (auth_can_act_on_label(&r->viewer) && strcmp(u->state, "published") == 0) curator_acts(r, u, &x);
	store_impact_free(&x);
}

/* ==== The section ==== */

void impact_section(struct req *r, const struct uc_full *u, const json_t *doc)
{
	buf_t *b = &r->out;
	buf_puts(b, "<section class=\"impact\" id=\"impact\" aria-labelledby=\"titre-impact\">\n"
	            "<h2 id=\"titre-impact\">Impact mesuré</h2>\n");
	if (wf_can(&r->viewer, WF_EDIT, u->state, u->owner_org_id) == NULL)
		buf_fmt(b, "<p><a class=\"button\" href=\"/fiches/%D/indicateurs\">Gérer les indicateurs</a></p>\n", u->id);
	json_t *inds = json_object_get(doc, "indicators");
	if (!json_is_array(inds) || json_array_size(inds) == 0) {
		buf_puts(b, "<p>Aucun indicateur d'impact n'a encore été renseigné.</p>\n");
	} else {
		buf_puts(b, "<ul class=\"indicators\">\n");
		size_t i;
		json_t *ind;
		json_array_foreach(inds, i, ind) indicator(r, u, ind, (int)i);
		buf_puts(b, "</ul>\n");
	}
	label_box(r, u);
	buf_puts(b, "</section>\n");
}

/* ==== POST /fiches/{id}/impact/relire | accorder | retirer | retablir ==== */

static int impact_post(struct req *r, const char *act, const char *verb, const char *flash)
{
	struct uc_full u;
	if (!page_usecase_load(r, &u)) return 0;
	if (!auth_can_act_on_label(&r->viewer)) {
		store_usecase_free(&u);
		page_error(r, 403, "Seule l'équipe de l'observatoire agit sur le label « impact démontré ».");
		return 0;
	}
	bool review = strcmp(act, "review") == 0;
	if ((review || strcmp(act, "grant") == 0) && strcmp(u.state, "published") != 0) {
		store_usecase_free(&u);
		page_error(r, 409, "La fiche n'est pas publiée : ses preuves d'impact ne peuvent être relues ni le label accordé.");
		return 0;
	}
	const char *reason = NULL;
	if (!review) {
		reason = req_form(r, "motif");
		const char *problem = wf_text_problem(reason);
		if (problem) {
			const char *title = doc_str(u.doc, "title");
			buf_reset(&r->out);
			r->status = 422;
			r->no_etag = true;
			const char *what = strcmp(act, "grant") == 0    ? "Accorder le label par exception"
			                   : strcmp(act, "withdraw") == 0 ? "Retirer le label par exception"
			                                                  : "Revenir aux règles (lever l'exception)";
			char *t = xasprintf("Erreur : %s — %s", what, title ? title : "");
			html_begin(r, t);
			free(t);
			buf_t path = BUF_INIT;
			html_usecase_path(&path, u.id, u.slug);
			buf_fmt(&r->out, "<h1>%h</h1>\n<p>Fiche : <a href=\"%h\">%h</a></p>\n", what, buf_cstr(&path),
			        title ? title : "");
			buf_free(&path);
			struct verrors e = { 0 };
			char fid[32];
			snprintf(fid, sizeof fid, "motif-%s", verb);
			verrors_add(&e, "validation.required", fid, "Motif public : %s", problem);
			html_error_summary(&r->out, &e);
			reason_form(r, &u, verb, NULL, what, reason, e.items[0].message);
			html_end(r);
			store_usecase_free(&u);
			return 0;
		}
	}
	int src = store_impact_act(r->db, u.id, act, reason, r->viewer.user_id);
	if (src != STORE_OK) {
		store_usecase_free(&u);
		page_error(r, src == STORE_NOT_FOUND ? 404 : 500,
		           src == STORE_NOT_FOUND ? "Cette fiche n'existe pas." : "Erreur interne : rien n'a été enregistré.");
		return 0;
	}
	buf_t path = BUF_INIT;
	html_usecase_path(&path, u.id, u.slug);
	buf_puts(&path, "#impact");
	req_flash(r, flash);
	req_redirect(r, buf_cstr(&path));
	buf_free(&path);
	store_usecase_free(&u);
	return 0;
}

int page_impact_review(struct req *r)
{
	return impact_post(r, "review", "relire", "impact-reviewed");
}
int page_impact_grant(struct req *r)
{
	return impact_post(r, "grant", "accorder", "impact-granted");
}
int page_impact_withdraw(struct req *r)
{
	return impact_post(r, "withdraw", "retirer", "impact-withdrawn");
}
int page_impact_clear(struct req *r)
{
	return impact_post(r, "clear", "retablir", "impact-cleared");
}

/* ==== The label's history (history page) ==== */

static const char *event_words(const char *kind)
{
	if (strcmp(kind, "gained") == 0) return "Label obtenu : les règles sont remplies.";
	if (strcmp(kind, "lost") == 0) return "Label perdu : les règles ne sont plus remplies.";
	if (strcmp(kind, "review") == 0) return "Preuves d'impact relues par l'équipe de l'observatoire.";
	if (strcmp(kind, "grant") == 0) return "Label accordé par exception par l'équipe de l'observatoire.";
	if (strcmp(kind, "withdraw") == 0) return "Label retiré par exception par l'équipe de l'observatoire.";
	if (strcmp(kind, "clear") == 0) return "Exception levée : le label suit de nouveau les règles.";
	return "Événement du label.";
}

static int history_row(void *ctx, const struct impact_event_row *e)
{
	buf_t *b = ctx;
	buf_fmt(b, "<li class=\"impact-event impact-event-%h\"><p>", e->kind);
	if (e->at) {
		buf_fmt(b, "<time datetime=\"%h\">", e->at);
		html_date_fr(b, e->at);
		buf_puts(b, "</time>");
	}
	buf_fmt(b, " (version %D) : %h</p>", e->version, event_words(e->kind));
	if (e->reason && *e->reason) buf_fmt(b, "<p>Motif : <span class=\"text\">%h</span></p>", e->reason);
	buf_puts(b, "</li>\n");
	return 0;
}

void impact_history_section(struct req *r, int64_t id)
{
	buf_t items = BUF_INIT;
	int n = store_impact_events(r->db, id, history_row, &items);
	buf_t *b = &r->out;
	buf_puts(b, "<section class=\"impact-history\" aria-labelledby=\"titre-label-historique\">\n"
	            "<h2 id=\"titre-label-historique\">Label « impact démontré »</h2>\n");
	if (n < 0) buf_puts(b, "<p>L'historique du label n'a pas pu être lu.</p>\n");
	else if (n == 0) buf_puts(b, "<p>Aucun événement : le label n'a jamais été obtenu, relu ni accordé.</p>\n");
	else buf_fmt(b, "<ol class=\"impact-events\">\n%R</ol>\n", buf_cstr(&items));
	buf_puts(b, "<p><a href=\"/impact-demontre\">Les règles du label</a></p>\n</section>\n");
	buf_free(&items);
}

/* ==== GET /impact-demontre: the rules, for people (doc/impact.md) ==== */

int page_impact_rules(struct req *r)
{
	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, "Le label « impact démontré »");
	buf_fmt(b,
	    "<h1>Le label « impact démontré »</h1>\n"
	    "<p class=\"lead\">Ce label signale les fiches dont l'impact est mesuré, daté, documenté et relu. Il est "
	    "calculé à partir de règles écrites, les mêmes pour toutes les fiches, et recalculé à chaque modification.</p>\n"
	    "<p><a href=\"/recherche?impact_label=awarded\">Voir les fiches au label « impact démontré »</a> · "
	    "<a href=\"/recherche?sort=evidence\">toutes les fiches, des preuves d'impact les plus fortes aux plus faibles</a></p>\n"
	    "<h2>Les règles</h2>\n"
	    "<p>Le label est accordé quand toutes les conditions suivantes sont remplies ; les cinq premières par un "
	    "même indicateur :</p>\n<ol class=\"rules\">\n"
	    "<li>un indicateur <strong>public</strong> de type « impact » (les indicateurs d'usage, comme le nombre "
	    "d'utilisateurs, ne suffisent pas) ;</li>\n"
	    "<li>avec une <strong>valeur de référence</strong> (valeur et date) ;</li>\n"
	    "<li>et un <strong>résultat mesuré</strong> (sa mesure la plus récente) ;</li>\n"
	    "<li>sur une <strong>période d'au moins %d jours</strong> (trois mois) ;</li>\n"
	    "<li>avec un <strong>niveau de preuve</strong> au moins « mesuré par la collectivité » et une "
	    "<strong>méthode de mesure</strong> décrite ;</li>\n"
	    "<li>la fiche est <strong>publiée</strong> ;</li>\n"
	    "<li>l'équipe de l'observatoire a <strong>relu les preuves d'impact</strong>, et les indicateurs publics "
	    "n'ont pas changé depuis cette relecture.</li>\n</ol>\n"
	    "<h2>La période</h2>\n"
	    "<p>La période va de la date de début de la mesure, quand la mesure porte sur une période, sinon de la date "
	    "de la valeur de référence, jusqu'à la date de la mesure. Elle compte les jours entre ces deux dates : du "
	    "1er janvier au 31 mars 2025, cela fait 89 jours, et la règle n'est pas remplie ; du 1er janvier au 1er avril "
	    "2025, 90 jours, et elle l'est.</p>\n"
	    "<h2>Les niveaux de preuve</h2>\n<ul>\n"
	    "<li><strong>Déclaré</strong> : la collectivité indique un résultat sans dispositif de mesure décrit. Ne "
	    "suffit pas pour le label.</li>\n"
	    "<li><strong>Mesuré par la collectivité</strong> : le résultat vient d'une mesure de la collectivité, avec "
	    "sa méthode.</li>\n"
	    "<li><strong>Évalué de façon indépendante</strong> : un évaluateur extérieur, nommé, a mesuré le résultat, et "
	    "son rapport est en ligne. Sans évaluateur ou sans lien vers le rapport, ce niveau compte comme "
	    "« déclaré ».</li>\n</ul>\n"
	    "<h2>Ce qui compte</h2>\n"
	    "<p>Seuls les indicateurs <strong>publics</strong> comptent : une preuve que le public ne peut pas lire ne "
	    "peut pas fonder un label public. Les indicateurs réservés aux agents des collectivités restent affichés "
	    "pour eux, mais n'entrent pas dans le calcul.</p>\n"
	    "<h2>La relecture</h2>\n"
	    "<p>L'équipe de l'observatoire relit les preuves d'impact d'une fiche publiée. La relecture porte sur les "
	    "indicateurs publics tels qu'ils sont à ce moment (une empreinte en est gardée) : si un indicateur public "
	    "change ensuite, une nouvelle relecture est nécessaire, et le label est perdu en attendant.</p>\n"
	    "<h2>Les exceptions</h2>\n"
	    "<p>L'équipe de l'observatoire peut accorder le label par exception, ou le retirer, avec un motif public. "
	    "Elle peut aussi lever l'exception : le label suit alors de nouveau les règles. Chaque changement du label "
	    "(obtenu, perdu, relecture, exception) figure dans l'historique de la fiche, avec sa date et son motif, sans "
	    "le nom de la personne.</p>\n"
	    "<h2>Le classement par force de la preuve</h2>\n"
	    "<p>Le tri « par force de la preuve » classe les fiches selon un score : 1000 points pour le label, plus "
	    "100 points par niveau du meilleur niveau de preuve (déclaré 1, mesuré 2, évalué 3) parmi les indicateurs "
	    "publics d'impact qui ont une valeur de référence et un résultat, plus 1 point par tel indicateur (99 au "
	    "plus).</p>\n"
	    "<p>Sur chaque fiche, l'encadré « Label « impact démontré » » dit si le label est accordé, sur quelle base, "
	    "et ce qui manque pour l'obtenir.</p>\n",
	    IMPACT_MIN_DAYS);
	html_end(r);
	return 0;
}
