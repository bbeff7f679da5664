/*
 * page_recommend.c — GET /territoires-comme-le-mien: published records of
 * authorities of the same kind and population band as an organisation
 * (issue 5, "territories like mine"), and the one-line explanation shared
 * with the API (reco_explain).
 *
 * Query parameters:
 *   organisation  any key org_find() accepts; default: the signed-in
 *                 member's first organisation
 *   q             a name, INSEE code or SIREN to choose an organisation
 *                 (shows the matching organisations instead of records)
 *   theme         a theme code (vocab_theme)
 *   page          1..RECO_MAX_PAGE
 * Unknown organisation: 404 page naming the parameter; bad theme or page:
 * 400 page naming it.
 *
 * Design notes
 * - The ranking (store.h, recommend.c) reads the search index only; this
 *   page adds one org_find and the explanation of each result.
 * - Anonymous visitors (and members who want another organisation) get a
 *   GET search form, as /compte/rejoindre, whose results link back here
 *   with organisation=KEY.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "text.h"
#include "util.h"

#define RECO_PER_PAGE 20
#define RECO_Q_MAX 100
#define RECO_FIND_MAX 20

static const char *const months_fr[12] = { "janvier", "février", "mars", "avril", "mai", "juin",
	                                   "juillet", "août", "septembre", "octobre", "novembre", "décembre" };

void reco_explain(buf_t *b, const struct reco_hit *x, const char *kind, const char *band, const char *org_name)
{
	const char *kl = org_kind_label(kind);
	const char *bl = org_band_label(band);
	buf_puts(b, kl ? kl : "Organisation");
	if (bl) {
		buf_puts(b, " de ");
		/* "de 3 500 à 20 000 habitants" / "moins de …" / "plus de …" */
		buf_puts(b, str_starts(bl, "de ") ? bl + 3 : bl);
	}
	buf_puts(b, " comme ");
	buf_puts(b, org_name ? org_name : "la vôtre");
	if (x->label) buf_puts(b, " · impact démontré");
	else if (x->evidence_level == 3) buf_puts(b, " · impact évalué de façon indépendante");
	else if (x->evidence_level == 2) buf_puts(b, " · impact mesuré par la collectivité");
	if (x->reuses == 1) buf_puts(b, " · réutilisée par 1 territoire");
	else if (x->reuses > 1) buf_fmt(b, " · réutilisée par %d territoires", x->reuses);
	const char *u = x->h.updated_at;
	int y, m;
	if (u && sscanf(u, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12)
		buf_fmt(b, " · mise à jour en %h %d", months_fr[m - 1], y);
}

struct found {
	char *key, *name, *kind;
};
struct found_list {
	struct found items[RECO_FIND_MAX];
	int n;
};

static int found_cb(void *ctx, const struct org *o)
{
	struct found_list *l = ctx;
	if (l->n >= RECO_FIND_MAX) return 1;
	struct found *f = &l->items[l->n++];
	f->key = org_key(o);
	f->name = xstrdup(o->name ? o->name : "");
	f->kind = xstrdup(o->kind ? o->kind : "");
	return 0;
}

static void chooser(struct req *r, const char *q, bool too_long)
{
	buf_t *b = &r->out;
	buf_puts(b, "<form class=\"form\" method=\"get\" action=\"/territoires-comme-le-mien\" role=\"search\">\n"
	            "<div class=\"field\">\n<label for=\"f-q\">Nom, code INSEE ou SIREN de l'organisation</label>\n"
	            "<p class=\"help\" id=\"h-q\">Par exemple : Bordeaux Métropole, 69123 ou 243300316.</p>\n");
	if (too_long)
		buf_fmt(b, "<p class=\"field-error\" id=\"e-q\"><span class=\"visually-hidden\">Erreur : </span>"
		           "La recherche dépasse %d caractères.</p>\n",
		        RECO_Q_MAX);
	buf_fmt(b, "<input type=\"search\" id=\"f-q\" name=\"q\" maxlength=\"%d\" value=\"%h\" aria-describedby=\"h-q%R\"%R>\n"
	           "</div>\n<div class=\"actions\"><button type=\"submit\">Chercher</button></div>\n</form>\n",
	        RECO_Q_MAX, q ? q : "", too_long ? " e-q" : "", too_long ? " aria-invalid=\"true\"" : "");
	if (!q || !*q || too_long) return;
	struct found_list l = { .n = 0 };
	if (org_search(r->db, q, RECO_FIND_MAX, 0, found_cb, &l) < 0) {
		buf_puts(b, "<p>La recherche d'organisations est momentanément indisponible.</p>\n");
		return;
	}
	buf_puts(b, "<section aria-labelledby=\"titre-orgs\">\n<h2 id=\"titre-orgs\">");
	html_count(b, l.n, "organisation trouvée", "organisations trouvées");
	buf_puts(b, "</h2>\n");
	if (l.n == 0)
		buf_puts(b, "<p>Aucune organisation ne correspond. Vérifiez l'orthographe, ou cherchez par code INSEE "
		            "ou par SIREN.</p>\n");
	else
		buf_puts(b, "<ul class=\"org-results\">\n");
	for (int i = 0; i < l.n; i++) {
		struct found *f = &l.items[i];
		const char *kl = org_kind_label(f->kind);
		buf_fmt(b, "<li><a href=\"/territoires-comme-le-mien?organisation=%U\">%h</a>", f->key, f->name);
		if (kl) buf_fmt(b, " <span class=\"org-kind\">(%h)</span>", kl);
		buf_puts(b, "</li>\n");
		free(f->key);
		free(f->name);
		free(f->kind);
	}
	if (l.n) buf_puts(b, "</ul>\n");
	buf_puts(b, "</section>\n");
}

int page_territories(struct req *r)
{
	char msg[200];
	const char *key = req_param(r, "organisation");
	const char *theme = req_param(r, "theme");
	const char *q = req_param(r, "q");
	const char *p = req_param(r, "page");
	if (key && !*key) key = NULL;
	if (theme && !*theme) theme = NULL;
	if (theme && vocab_index(&vocab_theme, theme) < 0) {
		snprintf(msg, sizeof msg, "Valeur inconnue pour le paramètre « theme » : « %.60s ».", theme);
		page_error(r, 400, msg);
		return 0;
	}
	int64_t page = 1;
	if (p && parse_int64(p, 1, RECO_MAX_PAGE, &page) < 0) {
		snprintf(msg, sizeof msg, "Le paramètre « page » doit être un nombre entier entre 1 et %d.", RECO_MAX_PAGE);
		page_error(r, 400, msg);
		return 0;
	}
	bool too_long = q && text_utf8_len(q, strlen(q)) > RECO_Q_MAX;

	struct org o = { 0 };
	int rc = 0;
	if (key) {
		rc = org_find(r->db, key, &o);
		if (rc == 0) {
			snprintf(msg, sizeof msg, "Organisation inconnue pour le paramètre « organisation » : « %.60s ».", key);
			page_error(r, 404, msg);
			return 0;
		}
	} else if (!(q && *q) && r->viewer.norgs > 0) {
		rc = org_get(r->db, r->viewer.orgs[0], &o);
	}
	if (rc < 0) {
		page_error(r, 500, "Les recommandations sont momentanément indisponibles.");
		return 0;
	}
	buf_t *b = &r->out;
	r->no_etag = r->viewer.user_id != 0;  /* the default depends on the viewer */

	if (rc == 0) {
		if (too_long) r->status = 422;
		html_begin(r, too_long ? "Erreur : territoires comme le mien" : "Territoires comme le mien");
		buf_puts(b, "<h1>Territoires comme le mien</h1>\n"
		            "<p class=\"lead\">Choisissez une organisation : IA·T vous montre les fiches publiées par des "
		            "collectivités du même type et de la même strate de population, en commençant par celles "
		            "dont l'impact est démontré, les plus réutilisées et les plus récentes "
		            "(<a href=\"/impact-demontre\">les règles du label « impact démontré »</a>).</p>\n");
		chooser(r, q, too_long);
		html_end(r);
		return 0;
	}

	const char *band = org_band(o.population);
	char *okey = org_key(&o);
	struct reco_query rq = { .org_id = o.id, .kind = o.kind, .band = band, .theme = theme,
		                 .page = (int)page, .per_page = RECO_PER_PAGE };
	struct reco_result res;
	if (search_recommend(r->db, &rq, &res) < 0) {
		free(okey);
		org_free(&o);
		page_error(r, 500, "Les recommandations sont momentanément indisponibles.");
		return 0;
	}
	int64_t np = (res.total + RECO_PER_PAGE - 1) / RECO_PER_PAGE;
	int npages = np > RECO_MAX_PAGE ? RECO_MAX_PAGE : (int)np;

	buf_t title = BUF_INIT;
	buf_puts(&title, "Territoires comme ");
	buf_puts(&title, o.name ? o.name : okey);
	if (page > 1) buf_fmt(&title, " (page %d)", (int)page);
	html_begin(r, buf_cstr(&title));
	buf_free(&title);

	const char *kl = org_kind_label(o.kind);
	const char *bl = org_band_label(band);
	buf_fmt(b, "<h1>Territoires comme <a href=\"/organisations/%U\">%h</a></h1>\n", okey, o.name ? o.name : okey);
	buf_fmt(b, "<p class=\"lead\">Fiches publiées par d'autres organisations de type « %h »", kl ? kl : o.kind);
	if (bl) buf_fmt(b, " comptant %h", bl);
	else buf_puts(b, " dont la population n'est pas connue");
	buf_puts(b, ", classées selon les preuves d'impact, le nombre de réutilisations et la date de mise à "
	            "jour.</p>\n");
	buf_puts(b, "<p><a href=\"/territoires-comme-le-mien?q=\">Choisir une autre organisation</a></p>\n");

	/* theme filter */
	buf_fmt(b, "<form class=\"form form-inline\" method=\"get\" action=\"/territoires-comme-le-mien\">\n"
	           "<input type=\"hidden\" name=\"organisation\" value=\"%h\">\n"
	           "<div class=\"field\">\n<label for=\"f-theme\">Thème</label>\n<select id=\"f-theme\" name=\"theme\">\n"
	           "<option value=\"\">Tous les thèmes</option>\n",
	        okey);
	for (size_t i = 0; i < vocab_theme.count; i++) {
		const struct term *t = &vocab_theme.terms[i];
		buf_fmt(b, "<option value=\"%h\"%R>%h</option>\n", t->code,
		        theme && strcmp(theme, t->code) == 0 ? " selected" : "", t->label);
	}
	buf_puts(b, "</select>\n</div>\n<div class=\"actions\"><button type=\"submit\">Filtrer</button></div>\n</form>\n");

	buf_puts(b, "<section class=\"results\" aria-labelledby=\"titre-reco\">\n<h2 id=\"titre-reco\">");
	if (res.total == 0) buf_puts(b, "Aucune fiche");
	else html_count(b, res.total, "fiche recommandée", "fiches recommandées");
	if (npages > 1 && page <= npages) buf_fmt(b, " <span class=\"page-of\">— page %d sur %d</span>", (int)page, npages);
	buf_puts(b, "</h2>\n");
	if (res.nhits == 0) {
		buf_puts(b, "<p>Aucune fiche publiée par une organisation comparable");
		if (theme) buf_fmt(b, " sur le thème « %h »", vocab_label(&vocab_theme, theme));
		buf_puts(b, " pour le moment.</p>\n");
	} else {
		buf_puts(b, "<ol class=\"hits reco\">\n");
		for (int i = 0; i < res.nhits; i++) {
			const struct reco_hit *x = &res.hits[i];
			const struct search_hit *h = &x->h;
			buf_t href = BUF_INIT, why = BUF_INIT;
			html_usecase_path(&href, h->id, h->slug);
			buf_fmt(b, "<li class=\"hit\">\n<h3 class=\"hit-title\"><a href=\"%h\">%h</a></h3>\n", buf_cstr(&href),
			        h->title && *h->title ? h->title : "(sans titre)");
			buf_fmt(b, "<p class=\"hit-meta\"><a class=\"hit-owner\" href=\"/organisations/%U\">%h</a>", h->owner_key,
			        h->owner_name ? h->owner_name : "");
			if (h->theme)
				buf_fmt(b, " · <span class=\"tag\"><span class=\"visually-hidden\">Thème : </span>%h</span>",
				        vocab_label(&vocab_theme, h->theme));
			buf_puts(b, "</p>\n");
			reco_explain(&why, x, o.kind, band, o.name);
			buf_fmt(b, "<p class=\"reco-why\"><span class=\"visually-hidden\">Pourquoi cette fiche : </span>%h</p>\n",
			        buf_cstr(&why));
			if (h->summary && *h->summary) buf_fmt(b, "<p class=\"hit-text\">%h</p>\n", h->summary);
			buf_puts(b, "</li>\n");
			buf_free(&href);
			buf_free(&why);
		}
		buf_puts(b, "</ol>\n");
		buf_t base = BUF_INIT;
		buf_fmt(&base, "/territoires-comme-le-mien?organisation=%U", okey);
		if (theme) buf_fmt(&base, "&theme=%U", theme);
		html_pagination(b, buf_cstr(&base), (int)page, npages);
		buf_free(&base);
	}
	buf_puts(b, "</section>\n");
	html_end(r);
	reco_result_free(&res);
	free(okey);
	org_free(&o);
	return 0;
}
