/*
 * chart.h — server-side SVG charts (bars, stacked bars, lines) with their
 * data as an HTML table and as CSV. Pure: no database, no request; every
 * function appends to a buf_t and never fails.
 *
 * Design notes
 * - A chart is described by struct chart (title, summary, categories, one
 *   or more series) and drawn three ways from the same data: chart_svg()
 *   (inline SVG, role="img", <title>/<desc> named by aria-labelledby /
 *   aria-describedby, no script, viewBox + width 100 % so it fits 320 px),
 *   chart_table() (<table> with <caption> and th scope) and chart_csv()
 *   (csvw.c: RFC 4180, formula-safe cells). chart_figure() puts the
 *   heading, the summary, the picture, the legend, the table and the CSV
 *   link together: the picture is never the only way to the figures.
 * - Readable without colour: every series has a fill PATTERN as well as a
 *   colour (solid, diagonal lines, dots, cross-hatch, horizontal lines,
 *   vertical lines) and, for lines, a dash pattern and a marker shape; the
 *   legend (HTML, under the picture) shows the same patterns; bars carry
 *   their value as text.
 * - Small-cell protection (issue 7): a cell flagged "suppressed" is never
 *   drawn nor written as a number: it is "< 5" in the picture, the table
 *   and the CSV.
 * - Numbers: French in the picture and the table (digit grouping, decimal
 *   comma, "42,5 %"), shortest exact form with a decimal point in the CSV.
 *   Coordinates are written as integers or tenths without printf of a
 *   double (it showed in the profiles of page_impact.c).
 * - Every text (title, categories, series names) is escaped (%h) wherever
 *   it goes, including SVG text and attributes; ids are built from
 *   chart.id, which the caller chooses among [a-z0-9-].
 */
#ifndef IAT_CHART_H
#define IAT_CHART_H

#include <stdbool.h>

#include "buf.h"

enum chart_kind {
	CHART_BARS,     /* horizontal bars, one bar per series under each category */
	CHART_STACKED,  /* horizontal bars, the series stacked, the total at the end */
	CHART_LINES,    /* one line per series, categories along the x axis (time) */
};

enum chart_fmt {
	CHART_INT,      /* whole numbers: "1 234" */
	CHART_DEC1,     /* at most one decimal: "12,5" */
	CHART_PCT,      /* a share in percent, at most one decimal: "42,5 %" */
};

/* The text of a suppressed cell. */
#define CHART_SUPPRESSED "< 5"

struct chart_series {
	const char *name;
	const double *values;     /* ncats values */
	const bool *suppressed;   /* NULL, or ncats flags: shown as "< 5" */
};

struct chart {
	enum chart_kind kind;
	const char *id;           /* unique in the page, [a-z0-9-]: element ids */
	const char *title;        /* text */
	const char *summary;      /* text; NULL: chart_summary() writes one */
	const char *cat_label;    /* header of the category column ("Thème") */
	const char *const *cats;  /* ncats category labels (text) */
	int ncats;
	const struct chart_series *series;
	int nseries;
	enum chart_fmt fmt;
	const char *unit;         /* what is counted, for the summary ("fiches"), may be NULL */
};

/* A value in French for fmt ("1 234", "12,5", "42,5 %"), HTML-escaped;
 * suppressed: "&lt; 5". */
void chart_value(buf_t *b, enum chart_fmt fmt, double v, bool suppressed);
/* The summary (escaped text): c->summary, or one generated from the data,
 * e.g. « Habitat » arrive en tête avec 12 fiches (42,9 % du total de 28). */
void chart_summary(buf_t *b, const struct chart *c);
/* The inline SVG. */
void chart_svg(buf_t *b, const struct chart *c);
/* The legend (HTML list with each series' pattern), nothing for one series. */
void chart_legend(buf_t *b, const struct chart *c);
/* The data table (in a horizontally scrollable region). */
void chart_table(buf_t *b, const struct chart *c);
/* The data as CSV: UTF-8 BOM, header (cat_label, series names), one row
 * per category, CRLF; numbers with a decimal point; "< 5" for suppressed. */
void chart_csv(buf_t *b, const struct chart *c);
/* Heading (level hlevel, 2..6), summary, SVG, legend, table, and a link to
 * csv_href (raw URL, escaped here; NULL: no link), in a <section>. */
void chart_figure(buf_t *b, const struct chart *c, int hlevel, const char *csv_href);

/* ---- shared with map.c ---- */
/* A coordinate (C locale, at most one decimal), no printf of a double. */
void chart_coord(buf_t *b, double v);
/* Number of Unicode code points of s (UTF-8). */
int chart_textlen(const char *s);

#endif
