/*
 * chart.c — server-side SVG charts, their tables and CSV (see chart.h).
 *
 * Design notes
 * - Geometry: the viewBox is CH_W units wide (width="100%", so the picture
 *   scales to the column, down to 320 px; CSS caps it). Horizontal bars:
 *   each category is a row with its label ABOVE the bar (long French
 *   labels get the whole width, wrapped on words, three lines at most, the
 *   table has the full text), the bar, and its value as text after it.
 *   Lines: a plot area with a zero-based y axis on "nice" ticks, up to
 *   CH_XLABELS x labels (first and last always), a gap where a cell is
 *   suppressed.
 * - Text width is estimated (0.56 em a character): no font metrics on the
 *   server. Values that do not fit inside a stacked segment are left to
 *   the table.
 * - Styles: series i uses style i % CH_NSTYLES: a colour, a fill pattern,
 *   a dash pattern and a marker. Pattern ids are "ID-pN".
 */
#include "chart.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "csvw.h"
#include "pages.h"

#define CH_W 340
#define CH_FONT 13
#define CH_LINE 16       /* height of a label line */
#define CH_BAR 16        /* height of a bar */
#define CH_GAP 10        /* between categories */
#define CH_VALW 78       /* room kept for the value after the longest bar */
#define CH_XLABELS 6
#define CH_NSTYLES 6

struct style {
	const char *color;    /* fill/stroke, contrast >= 3:1 on white */
	const char *pattern;  /* marks drawn over the colour in a 8x8 tile (white), "" = solid */
	const char *dash;     /* stroke-dasharray of a line, "" = solid */
	const char *name;     /* the pattern in words (legend, for screen readers) */
};

static const struct style styles[CH_NSTYLES] = {
	{ "#1f4e8c", "", "", "plein" },
	{ "#b5520f", "<path d=\"M-2 2L2-2M0 8L8 0M6 10L10 6\" stroke=\"#fff\" stroke-width=\"1.6\"/>", "7 4", "hachures obliques" },
	{ "#2a6f3a", "<circle cx=\"2\" cy=\"2\" r=\"1.4\" fill=\"#fff\"/><circle cx=\"6\" cy=\"6\" r=\"1.4\" fill=\"#fff\"/>", "2 3", "points" },
	{ "#6d2f86", "<path d=\"M0 0L8 8M8 0L0 8\" stroke=\"#fff\" stroke-width=\"1.2\"/>", "9 3 2 3", "quadrillage oblique" },
	{ "#7a5a12", "<path d=\"M0 2H8M0 6H8\" stroke=\"#fff\" stroke-width=\"1.4\"/>", "4 2", "rayures horizontales" },
	{ "#4a4a4a", "<path d=\"M2 0V8M6 0V8\" stroke=\"#fff\" stroke-width=\"1.4\"/>", "1 2", "rayures verticales" },
};

/* ==== Small helpers ==== */

void chart_coord(buf_t *b, double v)
{
	/* tenths as integers: no printf of a double */
	int64_t t = (int64_t)llround(v * 10.0);
	if (t < 0) {
		buf_putc(b, '-');
		t = -t;
	}
	if (t % 10) buf_fmt(b, "%D.%D", t / 10, t % 10);
	else buf_fmt(b, "%D", t / 10);
}

int chart_textlen(const char *s)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if ((*p & 0xC0) != 0x80) n++;
	return n;
}

static bool is_supp(const struct chart_series *s, int i)
{
	return s->suppressed && s->suppressed[i];
}

static double val(const struct chart_series *s, int i)
{
	if (is_supp(s, i)) return 0;
	double v = s->values[i];
	return isfinite(v) ? v : 0;
}

void chart_value(buf_t *b, enum chart_fmt fmt, double v, bool suppressed)
{
	if (suppressed) {
		buf_puts(b, "&lt;\u00a05");
		return;
	}
	if (!isfinite(v)) v = 0;
	switch (fmt) {
	case CHART_INT:
		html_num_fr(b, (double)llround(v));
		break;
	case CHART_DEC1:
		html_num_fr(b, round(v * 10.0) / 10.0);
		break;
	case CHART_PCT:
		html_num_fr(b, round(v * 10.0) / 10.0);
		buf_puts(b, "\u00a0%");
		break;
	}
}

/* The value as plain text in a temporary buffer (for width estimates). */
static int value_len(enum chart_fmt fmt, double v, bool supp)
{
	buf_t t = BUF_INIT;
	chart_value(&t, fmt, v, supp);
	int n = chart_textlen(buf_cstr(&t));
	if (supp) n -= 3; /* "&lt;" is one character */
	buf_free(&t);
	return n;
}

/* Total of category i over the series (stacked bars). */
static double cat_total(const struct chart *c, int i, bool *any_supp)
{
	double t = 0;
	for (int s = 0; s < c->nseries; s++) {
		t += val(&c->series[s], i);
		if (any_supp && is_supp(&c->series[s], i)) *any_supp = true;
	}
	return t;
}

/* A "nice" upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten. */
static double nice_ceil(double v)
{
	if (v <= 0) return 1;
	double p = pow(10, floor(log10(v)));
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	for (int i = 0; i < 5; i++)
		if (steps[i] * p >= v) return steps[i] * p;
	return 10 * p;
}

/* Wrap text into lines of at most maxch code points, cutting on spaces;
 * at most maxlines lines, the last one ending with "…" when cut. Fills
 * starts/lens (byte offsets) and returns the number of lines. */
static int wrap(const char *s, int maxch, int maxlines, int *starts, int *lens, bool *cut)
{
	int n = 0;
	size_t len = strlen(s), pos = 0;
	*cut = false;
	while (pos < len && n < maxlines) {
		while (s[pos] == ' ') pos++;
		if (pos >= len) break;
		size_t end = pos, last_space = 0;
		int ch = 0;
		while (end < len) {
			if (((unsigned char)s[end] & 0xC0) != 0x80) {
				if (ch == maxch) break;
				ch++;
			}
			if (s[end] == ' ') last_space = end;
			end++;
		}
		if (end < len && last_space > pos) end = last_space;
		starts[n] = (int)pos;
		lens[n] = (int)(end - pos);
		n++;
		pos = end;
	}
	while (pos < len && s[pos] == ' ') pos++;
	if (pos < len) *cut = true;
	return n;
}

/* A label (text, escaped) at x, first baseline at y, wrapped; returns lines. */
static int label(buf_t *b, const char *s, double x, double y, int maxch)
{
	int st[3], ln[3];
	bool cut;
	int n = wrap(s ? s : "", maxch, 3, st, ln, &cut);
	if (n == 0) n = 1, st[0] = 0, ln[0] = 0;
	buf_puts(b, "<text class=\"ch-label\" x=\"");
	chart_coord(b, x);
	buf_puts(b, "\" y=\"");
	chart_coord(b, y);
	buf_puts(b, "\">");
	for (int i = 0; i < n; i++) {
		buf_puts(b, "<tspan x=\"");
		chart_coord(b, x);
		buf_fmt(b, "\" dy=\"%d\">%.*h", i ? CH_LINE : 0, ln[i], s + st[i]);
		buf_puts(b, (cut && i == n - 1) ? "\u2026</tspan>" : "</tspan>");
	}
	buf_puts(b, "</text>\n");
	return n;
}

static void rect(buf_t *b, const char *id, int style, double x, double y, double w, double h)
{
	buf_puts(b, "<rect x=\"");
	chart_coord(b, x);
	buf_puts(b, "\" y=\"");
	chart_coord(b, y);
	buf_puts(b, "\" width=\"");
	chart_coord(b, w);
	buf_puts(b, "\" height=\"");
	chart_coord(b, h);
	buf_fmt(b, "\" fill=\"url(#%h-p%d)\" stroke=\"#fff\" stroke-width=\"1\"/>", id, style);
}

static void text_at(buf_t *b, const char *cls, double x, double y, const char *anchor)
{
	buf_fmt(b, "<text class=\"%h\" x=\"", cls);
	chart_coord(b, x);
	buf_puts(b, "\" y=\"");
	chart_coord(b, y);
	buf_puts(b, "\"");
	if (anchor) buf_fmt(b, " text-anchor=\"%h\"", anchor);
	buf_puts(b, ">");
}

/* ==== Summary ==== */

void chart_summary(buf_t *b, const struct chart *c)
{
	if (c->summary) {
		buf_fmt(b, "%h", c->summary);
		return;
	}
	if (c->ncats <= 0 || c->nseries <= 0) {
		buf_puts(b, "Aucune donnée.");
		return;
	}
	const char *unit = c->unit ? c->unit : "";
	if (c->kind == CHART_LINES) {
		for (int s = 0; s < c->nseries; s++) {
			const struct chart_series *se = &c->series[s];
			int best = -1;
			for (int i = 0; i < c->ncats; i++)
				if (!is_supp(se, i) && (best < 0 || val(se, i) > val(se, best))) best = i;
			if (s) buf_puts(b, " ");
			buf_fmt(b, "« %h » : de ", se->name);
			chart_value(b, c->fmt, val(se, 0), is_supp(se, 0));
			buf_fmt(b, " (%h) à ", c->cats[0]);
			chart_value(b, c->fmt, val(se, c->ncats - 1), is_supp(se, c->ncats - 1));
			buf_fmt(b, " (%h)", c->cats[c->ncats - 1]);
			if (best >= 0) {
				buf_puts(b, ", maximum ");
				chart_value(b, c->fmt, val(se, best), false);
				buf_fmt(b, " (%h)", c->cats[best]);
			}
			buf_puts(b, ".");
		}
		return;
	}
	/* bars: the largest category (total over the series) and its share */
	int best = -1;
	double total = 0;
	for (int i = 0; i < c->ncats; i++) {
		double t = cat_total(c, i, NULL);
		total += t;
		if (best < 0 || t > cat_total(c, best, NULL)) best = i;
	}
	double top = cat_total(c, best, NULL);
	buf_fmt(b, "« %h » arrive en tête avec ", c->cats[best]);
	chart_value(b, c->fmt, top, false);
	if (*unit) buf_fmt(b, " %h", unit);
	if (c->fmt != CHART_PCT && total > 0) {
		buf_puts(b, " (");
		chart_value(b, CHART_PCT, 100.0 * top / total, false);
		buf_puts(b, " du total de ");
		chart_value(b, c->fmt, total, false);
		buf_puts(b, ")");
	}
	buf_puts(b, ".");
}

/* ==== SVG ==== */

static void defs(buf_t *b, const struct chart *c)
{
	buf_puts(b, "<defs>");
	int n = c->nseries < CH_NSTYLES ? c->nseries : CH_NSTYLES;
	for (int i = 0; i < n; i++)
	{
		buf_fmt(b, "<pattern id=\"%h-p%d\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\">"
		           "<rect width=\"8\" height=\"8\" fill=\"%h\"/>",
		        c->id, i, styles[i].color);
		buf_puts(b, styles[i].pattern); /* our own markup */
		buf_puts(b, "</pattern>");
	}
	buf_puts(b, "</defs>\n");
}

/* The row layout of bar charts: returns the height. With out, draws. */
static double bars_body(buf_t *out, const struct chart *c, double maxv)
{
	bool stacked = c->kind == CHART_STACKED;
	int maxch = (int)((CH_W - 8) / (CH_FONT * 0.56));
	double x0 = 4, barmax = CH_W - 8 - CH_VALW, y = 4;
	buf_t scratch = BUF_INIT;
	buf_t *b = out ? out : &scratch;
	for (int i = 0; i < c->ncats; i++) {
		int lines = label(b, c->cats[i], x0, y + CH_FONT, maxch);
		y += lines * CH_LINE + 2;
		int nb = stacked ? 1 : c->nseries;
		for (int s = 0; s < nb; s++) {
			double x = x0;
			if (stacked) {
				bool any_supp = false;
				double total = cat_total(c, i, &any_supp);
				for (int k = 0; k < c->nseries; k++) {
					const struct chart_series *se = &c->series[k];
					double w = maxv > 0 ? barmax * val(se, i) / maxv : 0;
					if (w <= 0) continue;
					rect(b, c->id, k % CH_NSTYLES, x, y, w, CH_BAR);
					int vl = value_len(c->fmt, val(se, i), false);
					if (vl * CH_FONT * 0.56 + 6 <= w) {
						/* the value inside its segment, on a white label box */
						double tw = vl * CH_FONT * 0.56 + 4;
						buf_puts(b, "<rect class=\"ch-vbox\" x=\"");
						chart_coord(b, x + w / 2 - tw / 2);
						buf_puts(b, "\" y=\"");
						chart_coord(b, y + 2);
						buf_puts(b, "\" width=\"");
						chart_coord(b, tw);
						buf_puts(b, "\" height=\"12\" fill=\"#fff\"/>");
						text_at(b, "ch-val ch-in", x + w / 2, y + CH_BAR - 4, "middle");
						chart_value(b, c->fmt, val(se, i), false);
						buf_puts(b, "</text>");
					}
					x += w;
				}
				text_at(b, "ch-val", x + 4, y + CH_BAR - 3, NULL);
				buf_puts(b, any_supp ? "total " : "");
				chart_value(b, c->fmt, total, false);
				if (any_supp) buf_puts(b, " (hors cases &lt;\u00a05)");
				buf_puts(b, "</text>\n");
			} else {
				const struct chart_series *se = &c->series[s];
				double w = maxv > 0 ? barmax * val(se, i) / maxv : 0;
				if (w > 0) rect(b, c->id, s % CH_NSTYLES, x, y, w, CH_BAR);
				text_at(b, "ch-val", x + (w > 0 ? w : 0) + 4, y + CH_BAR - 3, NULL);
				chart_value(b, c->fmt, se->values[i], is_supp(se, i));
				buf_puts(b, "</text>\n");
			}
			y += CH_BAR + 2;
		}
		y += CH_GAP;
	}
	buf_free(&scratch);
	return y;
}

static void svg_open(buf_t *b, const struct chart *c, double h)
{
	buf_fmt(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 %d ", CH_W);
	chart_coord(b, h);
	buf_fmt(b, "\" width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\" focusable=\"false\" "
	           "aria-labelledby=\"%h-t\" aria-describedby=\"%h-d\">"
	           "<title id=\"%h-t\">%h</title><desc id=\"%h-d\">",
	        c->id, c->id, c->id, c->title, c->id);
	chart_summary(b, c);
	buf_puts(b, " Les données sont dans le tableau qui suit.</desc>\n");
	defs(b, c);
}

static void svg_bars(buf_t *b, const struct chart *c)
{
	double maxv = 0;
	for (int i = 0; i < c->ncats; i++) {
		if (c->kind == CHART_STACKED) {
			double t = cat_total(c, i, NULL);
			if (t > maxv) maxv = t;
		} else {
			for (int s = 0; s < c->nseries; s++)
				if (val(&c->series[s], i) > maxv) maxv = val(&c->series[s], i);
		}
	}
	double h = bars_body(NULL, c, maxv);
	svg_open(b, c, h);
	bars_body(b, c, maxv);
	buf_puts(b, "</svg>\n");
}

/* Marker of style k at (x, y). */
static void marker(buf_t *b, int k, double x, double y, const char *color)
{
	switch (k % 4) {
	case 0:
		buf_puts(b, "<circle r=\"3.5\" cx=\"");
		chart_coord(b, x);
		buf_puts(b, "\" cy=\"");
		chart_coord(b, y);
		buf_fmt(b, "\" fill=\"%h\"/>", color);
		break;
	case 1:
		buf_puts(b, "<rect width=\"7\" height=\"7\" x=\"");
		chart_coord(b, x - 3.5);
		buf_puts(b, "\" y=\"");
		chart_coord(b, y - 3.5);
		buf_fmt(b, "\" fill=\"%h\"/>", color);
		break;
	case 2:
		buf_puts(b, "<path d=\"M");
		chart_coord(b, x);
		buf_putc(b, ' ');
		chart_coord(b, y - 4.5);
		buf_puts(b, "l4.5 8h-9z\" fill=\"#fff\" stroke-width=\"1.5\" stroke=\"");
		buf_fmt(b, "%h\"/>", color);
		break;
	default:
		buf_puts(b, "<path d=\"M");
		chart_coord(b, x);
		buf_putc(b, ' ');
		chart_coord(b, y - 4.5);
		buf_fmt(b, "l4.5 4.5-4.5 4.5-4.5-4.5z\" fill=\"%h\"/>", color);
		break;
	}
}

static void svg_lines(buf_t *b, const struct chart *c)
{
	const double H = 230, L = 44, R = CH_W - 12, T = 12, B = 190;
	svg_open(b, c, H);
	double maxv = 0;
	for (int s = 0; s < c->nseries; s++)
		for (int i = 0; i < c->ncats; i++)
			if (val(&c->series[s], i) > maxv) maxv = val(&c->series[s], i);
	/* a "nice" step (a whole one for whole numbers), about a quarter of the
	 * maximum, and as many intervals as needed to reach it (2 to 5) */
	double stepv = nice_ceil(maxv / 4);
	if (c->fmt == CHART_INT) stepv = ceil(stepv);
	int nint = maxv > 0 ? (int)ceil(maxv / stepv - 1e-9) : 4;
	if (nint < 2) nint = 2;
	if (nint > 5) nint = 5;
	double top = nint * stepv;
	for (int k = 0; k <= nint; k++) {
		double v = stepv * k, y = B - (B - T) * k / nint;
		buf_puts(b, "<path class=\"ch-grid\" d=\"M");
		chart_coord(b, L);
		buf_putc(b, ' ');
		chart_coord(b, y);
		buf_puts(b, "H");
		chart_coord(b, R);
		buf_puts(b, "\"/>");
		text_at(b, "ch-tick", L - 4, y + 4, "end");
		chart_value(b, c->fmt, v, false);
		buf_puts(b, "</text>\n");
	}
	/* x positions and labels */
	int n = c->ncats;
	double step = n > 1 ? (R - L) / (n - 1) : 0;
	int maxlen = 1;
	for (int i = 0; i < n; i++)
		if (chart_textlen(c->cats[i]) > maxlen) maxlen = chart_textlen(c->cats[i]);
	int fit = (int)((R - L) / (maxlen * CH_FONT * 0.56 + 10));
	if (fit > CH_XLABELS) fit = CH_XLABELS;
	if (fit < 2) fit = 2;
	int every = n <= fit ? 1 : (n - 1 + fit - 2) / (fit - 1);
	for (int i = 0; i < n; i++) {
		bool last = i == n - 1;
		if (!(i % every == 0 || last)) continue;
		if (!last && n > 1 && i % every == 0 && (n - 1 - i) < every && (n - 1 - i) * step < maxlen * CH_FONT * 0.56)
			continue; /* too close to the last label */
		double x = n > 1 ? L + step * i : (L + R) / 2;
		text_at(b, "ch-tick", x, B + 18, n == 1 ? "middle" : i == 0 ? "start" : last ? "end" : "middle");
		buf_fmt(b, "%h</text>", c->cats[i]);
	}
	buf_puts(b, "<path class=\"ch-axis\" d=\"M");
	chart_coord(b, L);
	buf_puts(b, " ");
	chart_coord(b, B);
	buf_puts(b, "H");
	chart_coord(b, R);
	buf_puts(b, "\"/>\n");
	/* the series */
	for (int s = 0; s < c->nseries; s++) {
		const struct chart_series *se = &c->series[s];
		const struct style *st = &styles[s % CH_NSTYLES];
		buf_fmt(b, "<g class=\"ch-series\"><path fill=\"none\" stroke=\"%h\" stroke-width=\"2\"", st->color);
		if (*st->dash) buf_fmt(b, " stroke-dasharray=\"%h\"", st->dash);
		buf_puts(b, " d=\"");
		bool pen = false;
		for (int i = 0; i < n; i++) {
			if (is_supp(se, i)) {
				pen = false; /* a gap */
				continue;
			}
			double x = n > 1 ? L + step * i : (L + R) / 2;
			double y = B - (B - T) * val(se, i) / top;
			buf_puts(b, pen ? "L" : "M");
			chart_coord(b, x);
			buf_putc(b, ' ');
			chart_coord(b, y);
			pen = true;
		}
		buf_puts(b, "\"/>");
		for (int i = 0; i < n; i++) {
			if (is_supp(se, i)) continue;
			double x = n > 1 ? L + step * i : (L + R) / 2;
			double y = B - (B - T) * val(se, i) / top;
			marker(b, s, x, y, st->color);
		}
		buf_puts(b, "</g>\n");
	}
	buf_puts(b, "</svg>\n");
}

void chart_svg(buf_t *b, const struct chart *c)
{
	if (c->kind == CHART_LINES) svg_lines(b, c);
	else svg_bars(b, c);
}

/* ==== Legend, table, CSV ==== */

void chart_legend(buf_t *b, const struct chart *c)
{
	if (c->nseries < 2) return;
	buf_puts(b, "<ul class=\"chart-legend\">\n");
	for (int s = 0; s < c->nseries; s++) {
		const struct style *st = &styles[s % CH_NSTYLES];
		buf_puts(b, "<li><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-key\" viewBox=\"0 0 30 14\" "
		            "width=\"30\" height=\"14\" aria-hidden=\"true\" focusable=\"false\">");
		if (c->kind == CHART_LINES) {
			buf_fmt(b, "<path d=\"M1 7H29\" stroke=\"%h\" stroke-width=\"2\" fill=\"none\"", st->color);
			if (*st->dash) buf_fmt(b, " stroke-dasharray=\"%h\"", st->dash);
			buf_puts(b, "/>");
			marker(b, s, 15, 7, st->color);
		} else {
			buf_fmt(b, "<defs><pattern id=\"%h-k%d\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\">"
			           "<rect width=\"8\" height=\"8\" fill=\"%h\"/>",
			        c->id, s, st->color);
			buf_puts(b, st->pattern); /* our own markup */
			buf_fmt(b, "</pattern></defs>"
			           "<rect x=\"0.5\" y=\"0.5\" width=\"29\" height=\"13\" fill=\"url(#%h-k%d)\" stroke=\"#333\"/>",
			        c->id, s);
		}
		buf_fmt(b, "</svg> %h <span class=\"visually-hidden\">(motif : %h)</span></li>\n", c->series[s].name,
		        c->kind == CHART_LINES ? (s % 4 == 0   ? "ligne et ronds"
		                                  : s % 4 == 1 ? "tirets et carrés"
		                                  : s % 4 == 2 ? "pointillés et triangles"
		                                               : "tirets mixtes et losanges")
		                               : st->name);
	}
	buf_puts(b, "</ul>\n");
}

void chart_table(buf_t *b, const struct chart *c)
{
	bool total_col = c->kind == CHART_STACKED && c->nseries > 1;
	buf_fmt(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"%h-c\">\n"
	           "<table class=\"chart-data\" id=\"%h-table\">\n<caption id=\"%h-c\">Données : %h</caption>\n"
	           "<thead><tr><th scope=\"col\">%h</th>",
	        c->id, c->id, c->id, c->title, c->cat_label ? c->cat_label : "");
	for (int s = 0; s < c->nseries; s++) buf_fmt(b, "<th scope=\"col\">%h</th>", c->series[s].name);
	if (total_col) buf_puts(b, "<th scope=\"col\">Total</th>");
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (int i = 0; i < c->ncats; i++) {
		buf_fmt(b, "<tr><th scope=\"row\">%h</th>", c->cats[i]);
		for (int s = 0; s < c->nseries; s++) {
			buf_puts(b, "<td class=\"num\">");
			chart_value(b, c->fmt, c->series[s].values[i], is_supp(&c->series[s], i));
			buf_puts(b, "</td>");
		}
		if (total_col) {
			bool any = false;
			double t = cat_total(c, i, &any);
			buf_puts(b, "<td class=\"num\">");
			chart_value(b, c->fmt, t, false);
			if (any) buf_puts(b, " (hors cases &lt;\u00a05)");
			buf_puts(b, "</td>");
		}
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</tbody>\n</table>\n</div>\n");
}

void chart_csv(buf_t *b, const struct chart *c)
{
	buf_puts(b, "\xEF\xBB\xBF");
	csvw_cell(b, c->cat_label ? c->cat_label : "", ',', c->nseries == 0);
	for (int s = 0; s < c->nseries; s++) csvw_cell(b, c->series[s].name, ',', s == c->nseries - 1);
	buf_puts(b, "\r\n");
	for (int i = 0; i < c->ncats; i++) {
		csvw_cell(b, c->cats[i], ',', c->nseries == 0);
		for (int s = 0; s < c->nseries; s++) {
			bool last = s == c->nseries - 1;
			if (is_supp(&c->series[s], i)) csvw_cell(b, CHART_SUPPRESSED, ',', last);
			else csvw_num(b, isfinite(c->series[s].values[i]) ? c->series[s].values[i] : 0, '.', ',', last);
		}
		buf_puts(b, "\r\n");
	}
}

void chart_figure(buf_t *b, const struct chart *c, int hlevel, const char *csv_href)
{
	if (hlevel < 2 || hlevel > 6) hlevel = 2;
	buf_fmt(b, "<section class=\"chart-figure\" id=\"%h\" aria-labelledby=\"%h-h\">\n<h%d id=\"%h-h\">%h</h%d>\n"
	           "<p class=\"chart-summary\">",
	        c->id, c->id, hlevel, c->id, c->title, hlevel);
	chart_summary(b, c);
	buf_puts(b, "</p>\n<div class=\"chart-picture\">\n");
	chart_svg(b, c);
	buf_puts(b, "</div>\n");
	chart_legend(b, c);
	chart_table(b, c);
	if (csv_href)
		buf_fmt(b, "<p class=\"chart-download\"><a href=\"%h\" download>Télécharger les données "
		           "<span class=\"visually-hidden\">« %h » </span>(CSV)</a></p>\n",
		        csv_href, c->title);
	buf_puts(b, "</section>\n");
}
