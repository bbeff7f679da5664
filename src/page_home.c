/*
 * page_home.c — GET /: what the library is, a large search box, a few
 * figures, the latest published records and the themes with their counts.
 *
 * Design notes
 * - One search_run() (no text, sorted by update, 10 per page, with facets)
 *   gives both the latest records and the theme counts; store_figures()
 *   gives the figures (from the in-process search index: no table scan).
 * - Everything shown is public: search only covers visible records, and
 *   the figures count published records and the organisations owning
 *   public records.
 * - All data goes through %h / %U; the hit list is html_hits() (html.c).
 */
#include <string.h>

#include "db.h"
#include "model.h"
#include "pages.h"
#include "store.h"
#include "util.h"

static const struct facet *find_facet(const struct search_result *res, const char *name)
{
	for (int i = 0; i < res->nfacets; i++)
		if (res->facets[i].name && strcmp(res->facets[i].name, name) == 0) return &res->facets[i];
	return NULL;
}

static int64_t facet_count_of(const struct facet *f, const char *value)
{
	if (!f) return 0;
	for (int i = 0; i < f->ncounts; i++)
		if (f->counts[i].value && strcmp(f->counts[i].value, value) == 0) return f->counts[i].count;
	return 0;
}

int page_home(struct req *r)
{
	struct store_figures fig;
	if (store_figures(r->db, &fig) < 0) {
		page_error(r, 500, "Les chiffres de la bibliothèque sont momentanément indisponibles.");
		return 0;
	}
	int64_t nrecords = fig.published, norgs = fig.owners;
	struct search_query sq = { 0 };
	sq.page = 1;
	sq.per_page = 10;
	sq.by_relevance = false;
	sq.with_facets = true;
	struct search_result res = { 0 };
	if (search_run(r->db, &sq, &res) < 0) {
		search_result_free(&res);
		page_error(r, 500, "La recherche est momentanément indisponible.");
		return 0;
	}

	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, "Bibliothèque des usages de l'IA dans les territoires");
	buf_puts(b,
	         "<div class=\"home-intro\">\n"
	         "<h1>La bibliothèque des usages de l'intelligence artificielle dans les territoires</h1>\n"
	         "<p class=\"lead\">IA·T rassemble les projets d'intelligence artificielle menés par les "
	         "communes, les intercommunalités, les départements et les régions, avec l'impact qu'ils "
	         "ont réellement mesuré. C'est un pot commun : ce qui a fonctionné dans un territoire "
	         "peut être repris dans un autre, et ce qui a échoué est documenté aussi.</p>\n"
	         "<form class=\"search-box search-box-large\" role=\"search\" action=\"/recherche\" method=\"get\">\n"
	         "<label for=\"q-accueil\">Rechercher un projet, une technique ou une collectivité</label>\n"
	         "<div class=\"search-row\">\n"
	         "<input type=\"search\" id=\"q-accueil\" name=\"q\" maxlength=\"200\" "
	         "aria-describedby=\"q-accueil-aide\">\n"
	         "<button type=\"submit\">Rechercher</button>\n"
	         "</div>\n"
	         "<p id=\"q-accueil-aide\" class=\"hint\">Par exemple : « déchets », « agent conversationnel », "
	         "« traduction », « Bordeaux ».</p>\n"
	         "</form>\n"
	         "</div>\n");

	buf_puts(b, "<section class=\"figures\" aria-labelledby=\"titre-chiffres\">\n"
	            "<h2 id=\"titre-chiffres\" class=\"visually-hidden\">La bibliothèque en chiffres</h2>\n"
	            "<ul>\n<li><strong>");
	html_int_fr(b, nrecords);
	buf_fmt(b, "</strong> %h</li>\n<li><strong>", nrecords > 1 ? "fiches publiées" : "fiche publiée");
	html_int_fr(b, norgs);
	buf_fmt(b, "</strong> %h</li>\n</ul>\n", norgs > 1 ? "organisations porteuses" : "organisation porteuse");
	/* issue 7: the observatory's statistics page */
	buf_puts(b, "<p class=\"more\"><a href=\"/observatoire\">Statistiques de la bibliothèque : graphiques et carte "
	            "par département</a></p>\n</section>\n");

	buf_puts(b,
	         "<section class=\"audiences\" aria-labelledby=\"titre-publics\">\n"
	         "<h2 id=\"titre-publics\">À qui sert la bibliothèque ?</h2>\n"
	         "<ul class=\"cards\">\n"
	         "<li><h3>Agents des collectivités</h3><p>Trouvez des projets comparables au vôtre, "
	         "leurs résultats, leurs coûts et leurs difficultés, et déclarez les vôtres pour que "
	         "d'autres en profitent.</p></li>\n"
	         "<li><h3>Élus</h3><p>Comparez avec des territoires de même taille et appuyez vos choix "
	         "sur des impacts mesurés plutôt que sur des promesses.</p></li>\n"
	         "<li><h3>Citoyens, journalistes, chercheurs</h3><p>Consultez librement ce que les "
	         "collectivités font de l'IA, sur quelles données, avec quel contrôle humain, et "
	         "téléchargez les données ouvertes.</p></li>\n"
	         "</ul>\n"
	         "</section>\n");

	buf_puts(b, "<section aria-labelledby=\"titre-recentes\">\n"
	            "<h2 id=\"titre-recentes\">Dernières fiches mises à jour</h2>\n");
	if (res.nhits == 0) {
		buf_puts(b, "<p>La bibliothèque ne contient encore aucune fiche publiée.</p>\n");
	} else {
		html_hits(b, &res, 3);
		buf_puts(b, "<p class=\"more\"><a href=\"/recherche\">Voir toutes les fiches (");
		html_int_fr(b, res.total);
		buf_puts(b, ")</a></p>\n");
	}
	buf_puts(b, "</section>\n");

	const struct facet *themes = find_facet(&res, "theme");
	buf_puts(b, "<section aria-labelledby=\"titre-themes\">\n"
	            "<h2 id=\"titre-themes\">Parcourir par thème</h2>\n"
	            "<ul class=\"theme-list\">\n");
	for (size_t i = 0; i < vocab_theme.count; i++) {
		const struct term *t = &vocab_theme.terms[i];
		int64_t n = facet_count_of(themes, t->code);
		if (n > 0) {
			buf_fmt(b, "<li><a href=\"/recherche?theme=%U\">%h <span class=\"count\">", t->code, t->label);
			html_count(b, n, "fiche", "fiches");
			buf_puts(b, "</span></a></li>\n");
		} else {
			buf_fmt(b, "<li><span class=\"theme-empty\">%h <span class=\"count\">aucune fiche</span></span></li>\n",
			        t->label);
		}
	}
	buf_puts(b, "</ul>\n</section>\n");

	buf_puts(b,
	         "<section aria-labelledby=\"titre-echecs\">\n"
	         "<h2 id=\"titre-echecs\">Les échecs aussi sont un savoir</h2>\n"
	         "<p>Un projet abandonné, avec les raisons de son abandon, évite à d'autres de refaire "
	         "le même chemin. <a href=\"/recherche?status=abandoned\">Voir les projets abandonnés</a>.</p>\n"
	         "</section>\n");

	/* issue 6 §2: the international references (page_intl.c) */
	buf_puts(b,
	         "<section aria-labelledby=\"titre-international\">\n"
	         "<h2 id=\"titre-international\">Ailleurs en Europe</h2>\n"
	         "<p>Les registres publics des Pays-Bas, du Royaume-Uni et de l'Union européenne recensent eux aussi "
	         "des algorithmes et des projets d'IA publics. <a href=\"/references-internationales\">Consulter les "
	         "références internationales</a> (dans leur langue d'origine, à part des fiches de la "
	         "bibliothèque).</p>\n"
	         "</section>\n");

	html_end(r);
	search_result_free(&res);
	return 0;
}
