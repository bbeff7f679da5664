/*
 * page_search.c — GET /recherche: full-text search and facets over the
 * public records.
 *
 * Query parameters (the router already refuses any other name):
 *   q                 text (200 characters at most)
 *   page              1..1000 (default 1)
 *   per_page          1..100 (default 20)
 *   sort              relevance | updated | evidence (default: relevance
 *                     with a text, updated without; evidence = strength of
 *                     evidence of impact first, issue 5)
 *   theme status org_kind region departement population_band ai_technique
 *   risk_level impact_label
 *                     facet filters, repeatable (OR within a facet, AND
 *                     across facets), each value checked with
 *                     search_facet_value_ok(); empty values are ignored
 *   owner             one organisation key (any key org_find() accepts)
 * Any bad value is a 400 page naming the parameter; nothing is searched.
 *
 * Design notes
 * - Parsing fills a struct sstate that only points into the request's
 *   parameters (owned by the request) plus request-owned strings, so
 *   nothing here needs freeing except the search result.
 * - Every link of the page (facets, removal of a filter, sorting, pages)
 *   is built by search_url() from that state with one change, so the
 *   current text and filters are always kept. URLs are built raw (with %U
 *   components) and then written into href attributes through %h.
 * - Layout: the search form, then the results (count, active filters with
 *   "retirer" links, sort links, hits, pagination), then the filters; the
 *   DOM order is the visual order (the filters sit in a right-hand column
 *   on wide screens), and a link at the top of the results jumps to them.
 * - Facets are lists of links (no script: the CSP forbids inline code and
 *   the page works with any browser). An active value is marked with
 *   aria-current="true" and followed by its "retirer" link.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "util.h"

#define SEARCH_PER_PAGE 20
#define SEARCH_MAX_PAGE 1000
#define SEARCH_MAX_Q 200       /* characters */
#define FACET_SHOWN 10         /* values shown before "Afficher les autres" */
#define NFACETS ((int)ARRAY_LEN(search_facet_names))

struct sstate {
	const char *q;           /* NULL when absent or blank */
	const char *sort;        /* as given (validated), or NULL */
	bool relevance;          /* effective order */
	bool evidence;           /* sort=evidence */
	int page;
	int per_page;            /* 0: not given (default) */
	/* one slot per search_facet_names[i], values point into r->params */
	const char *values[ARRAY_LEN(search_facet_names)][SEARCH_MAX_VALUES];
	int nvalues[ARRAY_LEN(search_facet_names)];
	const char *owner;       /* canonical organisation key (request-owned) or NULL */
	const char *owner_name;  /* request-owned */
	int64_t owner_id;
};

/* ==== Parameters ==== */

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ') return false;
	return true;
}

/* Fill s from the query; on a bad parameter renders the 400 page and
 * returns -1 (or 500 on a database error). */
static int parse_state(struct req *r, struct sstate *s)
{
	char msg[256];
	memset(s, 0, sizeof *s);
	s->page = 1;

	const char *q = req_param(r, "q");
	if (q && !blank(q)) {
		size_t chars = 0;
		for (const unsigned char *p = (const unsigned char *)q; *p; p++)
			if ((*p & 0xC0) != 0x80) chars++;
		if (chars > SEARCH_MAX_Q) {
			snprintf(msg, sizeof msg,
			         "Le paramètre « q » est trop long : %d caractères au plus.", SEARCH_MAX_Q);
			page_error(r, 400, msg);
			return -1;
		}
		s->q = q;
	}

	const char *page = req_param(r, "page");
	if (page) {
		int64_t n;
		if (parse_int64(page, 1, SEARCH_MAX_PAGE, &n) < 0) {
			snprintf(msg, sizeof msg,
			         "Le paramètre « page » doit être un nombre entier entre 1 et %d.", SEARCH_MAX_PAGE);
			page_error(r, 400, msg);
			return -1;
		}
		s->page = (int)n;
	}

	const char *pp = req_param(r, "per_page");
	if (pp) {
		int64_t n;
		if (parse_int64(pp, 1, 100, &n) < 0) {
			page_error(r, 400, "Le paramètre « per_page » doit être un nombre entier entre 1 et 100.");
			return -1;
		}
		s->per_page = (int)n;
	}

	const char *sort = req_param(r, "sort");
	if (sort) {
		if (strcmp(sort, "relevance") != 0 && strcmp(sort, "updated") != 0 && strcmp(sort, "evidence") != 0) {
			page_error(r, 400,
			           "Le paramètre « sort » accepte « relevance » (pertinence), « updated » "
			           "(date de mise à jour) ou « evidence » (preuves d'impact).");
			return -1;
		}
		s->sort = sort;
	}
	/* relevance only means something with a text */
	s->relevance = s->q && (!sort || strcmp(sort, "relevance") == 0);
	s->evidence = sort && strcmp(sort, "evidence") == 0;

	for (int f = 0; f < NFACETS; f++) {
		const char *name = search_facet_names[f];
		for (int i = 0; i < r->nparams; i++) {
			if (strcmp(r->params[i].name, name) != 0) continue;
			const char *v = r->params[i].value;
			if (!*v) continue; /* an empty choice of a form */
			if (!search_facet_value_ok(name, v)) {
				snprintf(msg, sizeof msg, "Valeur inconnue pour le paramètre « %s » : « %.60s ».", name, v);
				page_error(r, 400, msg);
				return -1;
			}
			bool dup = false;
			for (int k = 0; k < s->nvalues[f]; k++)
				if (strcmp(s->values[f][k], v) == 0) dup = true;
			if (dup) continue;
			if (s->nvalues[f] >= SEARCH_MAX_VALUES) {
				snprintf(msg, sizeof msg, "Trop de valeurs pour le paramètre « %s » (%d au plus).", name,
				         SEARCH_MAX_VALUES);
				page_error(r, 400, msg);
				return -1;
			}
			s->values[f][s->nvalues[f]++] = v;
		}
	}

	int nowner = 0;
	const char *owner = NULL;
	for (int i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].name, "owner") == 0 && r->params[i].value[0]) {
			if (!owner || strcmp(owner, r->params[i].value) != 0) nowner++;
			owner = r->params[i].value;
		}
	if (nowner > 1) {
		page_error(r, 400, "Le paramètre « owner » ne peut désigner qu'une seule organisation.");
		return -1;
	}
	if (owner) {
		struct org o = { 0 };
		int rc = org_find(r->db, owner, &o);
		if (rc < 0) {
			page_error(r, 500, "La recherche est momentanément indisponible.");
			return -1;
		}
		if (rc == 0) {
			snprintf(msg, sizeof msg, "Organisation inconnue pour le paramètre « owner » : « %.60s ».", owner);
			page_error(r, 400, msg);
			return -1;
		}
		char *key = org_key(&o);
		req_own(r, key);
		s->owner = key;
		s->owner_name = req_strdup(r, o.name ? o.name : key);
		s->owner_id = o.id;
		org_free(&o);
	}
	return 0;
}

static int nfilters(const struct sstate *s)
{
	int n = s->owner ? 1 : 0;
	for (int f = 0; f < NFACETS; f++) n += s->nvalues[f];
	return n;
}

static bool is_active(const struct sstate *s, int f, const char *v)
{
	for (int k = 0; k < s->nvalues[f]; k++)
		if (strcmp(s->values[f][k], v) == 0) return true;
	return false;
}

/* ==== URLs ==== */

/* How a link changes the current state. */
struct change {
	int facet;            /* facet index to toggle a value of, or -1 */
	const char *value;    /* that value (added if absent, removed if present) */
	bool drop_q;          /* without the text */
	bool drop_filters;    /* without any filter (facets and owner) */
	bool drop_owner;
	const char *sort;     /* set sort to this, or NULL to keep */
	int page;             /* 0: no page parameter */
};

static void url_param(buf_t *u, bool *first, const char *name, const char *value)
{
	buf_puts(u, *first ? "?" : "&");
	buf_fmt(u, "%U=%U", name, value);
	*first = false;
}

/* Append the raw URL (not HTML-escaped) of the search for s changed by c. */
static void search_url(buf_t *u, const struct sstate *s, const struct change *c)
{
	bool first = true;
	buf_puts(u, "/recherche");
	if (s->q && !c->drop_q) url_param(u, &first, "q", s->q);
	for (int f = 0; f < NFACETS; f++) {
		bool toggled_off = false;
		if (!c->drop_filters) {
			for (int k = 0; k < s->nvalues[f]; k++) {
				if (c->facet == f && strcmp(s->values[f][k], c->value) == 0) {
					toggled_off = true;
					continue;
				}
				url_param(u, &first, search_facet_names[f], s->values[f][k]);
			}
		}
		if (c->facet == f && !toggled_off && c->value) url_param(u, &first, search_facet_names[f], c->value);
	}
	if (s->owner && !c->drop_filters && !c->drop_owner) url_param(u, &first, "owner", s->owner);
	const char *sort = c->sort ? c->sort : s->sort;
	if (sort) url_param(u, &first, "sort", sort);
	if (s->per_page) {
		char n[16];
		snprintf(n, sizeof n, "%d", s->per_page);
		url_param(u, &first, "per_page", n);
	}
	if (c->page > 1) {
		char n[16];
		snprintf(n, sizeof n, "%d", c->page);
		url_param(u, &first, "page", n);
	}
}

/* Write href="..." for s changed by c. */
static void href(buf_t *b, const struct sstate *s, const struct change *c)
{
	buf_t u = BUF_INIT;
	search_url(&u, s, c);
	buf_fmt(b, "href=\"%h\"", buf_cstr(&u));
	buf_free(&u);
}

static const struct change NO_CHANGE = { .facet = -1 };

/* ==== Labels ==== */

/* French label of a facet value: the vocabulary label, or for région and
 * département the area's name (request-owned), or the value itself. */
static const char *value_label(struct req *r, const char *facet, const char *value)
{
	const struct vocab *v = search_facet_vocab(facet);
	if (v) return vocab_label(v, value);
	if (strcmp(facet, "region") == 0 || strcmp(facet, "departement") == 0) {
		char *name = org_area_name(r->db, facet, value);
		if (name) {
			req_own(r, name);
			char *withcode = xasprintf("%s (%s)", name, value);
			req_own(r, withcode);
			return withcode;
		}
	}
	return value;
}

/* ==== Rendering ==== */

static void render_form(buf_t *b, const struct sstate *s)
{
	buf_fmt(b,
	        "<form class=\"search-box\" role=\"search\" action=\"/recherche\" method=\"get\">\n"
	        "<label for=\"q\">Mots-clés</label>\n"
	        "<div class=\"search-row\">\n"
	        "<input type=\"search\" id=\"q\" name=\"q\" maxlength=\"%d\" value=\"%h\" "
	        "aria-describedby=\"q-aide\">\n"
	        "<button type=\"submit\">Rechercher</button>\n"
	        "</div>\n",
	        SEARCH_MAX_Q, s->q ? s->q : "");
	/* a new text keeps the current filters */
	for (int f = 0; f < NFACETS; f++)
		for (int k = 0; k < s->nvalues[f]; k++)
			buf_fmt(b, "<input type=\"hidden\" name=\"%h\" value=\"%h\">\n", search_facet_names[f],
			        s->values[f][k]);
	if (s->owner) buf_fmt(b, "<input type=\"hidden\" name=\"owner\" value=\"%h\">\n", s->owner);
	buf_puts(b, "<p id=\"q-aide\" class=\"hint\">Les mots sont cherchés sans tenir compte des accents ; "
	            "mettez une expression entre guillemets pour la chercher telle quelle.");
	if (nfilters(s)) buf_puts(b, " Les filtres choisis sont conservés.");
	buf_puts(b, "</p>\n</form>\n");
}

static void render_active_filters(struct req *r, buf_t *b, const struct sstate *s)
{
	if (!nfilters(s)) return;
	buf_puts(b, "<div class=\"active-filters\">\n<p id=\"filtres-actifs\">Filtres actifs :</p>\n"
	            "<ul aria-labelledby=\"filtres-actifs\">\n");
	for (int f = 0; f < NFACETS; f++) {
		const char *fname = search_facet_names[f];
		for (int k = 0; k < s->nvalues[f]; k++) {
			const char *label = value_label(r, fname, s->values[f][k]);
			struct change c = NO_CHANGE;
			c.facet = f;
			c.value = s->values[f][k];
			buf_fmt(b, "<li><span class=\"filter-name\">%h :</span> %h <a class=\"remove\" ",
			        search_facet_label(fname), label);
			href(b, s, &c);
			buf_fmt(b, ">retirer<span class=\"visually-hidden\"> le filtre « %h : %h »</span></a></li>\n",
			        search_facet_label(fname), label);
		}
	}
	if (s->owner) {
		struct change c = NO_CHANGE;
		c.drop_owner = true;
		buf_fmt(b, "<li><span class=\"filter-name\">Organisation :</span> %h <a class=\"remove\" ",
		        s->owner_name);
		href(b, s, &c);
		buf_fmt(b, ">retirer<span class=\"visually-hidden\"> le filtre « Organisation : %h »</span></a></li>\n",
		        s->owner_name);
	}
	if (nfilters(s) > 1) {
		struct change c = NO_CHANGE;
		c.drop_filters = true;
		buf_puts(b, "<li><a class=\"remove-all\" ");
		href(b, s, &c);
		buf_puts(b, ">Retirer tous les filtres</a></li>\n");
	}
	buf_puts(b, "</ul>\n</div>\n");
}

static void render_sort(buf_t *b, const struct sstate *s)
{
	struct change rel = NO_CHANGE, upd = NO_CHANGE, evi = NO_CHANGE;
	rel.sort = "relevance";
	upd.sort = "updated";
	evi.sort = "evidence";
	buf_puts(b, "<p class=\"sort\"><span id=\"tri\">Trier par :</span> ");
	if (s->q) {
		buf_puts(b, s->relevance && !s->evidence ? "<a aria-current=\"true\" " : "<a ");
		href(b, s, &rel);
		buf_puts(b, ">pertinence</a> · ");
	}
	buf_puts(b, !s->relevance && !s->evidence ? "<a aria-current=\"true\" " : "<a ");
	href(b, s, &upd);
	buf_puts(b, ">date de mise à jour</a> · ");
	buf_puts(b, s->evidence ? "<a aria-current=\"true\" " : "<a ");
	href(b, s, &evi);
	buf_puts(b, ">preuves d'impact</a></p>\n");
}

static void facet_item(struct req *r, buf_t *b, const struct sstate *s, int f, const char *value,
                       const char *label, int64_t count)
{
	struct change c = NO_CHANGE;
	c.facet = f;
	c.value = value;
	if (!label || !*label) label = value_label(r, search_facet_names[f], value);
	if (is_active(s, f, value)) {
		buf_fmt(b, "<li class=\"is-active\"><strong aria-current=\"true\">%h</strong> <span class=\"count\">(",
		        label);
		html_int_fr(b, count);
		buf_puts(b, ")</span> <a class=\"remove\" ");
		href(b, s, &c);
		buf_fmt(b, ">retirer<span class=\"visually-hidden\"> le filtre « %h »</span></a></li>\n", label);
	} else {
		buf_puts(b, "<li><a ");
		href(b, s, &c);
		buf_fmt(b, ">%h <span class=\"count\">(", label);
		html_int_fr(b, count);
		buf_fmt(b, "<span class=\"visually-hidden\"> %h</span>)</span></a></li>\n", count > 1 ? "fiches" : "fiche");
	}
}

static const struct facet *result_facet(const struct search_result *res, const char *name)
{
	for (int i = 0; i < res->nfacets; i++)
		if (res->facets[i].name && strcmp(res->facets[i].name, name) == 0) return &res->facets[i];
	return NULL;
}

static void render_facets(struct req *r, buf_t *b, const struct sstate *s, const struct search_result *res)
{
	buf_puts(b, "<section class=\"filters\" id=\"filtres\" aria-labelledby=\"titre-filtres\">\n"
	            "<h2 id=\"titre-filtres\">Affiner la recherche</h2>\n");
	int shown = 0;
	for (int f = 0; f < NFACETS; f++) {
		const char *fname = search_facet_names[f];
		const struct facet *fc = result_facet(res, fname);
		int ncounts = fc ? fc->ncounts : 0;
		/* active values missing from the counts are still listed */
		int missing = 0;
		for (int k = 0; k < s->nvalues[f]; k++) {
			bool found = false;
			for (int i = 0; i < ncounts; i++)
				if (fc->counts[i].value && strcmp(fc->counts[i].value, s->values[f][k]) == 0) found = true;
			if (!found) missing++;
		}
		if (ncounts + missing == 0) continue;
		shown++;
		buf_fmt(b, "<div class=\"facet\">\n<h3 id=\"facette-%h\">%h</h3>\n<ul aria-labelledby=\"facette-%h\">\n",
		        fname, search_facet_label(fname), fname);
		for (int k = 0; k < s->nvalues[f]; k++) {
			bool found = false;
			for (int i = 0; i < ncounts; i++)
				if (fc->counts[i].value && strcmp(fc->counts[i].value, s->values[f][k]) == 0) found = true;
			if (!found) facet_item(r, b, s, f, s->values[f][k], NULL, 0);
		}
		for (int i = 0; i < ncounts; i++) {
			if (i == FACET_SHOWN && ncounts > FACET_SHOWN + 2) {
				buf_puts(b, "</ul>\n<details>\n<summary>Afficher ");
				html_count(b, ncounts - FACET_SHOWN, "autre valeur", "autres valeurs");
				buf_fmt(b, "<span class=\"visually-hidden\"> pour « %h »</span></summary>\n<ul>\n",
				        search_facet_label(fname));
			}
			if (fc->counts[i].value)
				facet_item(r, b, s, f, fc->counts[i].value, fc->counts[i].label, fc->counts[i].count);
		}
		if (ncounts > FACET_SHOWN + 2) buf_puts(b, "</ul>\n</details>\n");
		else buf_puts(b, "</ul>\n");
		buf_puts(b, "</div>\n");
	}
	if (!shown) buf_puts(b, "<p>Aucun filtre disponible pour ces résultats.</p>\n");
	buf_puts(b, "</section>\n");
}

static void render_empty(buf_t *b, const struct sstate *s, const struct search_result *res, int npages)
{
	buf_puts(b, "<div class=\"empty\">\n");
	if (res->total > 0) {
		/* a page past the end */
		struct change c = NO_CHANGE;
		buf_puts(b, "<p>Cette page de résultats n'existe pas : la recherche compte ");
		html_count(b, npages, "page", "pages");
		buf_puts(b, ".</p>\n<p><a ");
		href(b, s, &c);
		buf_puts(b, ">Revenir à la première page</a></p>\n</div>\n");
		return;
	}
	buf_puts(b, "<p>Aucune fiche ne correspond à cette recherche.</p>\n<ul>\n");
	if (s->q)
		buf_puts(b, "<li>Vérifiez l'orthographe des mots-clés, ou essayez des termes plus généraux "
		            "ou moins nombreux.</li>\n");
	if (nfilters(s)) {
		struct change c = NO_CHANGE;
		c.drop_filters = true;
		buf_puts(b, "<li><a ");
		href(b, s, &c);
		buf_puts(b, s->q ? ">Relancer la recherche sans les filtres</a></li>\n"
		                 : ">Retirer tous les filtres</a></li>\n");
	}
	if (s->q && nfilters(s)) {
		struct change c = NO_CHANGE;
		c.drop_q = true;
		buf_puts(b, "<li><a ");
		href(b, s, &c);
		buf_puts(b, ">Garder les filtres sans les mots-clés</a></li>\n");
	}
	buf_puts(b, "<li><a href=\"/recherche\">Voir toutes les fiches de la bibliothèque</a></li>\n"
	            "</ul>\n</div>\n");
}

int page_search(struct req *r)
{
	struct sstate s;
	if (parse_state(r, &s) < 0) return 0;

	struct search_query sq = { 0 };
	sq.q = s.q;
	for (int f = 0; f < NFACETS; f++) {
		if (!s.nvalues[f]) continue;
		struct search_filter *sf = &sq.filters[sq.nfilters++];
		sf->facet = search_facet_names[f];
		for (int k = 0; k < s.nvalues[f]; k++) sf->values[k] = s.values[f][k];
		sf->nvalues = s.nvalues[f];
	}
	sq.owner_org_id = s.owner_id;
	sq.by_relevance = s.relevance;
	sq.by_evidence = s.evidence;
	sq.page = s.page;
	sq.per_page = s.per_page ? s.per_page : SEARCH_PER_PAGE;
	sq.restricted = auth_can_read_restricted(&r->viewer);
	sq.with_facets = true;

	struct search_result res = { 0 };
	if (search_run(r->db, &sq, &res) < 0) {
		search_result_free(&res);
		page_error(r, 500, "La recherche est momentanément indisponible.");
		return 0;
	}
	int64_t np = (res.total + sq.per_page - 1) / sq.per_page;
	int npages = np > SEARCH_MAX_PAGE ? SEARCH_MAX_PAGE : (int)np;

	/* the title says what is shown */
	buf_t title = BUF_INIT;
	if (s.q) { /* plain text: html_begin escapes the title */
		buf_puts(&title, "« ");
		buf_puts(&title, s.q);
		buf_puts(&title, " » — Recherche");
	}
	else if (nfilters(&s)) buf_puts(&title, "Fiches filtrées — Recherche");
	else buf_puts(&title, "Toutes les fiches — Recherche");
	if (s.page > 1) buf_fmt(&title, " (page %d)", s.page);

	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, buf_cstr(&title));
	buf_free(&title);

	buf_puts(b, "<h1>Rechercher dans la bibliothèque</h1>\n");
	render_form(b, &s);

	buf_puts(b, "<div class=\"search-layout\">\n"
	            "<section class=\"results\" aria-labelledby=\"titre-resultats\">\n"
	            "<h2 id=\"titre-resultats\">");
	if (res.total == 0) buf_puts(b, "Aucune fiche");
	else html_count(b, res.total, "fiche", "fiches");
	if (s.q) buf_fmt(b, " pour « %h »", s.q);
	if (npages > 1 && s.page <= npages) buf_fmt(b, " <span class=\"page-of\">— page %d sur %d</span>", s.page, npages);
	buf_puts(b, "</h2>\n");
	render_active_filters(r, b, &s);
	/* issue 6 §2: the international references matching the same words
	 * (their own page; they never mix with the records) */
	page_intl_search_block(r, s.q);
	buf_puts(b, "<p class=\"skip-filters\"><a href=\"#filtres\">Aller aux filtres</a></p>\n");
	if (res.nhits > 0) {
		render_sort(b, &s);
		html_hits(b, &res, 3);
		buf_t base = BUF_INIT;
		search_url(&base, &s, &NO_CHANGE);
		html_pagination(b, buf_cstr(&base), s.page, npages);
		buf_free(&base);
	} else {
		render_empty(b, &s, &res, npages);
	}
	buf_puts(b, "</section>\n");
	render_facets(r, b, &s, &res);
	buf_puts(b, "</div>\n");

	html_end(r);
	search_result_free(&res);
	return 0;
}
