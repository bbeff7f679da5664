/*
 * test_chart.c — unit tests for chart.c (issue 7): French number formats,
 * suppressed cells ("< 5" everywhere, the number never shown), escaping of
 * labels with < & " in the SVG, the table and the CSV (formula-safe), the
 * accessible structure of the SVG, the generated summary, label wrapping,
 * and the gap of a line at a suppressed cell.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "chart.h"

static char out[256];

static const char *value(enum chart_fmt fmt, double v, bool supp)
{
	buf_t b = BUF_INIT;
	chart_value(&b, fmt, v, supp);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
	return n;
}

static void test_formats(void **state)
{
	(void)state;
	assert_string_equal(value(CHART_INT, 0, false), "0");
	assert_string_equal(value(CHART_INT, 1234567, false), "1\u00a0234\u00a0567");
	assert_string_equal(value(CHART_INT, 2.6, false), "3");
	assert_string_equal(value(CHART_INT, -3, false), "\u22123");
	assert_string_equal(value(CHART_DEC1, 12.25, false), "12,3");
	assert_string_equal(value(CHART_DEC1, 1234.5, false), "1\u00a0234,5");
	assert_string_equal(value(CHART_PCT, 42.46, false), "42,5\u00a0%");
	assert_string_equal(value(CHART_PCT, 100, false), "100\u00a0%");
	assert_string_equal(value(CHART_INT, 3, true), "&lt;\u00a05");
	assert_string_equal(value(CHART_PCT, 3, true), "&lt;\u00a05");
}

static void test_coord(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	chart_coord(&b, 12.0);
	buf_puts(&b, " ");
	chart_coord(&b, 3.14159);
	buf_puts(&b, " ");
	chart_coord(&b, -0.25);
	assert_string_equal(buf_cstr(&b), "12 3.1 -0.3");
	buf_free(&b);
	assert_int_equal(chart_textlen("Établissement"), 13);
}

static const char *const evil_cats[] = { "A < B & \"C\"", "=SUM(A1)", "Mobilité" };
static const double evil_v[] = { 12, 3, 5 };
static const bool evil_s[] = { false, true, false };

static struct chart evil_chart(const struct chart_series *s)
{
	return (struct chart){ CHART_BARS, "c1", "Titre <script>alert(1)</script> & co", NULL, "Thème \"x\"",
		               evil_cats, 3, s, 1, CHART_INT, "fiches" };
}

static void test_escaping_and_suppression(void **state)
{
	(void)state;
	struct chart_series s = { "Fiches <b>", evil_v, evil_s };
	struct chart c = evil_chart(&s);
	buf_t b = BUF_INIT;
	chart_figure(&b, &c, 2, "/observatoire/x.csv?a=1&b=2");
	const char *h = buf_cstr(&b);
	/* no raw markup from the data */
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "A < B"));
	assert_null(strstr(h, "<b>"));
	assert_non_null(strstr(h, "A &lt; B &amp; &quot;C&quot;"));
	assert_non_null(strstr(h, "Titre &lt;script&gt;"));
	assert_non_null(strstr(h, "href=\"/observatoire/x.csv?a=1&amp;b=2\""));
	/* the suppressed cell: "< 5" in the picture and the table, never its value */
	assert_int_equal(count(h, "&lt;\u00a05"), 2);
	assert_null(strstr(h, ">3<"));
	/* accessible SVG */
	assert_non_null(strstr(h, "role=\"img\""));
	assert_non_null(strstr(h, "aria-labelledby=\"c1-t\""));
	assert_non_null(strstr(h, "aria-describedby=\"c1-d\""));
	assert_non_null(strstr(h, "<title id=\"c1-t\">"));
	assert_non_null(strstr(h, "<desc id=\"c1-d\">"));
	assert_non_null(strstr(h, "width=\"100%\""));
	assert_non_null(strstr(h, "viewBox=\"0 0 340 "));
	/* two bars (the suppressed one is not drawn) */
	assert_int_equal(count(h, "fill=\"url(#c1-p0)\""), 2);
	/* the table */
	assert_non_null(strstr(h, "<caption id=\"c1-c\">Données : Titre &lt;script&gt;"));
	assert_non_null(strstr(h, "<th scope=\"col\">Thème &quot;x&quot;</th>"));
	assert_non_null(strstr(h, "<th scope=\"row\">Mobilité</th><td class=\"num\">5</td>"));
	buf_free(&b);

	/* CSV: BOM, quoted, formula-safe, "< 5" */
	chart_csv(&b, &c);
	assert_string_equal(buf_cstr(&b), "\xEF\xBB\xBF\"Thème \"\"x\"\"\",Fiches <b>\r\n"
	                                  "\"A < B & \"\"C\"\"\",12\r\n"
	                                  "'=SUM(A1),< 5\r\n"
	                                  "Mobilité,5\r\n");
	buf_free(&b);
}

static void test_summary(void **state)
{
	(void)state;
	static const char *const cats[] = { "Mobilité", "Habitat", "Culture" };
	static const double v[] = { 5, 12, 11 };
	struct chart_series s = { "Fiches", v, NULL };
	struct chart c = { CHART_BARS, "s", "T", NULL, "Thème", cats, 3, &s, 1, CHART_INT, "fiches" };
	buf_t b = BUF_INIT;
	chart_summary(&b, &c);
	/* 12 of 28 = 42.857 % */
	assert_string_equal(buf_cstr(&b), "« Habitat » arrive en tête avec 12 fiches (42,9\u00a0% du total de 28).");
	buf_free(&b);
	c.summary = "Résumé <écrit> par l'appelant";
	chart_summary(&b, &c);
	assert_string_equal(buf_cstr(&b), "Résumé &lt;écrit&gt; par l&#39;appelant");
	buf_free(&b);
}

static void test_stacked_and_legend(void **state)
{
	(void)state;
	static const char *const cats[] = { "Commune", "Région" };
	static const double a[] = { 10, 2 }, bb[] = { 4, 0 };
	static const bool bs[] = { false, true };
	struct chart_series s[2] = { { "En expérimentation", a, NULL }, { "Déployé", bb, bs } };
	struct chart c = { CHART_STACKED, "st", "Empilé", NULL, "Type", cats, 2, s, 2, CHART_INT, NULL };
	buf_t b = BUF_INIT;
	chart_figure(&b, &c, 3, NULL);
	const char *h = buf_cstr(&b);
	/* a pattern per series, in the picture and in the legend */
	assert_non_null(strstr(h, "<pattern id=\"st-p0\""));
	assert_non_null(strstr(h, "<pattern id=\"st-p1\""));
	assert_non_null(strstr(h, "<pattern id=\"st-k1\""));
	assert_non_null(strstr(h, "class=\"chart-legend\""));
	assert_non_null(strstr(h, "(motif : hachures obliques)"));
	/* totals: 14; 2 with the suppressed cell left out and said so */
	assert_non_null(strstr(h, "<td class=\"num\">14</td>"));
	assert_non_null(strstr(h, "<td class=\"num\">2 (hors cases &lt;\u00a05)</td>"));
	assert_non_null(strstr(h, "<h3 id=\"st-h\">Empilé</h3>"));
	assert_null(strstr(h, "Télécharger"));
	buf_free(&b);
}

static void test_wrap(void **state)
{
	(void)state;
	static const char *const cats[] = {
		"Un libellé très long qui ne tient pas sur une seule ligne du graphique et qu'il faut couper en plusieurs "
		"lignes, au plus trois, avant de le tronquer proprement avec des points de suspension à la fin du texte"
	};
	static const double v[] = { 1 };
	struct chart_series s = { "Fiches", v, NULL };
	struct chart c = { CHART_BARS, "w", "Long", NULL, "Libellé", cats, 1, &s, 1, CHART_INT, NULL };
	buf_t b = BUF_INIT;
	chart_svg(&b, &c);
	const char *h = buf_cstr(&b);
	assert_int_equal(count(h, "<tspan"), 3);
	assert_non_null(strstr(h, "\u2026</tspan>"));
	buf_free(&b);
}

static void test_lines(void **state)
{
	(void)state;
	static const char *const cats[] = { "2026-01", "2026-02", "2026-03", "2026-04" };
	static const double v[] = { 1, 7, 2, 3 }, w[] = { 1, 8, 10, 13 };
	static const bool vs[] = { false, false, true, false };
	struct chart_series s[2] = { { "Par mois", v, vs }, { "Cumul", w, NULL } };
	struct chart c = { CHART_LINES, "l", "Lignes", NULL, "Mois", cats, 4, s, 2, CHART_INT, "fiches" };
	buf_t b = BUF_INIT;
	chart_svg(&b, &c);
	const char *h = buf_cstr(&b);
	/* series 0 has a gap at the suppressed month: two sub-paths */
	const char *g0 = strstr(h, "<g class=\"ch-series\">");
	assert_non_null(g0);
	const char *d0 = strstr(g0, " d=\"");
	const char *end = strchr(d0 + 4, '"');
	int moves = 0;
	for (const char *p = d0 + 4; p < end; p++) moves += *p == 'M';
	assert_int_equal(moves, 2);
	/* a dash pattern for the second series; y axis up to 15 (13/4 = 3.25, rounded up to a "nice" step of 5, 3 steps) */
	assert_non_null(strstr(h, "stroke-dasharray=\"7 4\""));
	assert_non_null(strstr(h, ">15</text>"));
	assert_non_null(strstr(h, ">2026-01</text>"));
	assert_non_null(strstr(h, ">2026-04</text>"));
	buf_free(&b);
	chart_summary(&b, &c);
	assert_non_null(strstr(buf_cstr(&b), "« Cumul » : de 1 (2026-01) à 13 (2026-04), maximum 13 (2026-04)."));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_coord),
		cmocka_unit_test(test_escaping_and_suppression),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_stacked_and_legend),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
