/*
 * page_org.c — GET /organisations/{key}: an organisation (commune, EPCI,
 * département, région, other public body) and its records.
 *
 * Design notes
 * - {key} is anything org_find() accepts (public key "commune-69123",
 *   SIREN, commune INSEE code, département code); any key other than the
 *   canonical public key gets a 301 to /organisations/<public key>, so one
 *   organisation has one address. Unknown or malformed: 404.
 * - Query parameter: page (1..1000), for the list of records; anything
 *   else is refused by the router.
 * - Records come from search_run() restricted to owner_org_id, most
 *   recently updated first. search_run() covers public records only
 *   (published or retracted); drafts of the organisation are not listed
 *   here (the search interface has no "include drafts" switch yet).
 * - Names of the département and région come from org_area_name() (heap
 *   strings, freed here). Everything is escaped with %h / %U.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org.h"
#include "pages.h"
#include "store.h"
#include "util.h"

#define ORG_PER_PAGE 20
#define ORG_MAX_PAGE 1000

static const char *subtype_label(const char *subtype)
{
	static const char *const map[][2] = {
		{ "CC", "Communauté de communes" }, { "CA", "Communauté d'agglomération" },
		{ "CU", "Communauté urbaine" },     { "METRO", "Métropole" },
		{ "MET69", "Métropole de Lyon" },
	};
	if (!subtype) return NULL;
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strcmp(map[i][0], subtype) == 0) return map[i][1];
	return NULL;
}

/* <div><dt>label</dt><dd><a href="/organisations/kind-code">Name</a> (code)</dd></div>,
 * or the code alone when the area is unknown. */
static void area_row(struct req *r, buf_t *b, const char *label, const char *kind, const char *code)
{
	char *name = org_area_name(r->db, kind, code);
	buf_fmt(b, "<div><dt>%h</dt><dd>", label);
	if (name)
		buf_fmt(b, "<a href=\"/organisations/%U-%U\">%h</a> (%h)", kind, code, name, code);
	else
		buf_fmt(b, "%h", code);
	buf_puts(b, "</dd></div>\n");
	free(name);
}

static void render_identity(struct req *r, buf_t *b, const struct org *o, const char *key)
{
	const char *kind = org_kind_label(o->kind);
	const char *sub = subtype_label(o->subtype);
	buf_puts(b, "<section class=\"org-identity\" aria-labelledby=\"titre-identite\">\n"
	            "<h2 id=\"titre-identite\" class=\"visually-hidden\">Identité</h2>\n<dl class=\"facts\">\n");
	if (kind || sub) {
		buf_puts(b, "<div><dt>Type</dt><dd>");
		if (sub && kind) buf_fmt(b, "%h (%h)", sub, kind);
		else buf_fmt(b, "%h", sub ? sub : kind);
		buf_puts(b, "</dd></div>\n");
	}
	if (o->siren) {
		buf_puts(b, "<div><dt>SIREN</dt><dd>");
		html_siren(b, o->siren);
		buf_puts(b, "</dd></div>\n");
	}
	if (o->code && (strcmp(o->kind, "commune") == 0 || strcmp(o->kind, "departement") == 0 ||
	                strcmp(o->kind, "region") == 0))
		buf_fmt(b, "<div><dt>Code INSEE</dt><dd>%h</dd></div>\n", o->code);
	if (o->population >= 0) {
		buf_puts(b, "<div><dt>Population</dt><dd>");
		html_count(b, o->population, "habitant", "habitants");
		const char *band = org_band_label(org_band(o->population));
		if (band) buf_fmt(b, " <span class=\"band\">(strate : %h)</span>", band);
		buf_puts(b, "</dd></div>\n");
	}
	if (o->departement && strcmp(o->kind, "departement") != 0 && strcmp(o->kind, "region") != 0)
		area_row(r, b, "Département", "departement", o->departement);
	if (o->region && strcmp(o->kind, "region") != 0) area_row(r, b, "Région", "region", o->region);
	buf_fmt(b, "<div><dt>Identifiant IA·T</dt><dd><code>%h</code></dd></div>\n</dl>\n", key);
	buf_fmt(b, "<p class=\"json-link\"><a href=\"/api/v1/organisations/%U\" type=\"application/json\">"
	           "Cette organisation au format JSON</a> (données ouvertes)</p>\n</section>\n",
	        key);
}

int page_org(struct req *r)
{
	int page = 1;
	const char *pg = req_param(r, "page");
	if (pg) {
		int64_t n;
		if (parse_int64(pg, 1, ORG_MAX_PAGE, &n) < 0) {
			page_error(r, 400, "Le paramètre « page » doit être un nombre entier entre 1 et 1000.");
			return 0;
		}
		page = (int)n;
	}

	struct org o = { 0 };
	int rc = r->nargs >= 1 ? org_find(r->db, r->args[0], &o) : 0;
	if (rc < 0) {
		page_error(r, 500, "L'organisation n'a pas pu être lue.");
		return 0;
	}
	if (rc == 0) {
		page_error(r, 404, "Aucune organisation ne correspond à cette adresse.");
		return 0;
	}
	char *key = org_key(&o);
	req_own(r, key);

	buf_t base = BUF_INIT;
	buf_fmt(&base, "/organisations/%U", key);
	if (strcmp(key, r->args[0]) != 0) {
		buf_t loc = BUF_INIT;
		html_page_url(&loc, buf_cstr(&base), page);
		r->status = 301;
		r->no_etag = true;
		req_add_header(r, "Location", buf_cstr(&loc));
		html_begin(r, "Organisation déplacée");
		buf_fmt(&r->out, "<h1>Organisation déplacée</h1>\n<p>Cette organisation se trouve à l'adresse "
		                 "<a href=\"%h\">%h</a>.</p>\n",
		        buf_cstr(&loc), buf_cstr(&loc));
		html_end(r);
		buf_free(&loc);
		buf_free(&base);
		org_free(&o);
		return 0;
	}

	struct search_query sq = { 0 };
	sq.owner_org_id = o.id;
	sq.page = page;
	sq.per_page = ORG_PER_PAGE;
	sq.by_relevance = false;
	sq.restricted = auth_can_read_restricted(&r->viewer);
	struct search_result res = { 0 };
	if (search_run(r->db, &sq, &res) < 0) {
		search_result_free(&res);
		buf_free(&base);
		org_free(&o);
		page_error(r, 500, "Les fiches de cette organisation n'ont pas pu être lues.");
		return 0;
	}
	int64_t np = (res.total + ORG_PER_PAGE - 1) / ORG_PER_PAGE;
	int npages = np > ORG_MAX_PAGE ? ORG_MAX_PAGE : (int)np;

	buf_t title = BUF_INIT;
	buf_puts(&title, o.name ? o.name : key); /* plain text: html_begin escapes it */
	if (page > 1) buf_fmt(&title, " (page %d)", page);

	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, buf_cstr(&title));
	buf_free(&title);
	buf_fmt(b, "<nav class=\"breadcrumb\" aria-label=\"Fil d'Ariane\">\n<ol>\n"
	           "<li><a href=\"/\">Accueil</a></li>\n"
	           "<li><span aria-current=\"page\">%h</span></li>\n</ol>\n</nav>\n"
	           "<h1>%h</h1>\n",
	        o.name, o.name);
	if (!o.active)
		buf_puts(b, "<div class=\"notice\" role=\"note\">\n<p class=\"notice-title\">Organisation disparue</p>\n"
		            "<p>Elle ne figure plus dans le découpage administratif en vigueur (fusion, "
		            "dissolution…). Ses fiches restent consultables.</p>\n</div>\n");
	render_identity(r, b, &o, key);
	page_org_members_section(r, o.id, key);

	buf_puts(b, "<section aria-labelledby=\"titre-fiches\">\n<h2 id=\"titre-fiches\">Fiches de cette organisation");
	if (res.total > 0) {
		buf_puts(b, " <span class=\"count\">(");
		html_count(b, res.total, "fiche", "fiches");
		buf_puts(b, ")</span>");
	}
	buf_puts(b, "</h2>\n");
	if (res.nhits > 0) {
		html_hits(b, &res, 3);
		html_pagination(b, buf_cstr(&base), page, npages);
		buf_fmt(b, "<p class=\"more\"><a href=\"/recherche?owner=%U\">Rechercher et filtrer parmi les fiches "
		           "de cette organisation</a></p>\n",
		        key);
	} else if (res.total > 0) {
		buf_fmt(b, "<p>Cette page n'existe pas. <a href=\"%h\">Revenir à la première page des fiches</a>.</p>\n",
		        buf_cstr(&base));
	} else {
		buf_puts(b, "<p>Cette organisation n'a pas encore publié de fiche dans la bibliothèque.</p>\n");
	}
	buf_puts(b, "</section>\n");
	/* issue 6: the CRPA inventory of its public algorithms (page_inventory.c) */
	buf_fmt(b, "<p class=\"more inventory-link\"><a href=\"/organisations/%U/inventaire-algorithmes\">Inventaire des "
	           "algorithmes publics de cette organisation</a> (CRPA, à partir de ses fiches publiées)</p>\n",
	        key);
	/* issue 5: "territoires comme le mien" for this organisation */
	buf_fmt(b, "<p class=\"more reco-link\"><a href=\"/territoires-comme-le-mien?organisation=%U\">Territoires "
	           "comparables : les fiches d'organisations du même type et de la même strate</a></p>\n",
	        key);
	html_end(r);

	search_result_free(&res);
	buf_free(&base);
	org_free(&o);
	return 0;
}
