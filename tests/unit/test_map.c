/*
 * test_map.c — unit tests for map.c (issue 7): the compiled-in geometry
 * (101 départements, Corsica as 2A/2B, the five overseas ones in insets),
 * the classes computed by hand on fixtures (ties, few distinct values, no
 * data, decimals), a palette readable in grey levels, and the SVG: one
 * path per département, links with "Nom (code) : valeur", "pas de
 * donnée", the legend, the table and the CSV.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
	return n;
}

static void test_geometry(void **state)
{
	(void)state;
	assert_int_equal(map_dep_count(), 101);
	assert_true(map_dep_index("01") >= 0);
	assert_true(map_dep_index("2A") >= 0);
	assert_true(map_dep_index("2B") >= 0);
	assert_int_equal(map_dep_index("20"), -1);
	assert_int_equal(map_dep_index("975"), -1);
	assert_int_equal(map_dep_index(NULL), -1);
	assert_string_equal(map_dep_name(map_dep_index("2A")), "Corse-du-Sud");
	assert_string_equal(map_dep_name(map_dep_index("974")), "La Réunion");
	int overseas = 0;
	for (int i = 0; i < map_dep_count(); i++) {
		assert_int_equal(map_dep_index(map_dep_code(i)), i);
		if (map_dep_overseas(i)) overseas++;
	}
	assert_int_equal(overseas, 5);
	assert_true(map_dep_overseas(map_dep_index("976")));
	assert_false(map_dep_overseas(map_dep_index("75")));
	assert_non_null(strstr(map_attribution(), "Licence Ouverte"));
}

static void test_classes_ties(void **state)
{
	(void)state;
	/* sorted: 0 0 0 0 0 0 1 1 2 3 5 8 (n = 12), K = 4, 6 distinct values.
	 * targets x[3] = 0, x[6] = 1, x[9] = 3; breaks must grow:
	 * 0 (min), then >= 0 and > 0: 1; >= 1 and > 1: 2; >= 3 and > 2: 3.
	 * classes {0} x6, {1} x2, {2} x1, [3, 8] x3 (3, 5, 8). */
	const double v[] = { 5, 0, 1, 0, 8, 0, 2, 0, 3, 0, 1, 0 };
	struct map_classes c;
	map_classes_compute(v, NULL, 12, 4, &c);
	assert_int_equal(c.n, 4);
	assert_true(c.lo[0] == 0 && c.lo[1] == 1 && c.lo[2] == 2 && c.lo[3] == 3);
	assert_int_equal(c.count[0], 6);
	assert_int_equal(c.count[1], 2);
	assert_int_equal(c.count[2], 1);
	assert_int_equal(c.count[3], 3);
	assert_true(c.min[3] == 3 && c.max[3] == 8);
	assert_int_equal(c.nodata, 0);
	assert_int_equal(map_class_of(&c, 0), 0);
	assert_int_equal(map_class_of(&c, 1.5), 1);
	assert_int_equal(map_class_of(&c, 100), 3);
}

static void test_classes_small(void **state)
{
	(void)state;
	/* at most K distinct values: one class each; has[] leaves one out */
	const double v[] = { 5, 7, 5, 99 };
	const bool has[] = { true, true, true, false };
	struct map_classes c;
	map_classes_compute(v, has, 4, 5, &c);
	assert_int_equal(c.n, 2);
	assert_true(c.lo[0] == 5 && c.lo[1] == 7);
	assert_int_equal(c.count[0], 2);
	assert_int_equal(c.count[1], 1);
	assert_int_equal(c.nodata, 1);
	/* nothing known */
	const bool none[] = { false, false, false, false };
	map_classes_compute(v, none, 4, 5, &c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.nodata, 4);
	assert_int_equal(map_class_of(&c, 5), -1);
}

static void test_classes_quantiles(void **state)
{
	(void)state;
	/* 0.5 .. 9.5, n = 10, K = 5: targets x[2], x[4], x[6], x[8] */
	double v[10];
	for (int i = 0; i < 10; i++) v[i] = 9.5 - i;
	struct map_classes c;
	map_classes_compute(v, NULL, 10, 5, &c);
	assert_int_equal(c.n, 5);
	const double lo[] = { 0.5, 2.5, 4.5, 6.5, 8.5 };
	for (int k = 0; k < 5; k++) {
		assert_true(c.lo[k] == lo[k]);
		assert_int_equal(c.count[k], 2);
		assert_true(c.min[k] == lo[k] && c.max[k] == lo[k] + 1);
	}
}

static double luminance(const char *hex)
{
	unsigned r, g, b;
	sscanf(hex + 1, "%2x%2x%2x", &r, &g, &b);
	double ch[3] = { r / 255.0, g / 255.0, b / 255.0 };
	for (int i = 0; i < 3; i++) ch[i] = ch[i] <= 0.03928 ? ch[i] / 12.92 : pow((ch[i] + 0.055) / 1.055, 2.4);
	return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

static void test_palette_grey(void **state)
{
	(void)state;
	/* readable without colour: lightness strictly decreasing, by a visible step */
	for (int n = 1; n <= MAP_MAX_CLASSES; n++)
		for (int k = 1; k < n; k++)
			assert_true(luminance(map_class_color(k - 1, n)) > luminance(map_class_color(k, n)) * 1.15);
	assert_string_equal(map_class_color(7, 5), "#ffffff");
}

static void test_svg(void **state)
{
	(void)state;
	int n = map_dep_count();
	double *v = calloc((size_t)n, sizeof *v);
	bool *has = calloc((size_t)n, sizeof *has);
	for (int i = 0; i < n; i++) {
		v[i] = i % 7;
		has[i] = true;
	}
	v[map_dep_index("2A")] = 3;
	has[map_dep_index("976")] = false;
	struct map_spec m = { "carte", "Fiches <par> département", NULL, "Fiches & co", CHART_INT, v, has, 5 };
	buf_t b = BUF_INIT;
	map_figure(&b, &m, 2, "/observatoire/departements.csv");
	const char *h = buf_cstr(&b);
	assert_int_equal(count(h, "<path data-code=\""), 101);
	const char *svg = strstr(h, "<svg"), *svg_end = strstr(h, "</svg>");
	int paths = 0;
	for (const char *p = strstr(svg, "<path"); p && p < svg_end; p = strstr(p + 1, "<path")) paths++;
	assert_int_equal(paths, 101); /* no other path in the map */
	for (int i = 0; i < n; i++) {
		char needle[64];
		snprintf(needle, sizeof needle, "<path data-code=\"%s\"", map_dep_code(i));
		assert_int_equal(count(h, needle), 1);
		snprintf(needle, sizeof needle, "<a href=\"/organisations/departement-%s\" aria-label", map_dep_code(i));
		assert_int_equal(count(h, needle), 1);
	}
	assert_int_equal(count(h, "<g class=\"map-inset\""), 5);
	/* the Paris zoom repeats 75, 92, 93, 94 with <use> of their paths (not
	 * new paths), hidden from assistive technologies, out of the tab order */
	const char *zoom = strstr(h, "<g class=\"map-zoom\" aria-hidden=\"true\">");
	assert_non_null(zoom);
	assert_int_equal(count(zoom, "<use href=\"#"), 4);
	assert_int_equal(count(zoom, "tabindex=\"-1\""), 4);
	static const char *const zc[] = { "75", "92", "93", "94" };
	for (int z = 0; z < 4; z++) {
		char use[64], target[64];
		snprintf(use, sizeof use, "<use href=\"#%s-p%s\"", m.id, zc[z]);
		snprintf(target, sizeof target, "id=\"%s-p%s\"", m.id, zc[z]);
		assert_int_equal(count(zoom, use), 1);
		assert_int_equal(count(h, target), 1);
	}
	/* Mayotte: in its inset, without data */
	const char *ins = strstr(h, "<g class=\"map-inset\" data-code=\"976\">");
	assert_non_null(ins);
	assert_true(strstr(ins, "<path data-code=\"976\"") < strstr(ins, "</g>"));
	assert_non_null(strstr(h, "aria-label=\"Mayotte (976) : pas de donnée\""));
	assert_non_null(strstr(h, "aria-label=\"Corse-du-Sud (2A) : 3\""));
	assert_non_null(strstr(h, "fill=\"url(#carte-nd)\""));
	assert_non_null(strstr(h, "Fiches &lt;par&gt; département"));
	assert_null(strstr(h, "<par>"));
	assert_non_null(strstr(h, "role=\"group\""));
	assert_non_null(strstr(h, "<title id=\"carte-t\">"));
	assert_non_null(strstr(h, "Pas de donnée, hachuré (1 département)"));
	assert_non_null(strstr(h, "<th scope=\"col\">Fiches &amp; co</th>"));
	assert_non_null(strstr(h, "Licence Ouverte"));
	assert_null(strstr(h, "<title>")); /* no tooltip titles on the départements */
	buf_free(&b);

	map_csv(&b, &m);
	const char *csv = buf_cstr(&b);
	assert_true(strncmp(csv, "\xEF\xBB\xBF" "code,departement,Fiches & co\r\n01,Ain,0\r\n", 41) == 0);
	assert_non_null(strstr(csv, "\r\n2A,Corse-du-Sud,3\r\n"));
	assert_non_null(strstr(csv, "\r\n976,Mayotte,\r\n"));
	assert_int_equal(count(csv, "\r\n"), 102);
	buf_free(&b);
	free(v);
	free(has);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_classes_ties),
		cmocka_unit_test(test_classes_small),
		cmocka_unit_test(test_classes_quantiles),
		cmocka_unit_test(test_palette_grey),
		cmocka_unit_test(test_svg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
