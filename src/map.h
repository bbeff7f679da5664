/*
 * map.h — the map of France by département: a choropleth of any
 * per-département figure, drawn by the server as inline SVG, with its
 * legend, its table and its CSV. Pure: no database.
 *
 * Design notes
 * - The geometry (101 départements: metropolitan France in Lambert-93,
 *   the five overseas départements 971, 972, 973, 974, 976 in insets) is
 *   prepared once by tools/map/prepare.mjs and compiled in (map_geo.inc).
 *   Exactly one <path> per département, inside a link to
 *   /organisations/departement-CODE whose accessible name is
 *   "Nom (code) : valeur".
 * - Classes (map_classes_compute): quantiles on DISTINCT values. With n
 *   values sorted x[0..n-1] and K classes wanted: when there are at most K
 *   distinct values, one class per value; else the break of class k
 *   (k = 1..K-1) is the smallest distinct value that is >= x[floor(k*n/K)]
 *   and greater than the previous break (heavy ties, such as many zeros,
 *   do not merge classes). Class k holds the values v with
 *   lo[k] <= v < lo[k+1]; the legend shows the smallest and the largest
 *   value actually in each class and how many départements it holds, so
 *   it never implies values that do not occur.
 * - Colour AND no colour: a sequential palette whose lightness decreases
 *   strictly from class to class (readable in grey levels; unit-tested),
 *   "pas de donnée" is white with a grey cross-hatch (a pattern no class
 *   uses), and the class number and value are in each link's name, in the
 *   table, and in the legend. No tooltip: the values are in the table.
 */
#ifndef IAT_MAP_H
#define IAT_MAP_H

#include <stdbool.h>

#include "buf.h"
#include "chart.h"

#define MAP_MAX_CLASSES 6

/* Geometry (map_geo.inc). */
int map_dep_count(void);
const char *map_dep_code(int i);
const char *map_dep_name(int i);
/* Index of a département code ("01", "2A", "971"), or -1. */
int map_dep_index(const char *code);
/* true for the five overseas départements (drawn in insets). */
bool map_dep_overseas(int i);
/* The attribution of the geometry (text). */
const char *map_attribution(void);

struct map_classes {
	int n;                         /* classes (0 when no value at all) */
	double lo[MAP_MAX_CLASSES];    /* lower bound of class k (inclusive) */
	double min[MAP_MAX_CLASSES];   /* smallest value in class k */
	double max[MAP_MAX_CLASSES];   /* largest value in class k */
	int count[MAP_MAX_CLASSES];    /* values in class k */
	int nodata;                    /* départements without a value */
};

/* Classes of the n values v[i] for which has[i] (has NULL: all), want
 * classes (clamped to 1..MAP_MAX_CLASSES). */
void map_classes_compute(const double *v, const bool *has, int n, int want, struct map_classes *out);
/* Class of v (0-based), or -1 when there is no class. */
int map_class_of(const struct map_classes *c, double v);
/* Fill colour of class k of n ("#rrggbb"). */
const char *map_class_color(int k, int n);

struct map_spec {
	const char *id;           /* unique in the page, [a-z0-9-] */
	const char *title;        /* text */
	const char *summary;      /* text; NULL: generated */
	const char *value_label;  /* table header of the values ("Fiches publiques") */
	enum chart_fmt fmt;
	const double *values;     /* map_dep_count() values, by département index */
	const bool *has;          /* NULL (all known) or per index: false = pas de donnée */
	int nclasses;             /* wanted, 0: 5 */
};

/* The summary (escaped text). */
void map_summary(buf_t *b, const struct map_spec *m, const struct map_classes *cl);
/* The inline SVG (one path per département, links, insets). */
void map_svg(buf_t *b, const struct map_spec *m, const struct map_classes *cl);
/* The legend (HTML list: swatch, range, number of départements). */
void map_legend(buf_t *b, const struct map_spec *m, const struct map_classes *cl);
/* The table: département, code, value, class. */
void map_table(buf_t *b, const struct map_spec *m, const struct map_classes *cl);
/* CSV: BOM, "code,departement,VALUE_LABEL", one row per département
 * (empty value when there is none). */
void map_csv(buf_t *b, const struct map_spec *m);
/* Heading, summary, SVG, legend, attribution, table, CSV link. */
void map_figure(buf_t *b, const struct map_spec *m, int hlevel, const char *csv_href);

#endif
