/*
 * page_observatory.c — the observatory's public page of library
 * statistics (issue 7):
 *   GET /observatoire            « Statistiques de la bibliothèque »: four
 *                                charts and the map of France, each with
 *                                its summary, its table and its CSV
 *   GET /observatoire/{NAME}.csv the data of one chart (themes, statuts,
 *                                types-statuts, mois) or of the map
 *                                (departements)
 *
 * Design notes
 * - The figures come from obs_load() (observatory.c, store_stats.c): the
 *   page, the CSV files and /api/v1/stats/library (api_stats.c) describe
 *   the same struct, so they cannot disagree. Visible records only.
 * - The pictures are chart.c and map.c; this file only chooses titles,
 *   summaries and the order. Summaries are generated from the data
 *   (chart_summary, map_summary).
 * - CSV: RFC 4180 with a UTF-8 BOM (chart_csv, map_csv: csvw.c, formula
 *   neutralisation), served as an attachment named iat-NAME.csv.
 */
#include <stdio.h>
#include <string.h>

#include "map.h"
#include "observatory.h"
#include "pages.h"
#include "util.h"

/* The map of published records by département. */
static void map_spec_of(const struct observatory *o, struct map_spec *m)
{
	*m = (struct map_spec){ .id = "departements",
		                .title = "Fiches par département de l’organisation porteuse",
		                .value_label = "Fiches",
		                .fmt = CHART_INT,
		                .values = o->dep_count,
		                .nclasses = 5 };
}

int page_observatory(struct req *r)
{
	struct observatory o;
	if (obs_load(r->db, &o) < 0) {
		page_error(r, 500, "Les statistiques sont momentanément indisponibles.");
		return 0;
	}
	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, "Statistiques de la bibliothèque");
	buf_puts(b, "<h1>Statistiques de la bibliothèque</h1>\n<p class=\"lead\">Les fiches publiques de la bibliothèque "
	            "(publiées, ou retirées après publication), comptées à l’instant : ");
	html_count(b, o.total, "fiche", "fiches");
	buf_puts(b, ". Chaque graphique est suivi de ses données en tableau et en CSV ; les mêmes chiffres sont "
	            "dans l’API (<a href=\"/api/v1/stats/library\"><code>/api/v1/stats/library</code></a>). Les réponses "
	            "des collectivités aux enquêtes annuelles sont dans les <a href=\"/observatoire/enquetes\">résultats "
	            "des enquêtes</a>.</p>\n");
	/* key figures: the label and the reuses (issue 5) */
	buf_puts(b, "<ul class=\"key-figures\">\n<li>");
	html_count(b, o.label_awarded, "fiche porte", "fiches portent");
	buf_puts(b, " le label <a href=\"/impact-demontre\">« impact démontré »</a>.</li>\n<li>");
	html_count(b, o.reuses, "fiche est la réutilisation", "fiches sont des réutilisations");
	buf_puts(b, " d’un projet d’un autre territoire ; ");
	html_count(b, o.reused, "fiche a été réutilisée", "fiches ont été réutilisées");
	buf_puts(b, " au moins une fois.</li>\n</ul>\n");
	buf_puts(b, "<nav class=\"toc\" aria-labelledby=\"obs-sommaire\"><h2 id=\"obs-sommaire\" class=\"visually-hidden\">"
	            "Sommaire</h2><ul>\n");
	struct chart c;
	struct chart_series series[OBS_MAX];
	for (int i = 0; i < OBS_NCHARTS; i++) {
		obs_chart(&o, obs_chart_names[i], &c, series);
		buf_fmt(b, "<li><a href=\"#%h\">%h</a></li>\n", c.id, c.title);
	}
	struct map_spec m;
	map_spec_of(&o, &m);
	buf_fmt(b, "<li><a href=\"#%h\">%h</a></li>\n</ul></nav>\n", m.id, m.title);

	for (int i = 0; i < OBS_NCHARTS; i++) {
		obs_chart(&o, obs_chart_names[i], &c, series);
		char href[64];
		snprintf(href, sizeof href, "/observatoire/%s.csv", obs_chart_names[i]);
		if (c.ncats == 0) {
			buf_fmt(b, "<section class=\"chart-figure\" id=\"%h\" aria-labelledby=\"%h-h\"><h2 id=\"%h-h\">%h</h2>"
			           "<p>Aucune fiche publique pour l’instant.</p></section>\n",
			        c.id, c.id, c.id, c.title);
			continue;
		}
		chart_figure(b, &c, 2, href);
		if (strcmp(obs_chart_names[i], "techniques") == 0)
			buf_puts(b, "<p class=\"hint\">Une fiche qui combine plusieurs techniques compte pour chacune : "
			            "les barres ne s’additionnent pas au total.</p>\n");
		if (strcmp(obs_chart_names[i], "mois") == 0 && o.undated > 0) {
			buf_puts(b, "<p class=\"hint\">");
			html_count(b, o.undated, "fiche publique n’a pas de date de publication et n’est pas comptée ici.",
			           "fiches publiques n’ont pas de date de publication et ne sont pas comptées ici.");
			buf_puts(b, "</p>\n");
		}
	}
	map_figure(b, &m, 2, "/observatoire/departements.csv");
	if (o.dep_none > 0) {
		buf_puts(b, "<p class=\"hint\">");
		html_count(b, o.dep_none, "fiche appartient", "fiches appartiennent");
		buf_puts(b, " à une organisation sans département (région, organisme national…) et ne figure pas sur la carte.</p>\n");
	}
	buf_puts(b, "<p>Comment ces chiffres sont comptés : voir la documentation du projet (<code>doc/statistics.md</code>).</p>\n");
	html_end(r);
	obs_free(&o);
	return 0;
}

int page_observatory_csv(struct req *r)
{
	const char *seg = r->args[0];
	size_t len = strlen(seg);
	char name[32];
	if (len < 5 || len - 4 >= sizeof name || strcmp(seg + len - 4, ".csv") != 0) {
		page_error(r, 404, "Ce fichier n’existe pas.");
		return 0;
	}
	memcpy(name, seg, len - 4);
	name[len - 4] = 0;
	bool is_map = strcmp(name, "departements") == 0;
	bool known = is_map;
	for (int i = 0; i < OBS_NCHARTS; i++)
		if (strcmp(name, obs_chart_names[i]) == 0) known = true;
	if (!known) {
		page_error(r, 404, "Ce fichier n’existe pas.");
		return 0;
	}
	struct observatory o;
	if (obs_load(r->db, &o) < 0) {
		page_error(r, 500, "Les statistiques sont momentanément indisponibles.");
		return 0;
	}
	buf_reset(&r->out);
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	char cd[96];
	snprintf(cd, sizeof cd, "attachment; filename=\"iat-%s.csv\"", name);
	req_add_header(r, "Content-Disposition", cd);
	if (is_map) {
		struct map_spec m;
		map_spec_of(&o, &m);
		map_csv(&r->out, &m);
	} else {
		struct chart c;
		struct chart_series series[OBS_MAX];
		obs_chart(&o, name, &c, series);
		chart_csv(&r->out, &c);
	}
	obs_free(&o);
	return 0;
}
