/*
 * test_markdown.c — unit tests for markdown.c: the HTML it produces for
 * ordinary Markdown, and above all what it refuses to produce (raw HTML,
 * dangerous URL schemes however obfuscated, images, attribute breakouts).
 *
 * Besides exact expectations, every output is passed through check_html(),
 * a small structural checker: only the tags and attributes our renderer is
 * allowed to write, every attribute quoted, no stray '<', '>' or '"' in
 * text, and every href with no scheme or http/https/mailto. A generated
 * corpus of hostile combinations goes through the same checker.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "markdown.h"

/* ==== the structural checker ==== */

static bool in_list(const char *s, size_t n, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0) return true;
	return false;
}

/* Check one href value (as written in the attribute: '&' escaped). */
static void check_href(const char *v, size_t n, const char *html)
{
	size_t i = 0;
	char c0 = n ? v[0] : 0;
	if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z'))) return; /* relative */
	while (i < n && (((v[i] | 32) >= 'a' && (v[i] | 32) <= 'z') || (v[i] >= '0' && v[i] <= '9') ||
	                 v[i] == '+' || v[i] == '-' || v[i] == '.'))
		i++;
	if (i >= n || v[i] != ':') return; /* no scheme */
	char scheme[16] = { 0 };
	if (i >= sizeof scheme) fail_msg("long scheme in %s", html);
	for (size_t k = 0; k < i; k++) scheme[k] = (char)(v[k] | 32);
	if (strcmp(scheme, "http") && strcmp(scheme, "https") && strcmp(scheme, "mailto"))
		fail_msg("forbidden scheme \"%s\" in: %s", scheme, html);
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)v[k] <= 0x20 || v[k] == '<' || v[k] == '>')
			fail_msg("unencoded byte in href: %s", html);
}

static void check_html(const char *html)
{
	static const char *const tags[] = { "a", "p", "em", "strong", "code", "pre", "del", "u", "h3",
	                                    "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "hr",
	                                    "br", "table", "thead", "tbody", "tr", "th", "td", NULL };
	static const char *const attrs[] = { "href", "rel", "title", "class", "start", NULL };
	const char *p = html;
	while (*p) {
		if (*p == '>' || *p == '"') fail_msg("stray '%c' in text: %s", *p, html);
		if (*p != '<') {
			p++;
			continue;
		}
		p++;
		if (*p == '/') p++;
		const char *name = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) p++;
		if (!in_list(name, (size_t)(p - name), tags))
			fail_msg("tag \"%.*s\" not allowed: %s", (int)(p - name), name, html);
		bool is_a = (p - name == 1 && name[0] == 'a');
		while (*p == ' ') {
			p++;
			const char *an = p;
			while (*p >= 'a' && *p <= 'z') p++;
			size_t anl = (size_t)(p - an);
			if (!in_list(an, anl, attrs))
				fail_msg("attribute \"%.*s\" not allowed: %s", (int)anl, an, html);
			if (p[0] != '=' || p[1] != '"') fail_msg("unquoted attribute: %s", html);
			p += 2;
			const char *v = p;
			while (*p && *p != '"' && *p != '<' && *p != '>') p++;
			if (*p != '"') fail_msg("attribute value not closed: %s", html);
			if (is_a && anl == 4 && memcmp(an, "href", 4) == 0) check_href(v, (size_t)(p - v), html);
			if (anl == 3 && memcmp(an, "rel", 3) == 0 &&
			    strncmp(v, "nofollow noopener noreferrer\"", 29) != 0)
				fail_msg("bad rel: %s", html);
			p++;
		}
		if (*p != '>') fail_msg("tag not closed: %s", html);
		p++;
	}
}

/* Render md, check the structure, return a heap string. */
static char *render(const char *md)
{
	buf_t b = BUF_INIT;
	assert_int_equal(markdown_render(&b, md, strlen(md)), 0);
	char *s = buf_detach(&b);
	check_html(s);
	return s;
}

static char *plain(const char *md)
{
	buf_t b = BUF_INIT;
	assert_int_equal(markdown_to_text(&b, md, strlen(md)), 0);
	return buf_detach(&b);
}

#define assert_md(input, expected)                                                               \
	do {                                                                                     \
		char *got_ = render(input);                                                      \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

#define assert_md_has(input, needle)                                                             \
	do {                                                                                     \
		char *got_ = render(input);                                                      \
		if (!strstr(got_, needle)) fail_msg("\"%s\" not in: %s", needle, got_);          \
		free(got_);                                                                      \
	} while (0)

#define assert_md_lacks(input, needle)                                                           \
	do {                                                                                     \
		char *got_ = render(input);                                                      \
		if (strstr(got_, needle)) fail_msg("\"%s\" in: %s", needle, got_);               \
		free(got_);                                                                      \
	} while (0)

#define assert_text(input, expected)                                                             \
	do {                                                                                     \
		char *got_ = plain(input);                                                       \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

#define REL "rel=\"nofollow noopener noreferrer\""

/* ==== ordinary Markdown ==== */

static void test_basics(void **state)
{
	(void)state;
	assert_md("", "");
	assert_md("Bonjour", "<p>Bonjour</p>\n");
	assert_md("Un *deux* **trois** ~~quatre~~ `cinq`",
	          "<p>Un <em>deux</em> <strong>trois</strong> <del>quatre</del> <code>cinq</code></p>\n");
	assert_md("ligne 1\nligne 2", "<p>ligne 1\nligne 2</p>\n");
	assert_md("ligne 1  \nligne 2", "<p>ligne 1<br>\nligne 2</p>\n");
	assert_md("a\n\nb", "<p>a</p>\n<p>b</p>\n");
	assert_md("> cité", "<blockquote>\n<p>cité</p>\n</blockquote>\n");
	assert_md("---", "<hr>\n");
	assert_md("- un\n- deux", "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>\n");
	assert_md("1. un\n2. deux", "<ol>\n<li>un</li>\n<li>deux</li>\n</ol>\n");
	assert_md("3. trois", "<ol start=\"3\">\n<li>trois</li>\n</ol>\n");
	/* text is escaped, accents untouched */
	assert_md("a < b & c > d \"e\" 'f' é", "<p>a &lt; b &amp; c &gt; d &quot;e&quot; &#39;f&#39; é</p>\n");
	/* backslash escapes */
	assert_md("\\*pas em\\*", "<p>*pas em*</p>\n");
}

static void test_headings(void **state)
{
	(void)state;
	assert_md("# Un", "<h3>Un</h3>\n");
	assert_md("## Deux", "<h4>Deux</h4>\n");
	assert_md("### Trois", "<h5>Trois</h5>\n");
	assert_md("#### Quatre", "<h6>Quatre</h6>\n");
	assert_md("##### Cinq", "<h6>Cinq</h6>\n");
	assert_md("###### Six", "<h6>Six</h6>\n");
	assert_md("Titre\n=====", "<h3>Titre</h3>\n");
	assert_md("Sous-titre\n---", "<h4>Sous-titre</h4>\n");
	assert_md("# <b>x</b>", "<h3>&lt;b&gt;x&lt;/b&gt;</h3>\n");
}

static void test_code(void **state)
{
	(void)state;
	assert_md("```\nif (a < b && c) { x = \"<\"; }\n```",
	          "<pre><code>if (a &lt; b &amp;&amp; c) { x = &quot;&lt;&quot;; }\n</code></pre>\n");
	assert_md("```js\nlet a;\n```", "<pre><code class=\"language-js\">let a;\n</code></pre>\n");
	assert_md("```c++\nx\n```", "<pre><code class=\"language-c++\">x\n</code></pre>\n");
	/* an info string that is not a plain language name gets no class */
	assert_md("```js\"><script>\nx\n```", "<pre><code>x\n</code></pre>\n");
	assert_md("```js&quot;onclick=x\nx\n```", "<pre><code>x\n</code></pre>\n");
	assert_md("    <script>indenté</script>", "<pre><code>&lt;script&gt;indenté&lt;/script&gt;\n</code></pre>\n");
	/* entities are not decoded in code */
	assert_md("`&amp; <i>`", "<p><code>&amp;amp; &lt;i&gt;</code></p>\n");
}

static void test_tables(void **state)
{
	(void)state;
	assert_md("| a | b |\n|---|---|\n| 1 | 2 |",
	          "<table>\n<thead>\n<tr><th>a</th><th>b</th></tr>\n</thead>\n"
	          "<tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody>\n</table>\n");
	assert_md("| g | c | d |\n|:--|:-:|--:|\n| <b> | *e* | [l](http://x.fr) |",
	          "<table>\n<thead>\n<tr><th class=\"align-left\">g</th><th class=\"align-center\">c</th>"
	          "<th class=\"align-right\">d</th></tr>\n</thead>\n<tbody>\n"
	          "<tr><td class=\"align-left\">&lt;b&gt;</td><td class=\"align-center\"><em>e</em></td>"
	          "<td class=\"align-right\"><a href=\"http://x.fr\" " REL ">l</a></td></tr>\n"
	          "</tbody>\n</table>\n");
}

static void test_entities(void **state)
{
	(void)state;
	assert_md("&eacute;t&eacute; &amp; &lt;b&gt; &oelig; &nbsp;",
	          "<p>été &amp; &lt;b&gt; œ \xC2\xA0</p>\n");
	assert_md("&#106;&#x6A;&#X6a; &#8217;", "<p>jjj ’</p>\n");
	/* invalid code points become U+FFFD */
	assert_md("&#0; &#xD800; &#1114112;", "<p>\xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD</p>\n");
	/* an entity that decodes to markup stays text */
	assert_md("&#60;script&#62;", "<p>&lt;script&gt;</p>\n");
	assert_md("&lt;img src=x onerror=alert(1)&gt;", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n");
	/* names we do not know are passed through (inert) */
	assert_md("&foo; &spades;", "<p>&foo; &spades;</p>\n");
	/* not entities at all */
	assert_md("&#106 & &;", "<p>&amp;#106 &amp; &amp;;</p>\n");
	/* a NUL byte becomes U+FFFD */
	char *s = NULL;
	buf_t b = BUF_INIT;
	assert_int_equal(markdown_render(&b, "a\0b", 3), 0);
	s = buf_detach(&b);
	assert_string_equal(s, "<p>a\xEF\xBF\xBD" "b</p>\n");
	free(s);
}

/* ==== raw HTML ==== */

static void test_raw_html(void **state)
{
	(void)state;
	assert_md("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
	assert_md("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n");
	assert_md("a <b onclick=\"x()\">gras</b> b",
	          "<p>a &lt;b onclick=&quot;x()&quot;&gt;gras&lt;/b&gt; b</p>\n");
	assert_md("<div>\n*bloc*\n</div>", "<p>&lt;div&gt;\n<em>bloc</em>\n&lt;/div&gt;</p>\n");
	assert_md("<!-- commentaire -->", "<p>&lt;!-- commentaire --&gt;</p>\n");
	assert_md("<iframe src=\"https://x\"></iframe>",
	          "<p>&lt;iframe src=&quot;https://x&quot;&gt;&lt;/iframe&gt;</p>\n");
	assert_md_lacks("<svg onload=alert(1)>", "<svg");
	assert_md_lacks("<style>*{}</style>", "<style");
}

/* ==== links ==== */

static void test_links_kept(void **state)
{
	(void)state;
	assert_md("[site](https://www.service-public.fr/a?b=1&c=2)",
	          "<p><a href=\"https://www.service-public.fr/a?b=1&amp;c=2\" " REL ">site</a></p>\n");
	assert_md("[site](http://exemple.fr)", "<p><a href=\"http://exemple.fr\" " REL ">site</a></p>\n");
	assert_md("[site](HTTPS://EXEMPLE.FR)", "<p><a href=\"HTTPS://EXEMPLE.FR\" " REL ">site</a></p>\n");
	assert_md("[écrire](mailto:contact@mairie.fr)",
	          "<p><a href=\"mailto:contact@mairie.fr\" " REL ">écrire</a></p>\n");
	/* relative links */
	assert_md("[fiche](/fiches/12)", "<p><a href=\"/fiches/12\" " REL ">fiche</a></p>\n");
	assert_md("[fiche](fiches/12)", "<p><a href=\"fiches/12\" " REL ">fiche</a></p>\n");
	assert_md("[ici](#section)", "<p><a href=\"#section\" " REL ">ici</a></p>\n");
	assert_md("[q](?page=2)", "<p><a href=\"?page=2\" " REL ">q</a></p>\n");
	assert_md("[d](./a:b)", "<p><a href=\"./a:b\" " REL ">d</a></p>\n");
	/* titles are escaped */
	assert_md("[t](/x \"Le \\\"titre\\\" <b> & 'co'\")",
	          "<p><a href=\"/x\" " REL " title=\"Le &quot;titre&quot; &lt;b&gt; &amp; &#39;co&#39;\">t</a></p>\n");
	assert_md("[t](/x 'a&quot;b')", "<p><a href=\"/x\" " REL " title=\"a&quot;b\">t</a></p>\n");
	/* quotes and spaces in URLs cannot break out of the attribute */
	assert_md("[q](http://x.fr/\"onmouseover=\"alert(1))",
	          "<p><a href=\"http://x.fr/%22onmouseover=%22alert(1)\" " REL ">q</a></p>\n");
	assert_md("[q](<http://x.fr/a b\"c'd>)",
	          "<p><a href=\"http://x.fr/a%20b%22c&#39;d\" " REL ">q</a></p>\n");
	assert_md("[q](http://x.fr/&quot;&gt;&lt;script&gt;)",
	          "<p><a href=\"http://x.fr/%22%3E%3Cscript%3E\" " REL ">q</a></p>\n");
	/* non-ASCII is percent-encoded */
	assert_md("[é](/fiche/vélo)", "<p><a href=\"/fiche/v%C3%A9lo\" " REL ">é</a></p>\n");
	/* reference links */
	assert_md("[x][r]\n\n[r]: https://a.fr \"T\"",
	          "<p><a href=\"https://a.fr\" " REL " title=\"T\">x</a></p>\n");
	/* a link without text shows its URL */
	assert_md("[](https://a.fr)", "<p><a href=\"https://a.fr\" " REL ">https://a.fr</a></p>\n");
	/* markup inside link text */
	assert_md("[*a* `b`](/c)", "<p><a href=\"/c\" " REL "><em>a</em> <code>b</code></a></p>\n");
}

static void test_autolinks(void **state)
{
	(void)state;
	assert_md("<https://exemple.fr>", "<p><a href=\"https://exemple.fr\" " REL ">https://exemple.fr</a></p>\n");
	assert_md("voir https://exemple.fr/a.",
	          "<p>voir <a href=\"https://exemple.fr/a\" " REL ">https://exemple.fr/a</a>.</p>\n");
	assert_md("voir www.service-public.fr !",
	          "<p>voir <a href=\"http://www.service-public.fr\" " REL ">www.service-public.fr</a> !</p>\n");
	assert_md("contact@mairie.fr",
	          "<p><a href=\"mailto:contact@mairie.fr\" " REL ">contact@mairie.fr</a></p>\n");
	assert_md("<contact@mairie.fr>",
	          "<p><a href=\"mailto:contact@mairie.fr\" " REL ">contact@mairie.fr</a></p>\n");
	/* a scheme-less www. destination is what the author meant */
	assert_md("[site](www.exemple.fr)", "<p><a href=\"http://www.exemple.fr\" " REL ">site</a></p>\n");
	assert_md("[site](WWW.exemple.fr)", "<p><a href=\"http://WWW.exemple.fr\" " REL ">site</a></p>\n");
	/* an autolink with a forbidden scheme is text */
	assert_md("<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n");
	assert_md("<data:text/html,x>", "<p>data:text/html,x</p>\n");
}

static void test_links_dropped(void **state)
{
	(void)state;
	/* each of these renders the text without a link */
	static const char *const bad[] = {
		"[x](javascript:alert(1))",
		"[x](JaVaScRiPt:alert(1))",
		"[x](JAVASCRIPT:alert(1))",
		"[x]( javascript:alert(1))",
		"[x](<  javascript:alert(1)>)",
		"[x](<\tjavascript:alert(1)>)",
		"[x](&#106;avascript:alert(1))",
		"[x](&#x6A;avascript:alert(1))",
		"[x](&#X6a;avascript:alert(1))",
		"[x](&#0000106;avascript:alert(1))",
		"[x](javascript&#58;alert(1))",
		"[x](javascript&colon;alert(1))",
		"[x](java&Tab;script:alert(1))",
		"[x](java&NewLine;script:alert(1))",
		"[x](java&#9;script:alert(1))",
		"[x](java&#10;script:alert(1))",
		"[x](java&#13;script:alert(1))",
		"[x](&#1;javascript:alert(1))",
		"[x](&#32;javascript:alert(1))",
		"[x](&#x0C;javascript:alert(1))",
		"[x](javascript&#x3A;alert(1))",
		"[x](java&unknownentity;script:alert(1))",
		"[x](data:text/html,<script>alert(1)</script>)",
		"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"[x](DATA:text/html,x)",
		"[x](vbscript:msgbox(1))",
		"[x](file:///etc/passwd)",
		"[x](ftp://exemple.fr/)",
		"[x](tel:+33100000000)",
		"[x](blob:https://a.fr/1)",
		"[x][r]\n\n[r]: javascript:alert(1)",
		"[x][r]\n\n[r]: &#106;avascript:alert(1)",
		"[x](javascript:alert(1) \"titre\")",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *got = render(bad[i]);
		if (strstr(got, "<a")) fail_msg("link kept for %s: %s", bad[i], got);
		if (!strstr(got, "<p>x</p>")) fail_msg("text lost for %s: %s", bad[i], got);
		free(got);
	}
	/* the link text keeps its markup */
	assert_md("[*a*](javascript:x)", "<p><em>a</em></p>\n");
	/* a URL that only looks like a scheme is relative, hence harmless */
	assert_md("[x](java%20script:alert(1))",
	          "<p><a href=\"java%20script:alert(1)\" " REL ">x</a></p>\n");
	assert_md("[x](<java script:alert(1)>)",
	          "<p><a href=\"java%20script:alert(1)\" " REL ">x</a></p>\n");
	assert_md("[x](jav\\&#x61;script:alert(1))", /* escaped '&': no entity */
	          "<p><a href=\"jav&amp;#x61;script:alert(1)\" " REL ">x</a></p>\n");
	assert_md("[x](java\\script:alert(1))",
	          "<p><a href=\"java%5Cscript:alert(1)\" " REL ">x</a></p>\n");
}

/* ==== images ==== */

static void test_images(void **state)
{
	(void)state;
	assert_md("![Logo de la ville](https://ville.fr/logo.png)",
	          "<p><a href=\"https://ville.fr/logo.png\" " REL " class=\"md-image\">Logo de la ville</a></p>\n");
	assert_md("![alt](/i.png \"Titre\")",
	          "<p><a href=\"/i.png\" " REL " class=\"md-image\" title=\"Titre\">alt</a></p>\n");
	/* empty alt text: the URL is the text */
	assert_md("![](https://a.fr/i.png)",
	          "<p><a href=\"https://a.fr/i.png\" " REL " class=\"md-image\">https://a.fr/i.png</a></p>\n");
	/* markup in alt text is plain text */
	assert_md("![un *beau* <logo>](/l.png)",
	          "<p><a href=\"/l.png\" " REL " class=\"md-image\">un beau &lt;logo&gt;</a></p>\n");
	/* an image inside a link: no nested <a> */
	assert_md("[![alt](/i.png)](https://a.fr)",
	          "<p><a href=\"https://a.fr\" " REL ">alt</a></p>\n");
	/* dangerous image sources: alt text only */
	assert_md("![alt](javascript:alert(1))", "<p>alt</p>\n");
	assert_md("![alt](data:image/svg+xml,%3Csvg%20onload=alert(1)%3E)", "<p>alt</p>\n");
	assert_md("![alt](&#106;avascript:alert(1))", "<p>alt</p>\n");
	/* never an <img> */
	assert_md_lacks("![a](https://a.fr/i.png) ![b](/j.png)", "<img");
	assert_md_lacks("<img src=x>", "<img");
	/* an image in an image's alt text */
	assert_md("![a ![b](/b.png) c](/a.png)",
	          "<p><a href=\"/a.png\" " REL " class=\"md-image\">a b c</a></p>\n");
}

/* ==== hostile corpus ==== */

static void test_hostile_corpus(void **state)
{
	(void)state;
	/* fragments combined pairwise and in triples; every output must pass
	 * check_html() (done by render()) */
	static const char *const frag[] = {
		"[x](", "javascript:alert(1)", ")", "![", "](", "&#106;", "&colon;", "<", ">", "\"",
		"'", "`", "*", "_", "~~", "\n", "\n\n", "    ", "| a |\n|---|\n", "> ", "- ", "1. ",
		"<script>", "</a>", "<a href=\"javascript:x\">", "onerror=", "&", "#", "\\", "www.a.fr",
		"http://a.fr/\"x", "data:text/html,", "&Tab;", " \"t\\\"\" ", "[r]: ", "[r]", "```", "\0",
	};
	size_t nf = sizeof frag / sizeof frag[0];
	buf_t in = BUF_INIT, out = BUF_INIT;
	unsigned seed = 12345;
	for (int round = 0; round < 20000; round++) {
		buf_reset(&in);
		int parts = 2 + round % 6;
		for (int k = 0; k < parts; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *f = frag[(seed >> 16) % nf];
			if (f[0] == 0) buf_putc(&in, 0);
			else buf_puts(&in, f);
		}
		buf_reset(&out);
		assert_int_equal(markdown_render(&out, in.data, in.len), 0);
		check_html(buf_cstr(&out));
	}
	buf_free(&in);
	buf_free(&out);
}

/* ==== plain text ==== */

static void test_plain_text(void **state)
{
	(void)state;
	assert_text("", "");
	assert_text("# Titre\n\nUn *texte* avec [un lien](https://a.fr) et `du code`.",
	            "Titre\n\nUn texte avec un lien et du code.");
	assert_text("ligne 1\nligne 2", "ligne 1 ligne 2");
	assert_text("a  \nb", "a\nb");
	assert_text("- un\n- deux\n\nfin", "un\ndeux\n\nfin");
	assert_text("| a | b |\n|---|---|\n| 1 | 2 |", "a b\n1 2");
	assert_text("![logo](/l.png) &eacute;t&eacute; &lt;b&gt; &foo;", "logo été <b> &foo;");
	assert_text("<script>x</script>", "<script>x</script>"); /* plain text: callers escape */
	assert_text("```\ncode\n```\n\n> cité  \n", "code\n\ncité");
	assert_text("   \n\n  ", "");
	/* appends to what is already in the buffer */
	buf_t b = BUF_INIT;
	buf_puts(&b, "avant ");
	assert_int_equal(markdown_to_text(&b, "  *x*  ", 7), 0);
	assert_string_equal(buf_cstr(&b), "avant x");
	buf_free(&b);
}

/* Regression: md4c 0.4.8 reads the byte after its input in some link
 * destinations; a ')' there must not turn the text into a link (nor make
 * md4c report a text of bogus size). */
static void test_input_not_terminated(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "[x](a(1))", "<p>[x](a(1)</p>\n" },
		{ "[x](javascript:alert(1)))", "<p>[x](javascript:alert(1)</p>\n" },
		{ "[x](a(b(c)))", "<p>[x](a(b(c)</p>\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *src = cases[i][0];
		size_t len = strlen(src) - (i == 0 ? 1 : 2);
		char *heap = malloc(len); /* exactly len bytes: ASan sees any overread */
		memcpy(heap, src, len);
		buf_t b = BUF_INIT;
		assert_int_equal(markdown_render(&b, heap, len), 0);
		assert_string_equal(buf_cstr(&b), cases[i][1]);
		buf_reset(&b);
		assert_int_equal(markdown_to_text(&b, heap, len), 0);
		assert_int_equal(b.len, len); /* the text, unchanged */
		buf_free(&b);
		free(heap);
	}
}

/* Regression (found by tests/fuzz, fuzz_markdown): md4c 0.4.8 enters a
 * span and never leaves it when a permissive www autolink swallows the
 * closing delimiter; the renderer must still close every element it
 * opened, in order, before the block ends (an open <em> or <a> would spill
 * into the rest of the page). */
static void test_spans_closed(void **state)
{
	(void)state;
	assert_md("*www..f*#", "<p><em><a href=\"http://www..f*#\" " REL ">www..f*#</a></em></p>\n");
	assert_md("**www.a.fr**x", "<p><strong><a href=\"http://www.a.fr**x\" " REL ">www.a.fr**x</a></strong></p>\n");
	assert_md("*a* **www.b.fr*\n\ntexte", "<p><em>a</em> *<em><a href=\"http://www.b.fr\" " REL
	          ">www.b.fr</a></em></p>\n<p>texte</p>\n");
	/* balance, whatever md4c does: every open tag is closed in order */
	static const char *const cases[] = { "*www..f*#", "***www.example.fr/page***\n***#*", "_www.a.fr_b_",
	                                     "~~www.a.fr~~x", "> *www.a.fr*\n> b", "- **www.a.fr**x\n- y" };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *h = render(cases[i]);
		char stack[32][12];
		int depth = 0;
		for (const char *p = strchr(h, '<'); p; p = strchr(p + 1, '<')) {
			bool closing = p[1] == '/';
			const char *n = p + 1 + closing;
			size_t nl = strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789");
			if ((nl == 2 && (!strncmp(n, "br", 2) || !strncmp(n, "hr", 2))) || nl >= sizeof stack[0]) continue;
			if (closing) {
				if (depth == 0 || strlen(stack[depth - 1]) != nl || strncmp(stack[depth - 1], n, nl))
					fail_msg("misnested </%.*s> in: %s", (int)nl, n, h);
				depth--;
			} else {
				assert_true(depth < 32);
				memcpy(stack[depth], n, nl);
				stack[depth++][nl] = 0;
			}
		}
		if (depth) fail_msg("<%s> left open in: %s", stack[depth - 1], h);
		free(h);
	}
}

static void test_appends(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	buf_puts(&b, "<div>");
	assert_int_equal(markdown_render(&b, "*x*", 3), 0);
	buf_puts(&b, "</div>");
	assert_string_equal(buf_cstr(&b), "<div><p><em>x</em></p>\n</div>");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_headings),
		cmocka_unit_test(test_code),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_raw_html),
		cmocka_unit_test(test_links_kept),
		cmocka_unit_test(test_autolinks),
		cmocka_unit_test(test_links_dropped),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_hostile_corpus),
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_input_not_terminated),
		cmocka_unit_test(test_spans_closed),
		cmocka_unit_test(test_appends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
