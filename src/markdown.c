/*
 * markdown.c — see markdown.h. Markdown to safe HTML (and to plain text)
 * with md4c's parser and our own renderer.
 *
 * Design notes
 * - Why not md4c-html: it lets javascript: and data: URLs through, and its
 *   escaping is not ours. Here md4c only parses (md_parse with callbacks);
 *   every byte of user text reaches the output through buf_html() or
 *   through url_emit(), which percent-encodes and HTML-escapes. Markup
 *   written with buf_puts() is literal text of this file only.
 * - Raw HTML is off (MD_FLAG_NOHTML), so "<script>" arrives as text and is
 *   escaped. MD_TEXT_HTML would be escaped too if md4c ever sent it.
 * - Entities (MD_TEXT_ENTITY, and entity parts of link attributes): numeric
 *   ones are decoded (0, surrogates and values above U+10FFFF become
 *   U+FFFD, as CommonMark says); named ones are looked up in a table of the
 *   common HTML names (Latin-1, French typography, and the punctuation
 *   names used to obfuscate URLs such as &colon; and &Tab;). A name we do
 *   not know is, in text, passed through as "&name;" — md4c guarantees it
 *   is '&', a letter, letters/digits and ';', so the browser either decodes
 *   a real entity or shows the literal text; no markup can come out of it.
 *   In a URL an unknown name makes the link unsafe (dropped), since we
 *   cannot tell what the browser would decode it to.
 * - Link safety (url_check): the destination is decoded first (entities,
 *   backslash escapes already resolved by md4c), then treated the way the
 *   WHATWG URL parser treats it: leading and trailing C0 controls and
 *   spaces are removed, tabs and newlines are removed everywhere, and the
 *   scheme is the run [A-Za-z][A-Za-z0-9+.-]* before the first ':'.
 *   Allowed: no scheme at all (relative), http, https, mailto, compared
 *   case-insensitively. Anything else renders the link's text without a
 *   link. A destination starting with "www." and no scheme gets "http://"
 *   (what the author meant; md4c already does it for www autolinks).
 * - Links get rel="nofollow noopener noreferrer". Images never load: an
 *   image becomes a link (class="md-image") to its URL whose text is the
 *   alt text (the URL itself when the alt text is empty). Inside a link, or
 *   inside another image's alt text, an image is its alt text only (no
 *   nested <a>). Spans inside alt text render as plain text.
 * - At most one <a> is open at any time; link_depth says at which span
 *   nesting level it was opened so that the matching leave_span closes it.
 * - Headings shift by two (# -> <h3>, capped at <h6>). Table cell alignment
 *   becomes class="align-left|align-center|align-right" (no inline style,
 *   so the page's Content-Security-Policy can forbid them). Fenced code
 *   gets class="language-X" only when X is made of [A-Za-z0-9_+#.-].
 * - markdown_to_text() uses the same parser with a second set of callbacks:
 *   text only, entities decoded, blocks separated by blank lines, list items
 *   and table rows by newlines, table cells by spaces, trailing whitespace
 *   trimmed. Its output is plain text, NOT HTML: callers escape it.
 * - md4c 0.4.8 (Debian 12) reads the byte just past the end of its input
 *   while parsing some inline link destinations ("[x](a(1)" followed by a
 *   ')' in memory becomes a link, with a bogus text size: an out-of-bounds
 *   read). md_run() therefore always parses a NUL-terminated copy; the
 *   regression test puts a ')' right after the input.
 * - md4c 0.4.8 does not always leave the spans it entered: in "*www.a*b"
 *   the permissive www autolink swallows the closing '*', and md4c enters
 *   EM but never leaves it ("<p><em><a ...>...</a></p>"). An element left
 *   open would spill into the rest of the page (an open <em> or <strong>
 *   is reopened by the browser after </p>; an open <a> would turn the
 *   page's following text into the author's link). The renderer therefore
 *   keeps its own stack of open spans: leaving a span first closes the
 *   ones md4c left open inside it, and leaving any block closes whatever
 *   is still open (spans never cross blocks). Found by tests/fuzz.
 * - Nothing here keeps state between calls; the renderer state lives on
 *   the stack of markdown_render().
 */
#include "markdown.h"

#include <limits.h>
#include <md4c.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MD_FLAGS                                                                                 \
	(MD_FLAG_NOHTML | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEURLAUTOLINKS | \
	 MD_FLAG_PERMISSIVEWWWAUTOLINKS | MD_FLAG_PERMISSIVEEMAILAUTOLINKS)

#define REL_ATTR " rel=\"nofollow noopener noreferrer\""

/* ==== Entities ==== */

struct entity {
	const char *name;
	uint32_t cp;
};

/* Latin-1 names in code point order, U+00A0 to U+00FF. */
static const char *const latin1_names[96] = {
	"nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
	"laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
	"para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
	"Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave",
	"Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve",
	"Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml",
	"Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig",
	"ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth",
	"ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave",
	"uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
};

static const struct entity other_entities[] = {
	{ "Tab", 9 }, { "NewLine", 10 }, { "excl", 33 }, { "quot", 34 }, { "QUOT", 34 },
	{ "num", 35 }, { "dollar", 36 }, { "percnt", 37 }, { "amp", 38 }, { "AMP", 38 },
	{ "apos", 39 }, { "lpar", 40 }, { "rpar", 41 }, { "ast", 42 }, { "plus", 43 },
	{ "comma", 44 }, { "period", 46 }, { "sol", 47 }, { "colon", 58 }, { "semi", 59 },
	{ "lt", 60 }, { "LT", 60 }, { "equals", 61 }, { "gt", 62 }, { "GT", 62 }, { "quest", 63 },
	{ "commat", 64 }, { "lsqb", 91 }, { "lbrack", 91 }, { "bsol", 92 }, { "rsqb", 93 },
	{ "rbrack", 93 }, { "Hat", 94 }, { "lowbar", 95 }, { "grave", 96 }, { "lcub", 123 },
	{ "lbrace", 123 }, { "verbar", 124 }, { "vert", 124 }, { "rcub", 125 }, { "rbrace", 125 },
	{ "NonBreakingSpace", 160 }, { "OElig", 338 }, { "oelig", 339 }, { "Scaron", 352 },
	{ "scaron", 353 }, { "Yuml", 376 }, { "fnof", 402 }, { "circ", 710 }, { "tilde", 732 },
	{ "ensp", 8194 }, { "emsp", 8195 }, { "thinsp", 8201 }, { "ZeroWidthSpace", 8203 },
	{ "zwnj", 8204 }, { "zwj", 8205 }, { "lrm", 8206 }, { "rlm", 8207 }, { "hyphen", 8208 },
	{ "dash", 8208 }, { "ndash", 8211 }, { "mdash", 8212 }, { "lsquo", 8216 }, { "rsquo", 8217 },
	{ "sbquo", 8218 }, { "ldquo", 8220 }, { "rdquo", 8221 }, { "bdquo", 8222 },
	{ "dagger", 8224 }, { "Dagger", 8225 }, { "bull", 8226 }, { "hellip", 8230 },
	{ "permil", 8240 }, { "prime", 8242 }, { "Prime", 8243 }, { "lsaquo", 8249 },
	{ "rsaquo", 8250 }, { "oline", 8254 }, { "NoBreak", 8288 }, { "euro", 8364 },
	{ "trade", 8482 }, { "larr", 8592 }, { "uarr", 8593 }, { "rarr", 8594 }, { "darr", 8595 },
	{ "harr", 8596 }, { "rArr", 8658 }, { "hArr", 8660 }, { "minus", 8722 }, { "infin", 8734 },
	{ "asymp", 8776 }, { "ne", 8800 }, { "le", 8804 }, { "ge", 8805 }, { "hearts", 9829 },
	{ "check", 10003 },
};

/* Encode cp (a Unicode scalar value) as UTF-8 into out; returns length. */
static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Decode the entity s[0..n) ("&...;") into UTF-8 in out (4 bytes).
 * Returns the length, or -1 when it is malformed or a name we do not know.
 * Does not allocate. */
static int entity_decode(const char *s, size_t n, char *out)
{
	if (n < 3 || s[0] != '&' || s[n - 1] != ';') return -1;
	const char *p = s + 1;
	size_t len = n - 2;
	if (p[0] == '#') {
		uint32_t v = 0;
		size_t i = 1, digits = 0;
		bool hex = len > 1 && (p[1] == 'x' || p[1] == 'X');
		if (hex) i = 2;
		for (; i < len; i++, digits++) {
			int d = hex ? hex_val(p[i]) : (is_digit(p[i]) ? p[i] - '0' : -1);
			if (d < 0) return -1;
			if (v <= 0x10FFFF) v = v * (hex ? 16u : 10u) + (uint32_t)d;
		}
		if (digits == 0 || digits > (hex ? 6u : 7u)) return -1;
		if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
		return (int)utf8_put(v, out);
	}
	for (size_t i = 0; i < ARRAY_LEN(latin1_names); i++)
		if (strlen(latin1_names[i]) == len && memcmp(latin1_names[i], p, len) == 0)
			return (int)utf8_put(0xA0 + (uint32_t)i, out);
	for (size_t i = 0; i < ARRAY_LEN(other_entities); i++)
		if (strlen(other_entities[i].name) == len && memcmp(other_entities[i].name, p, len) == 0)
			return (int)utf8_put(other_entities[i].cp, out);
	return -1;
}

/* true if s[0..n) is "&", a letter, letters or digits, ";" — the only shape
 * of named entity md4c reports, and one that is inert in HTML. */
static bool entity_name_inert(const char *s, size_t n)
{
	if (n < 3 || s[0] != '&' || s[n - 1] != ';') return false;
	for (size_t i = 1; i + 1 < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!alpha && !(i > 1 && is_digit(c))) return false;
	}
	return true;
}

/* Decode an md4c attribute (link destination, title, code info) into dst.
 * Returns 0, or -1 if it holds an entity we could not decode (then dst has
 * that entity verbatim). */
static int attr_decode(const MD_ATTRIBUTE *a, buf_t *dst)
{
	int rc = 0;
	if (!a->text || a->size == 0) return 0;
	for (unsigned i = 0; a->substr_offsets[i] < a->size; i++) {
		const char *s = a->text + a->substr_offsets[i];
		size_t n = a->substr_offsets[i + 1] - a->substr_offsets[i];
		char tmp[4];
		int l;
		switch (a->substr_types[i]) {
		case MD_TEXT_ENTITY:
			l = entity_decode(s, n, tmp);
			if (l < 0) {
				rc = -1;
				buf_append(dst, s, n);
			} else {
				buf_append(dst, tmp, (size_t)l);
			}
			break;
		case MD_TEXT_NULLCHAR:
			buf_puts(dst, "\xEF\xBF\xBD");
			break;
		default:
			buf_append(dst, s, n);
			break;
		}
	}
	return rc;
}

/* ==== URLs ==== */

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Clean the decoded destination u[0..n) into dst the way browsers do
 * (trim C0 controls and spaces at both ends, drop tabs and newlines), then
 * decide. Returns true when the URL may be used as an href; dst then holds
 * it, with "http://" added in front of a scheme-less "www.". */
static bool url_check(const char *u, size_t n, buf_t *dst)
{
	while (n > 0 && (unsigned char)u[0] <= 0x20) {
		u++;
		n--;
	}
	while (n > 0 && (unsigned char)u[n - 1] <= 0x20) n--;
	buf_t c = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		if (u[i] != '\t' && u[i] != '\n' && u[i] != '\r') buf_putc(&c, u[i]);

	bool ok = true;
	size_t i = 0;
	char first = c.len ? c.data[0] : 0;
	if ((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z')) {
		while (i < c.len) {
			char ch = c.data[i];
			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || is_digit(ch) ||
			    ch == '+' || ch == '-' || ch == '.')
				i++;
			else
				break;
		}
		if (i < c.len && c.data[i] == ':') {
			static const char *const allowed[] = { "http", "https", "mailto" };
			ok = false;
			for (size_t k = 0; k < ARRAY_LEN(allowed); k++) {
				if (strlen(allowed[k]) != i) continue;
				size_t j = 0;
				while (j < i && ascii_lower(c.data[j]) == allowed[k][j]) j++;
				if (j == i) ok = true;
			}
		} else if (c.len >= 4 && ascii_lower(c.data[0]) == 'w' && ascii_lower(c.data[1]) == 'w' &&
		           ascii_lower(c.data[2]) == 'w' && c.data[3] == '.') {
			buf_puts(dst, "http://");
		}
	}
	if (ok) buf_append(dst, c.data, c.len);
	buf_free(&c);
	return ok;
}

/* Append URL u[0..n) to an HTML attribute value: bytes that do not belong
 * in a URL (controls, space, non-ASCII, "<>\^`{|}) are percent-encoded,
 * '&' and '\'' are HTML-escaped. '%' is kept: the URL may be encoded
 * already. */
static void url_emit(buf_t *out, const char *u, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];
		if (c <= 0x20 || c >= 0x7F || strchr("\"<>\\^`{|}", c)) {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(out, e, 3);
		} else if (c == '&') {
			buf_puts(out, "&amp;");
		} else if (c == '\'') {
			buf_puts(out, "&#39;");
		} else {
			buf_putc(out, (char)c);
		}
	}
}

/* ==== Parsing ==== */

/* Run md4c on a NUL-terminated heap copy of md[0..len) (see the notes).
 * Returns md_parse()'s result, or -1 if the input is too big for md4c. */
static int md_run(const char *md, size_t len, const MD_PARSER *parser, void *ud)
{
	if (len >= UINT_MAX) return -1;
	char *copy = xmalloc(len + 1);
	if (len) memcpy(copy, md, len);
	copy[len] = 0;
	int rc = md_parse(copy, (MD_SIZE)len, parser, ud);
	free(copy);
	return rc;
}

/* ==== HTML renderer ==== */

struct render {
	buf_t *out;
	unsigned depth;      /* nesting of A and IMG spans */
	unsigned link_depth; /* depth at which the open <a> was emitted; 0: none */
	unsigned img_depth;  /* > 0 inside an image's alt text */
	size_t link_text;    /* out->len just after the open <a ...> */
	buf_t link_url;      /* href of the open <a>, shown when its text is empty */
	buf_t spans;         /* MD_SPANTYPE of each span entered and not yet left, one byte each */
};

static int r_leave_span(MD_SPANTYPE type, void *detail, void *ud);

/* Close every span still open (md4c left it open, see the notes). */
static void close_open_spans(struct render *r, size_t keep)
{
	while (r->spans.len > keep) {
		MD_SPANTYPE t = (MD_SPANTYPE)(unsigned char)r->spans.data[r->spans.len - 1];
		r_leave_span(t, NULL, r);
	}
}

static int r_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct render *r = ud;
	buf_t *o = r->out;
	switch (type) {
	case MD_BLOCK_DOC: break;
	case MD_BLOCK_QUOTE: buf_puts(o, "<blockquote>\n"); break;
	case MD_BLOCK_UL: buf_puts(o, "<ul>\n"); break;
	case MD_BLOCK_OL: {
		const MD_BLOCK_OL_DETAIL *d = detail;
		if (d->start != 1) buf_fmt(o, "<ol start=\"%D\">\n", (int64_t)d->start);
		else buf_puts(o, "<ol>\n");
		break;
	}
	case MD_BLOCK_LI: buf_puts(o, "<li>"); break;
	case MD_BLOCK_HR: buf_puts(o, "<hr>\n"); break;
	case MD_BLOCK_H: {
		const MD_BLOCK_H_DETAIL *d = detail;
		buf_fmt(o, "<h%d>", d->level + 2 > 6 ? 6 : (int)d->level + 2);
		break;
	}
	case MD_BLOCK_CODE: {
		const MD_BLOCK_CODE_DETAIL *d = detail;
		buf_t lang = BUF_INIT;
		bool ok = attr_decode(&d->lang, &lang) == 0 && lang.len > 0;
		for (size_t i = 0; ok && i < lang.len; i++) {
			char c = lang.data[i];
			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
			     (c && strchr("_+#.-", c));
		}
		buf_puts(o, "<pre><code");
		if (ok) {
			buf_puts(o, " class=\"language-");
			buf_html(o, lang.data, lang.len);
			buf_putc(o, '"');
		}
		buf_putc(o, '>');
		buf_free(&lang);
		break;
	}
	case MD_BLOCK_HTML: buf_puts(o, "<p>"); break; /* not with MD_FLAG_NOHTML */
	case MD_BLOCK_P: buf_puts(o, "<p>"); break;
	case MD_BLOCK_TABLE: buf_puts(o, "<table>\n"); break;
	case MD_BLOCK_THEAD: buf_puts(o, "<thead>\n"); break;
	case MD_BLOCK_TBODY: buf_puts(o, "<tbody>\n"); break;
	case MD_BLOCK_TR: buf_puts(o, "<tr>"); break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: {
		const MD_BLOCK_TD_DETAIL *d = detail;
		buf_puts(o, type == MD_BLOCK_TH ? "<th" : "<td");
		switch (d->align) {
		case MD_ALIGN_LEFT: buf_puts(o, " class=\"align-left\""); break;
		case MD_ALIGN_CENTER: buf_puts(o, " class=\"align-center\""); break;
		case MD_ALIGN_RIGHT: buf_puts(o, " class=\"align-right\""); break;
		default: break;
		}
		buf_putc(o, '>');
		break;
	}
	}
	return 0;
}

static int r_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct render *r = ud;
	buf_t *o = r->out;
	close_open_spans(r, 0);
	switch (type) {
	case MD_BLOCK_DOC: break;
	case MD_BLOCK_QUOTE: buf_puts(o, "</blockquote>\n"); break;
	case MD_BLOCK_UL: buf_puts(o, "</ul>\n"); break;
	case MD_BLOCK_OL: buf_puts(o, "</ol>\n"); break;
	case MD_BLOCK_LI: buf_puts(o, "</li>\n"); break;
	case MD_BLOCK_HR: break;
	case MD_BLOCK_H: {
		const MD_BLOCK_H_DETAIL *d = detail;
		buf_fmt(o, "</h%d>\n", d->level + 2 > 6 ? 6 : (int)d->level + 2);
		break;
	}
	case MD_BLOCK_CODE: buf_puts(o, "</code></pre>\n"); break;
	case MD_BLOCK_HTML: buf_puts(o, "</p>\n"); break;
	case MD_BLOCK_P: buf_puts(o, "</p>\n"); break;
	case MD_BLOCK_TABLE: buf_puts(o, "</table>\n"); break;
	case MD_BLOCK_THEAD: buf_puts(o, "</thead>\n"); break;
	case MD_BLOCK_TBODY: buf_puts(o, "</tbody>\n"); break;
	case MD_BLOCK_TR: buf_puts(o, "</tr>\n"); break;
	case MD_BLOCK_TH: buf_puts(o, "</th>"); break;
	case MD_BLOCK_TD: buf_puts(o, "</td>"); break;
	}
	return 0;
}

/* Open <a> for a link or image destination if it is safe and no other <a>
 * is open. */
static void open_link(struct render *r, const MD_ATTRIBUTE *href, const MD_ATTRIBUTE *title,
                      bool image)
{
	if (r->link_depth || r->img_depth) return;
	buf_t raw = BUF_INIT, url = BUF_INIT, t = BUF_INIT;
	if (attr_decode(href, &raw) < 0) goto out;
	if (!url_check(raw.data, raw.len, &url)) goto out;
	buf_puts(r->out, "<a href=\"");
	url_emit(r->out, url.data, url.len);
	buf_putc(r->out, '"');
	buf_puts(r->out, REL_ATTR);
	if (image) buf_puts(r->out, " class=\"md-image\"");
	attr_decode(title, &t);
	if (t.len) {
		buf_puts(r->out, " title=\"");
		buf_html(r->out, t.data, t.len);
		buf_putc(r->out, '"');
	}
	buf_putc(r->out, '>');
	r->link_depth = r->depth;
	r->link_text = r->out->len;
	buf_reset(&r->link_url);
	buf_append(&r->link_url, url.data, url.len);
out:
	buf_free(&raw);
	buf_free(&url);
	buf_free(&t);
}

static int r_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct render *r = ud;
	buf_t *o = r->out;
	buf_putc(&r->spans, (char)type);
	if (type == MD_SPAN_A) {
		const MD_SPAN_A_DETAIL *d = detail;
		r->depth++;
		open_link(r, &d->href, &d->title, false);
		return 0;
	}
	if (type == MD_SPAN_IMG) {
		const MD_SPAN_IMG_DETAIL *d = detail;
		r->depth++;
		open_link(r, &d->src, &d->title, true);
		r->img_depth++;
		return 0;
	}
	if (r->img_depth) return 0; /* alt text is plain text */
	switch (type) {
	case MD_SPAN_EM: buf_puts(o, "<em>"); break;
	case MD_SPAN_STRONG: buf_puts(o, "<strong>"); break;
	case MD_SPAN_CODE: buf_puts(o, "<code>"); break;
	case MD_SPAN_DEL: buf_puts(o, "<del>"); break;
	case MD_SPAN_U: buf_puts(o, "<u>"); break;
	default: break; /* LaTeX and wiki links are not enabled */
	}
	return 0;
}

static int r_leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct render *r = ud;
	buf_t *o = r->out;
	/* the innermost open span of this type; spans md4c left open inside
	 * it are closed first (a leave without an enter is ignored) */
	size_t k = r->spans.len;
	while (k > 0 && (MD_SPANTYPE)(unsigned char)r->spans.data[k - 1] != type) k--;
	if (k == 0) return 0;
	close_open_spans(r, k);
	r->spans.len = k - 1;
	if (type == MD_SPAN_A || type == MD_SPAN_IMG) {
		if (type == MD_SPAN_IMG) r->img_depth--;
		if (r->link_depth && r->link_depth == r->depth) {
			if (o->len == r->link_text) buf_html(o, r->link_url.data, r->link_url.len);
			buf_puts(o, "</a>");
			r->link_depth = 0;
		}
		r->depth--;
		return 0;
	}
	if (r->img_depth) return 0;
	switch (type) {
	case MD_SPAN_EM: buf_puts(o, "</em>"); break;
	case MD_SPAN_STRONG: buf_puts(o, "</strong>"); break;
	case MD_SPAN_CODE: buf_puts(o, "</code>"); break;
	case MD_SPAN_DEL: buf_puts(o, "</del>"); break;
	case MD_SPAN_U: buf_puts(o, "</u>"); break;
	default: break;
	}
	return 0;
}

static int r_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
	struct render *r = ud;
	buf_t *o = r->out;
	char tmp[4];
	int l;
	switch (type) {
	case MD_TEXT_NULLCHAR:
		buf_puts(o, "\xEF\xBF\xBD");
		break;
	case MD_TEXT_BR:
		buf_puts(o, r->img_depth ? " " : "<br>\n");
		break;
	case MD_TEXT_SOFTBR:
		buf_puts(o, r->img_depth ? " " : "\n");
		break;
	case MD_TEXT_ENTITY:
		l = entity_decode(text, size, tmp);
		if (l >= 0) buf_html(o, tmp, (size_t)l);
		else if (entity_name_inert(text, size)) buf_append(o, text, size);
		else buf_html(o, text, size);
		break;
	default: /* NORMAL, CODE, HTML (escaped: raw HTML is off), LATEXMATH */
		buf_html(o, text, size);
		break;
	}
	return 0;
}

int markdown_render(buf_t *out, const char *md, size_t len)
{
	struct render r = { .out = out };
	size_t start = out->len;
	MD_PARSER p = {
		.abi_version = 0,
		.flags = MD_FLAGS,
		.enter_block = r_enter_block,
		.leave_block = r_leave_block,
		.enter_span = r_enter_span,
		.leave_span = r_leave_span,
		.text = r_text,
	};
	int rc = -1;
	buf_init(&r.link_url);
	buf_init(&r.spans);
	if (md_run(md, len, &p, &r) != 0) goto out;
	rc = 0;
out:
	buf_free(&r.link_url);
	buf_free(&r.spans);
	if (rc < 0) {
		log_warn("markdown_render: md4c failed on %zu bytes, showing the source", len);
		out->len = start;
		buf_html(out, md, len);
	}
	return rc;
}

/* ==== Plain text renderer ==== */

struct plain {
	buf_t *out;
	size_t start; /* out->len when we began: never trim below it */
	int sep;      /* pending separator: 0 none, 1 space, 2 newline, 3 blank line */
};

static void plain_sep(struct plain *p, int sep)
{
	if (sep > p->sep) p->sep = sep;
}

/* Drop the trailing spaces, tabs and newlines written so far. */
static void plain_trim(struct plain *p)
{
	buf_t *o = p->out;
	while (o->len > p->start &&
	       (o->data[o->len - 1] == ' ' || o->data[o->len - 1] == '\n' || o->data[o->len - 1] == '\t'))
		o->len--;
}

/* Write the pending separator (if anything was written before). */
static void plain_flush(struct plain *p)
{
	if (!p->sep) return;
	plain_trim(p);
	if (p->out->len > p->start) buf_puts(p->out, p->sep == 1 ? " " : p->sep == 2 ? "\n" : "\n\n");
	p->sep = 0;
}

static int t_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct plain *p = ud;
	switch (type) {
	case MD_BLOCK_LI:
	case MD_BLOCK_TR: plain_sep(p, 2); break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: plain_sep(p, 1); break;
	default: break;
	}
	return 0;
}

static int t_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct plain *p = ud;
	switch (type) {
	case MD_BLOCK_P:
	case MD_BLOCK_H:
	case MD_BLOCK_CODE:
	case MD_BLOCK_HTML:
	case MD_BLOCK_QUOTE:
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
	case MD_BLOCK_TABLE:
	case MD_BLOCK_HR: plain_sep(p, 3); break;
	case MD_BLOCK_LI:
	case MD_BLOCK_TR: plain_sep(p, 2); break;
	default: break;
	}
	return 0;
}

static int t_span(MD_SPANTYPE type, void *detail, void *ud)
{
	return 0;
}

static int t_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
	struct plain *p = ud;
	char tmp[4];
	int l;
	if (type == MD_TEXT_BR) {
		plain_sep(p, 2);
		return 0;
	}
	plain_flush(p);
	switch (type) {
	case MD_TEXT_NULLCHAR: buf_puts(p->out, "\xEF\xBF\xBD"); break;
	case MD_TEXT_SOFTBR: buf_putc(p->out, ' '); break;
	case MD_TEXT_ENTITY:
		l = entity_decode(text, size, tmp);
		if (l >= 0) buf_append(p->out, tmp, (size_t)l);
		else buf_append(p->out, text, size);
		break;
	default: buf_append(p->out, text, size); break;
	}
	return 0;
}

int markdown_to_text(buf_t *out, const char *md, size_t len)
{
	struct plain p = { .out = out, .start = out->len };
	MD_PARSER parser = {
		.abi_version = 0,
		.flags = MD_FLAGS,
		.enter_block = t_enter_block,
		.leave_block = t_leave_block,
		.enter_span = t_span,
		.leave_span = t_span,
		.text = t_text,
	};
	if (md_run(md, len, &parser, &p) != 0) {
		out->len = p.start;
		buf_append(out, md, len);
		return -1;
	}
	plain_trim(&p);
	return 0;
}
