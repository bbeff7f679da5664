/*
 * test_snippet.c — unit tests for snippet.c: parsing the terms out of the
 * FTS5 expressions that text_fts_query() builds, scoring a text, and the
 * HTML snippet (accents kept, HTML escaped, prefix terms, the window of N
 * words around the densest matches, "…" where the text is cut, long texts,
 * UTF-8 never cut inside a character).
 *
 * Most checks go through text_fts_query() so that the terms are exactly
 * those search.c hands to the snippet code. Besides exact strings for short
 * texts, every snippet is checked against invariants (check_snippet()):
 * valid UTF-8, the only tags are balanced <mark>...</mark>, and once the
 * marks are removed and the entities decoded it is a contiguous excerpt of
 * the original text, with "… " / " …" exactly when text is left out there.
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
#include "snippet.h"
#include "text.h"
#include "util.h"

/* ==== helpers ==== */

#define ELLIPSIS "\xe2\x80\xa6" /* … */

/* Terms of the FTS5 expression text_fts_query(q) (q may give NULL). */
static void terms_of(struct snippet_terms *t, const char *q)
{
	char *fts = text_fts_query(q);
	snippet_terms_parse(t, fts);
	free(fts);
}

/* snippet_html of text for the user query q (heap string or NULL). */
static char *snip(const char *text, const char *q, int words)
{
	struct snippet_terms t;
	terms_of(&t, q);
	char *s = snippet_html(text, strlen(text), &t, words);
	snippet_terms_free(&t);
	return s;
}

static int count_str(const char *s, const char *needle)
{
	int n = 0;
	size_t k = strlen(needle);
	for (const char *p = strstr(s, needle); p; p = strstr(p + k, needle)) n++;
	return n;
}

static bool starts_with(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int tok_count_cb(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	(*(int *)ctx)++;
	return 0;
}

static int count_tokens(const char *s)
{
	int n = 0;
	text_tokenize(s, strlen(s), tok_count_cb, &n);
	return n;
}

/* What a snippet shows, decoded: marks removed, entities decoded, the
 * leading "… " and trailing " …" removed and reported. Heap string. */
struct shown {
	char *text;
	bool cut_start, cut_end;
	int marks;
};

static void decode(const char *html, struct shown *out)
{
	memset(out, 0, sizeof *out);
	const char *p = html;
	size_t n = strlen(html);
	if (starts_with(p, ELLIPSIS " ")) {
		out->cut_start = true;
		p += strlen(ELLIPSIS " ");
		n -= strlen(ELLIPSIS " ");
	}
	if (n >= strlen(" " ELLIPSIS) && ends_with(p, " " ELLIPSIS)) {
		out->cut_end = true;
		n -= strlen(" " ELLIPSIS);
	}
	static const struct { const char *ent, *ch; } ents[] = {
		{ "&lt;", "<" }, { "&gt;", ">" }, { "&amp;", "&" }, { "&quot;", "\"" }, { "&#39;", "'" },
	};
	buf_t b = BUF_INIT;
	bool open = false;
	for (size_t i = 0; i < n;) {
		if (strncmp(p + i, "<mark>", 6) == 0) {
			if (open) fail_msg("nested <mark> in %s", html);
			open = true;
			out->marks++;
			i += 6;
			continue;
		}
		if (strncmp(p + i, "</mark>", 7) == 0) {
			if (!open) fail_msg("</mark> without <mark> in %s", html);
			open = false;
			i += 7;
			continue;
		}
		if (p[i] == '<' || p[i] == '>' || p[i] == '"' || p[i] == '\'')
			fail_msg("unescaped %c in snippet %s", p[i], html);
		if (p[i] == '&') {
			size_t k;
			for (k = 0; k < ARRAY_LEN(ents); k++) {
				if (strncmp(p + i, ents[k].ent, strlen(ents[k].ent)) == 0) {
					buf_puts(&b, ents[k].ch);
					i += strlen(ents[k].ent);
					break;
				}
			}
			if (k == ARRAY_LEN(ents)) fail_msg("bare & in snippet %s", html);
			continue;
		}
		buf_putc(&b, p[i++]);
	}
	if (open) fail_msg("unclosed <mark> in %s", html);
	buf_cstr(&b);
	out->text = buf_detach(&b);
}

/* Check the invariants of snippet html made from text with at most words
 * tokens; returns the number of marks. */
static int check_snippet(const char *html, const char *text, int words)
{
	assert_non_null(html);
	if (!text_utf8_valid(html, strlen(html))) fail_msg("invalid UTF-8 in snippet of %s", text);
	struct shown s;
	decode(html, &s);
	/* some occurrence of the excerpt must agree with the "…" shown:
	 * "…" exactly where tokens were left out */
	bool found = false, excerpt = false;
	size_t k = strlen(s.text);
	for (const char *at = strstr(text, s.text); at && !found; at = strstr(at + 1, s.text)) {
		excerpt = true;
		char *head = xstrndup(text, (size_t)(at - text));
		found = s.cut_start == (count_tokens(head) > 0) && s.cut_end == (count_tokens(at + k) > 0);
		free(head);
		if (!*s.text) break;
	}
	if (!excerpt) fail_msg("snippet « %s » is not an excerpt of « %.200s »", s.text, text);
	if (!found) fail_msg("… misplaced in « %s »", html);
	int ntok = count_tokens(s.text);
	if (ntok > words) fail_msg("%d words in a %d-word snippet: %s", ntok, words, html);
	free(s.text);
	return s.marks;
}

/* ==== snippet_terms_parse ==== */

static void test_parse_words_and_prefix(void **state)
{
	struct snippet_terms t;
	char *fts = text_fts_query("Le vélo élec");
	assert_string_equal(fts, "\"velo\" \"elec\"*");
	snippet_terms_parse(&t, fts);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.term[0], "velo");
	assert_int_equal(t.prefix[0], 0);
	assert_string_equal(t.term[1], "elec");
	assert_int_equal(t.prefix[1], 1);
	snippet_terms_free(&t);
	assert_int_equal(t.n, 0);
	free(fts);

	/* a trailing space: no prefix */
	terms_of(&t, "vélo élec ");
	assert_int_equal(t.n, 2);
	assert_int_equal(t.prefix[0], 0);
	assert_int_equal(t.prefix[1], 0);
	snippet_terms_free(&t);

	/* a single prefix term, folded (ligature and accents) */
	terms_of(&t, "CŒUR");
	assert_int_equal(t.n, 1);
	assert_string_equal(t.term[0], "coeur");
	assert_int_equal(t.prefix[0], 1);
	snippet_terms_free(&t);
}

static void test_parse_phrases(void **state)
{
	struct snippet_terms t;
	/* a phrase gives its tokens, stop words included, none a prefix */
	char *fts = text_fts_query("\"la détection des fuites\"");
	assert_string_equal(fts, "\"la detection des fuites\"");
	snippet_terms_parse(&t, fts);
	free(fts);
	assert_int_equal(t.n, 4);
	const char *want[] = { "la", "detection", "des", "fuites" };
	for (int i = 0; i < 4; i++) {
		assert_string_equal(t.term[i], want[i]);
		assert_int_equal(t.prefix[i], 0);
	}
	snippet_terms_free(&t);

	/* a phrase, then words, the last one a prefix */
	fts = text_fts_query("\"eau potable\" réseau cana");
	assert_string_equal(fts, "\"eau potable\" \"reseau\" \"cana\"*");
	snippet_terms_parse(&t, fts);
	free(fts);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.term[0], "eau");
	assert_string_equal(t.term[1], "potable");
	assert_string_equal(t.term[2], "reseau");
	assert_string_equal(t.term[3], "cana");
	assert_int_equal(t.prefix[0] + t.prefix[1] + t.prefix[2], 0);
	assert_int_equal(t.prefix[3], 1);
	snippet_terms_free(&t);

	/* an unbalanced quote is closed at the end */
	terms_of(&t, "\"eau potable");
	assert_int_equal(t.n, 2);
	assert_string_equal(t.term[1], "potable");
	snippet_terms_free(&t);

	/* FTS5's doubled quote inside a string */
	snippet_terms_parse(&t, "\"a\"\"b\" \"c\"*");
	assert_int_equal(t.n, 2);
	assert_string_equal(t.term[0], "a\"b");
	assert_string_equal(t.term[1], "c");
	assert_int_equal(t.prefix[1], 1);
	snippet_terms_free(&t);
}

static void test_parse_empty(void **state)
{
	struct snippet_terms t;
	snippet_terms_parse(&t, NULL);
	assert_int_equal(t.n, 0);
	snippet_terms_free(&t);
	snippet_terms_parse(&t, "");
	assert_int_equal(t.n, 0);
	snippet_terms_free(&t);
	snippet_terms_parse(&t, "\"\"");
	assert_int_equal(t.n, 0);
	snippet_terms_free(&t);
	snippet_terms_parse(&t, "no quotes at all *");
	assert_int_equal(t.n, 0);
	snippet_terms_free(&t);
	/* only stop words: text_fts_query gives NULL */
	terms_of(&t, "le la les");
	assert_int_equal(t.n, 0);
	snippet_terms_free(&t);
	terms_of(&t, "");
	assert_int_equal(t.n, 0);
	snippet_terms_free(&t);
	/* an unterminated string */
	snippet_terms_parse(&t, "\"velo");
	assert_int_equal(t.n, 1);
	assert_string_equal(t.term[0], "velo");
	snippet_terms_free(&t);
	/* and no terms: no snippet */
	snippet_terms_parse(&t, NULL);
	assert_null(snippet_html("vélo", 5, &t, 10));
	assert_int_equal(snippet_score("vélo", 5, &t), 0);
}

static void test_parse_limit(void **state)
{
	/* 40 words: text_fts_query keeps 32, all of them parsed */
	buf_t q = BUF_INIT;
	for (int i = 0; i < 40; i++) buf_fmt(&q, "mot%d ", i);
	struct snippet_terms t;
	terms_of(&t, buf_cstr(&q));
	assert_int_equal(t.n, SNIPPET_MAX_TERMS);
	assert_string_equal(t.term[0], "mot0");
	assert_string_equal(t.term[31], "mot31");
	snippet_terms_free(&t);

	/* a phrase of 40 tokens: capped at SNIPPET_MAX_TERMS, no leak */
	buf_reset(&q);
	buf_putc(&q, '"');
	for (int i = 0; i < 40; i++) buf_fmt(&q, "mot%d ", i);
	buf_putc(&q, '"');
	terms_of(&t, buf_cstr(&q));
	assert_int_equal(t.n, SNIPPET_MAX_TERMS);
	snippet_terms_free(&t);
	buf_free(&q);
}

/* ==== snippet_score ==== */

static void test_score(void **state)
{
	struct snippet_terms t;
	const char *text = "Le vélo et les vélos électriques du Vélodrome";
	size_t n = strlen(text);

	snippet_terms_parse(&t, "\"velo\"");
	assert_int_equal(snippet_score(text, n, &t), 1);
	snippet_terms_free(&t);

	snippet_terms_parse(&t, "\"velo\"*");
	assert_int_equal(snippet_score(text, n, &t), 3);
	snippet_terms_free(&t);

	terms_of(&t, "vélo élec");
	assert_int_equal(snippet_score(text, n, &t), 2);
	snippet_terms_free(&t);

	/* ligatures and case fold like the index */
	terms_of(&t, "coeur ");
	const char *c3 = "Le Cœur de ville, cœur battant, CŒUR.";
	assert_int_equal(snippet_score(c3, strlen(c3), &t), 3);
	assert_int_equal(snippet_score("", 0, &t), 0);
	/* len is honoured: only "Le Cœur" is looked at */
	assert_int_equal(snippet_score("Le Cœur de ville, cœur battant", 8, &t), 1);
	snippet_terms_free(&t);

	/* a prefix matches the term itself and longer tokens, not shorter */
	snippet_terms_parse(&t, "\"detec\"*");
	const char *d = "détec détection détecteur déte detection";
	assert_int_equal(snippet_score(d, strlen(d), &t), 4);
	snippet_terms_free(&t);
}

/* ==== snippet_html ==== */

static void test_html_marks_original_words(void **state)
{
	const char *text = "Le vélo de Cœur-sur-Mer";
	char *s = snip(text, "velo coeur", 28);
	assert_string_equal(s, "Le <mark>vélo</mark> de <mark>Cœur</mark>-sur-Mer");
	check_snippet(s, text, 28);
	free(s);

	/* upper case and accents in the query do not matter */
	s = snip("L'ÉCOLE et l'école", "Ecole ", 28);
	assert_string_equal(s, "L&#39;<mark>ÉCOLE</mark> et l&#39;<mark>école</mark>");
	free(s);
}

static void test_html_escapes(void **state)
{
	const char *text = "Avant <script>alert('x')</script> & le vélo \"rapide\" <mark>faux</mark> fin";
	char *s = snip(text, "velo faux", 40);
	assert_non_null(s);
	assert_non_null(strstr(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; le <mark>vélo</mark>"));
	assert_null(strstr(s, "<script"));
	assert_non_null(strstr(s, "&quot;rapide&quot;"));
	/* the <mark> of the text is escaped; its word is marked by us */
	assert_non_null(strstr(s, "&lt;mark&gt;<mark>faux</mark>&lt;/mark&gt;"));
	/* the only tags are ours: as many '<' as our tags */
	assert_int_equal(count_str(s, "<"), 2 * count_str(s, "<mark>"));
	assert_int_equal(count_str(s, "<mark>"), 2);
	assert_int_equal(check_snippet(s, text, 40), 2);
	free(s);

	/* a matched word inside markup */
	text = "x <b title=\"vélo\">vélo</b> y";
	s = snip(text, "velo", 40);
	assert_string_equal(s, "x &lt;b title=&quot;<mark>vélo</mark>&quot;&gt;<mark>vélo</mark>&lt;/b&gt; y");
	free(s);
}

/* A text that is shown whole (no word left out, so no "…") keeps its
 * punctuation at both ends: an opening « or a final « ? » are part of it. */
static void test_html_whole_text_kept(void **state)
{
	const char *text = "« Le vélo » roule.";
	char *s = snip(text, "velo", 28);
	assert_non_null(s);
	assert_string_equal(s, "« Le <mark>vélo</mark> » roule.");
	free(s);

	text = "<b>vélo</b>";
	s = snip(text, "velo", 28);
	assert_non_null(s);
	assert_string_equal(s, "&lt;b&gt;<mark>vélo</mark>&lt;/b&gt;");
	free(s);
}

static void test_html_prefix(void **state)
{
	const char *text = "vélos, vélocité, véloroute et velo ; mais pas vél";
	char *s = snip(text, "velo", 28);
	assert_int_equal(count_str(s, "<mark>"), 4);
	assert_non_null(strstr(s, "<mark>vélos</mark>, <mark>vélocité</mark>, <mark>véloroute</mark>"));
	assert_non_null(strstr(s, "<mark>velo</mark>"));
	assert_null(strstr(s, "<mark>vél</mark>"));
	check_snippet(s, text, 28);
	free(s);

	/* not a prefix: only the exact word */
	s = snip(text, "velo ", 28);
	assert_int_equal(count_str(s, "<mark>"), 1);
	assert_non_null(strstr(s, "<mark>velo</mark>"));
	free(s);

	/* the prefix is only the last word's */
	s = snip("détection des détecteurs, fuite et fuites", "fuite détec", 28);
	assert_string_equal(s, "<mark>détection</mark> des <mark>détecteurs</mark>, <mark>fuite</mark> et fuites");
	free(s);
}

static void test_html_phrase_terms(void **state)
{
	/* the words of a phrase are marked */
	const char *text = "Un réseau d'eau potable, puis de l'eau non potable.";
	char *s = snip(text, "\"eau potable\"", 28);
	assert_int_equal(count_str(s, "<mark>"), 4);
	assert_non_null(strstr(s, "d&#39;<mark>eau</mark> <mark>potable</mark>"));
	check_snippet(s, text, 28);
	free(s);
}

/* A text of n words "w0 w1 ..." with "vélo" at the given positions. */
static char *words_text(int n, const int *hits, int nhits)
{
	buf_t b = BUF_INIT;
	for (int i = 0; i < n; i++) {
		bool hit = false;
		for (int k = 0; k < nhits; k++) hit |= hits[k] == i;
		if (i) buf_putc(&b, ' ');
		if (hit)
			buf_puts(&b, "vélo");
		else
			buf_fmt(&b, "w%d", i);
	}
	buf_cstr(&b);
	return buf_detach(&b);
}

static void test_html_window(void **state)
{
	/* one match at 10, three close together at 60-64: the window goes
	 * where the three are */
	const int hits[] = { 10, 60, 62, 64 };
	char *text = words_text(100, hits, 4);
	char *s = snip(text, "velo", 10);
	assert_true(starts_with(s, ELLIPSIS " "));
	assert_true(ends_with(s, " " ELLIPSIS));
	assert_int_equal(check_snippet(s, text, 10), 3);
	assert_non_null(strstr(s, "w61"));
	assert_non_null(strstr(s, "w63"));
	free(s);

	/* at the start of the text: no leading "…" */
	s = snip(text, "w0", 10);
	assert_true(starts_with(s, "<mark>w0</mark> w1 "));
	assert_true(ends_with(s, " " ELLIPSIS));
	assert_int_equal(check_snippet(s, text, 10), 1);
	free(s);

	/* at the end of the text: no trailing "…" */
	s = snip(text, "w99 ", 10);
	assert_true(starts_with(s, ELLIPSIS " "));
	assert_true(ends_with(s, "<mark>w99</mark>"));
	assert_int_equal(check_snippet(s, text, 10), 1);
	free(s);

	/* a window larger than the text: all of it, no "…" */
	s = snip(text, "velo", 500);
	assert_false(starts_with(s, ELLIPSIS));
	assert_false(ends_with(s, ELLIPSIS));
	assert_int_equal(check_snippet(s, text, 500), 4);
	free(s);

	/* a one-word window */
	s = snip(text, "velo", 1);
	assert_string_equal(s, ELLIPSIS " <mark>vélo</mark> " ELLIPSIS);
	free(s);

	/* ties: the first densest window */
	const int two[] = { 20, 80 };
	char *text2 = words_text(100, two, 2);
	s = snip(text2, "velo", 10);
	assert_int_equal(check_snippet(s, text2, 10), 1);
	assert_non_null(strstr(s, "w19"));
	assert_null(strstr(s, "w79"));
	free(s);
	free(text2);
	free(text);
}

/* "A window of N words around the match": a single match in the middle of
 * a long text has words on both sides of it in the snippet. */
static void test_html_window_around_match(void **state)
{
	const int hit[] = { 100 };
	char *text = words_text(200, hit, 1);
	char *s = snip(text, "velo", 10);
	assert_int_equal(check_snippet(s, text, 10), 1);
	const char *m = strstr(s, "<mark>");
	assert_non_null(m);
	int before = 0, after = 0;
	char *head = xstrndup(s, (size_t)(m - s));
	before = count_tokens(head);
	after = count_tokens(strstr(s, "</mark>") + 7);
	free(head);
	if (before < 3 || after < 3)
		fail_msg("match not surrounded: %d words before, %d after: %s", before, after, s);
	free(s);
	free(text);
}

static void test_html_no_match(void **state)
{
	const char *text = "Un texte sans le mot cherché.";
	assert_null(snip(text, "velo", 28));
	assert_null(snip(text, "le", 28));         /* stop word: no term */
	assert_null(snip(text, "cherche ", 0));    /* no words: nothing */
	assert_null(snip(text, "cherche ", -5));
	assert_null(snip("", "velo", 28));
	struct snippet_terms t;
	terms_of(&t, "velo");
	assert_null(snippet_html(NULL, 0, &t, 28));
	/* len honoured: the match lies beyond it */
	const char *t2 = "abc vélo";
	assert_null(snippet_html(t2, 3, &t, 28));
	char *s = snippet_html(t2, strlen(t2), &t, 28);
	assert_string_equal(s, "abc <mark>vélo</mark>");
	free(s);
	snippet_terms_free(&t);
	/* a "word" of punctuation only */
	assert_null(snip("!!! ... ???", "velo", 28));
}

static void test_html_long_text(void **state)
{
	/* 10 000 words, matches at 5 000 and at the very end */
	const int hits[] = { 5000, 9999 };
	char *text = words_text(10000, hits, 2);
	char *s = snip(text, "velo", 28);
	assert_int_equal(check_snippet(s, text, 28), 1);
	assert_true(starts_with(s, ELLIPSIS " "));
	free(s);

	/* every word matches: the window is full of marks */
	buf_t b = BUF_INIT;
	for (int i = 0; i < 10000; i++) buf_puts(&b, i ? " Vélo" : "Vélo");
	const char *all = buf_cstr(&b);
	s = snip(all, "velo", 28);
	assert_int_equal(check_snippet(s, all, 28), 28);
	assert_true(starts_with(s, "<mark>Vélo</mark> <mark>Vélo</mark>"));
	assert_true(ends_with(s, " " ELLIPSIS));
	free(s);
	buf_free(&b);

	/* one 300 000-byte token (folded tokens are cut at 256 bytes) */
	buf_t big = BUF_INIT;
	buf_puts(&big, "vélo ");
	for (int i = 0; i < 300000; i++) buf_putc(&big, 'a');
	buf_puts(&big, " fin");
	const char *bt = buf_cstr(&big);
	s = snip(bt, "velo ", 2);
	assert_non_null(s);
	assert_true(starts_with(s, "<mark>vélo</mark> aaaa"));
	assert_true(ends_with(s, "a " ELLIPSIS));
	free(s);
	buf_free(&big);
	free(text);
}

static void test_html_utf8(void **state)
{
	/* multi-byte letters, ligatures, CJK, emoji and typographic
	 * separators everywhere; every window size and every match position
	 * must give valid UTF-8 that is an excerpt of the text */
	static const char *const pieces[] = {
		"élan", " « ", "Œuvre", "’", "Ärger", "😀", "日本語", "\u00a0", "vélo", " — ",
		"ﬁn", "…", "Ωmega", "\t", "çà", "🚲", "Ð", " ", "cœur", "❤️",
	};
	buf_t b = BUF_INIT;
	for (int r = 0; r < 6; r++)
		for (size_t i = 0; i < ARRAY_LEN(pieces); i++) buf_puts(&b, pieces[i]);
	const char *text = buf_cstr(&b);
	assert_true(text_utf8_valid(text, strlen(text)));
	static const char *const queries[] = { "velo", "coeur", "oeuvre", "elan", "日本語", "fin", "ωmega", "ärger" };
	for (size_t q = 0; q < ARRAY_LEN(queries); q++) {
		for (int w = 1; w <= 12; w++) {
			char *s = snip(text, queries[q], w);
			if (!s) fail_msg("no snippet for %s", queries[q]);
			check_snippet(s, text, w);
			free(s);
		}
	}
	/* the marked words keep their original spelling */
	char *s = snip(text, "coeur oeuvre fin", 60);
	assert_non_null(strstr(s, "<mark>cœur</mark>"));
	assert_non_null(strstr(s, "<mark>Œuvre</mark>"));
	assert_non_null(strstr(s, "<mark>ﬁn</mark>"));
	free(s);
	buf_free(&b);
}

/* Tokens of a text and whether each matches t (same rules as the header:
 * equal folded token, or a longer one for a prefix term). */
struct hits {
	bool hit[512];
	int n;
	const struct snippet_terms *t;
};

static int hits_cb(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	struct hits *h = ctx;
	bool m = false;
	for (int i = 0; i < h->t->n; i++) {
		size_t tl = strlen(h->t->term[i]);
		if (h->t->prefix[i] ? toklen >= tl && memcmp(tok, h->t->term[i], tl) == 0
		                    : toklen == tl && memcmp(tok, h->t->term[i], tl) == 0)
			m = true;
	}
	if (h->n < 512) h->hit[h->n++] = m;
	return 0;
}

/* Random texts (fixed seed): the snippet shows as many matches as the
 * densest window of N words holds, and keeps every invariant. */
static void test_html_random(void **state)
{
	static const char *const words[] = { "vélo", "Vélos", "cœur", "COEUR", "w", "élan", "x", "l", "日本",
		                             "vel", "ĳssel", "«a»", "b’c", "d-e" };
	static const char *const seps[] = { " ", ", ", " « ", "’", "\n", " — ", ". ", "" };
	static const char *const queries[] = { "velo", "velo ", "coeur velo", "\"coeur velo\"", "ijssel", "a",
		                               "x " };
	unsigned seed = 12345;
	for (int round = 0; round < 3000; round++) {
		buf_t b = BUF_INIT;
		seed = seed * 1103515245u + 12345u;
		int n = 1 + (int)((seed >> 16) % 60);
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&b, words[(seed >> 16) % ARRAY_LEN(words)]);
			seed = seed * 1103515245u + 12345u;
			/* "" glues two words into one token: the tokenizer decides */
			buf_puts(&b, seps[(seed >> 16) % ARRAY_LEN(seps)]);
		}
		const char *text = buf_cstr(&b);
		seed = seed * 1103515245u + 12345u;
		int w = 1 + (int)((seed >> 16) % 15);
		const char *q = queries[round % ARRAY_LEN(queries)];
		struct snippet_terms t;
		terms_of(&t, q);
		struct hits h = { .t = &t };
		text_tokenize(text, strlen(text), hits_cb, &h);
		int best = 0;
		for (int i = 0; i < h.n; i++) {
			int c = 0;
			for (int k = i; k < h.n && k < i + w; k++) c += h.hit[k];
			if (c > best) best = c;
		}
		char *s = snippet_html(text, strlen(text), &t, w);
		if (best == 0) {
			if (s) fail_msg("snippet without a match: %s", s);
		} else {
			if (!s) fail_msg("no snippet for %s in %s", q, text);
			int marks = check_snippet(s, text, w);
			if (marks != best)
				fail_msg("%d marks, the densest %d-word window has %d: q=%s\n%s\n%s", marks, w, best, q, s,
				         text);
		}
		free(s);
		snippet_terms_free(&t);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_words_and_prefix),
		cmocka_unit_test(test_parse_phrases),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_limit),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_html_marks_original_words),
		cmocka_unit_test(test_html_escapes),
		cmocka_unit_test(test_html_whole_text_kept),
		cmocka_unit_test(test_html_prefix),
		cmocka_unit_test(test_html_phrase_terms),
		cmocka_unit_test(test_html_window),
		cmocka_unit_test(test_html_window_around_match),
		cmocka_unit_test(test_html_no_match),
		cmocka_unit_test(test_html_long_text),
		cmocka_unit_test(test_html_utf8),
		cmocka_unit_test(test_html_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
