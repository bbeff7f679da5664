/*
 * page_intl.c — the international references (issue 6, section 2):
 *   GET /references-internationales        search and filters
 *   GET /references-internationales/{id}   one reference
 *
 * Query parameters of the list (the router refuses any other name):
 *   q                              text (200 characters at most)
 *   country source status lang     one value each, checked against the
 *                                  vocabularies of intl.h; empty = none
 *   page                           1..1000
 * A bad value is a 400 page naming the parameter.
 *
 * Design notes
 * - References are not records of the library: separate tables
 *   (store_intl.h), separate pages, never mixed with the use cases'
 *   search, statistics or exports. The page says so.
 * - Texts are shown as the source published them, in their original
 *   language, never translated: every element holding such text carries
 *   lang="xx" (RGAA 8.7); French labels around them are ours.
 * - Facets are lists of links (no script), as on /recherche; every link
 *   is built by list_url() from the current state with one change.
 * - The detail page shows every mapped field (intl_fields[] order), the
 *   provenance (source, identifier, first import, last change, each file
 *   that fed it), the link to the original record and the attribution
 *   and licence of the source, then the record as read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importer.h"
#include "intl.h"
#include "pages.h"
#include "store_intl.h"
#include "text.h"
#include "util.h"

#define INTL_PER_PAGE 20
#define INTL_MAX_PAGE 1000
#define INTL_MAX_Q 200
#define INTL_SUMMARY 300

static const char *const facet_titles[INTL_NFACETS] = { "Pays", "Source", "Statut", "Langue d'origine" };

struct istate {
	const char *q;
	const char *filters[INTL_NFACETS];
	int page;
};

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ') return false;
	return true;
}

static int parse_state(struct req *r, struct istate *s)
{
	char msg[256];
	memset(s, 0, sizeof *s);
	s->page = 1;
	const char *q = req_param(r, "q");
	if (q && !blank(q)) {
		if (text_utf8_len(q, strlen(q)) > INTL_MAX_Q) {
			snprintf(msg, sizeof msg, "Le paramètre « q » est trop long : %d caractères au plus.", INTL_MAX_Q);
			page_error(r, 400, msg);
			return -1;
		}
		s->q = q;
	}
	const char *page = req_param(r, "page");
	if (page) {
		int64_t n;
		if (parse_int64(page, 1, INTL_MAX_PAGE, &n) < 0) {
			snprintf(msg, sizeof msg, "Le paramètre « page » doit être un nombre entier entre 1 et %d.",
			         INTL_MAX_PAGE);
			page_error(r, 400, msg);
			return -1;
		}
		s->page = (int)n;
	}
	for (int f = 0; f < INTL_NFACETS; f++) {
		const char *v = req_param(r, intl_facet_names[f]);
		if (!v || !*v) continue;
		if (!intl_filter_label(intl_facet_names[f], v)) {
			snprintf(msg, sizeof msg, "Valeur inconnue pour le paramètre « %s » : « %.60s ».", intl_facet_names[f],
			         v);
			page_error(r, 400, msg);
			return -1;
		}
		s->filters[f] = v;
	}
	return 0;
}

static int nfilters(const struct istate *s)
{
	int n = 0;
	for (int f = 0; f < INTL_NFACETS; f++) n += s->filters[f] != NULL;
	return n;
}

/* The raw URL of the list for s with filter f set to v (f < 0: none;
 * v NULL: the filter removed), at page (1: no parameter). */
static void list_url(buf_t *u, const struct istate *s, int f, const char *v, int page)
{
	bool first = true;
	buf_puts(u, "/references-internationales");
	if (s->q) {
		buf_fmt(u, "?q=%U", s->q);
		first = false;
	}
	for (int k = 0; k < INTL_NFACETS; k++) {
		const char *val = k == f ? v : s->filters[k];
		if (!val) continue;
		buf_fmt(u, "%R%U=%U", first ? "?" : "&", intl_facet_names[k], val);
		first = false;
	}
	if (page > 1) buf_fmt(u, "%Rpage=%d", first ? "?" : "&", page);
}

static void href(buf_t *b, const struct istate *s, int f, const char *v)
{
	buf_t u = BUF_INIT;
	list_url(&u, s, f, v, 1);
	buf_fmt(b, "href=\"%h\"", buf_cstr(&u));
	buf_free(&u);
}

static const char *label_of(int f, const char *v)
{
	const char *l = intl_filter_label(intl_facet_names[f], v);
	return l ? l : v;
}

static void render_form(buf_t *b, const struct istate *s)
{
	buf_fmt(b,
	        "<form class=\"search-box\" role=\"search\" action=\"/references-internationales\" method=\"get\">\n"
	        "<label for=\"q\">Mots-clés</label>\n"
	        "<div class=\"search-row\">\n"
	        "<input type=\"search\" id=\"q\" name=\"q\" maxlength=\"%d\" value=\"%h\" aria-describedby=\"q-aide\">\n"
	        "<button type=\"submit\">Rechercher</button>\n"
	        "</div>\n",
	        INTL_MAX_Q, s->q ? s->q : "");
	for (int f = 0; f < INTL_NFACETS; f++)
		if (s->filters[f])
			buf_fmt(b, "<input type=\"hidden\" name=\"%h\" value=\"%h\">\n", intl_facet_names[f], s->filters[f]);
	buf_puts(b, "<p id=\"q-aide\" class=\"hint\">Les textes sont dans leur langue d'origine (néerlandais, "
	            "anglais…) : cherchez avec les mots de cette langue.");
	if (nfilters(s)) buf_puts(b, " Les filtres choisis sont conservés.");
	buf_puts(b, "</p>\n</form>\n");
}

static void render_active(buf_t *b, const struct istate *s)
{
	if (!nfilters(s)) return;
	buf_puts(b, "<div class=\"active-filters\">\n<p id=\"filtres-actifs\">Filtres actifs :</p>\n"
	            "<ul aria-labelledby=\"filtres-actifs\">\n");
	for (int f = 0; f < INTL_NFACETS; f++) {
		if (!s->filters[f]) continue;
		const char *l = label_of(f, s->filters[f]);
		buf_fmt(b, "<li><span class=\"filter-name\">%h :</span> %h <a class=\"remove\" ", facet_titles[f], l);
		href(b, s, f, NULL);
		buf_fmt(b, ">retirer<span class=\"visually-hidden\"> le filtre « %h : %h »</span></a></li>\n",
		        facet_titles[f], l);
	}
	buf_puts(b, "</ul>\n</div>\n");
}

static void render_facets(buf_t *b, const struct istate *s, const struct intl_result *res)
{
	buf_puts(b, "<section class=\"filters\" id=\"filtres\" aria-labelledby=\"titre-filtres\">\n"
	            "<h2 id=\"titre-filtres\">Affiner la recherche</h2>\n");
	for (int f = 0; f < INTL_NFACETS; f++) {
		const struct intl_facet *fc = &res->facets[f];
		if (fc->ncounts == 0 && !s->filters[f]) continue;
		buf_fmt(b, "<div class=\"facet\">\n<h3 id=\"facette-%h\">%h</h3>\n<ul aria-labelledby=\"facette-%h\">\n",
		        intl_facet_names[f], facet_titles[f], intl_facet_names[f]);
		for (int i = 0; i < fc->ncounts; i++) {
			const char *v = fc->counts[i].value;
			if (!v) continue;
			if (i == 10 && fc->ncounts > 12)
				buf_fmt(b, "</ul>\n<details>\n<summary>Afficher les autres valeurs<span class=\"visually-hidden\"> "
				           "pour « %h »</span></summary>\n<ul>\n",
				        facet_titles[f]);
			const char *l = label_of(f, v);
			if (s->filters[f] && strcmp(s->filters[f], v) == 0) {
				buf_fmt(b, "<li class=\"is-active\"><strong aria-current=\"true\">%h</strong> <span class=\"count\">(",
				        l);
				html_int_fr(b, fc->counts[i].count);
				buf_puts(b, ")</span> <a class=\"remove\" ");
				href(b, s, f, NULL);
				buf_fmt(b, ">retirer<span class=\"visually-hidden\"> le filtre « %h »</span></a></li>\n", l);
			} else {
				buf_puts(b, "<li><a ");
				href(b, s, f, v);
				buf_fmt(b, ">%h <span class=\"count\">(", l);
				html_int_fr(b, fc->counts[i].count);
				buf_fmt(b, "<span class=\"visually-hidden\"> %h</span>)</span></a></li>\n",
				        fc->counts[i].count > 1 ? "références" : "référence");
			}
		}
		buf_puts(b, fc->ncounts > 12 ? "</ul>\n</details>\n" : "</ul>\n");
		buf_puts(b, "</div>\n");
	}
	buf_puts(b, "</section>\n");
}

/* One line "Pays-Bas · Algoritmeregister (Pays-Bas) · En service". */
static void hit_meta(buf_t *b, const char *country, const char *source, const char *status)
{
	const struct intl_source *src = intl_source_find(source);
	const char *cl = intl_country_label(country);
	buf_fmt(b, "<span class=\"visually-hidden\">Pays : </span>%h · <span class=\"visually-hidden\">Source : </span>%h",
	        cl ? cl : country, src ? src->label : source);
	const char *sl = intl_status_label(status);
	if (sl) buf_fmt(b, " · <span class=\"visually-hidden\">Statut : </span>%h", sl);
}

static void render_hits(buf_t *b, const struct intl_result *res)
{
	buf_puts(b, "<ol class=\"hits\">\n");
	for (int i = 0; i < res->nhits; i++) {
		const struct intl_hit *h = &res->hits[i];
		buf_fmt(b, "<li class=\"hit\">\n<h3 class=\"hit-title\"><a href=\"/references-internationales/%D\" "
		           "lang=\"%h\">%h</a></h3>\n<p class=\"hit-meta\">",
		        h->id, h->lang, h->title);
		if (h->organisation) buf_fmt(b, "<span class=\"hit-owner\" lang=\"%h\">%h</span> — ", h->lang, h->organisation);
		hit_meta(b, h->country, h->source, h->status);
		buf_puts(b, "</p>\n");
		if (h->description) {
			char *sum = import_summary(h->description, INTL_SUMMARY);
			buf_fmt(b, "<p class=\"hit-summary\" lang=\"%h\">%h</p>\n", h->lang, sum);
			free(sum);
		}
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ol>\n");
}

int page_intl_list(struct req *r)
{
	struct istate s;
	if (parse_state(r, &s) < 0) return 0;
	struct intl_query q = { 0 };
	q.q = s.q;
	for (int f = 0; f < INTL_NFACETS; f++) q.filters[f] = s.filters[f];
	q.page = s.page;
	q.per_page = INTL_PER_PAGE;
	q.with_facets = true;
	struct intl_result res;
	if (store_intl_search(r->db, &q, &res) < 0) {
		page_error(r, 500, "La recherche est momentanément indisponible.");
		return 0;
	}
	int64_t np = (res.total + INTL_PER_PAGE - 1) / INTL_PER_PAGE;
	int npages = np > INTL_MAX_PAGE ? INTL_MAX_PAGE : (int)np;

	buf_t title = BUF_INIT;
	if (s.q) {
		buf_puts(&title, "« ");
		buf_puts(&title, s.q);
		buf_puts(&title, " » — Références internationales");
	} else {
		buf_puts(&title, "Références internationales");
	}
	if (s.page > 1) buf_fmt(&title, " (page %d)", s.page);
	buf_t *b = &r->out;
	html_begin(r, buf_cstr(&title));
	buf_free(&title);
	buf_puts(b, "<h1>Références internationales</h1>\n"
	            "<p>Des algorithmes et projets d'IA publics recensés à l'étranger par les registres des Pays-Bas, "
	            "du Royaume-Uni et de l'Union européenne. Ce ne sont pas des fiches de la bibliothèque : ils ne "
	            "comptent pas dans ses statistiques, et leurs textes sont affichés dans leur langue d'origine, "
	            "sans traduction. <a href=\"/recherche\">Rechercher dans les fiches des collectivités "
	            "françaises</a>.</p>\n");
	render_form(b, &s);
	buf_puts(b, "<div class=\"search-layout intl-layout\">\n<section class=\"results\" aria-labelledby=\"titre-resultats\">\n"
	            "<h2 id=\"titre-resultats\">");
	if (res.total == 0) buf_puts(b, "Aucune référence");
	else html_count(b, res.total, "référence", "références");
	if (s.q) buf_fmt(b, " pour « %h »", s.q);
	if (npages > 1 && s.page <= npages)
		buf_fmt(b, " <span class=\"page-of\">— page %d sur %d</span>", s.page, npages);
	buf_puts(b, "</h2>\n");
	render_active(b, &s);
	buf_puts(b, "<p class=\"skip-filters\"><a href=\"#filtres\">Aller aux filtres</a></p>\n");
	if (res.nhits > 0) {
		render_hits(b, &res);
		buf_t base = BUF_INIT;
		list_url(&base, &s, -1, NULL, 1);
		html_pagination(b, buf_cstr(&base), s.page, npages);
		buf_free(&base);
	} else if (res.total > 0) {
		buf_puts(b, "<p>Cette page de résultats n'existe pas. <a ");
		href(b, &s, -1, NULL);
		buf_puts(b, ">Revenir à la première page</a></p>\n");
	} else {
		buf_puts(b, "<p>Aucune référence ne correspond à cette recherche.");
		if (nfilters(&s) || s.q) buf_puts(b, " <a href=\"/references-internationales\">Voir toutes les références</a>");
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "</section>\n");
	render_facets(b, &s, &res);
	buf_puts(b, "</div>\n");
	html_end(r);
	store_intl_result_free(&res);
	return 0;
}

/* ==== One reference ==== */

static const char *part_label(const char *source, const char *part)
{
	if (strcmp(source, "nl-algoritmeregister") == 0) {
		if (strcmp(part, "scrape") == 0) return "relevé quotidien du registre";
		if (strcmp(part, "full") == 0) return "export complet du registre";
	}
	return "fichier de la source";
}

static void render_value(buf_t *b, const struct intl_field *f, const char *v, const char *lang)
{
	switch (f->kind) {
	case INTL_TEXT:
		buf_fmt(b, "<div class=\"text\" lang=\"%h\">%h</div>", lang, v);
		break;
	case INTL_URL:
		buf_fmt(b, "<a href=\"%h\" lang=\"%h\">%h</a>", v, lang, v);
		break;
	case INTL_DATE:
		html_time(b, v);
		break;
	case INTL_CODE:
		buf_fmt(b, "%h", v);
		break;
	}
}

static void render_raw(buf_t *b, const json_t *parts, const char *source, const char *lang)
{
	const char *pname;
	json_t *part;
	json_object_foreach((json_t *)parts, pname, part) {
		json_t *raw = json_object_get(part, "raw");
		if (!json_is_object(raw) || json_object_size(raw) == 0) continue;
		const char *file = json_string_value(json_object_get(part, "file"));
		buf_fmt(b, "<details>\n<summary>Enregistrement d'origine : %h (fichier « %h »)</summary>\n<dl class=\"raw\">\n",
		        part_label(source, pname), file ? file : "");
		const char *k;
		json_t *v;
		json_object_foreach(raw, k, v) {
			if (json_is_null(v)) continue;
			buf_fmt(b, "<div><dt>%h</dt><dd>", k);
			if (json_is_string(v)) {
				buf_fmt(b, "<div class=\"text\" lang=\"%h\">%h</div>", lang, json_string_value(v));
			} else {
				char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
				buf_fmt(b, "<code>%h</code>", s ? s : "");
				free(s);
			}
			buf_puts(b, "</dd></div>\n");
		}
		buf_puts(b, "</dl>\n</details>\n");
	}
}

int page_intl(struct req *r)
{
	int64_t id = r->nargs ? page_seg_id(r->args[0]) : 0;
	struct intl_ref x;
	int rc = id ? store_intl_get(r->db, id, &x) : 0;
	if (rc < 0) {
		page_error(r, 500, "La référence n'a pas pu être lue.");
		return 0;
	}
	if (rc == 0) {
		page_error(r, 404, "Cette référence internationale n'existe pas.");
		return 0;
	}
	const json_t *fields = json_object_get(x.doc, "fields");
	const json_t *parts = json_object_get(x.doc, "parts");
	const struct intl_source *src = intl_source_find(x.source);
	const char *country = intl_country_label(x.country);
	const char *lang_name = intl_lang_label(x.lang);
	buf_t *b = &r->out;

	buf_t title = BUF_INIT;
	buf_puts(&title, x.title);
	buf_puts(&title, " — Références internationales");
	html_begin(r, buf_cstr(&title));
	buf_free(&title);

	buf_puts(b, "<nav aria-label=\"Fil d'Ariane\" class=\"breadcrumb\"><ol><li><a href=\"/\">Accueil</a></li>"
	            "<li><a href=\"/references-internationales\">Références internationales</a></li></ol></nav>\n");
	buf_fmt(b, "<h1 class=\"intl-ref\" lang=\"%h\">%h</h1>\n", x.lang, x.title);
	buf_puts(b, "<p class=\"hit-meta\">");
	if (x.organisation) buf_fmt(b, "<span lang=\"%h\">%h</span> — ", x.lang, x.organisation);
	hit_meta(b, x.country, x.source, x.status);
	buf_puts(b, "</p>\n");
	buf_fmt(b, "<p class=\"hint\">Référence internationale : %h publiée par un registre étranger, affichée dans sa "
	           "langue d'origine (%h), sans traduction. Elle ne compte pas dans les statistiques de la "
	           "bibliothèque.</p>\n",
	        x.source && strcmp(x.source, "nl-algoritmeregister") == 0 ? "fiche d'algorithme" : "fiche",
	        lang_name ? lang_name : x.lang);
	if (strcmp(x.country, "FR") == 0)
		buf_puts(b, "<p class=\"hint\">Ce projet français est recensé par l'observatoire européen Public Sector "
		            "Tech Watch ; ce n'est pas une fiche déposée dans la bibliothèque par une collectivité.</p>\n");

	buf_puts(b, "<section class=\"fields\" aria-labelledby=\"titre-infos\">\n"
	            "<h2 id=\"titre-infos\">Informations publiées par la source</h2>\n<dl>\n");
	buf_fmt(b, "<div class=\"field\"><dt>Pays</dt><dd>%h</dd></div>\n", country ? country : x.country);
	buf_fmt(b, "<div class=\"field\"><dt>Statut</dt><dd>%h</dd></div>\n",
	        intl_status_label(x.status) ? intl_status_label(x.status) : x.status);
	buf_fmt(b, "<div class=\"field\"><dt>Langue d'origine</dt><dd>%h</dd></div>\n", lang_name ? lang_name : x.lang);
	for (size_t i = 0; i < intl_nfields; i++) {
		const struct intl_field *f = &intl_fields[i];
		if (!strcmp(f->key, "title") || !strcmp(f->key, "source_url")) continue;
		const char *v = json_string_value(json_object_get(fields, f->key));
		if (!v) continue;
		buf_fmt(b, "<div class=\"field field-%h\"><dt>%h</dt><dd>", f->key, f->label);
		render_value(b, f, v, x.lang);
		buf_puts(b, "</dd></div>\n");
	}
	buf_puts(b, "</dl>\n</section>\n");

	/* provenance */
	buf_puts(b, "<section class=\"provenance\" aria-labelledby=\"titre-source\">\n"
	            "<h2 id=\"titre-source\">Origine de la référence</h2>\n<p>Source : ");
	buf_fmt(b, "%h, identifiant <code>%h</code>, importée le ", src ? src->label : x.source, x.source_id);
	html_time(b, x.first_imported_at);
	buf_puts(b, ", mise à jour le ");
	html_time(b, x.last_changed_at);
	buf_puts(b, " (dernier import le ");
	html_time(b, x.last_imported_at);
	buf_puts(b, ").</p>\n");
	if (json_object_size(parts) > 1 || (json_object_size(parts) == 1 && !json_object_get(parts, "main"))) {
		buf_puts(b, "<ul>\n");
		const char *pname;
		json_t *part;
		json_object_foreach((json_t *)parts, pname, part) {
			buf_fmt(b, "<li>%h : fichier « %h », importé le ", part_label(x.source, pname),
			        json_string_value(json_object_get(part, "file")));
			html_time(b, json_string_value(json_object_get(part, "first_imported_at")));
			buf_puts(b, ", modifié le ");
			html_time(b, json_string_value(json_object_get(part, "changed_at")));
			buf_puts(b, "</li>\n");
		}
		buf_puts(b, "</ul>\n");
	}
	if (x.source_url)
		buf_fmt(b, "<p><a href=\"%h\">Voir la fiche d'origine<span class=\"visually-hidden\"> (%h)</span></a></p>\n",
		        x.source_url, src ? src->label : x.source);
	else if (src)
		buf_fmt(b, "<p><a href=\"%h\">Voir le jeu de données d'origine (%h)</a> : la source ne publie pas de page "
		           "par projet.</p>\n",
		        src->home_url, src->label);
	if (src)
		buf_fmt(b, "<p class=\"attribution\">Données : %h — %h, licence <a href=\"%h\">%h</a>.</p>\n", src->label,
		        src->publisher, src->licence_url, src->licence);
	render_raw(b, parts, x.source, x.lang);
	buf_puts(b, "</section>\n");
	html_end(r);
	store_intl_free(&x);
	return 0;
}

/* The block of /recherche: "N références internationales correspondent à
 * votre recherche" (nothing without text or without match). */
void page_intl_search_block(struct req *r, const char *q)
{
	if (!q || blank(q)) return;
	int64_t n = 0;
	if (store_intl_count(r->db, q, &n) < 0 || n == 0) return;
	buf_t *b = &r->out;
	buf_puts(b, "<aside class=\"intl-block\" aria-labelledby=\"titre-intl\">\n<p id=\"titre-intl\">");
	html_count(b, n, "référence internationale correspond", "références internationales correspondent");
	buf_fmt(b, " à votre recherche. <a href=\"/references-internationales?q=%U\">Voir les références "
	           "internationales<span class=\"visually-hidden\"> pour « %h »</span></a></p>\n</aside>\n",
	        q, q);
}
