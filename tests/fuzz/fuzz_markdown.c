/*
 * fuzz_markdown.c — libFuzzer target: Markdown rendering (markdown.h).
 *
 * The input is a Markdown field (description) as a user may write it.
 * markdown_render() must produce safe HTML, which is checked here with a
 * small independent parser of the output, not with the renderer's own
 * helpers:
 *   - no "<script" anywhere, no '>' outside a tag (text is escaped);
 *   - only the tags the renderer is meant to write (p, h3-h6, ul, ol, li,
 *     blockquote, pre, code, em, strong, del, u, br, hr, a, table parts),
 *     each with only its attributes (a: href, rel, class, title; ol:
 *     start; code, th, td: class) — so no on*= handler and no style;
 *   - attribute values double-quoted without '<' inside;
 *   - an href, once its entities are decoded and the characters browsers
 *     ignore removed, is relative or http:, https:, mailto: (never
 *     javascript:, data:, vbscript:...);
 *   - elements are properly nested and all closed.
 * markdown_to_text() runs on the same input (it must not crash; its text
 * is valid UTF-8 when the input is).
 */
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>

#include "fuzz.h"
#include "markdown.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tags[] = { "p", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
	                            "code", "em", "strong", "del", "u", "br", "hr", "a", "table",
	                            "thead", "tbody", "tr", "th", "td" };

static bool attr_allowed(const char *tag, const char *attr)
{
	if (!strcmp(tag, "a"))
		return !strcmp(attr, "href") || !strcmp(attr, "rel") || !strcmp(attr, "class") ||
		       !strcmp(attr, "title");
	if (!strcmp(tag, "ol")) return !strcmp(attr, "start");
	if (!strcmp(tag, "code") || !strcmp(tag, "th") || !strcmp(tag, "td")) return !strcmp(attr, "class");
	return false;
}

static void violation(const char *what, const buf_t *html, size_t at)
{
	fprintf(stderr, "fuzz: unsafe Markdown output (%s) at byte %zu:\n%.*s\n", what, at, (int)html->len,
	        html->data);
	abort();
}

/* Check an href value v[0..n) as it is in the HTML. */
static void check_href(const char *v, size_t n, const buf_t *html, size_t at)
{
	buf_t u = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '&') {
			/* url_emit() writes only these two entities */
			if (n - i >= 5 && !memcmp(v + i, "&amp;", 5)) {
				buf_putc(&u, '&');
				i += 4;
			} else if (n - i >= 5 && !memcmp(v + i, "&#39;", 5)) {
				buf_putc(&u, '\'');
				i += 4;
			} else {
				violation("entity in href", html, at);
			}
		} else if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f) {
			violation("raw control, space or non-ASCII byte in href", html, at);
		} else {
			buf_putc(&u, v[i]);
		}
	}
	/* scheme: [A-Za-z][A-Za-z0-9+.-]* before the first ':' */
	size_t k = 0;
	if (u.len && isalpha((unsigned char)u.data[0]))
		while (k < u.len && (isalnum((unsigned char)u.data[k]) || strchr("+.-", u.data[k]))) k++;
	if (k && k < u.len && u.data[k] == ':') {
		bool ok = (k == 4 && !strncasecmp(u.data, "http", 4)) || (k == 5 && !strncasecmp(u.data, "https", 5)) ||
		          (k == 6 && !strncasecmp(u.data, "mailto", 6));
		if (!ok) violation("href scheme not allowed", html, at);
	}
	buf_free(&u);
}

static void check_html(const buf_t *h)
{
	const char *s = h->data ? h->data : "";
	size_t n = h->len;
	char stack[64][16];
	int depth = 0, overflow = 0; /* overflow: open elements beyond the stack */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '>') violation("'>' outside a tag", h, i);
		if (s[i] != '<') continue;
		size_t at = i++;
		bool closing = i < n && s[i] == '/';
		if (closing) i++;
		char name[16];
		size_t nl = 0;
		while (i < n && (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i])) && nl < sizeof name - 1)
			name[nl++] = s[i++];
		name[nl] = 0;
		bool known = false;
		for (size_t t = 0; t < ARRAY_LEN(tags); t++)
			if (!strcmp(tags[t], name)) known = true;
		if (!known) violation("unknown tag", h, at);
		while (i < n && s[i] == ' ') {
			if (closing) violation("attribute on a closing tag", h, at);
			i++;
			char attr[16];
			size_t al = 0;
			while (i < n && islower((unsigned char)s[i]) && al < sizeof attr - 1) attr[al++] = s[i++];
			attr[al] = 0;
			if (!attr_allowed(name, attr)) violation("attribute not allowed", h, at);
			if (i + 1 >= n || s[i] != '=' || s[i + 1] != '"') violation("unquoted attribute", h, at);
			i += 2;
			size_t v0 = i;
			while (i < n && s[i] != '"') {
				if (s[i] == '<' || s[i] == '>') violation("'<' or '>' in an attribute", h, at);
				i++;
			}
			if (i >= n) violation("unterminated attribute", h, at);
			if (!strcmp(attr, "href")) check_href(s + v0, i - v0, h, at);
			i++;
		}
		if (i >= n || s[i] != '>') violation("malformed tag", h, at);
		if (!strcmp(name, "br") || !strcmp(name, "hr")) continue;
		if (closing && overflow) {
			overflow--;
		} else if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], name)) violation("misnested closing tag", h, at);
			depth--;
		} else {
			if (depth == (int)ARRAY_LEN(stack)) overflow++; /* deep nesting: names not checked */
			else snprintf(stack[depth++], sizeof stack[0], "%s", name);
		}
	}
	if (depth || overflow) violation("unclosed element", h, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *md = (const char *)data;
	buf_t html = BUF_INIT;
	markdown_render(&html, md, size);
	const char *c = buf_cstr(&html);
	if (strcasestr(c, "<script")) violation("<script", &html, 0);
	check_html(&html);
	buf_free(&html);

	buf_t text = BUF_INIT;
	markdown_to_text(&text, md, size);
	if (text_utf8_valid(md, size)) FUZZ_CHECK(text_utf8_valid(text.data ? text.data : "", text.len));
	buf_free(&text);
	return 0;
}
