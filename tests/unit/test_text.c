/*
 * test_text.c — unit tests for text.c: UTF-8 checks, folding, tokenising,
 * stop words, FTS5 query building (including hostile input), slugs, and a
 * real SQLite FTS5 round trip through the "iat" tokenizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

/* ==== helpers ==== */

/* Tokenise s and render the tokens as "tok@start-end" joined by spaces.
 * Returns a heap string. */
static int collect_cb(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	buf_t *b = ctx;
	if (b->len) buf_putc(b, ' ');
	buf_append(b, tok, toklen);
	buf_fmt(b, "@%z-%z", start, end);
	return 0;
}

static char *toks(const char *s)
{
	buf_t b = BUF_INIT;
	text_tokenize(s, strlen(s), collect_cb, &b);
	return buf_detach(&b);
}

#define assert_toks(input, expected)                                                             \
	do {                                                                                     \
		char *got_ = toks(input);                                                        \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

static char *fold(const char *s)
{
	return text_fold(s, strlen(s), NULL);
}

#define assert_fold(input, expected)                                                             \
	do {                                                                                     \
		char *got_ = fold(input);                                                        \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

#define assert_query(input, expected)                                                            \
	do {                                                                                     \
		char *got_ = text_fts_query(input);                                              \
		assert_non_null(got_);                                                           \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

#define assert_query_null(input)                                                                 \
	do {                                                                                     \
		char *got_ = text_fts_query(input);                                              \
		assert_null(got_);                                                               \
	} while (0)

#define assert_slug(input, maxlen, expected)                                                     \
	do {                                                                                     \
		char *got_ = text_slugify(input, maxlen);                                        \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

/* ==== UTF-8 ==== */

static bool valid(const char *s)
{
	return text_utf8_valid(s, strlen(s));
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(text_utf8_valid("", 0));
	assert_true(valid("bonjour"));
	assert_true(valid("vélo cœur l’État"));
	assert_true(valid("\xF0\x9F\x9A\xB2"));        /* U+1F6B2 bicycle */
	assert_true(valid("\xEF\xBF\xBF"));            /* U+FFFF */
	assert_true(valid("\xF4\x8F\xBF\xBF"));        /* U+10FFFF, the last one */
	assert_true(valid("\xED\x9F\xBF"));            /* U+D7FF, just below surrogates */
	assert_true(valid("\xEE\x80\x80"));            /* U+E000, just above */

	/* overlong forms */
	assert_false(valid("\xC0\xAF"));
	assert_false(valid("\xC1\xBF"));
	assert_false(valid("\xE0\x80\xAF"));
	assert_false(valid("\xE0\x9F\xBF"));
	assert_false(valid("\xF0\x80\x80\xAF"));
	assert_false(valid("\xF0\x8F\xBF\xBF"));
	/* surrogates */
	assert_false(valid("\xED\xA0\x80"));
	assert_false(valid("\xED\xBF\xBF"));
	/* above U+10FFFF */
	assert_false(valid("\xF4\x90\x80\x80"));
	assert_false(valid("\xF5\x80\x80\x80"));
	assert_false(valid("\xFF"));
	assert_false(valid("\xFE"));
	/* truncated sequences, at the end and in the middle */
	assert_false(valid("v\xC3"));
	assert_false(valid("\xE2\x82"));
	assert_false(valid("\xF0\x9F\x9A"));
	assert_false(valid("\xC3lo"));
	assert_false(valid("\xE2\x82xx"));
	/* stray continuation byte */
	assert_false(valid("\x80"));
	assert_false(valid("a\xBF"));
	/* NUL is invalid in our text */
	assert_false(text_utf8_valid("a\0b", 3));
	assert_false(text_utf8_valid("\0", 1));
	/* the length is honoured: a valid prefix of an invalid string */
	assert_true(text_utf8_valid("ab\xFF", 2));
}

static void test_has_control(void **state)
{
	(void)state;
	const char *ok = "Ligne 1\nLigne 2\r\n\tvélo";
	assert_false(text_has_control(ok, strlen(ok)));
	assert_false(text_has_control("", 0));
	assert_true(text_has_control("a\x01", 2));
	assert_true(text_has_control("a\x1B[0m", 5));
	assert_true(text_has_control("\x7F", 1));
	assert_true(text_has_control("a\0b", 3));
	assert_true(text_has_control("\xC2\x80", 2)); /* U+0080 */
	assert_true(text_has_control("\xC2\x9F", 2)); /* U+009F */
	assert_false(text_has_control("\xC2\xA0", 2)); /* NBSP is not a control */
	assert_false(text_has_control("\xC3\xA9", 2));
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_len("", 0), 0);
	assert_int_equal(text_utf8_len("velo", 4), 4);
	assert_int_equal(text_utf8_len("vélo", strlen("vélo")), 4);
	assert_int_equal(text_utf8_len("cœur", strlen("cœur")), 4);
	assert_int_equal(text_utf8_len("\xF0\x9F\x9A\xB2!", 5), 2);
}

/* ==== folding ==== */

static void test_fold(void **state)
{
	(void)state;
	assert_fold("", "");
	assert_fold("coeur", "coeur");
	assert_fold("cœur", "coeur");
	assert_fold("Cœur", "coeur");
	assert_fold("Œuvre", "oeuvre");
	assert_fold("ŒUVRE", "oeuvre");
	assert_fold("vélo", "velo");
	assert_fold("VÉLO", "velo");
	assert_fold("ÆSIR", "aesir");
	assert_fold("æsir", "aesir");
	assert_fold("Straße", "strasse");
	assert_fold("STRAẞE", "strasse");
	assert_fold("ﬁchier ﬂeur ﬀ ﬃ", "fichier fleur ff ffi");
	assert_fold("Ça été créé à Noël, où ? Là !", "ca ete cree a noel, ou ? la !");
	assert_fold("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ", "aaaceeeeiioouuuy");
	assert_fold("L’État", "l’etat");   /* punctuation is kept by text_fold */
	assert_fold("Øresund Łódź", "oresund lodz");
	assert_fold("e\xCC\x81te\xCC\x81", "ete"); /* decomposed accents (NFD) */
	assert_fold("x² H₂O", "x2 h2o");
	assert_fold("ＩＡ", "ia");          /* full-width letters */
	assert_fold("a\xFF" "b\xC3", "ab"); /* invalid bytes dropped */

	size_t n = 0;
	char *f = text_fold("Cœur", strlen("Cœur"), &n);
	assert_int_equal(n, 5);
	assert_string_equal(f, "coeur");
	free(f);

	/* the length is honoured, not the NUL */
	f = text_fold("ÉTÉ!", 2, &n);
	assert_string_equal(f, "e");
	assert_int_equal(n, 1);
	free(f);

	/* idempotent */
	const char *samples[] = { "Cœur ŒUVRE Æ ß ẞ ﬁ ﬂ", "Ḉ ǽ Ǿ ℌ ㎏ ½ ǅ ΐ Σίσυφος", "İstanbul ŉ ﬅ" };
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		char *a = fold(samples[i]);
		char *b = fold(a);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

/* ==== tokenising ==== */

static void test_tokenize_basic(void **state)
{
	(void)state;
	assert_toks("", "");
	assert_toks("   ,;!? ", "");
	assert_toks("coeur", "coeur@0-5");
	/* offsets are byte offsets into the original text */
	assert_toks("Le cœur", "le@0-2 coeur@3-8");
	assert_toks("Le vélo", "le@0-2 velo@3-8");
	assert_toks("VÉLO électrique", "velo@0-5 electrique@6-17");
	assert_toks("Œuvre", "oeuvre@0-6");
	assert_toks("ÆSIR", "aesir@0-5");
	assert_toks("Straße", "strasse@0-7");
	assert_toks("ﬁchier", "fichier@0-8");
	/* apostrophes, straight and typographic, and U+02BC */
	assert_toks("l'intelligence", "l@0-1 intelligence@2-14");
	assert_toks("l’intelligence", "l@0-1 intelligence@4-16");
	assert_toks("L’IA", "l@0-1 ia@4-6");
	assert_toks("lʼIA", "l@0-1 ia@3-5");
	assert_toks("aujourd'hui", "aujourd@0-7 hui@8-11");
	/* hyphens, punctuation, digits */
	assert_toks("e-administration", "e@0-1 administration@2-16");
	assert_toks("RGPD 2018, art. 22", "rgpd@0-4 2018@5-9 art@11-14 22@16-18");
	assert_toks("COVID19", "covid19@0-7");
	assert_toks("3,5 %", "3@0-1 5@2-3");
	assert_toks("n°3", "n@0-1 3@3-4");
	assert_toks("x²", "x2@0-3");
	/* decomposed accents stay inside their word */
	assert_toks("ve\xCC\x81lo", "velo@0-6");
	/* soft hyphen and zero-width joiner are ignored inside a word */
	assert_toks("inter\xC2\xAD" "communalité", "intercommunalite@0-19");
	/* middle dot of "écriture inclusive" separates */
	assert_toks("agent·e·s", "agent@0-5 e@7-8 s@10-11");
	/* NBSP, narrow NBSP, em dash, quotes separate */
	assert_toks("a\xC2\xA0" "b\xE2\x80\xAF" "c—d«e»", "a@0-1 b@3-4 c@7-8 d@11-12 e@14-15");
	/* other scripts are words too */
	assert_toks("Σίσυφος 東京", "σισυφοσ@0-14 東京@15-21");
	/* invalid UTF-8 separates and never stops tokenising */
	assert_toks("ab\xFF" "cd\xC3", "ab@0-2 cd@3-5");
	assert_toks("\xED\xA0\x80xy", "xy@3-5");
}

static int stop_after_two(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	int *n = ctx;
	(void)tok; (void)toklen; (void)start; (void)end;
	return ++*n == 2 ? 42 : 0;
}

struct last_tok {
	size_t len, start, end, count;
	char tok[300];
};

static int last_cb(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	struct last_tok *l = ctx;
	assert_true(toklen < sizeof l->tok);
	memcpy(l->tok, tok, toklen);
	l->tok[toklen] = 0;
	l->len = toklen;
	l->start = start;
	l->end = end;
	l->count++;
	return 0;
}

static void test_tokenize_limits(void **state)
{
	(void)state;
	int n = 0;
	assert_int_equal(text_tokenize("un deux trois", 13, stop_after_two, &n), 42);
	assert_int_equal(n, 2);

	/* a 300-byte ASCII word: 256 bytes of token, the whole run consumed */
	char big[400];
	memset(big, 'A', 300);
	strcpy(big + 300, " fin");
	struct last_tok l = { 0 };
	text_tokenize(big, strlen(big), last_cb, &l);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.tok, "fin");
	l = (struct last_tok){ 0 };
	text_tokenize(big, 300, last_cb, &l);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.len, 256);
	assert_int_equal(l.start, 0);
	assert_int_equal(l.end, 300);
	assert_int_equal(l.tok[0], 'a');
	assert_int_equal(l.tok[255], 'a');

	/* œ folds to two bytes: 200 œ give 400 bytes, cut to 256 */
	buf_t b = BUF_INIT;
	for (int i = 0; i < 200; i++) buf_puts(&b, "œ");
	l = (struct last_tok){ 0 };
	text_tokenize(b.data, b.len, last_cb, &l);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.len, 256);
	assert_int_equal(l.end, 400);
	buf_free(&b);

	/* multibyte folded letters are never cut in the middle */
	for (int i = 0; i < 200; i++) buf_puts(&b, "Ж"); /* folds to ж, 2 bytes */
	buf_puts(&b, "Ж");
	l = (struct last_tok){ 0 };
	text_tokenize(b.data, b.len, last_cb, &l);
	assert_int_equal(l.len, 256);
	assert_true(text_utf8_valid(l.tok, l.len));
	buf_reset(&b);
	buf_puts(&b, "a");
	for (int i = 0; i < 200; i++) buf_puts(&b, "Ж");
	l = (struct last_tok){ 0 };
	text_tokenize(b.data, b.len, last_cb, &l);
	assert_int_equal(l.len, 255);
	assert_true(text_utf8_valid(l.tok, l.len));
	buf_free(&b);
}

/* FTS5 tokenises our query strings again, so a folded token must come out
 * of the tokenizer unchanged, as one token. Checked for every code point. */
struct idem {
	char tok[300];
	size_t len;
	int count;
};

static int idem_cb(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	struct idem *d = ctx;
	(void)start; (void)end;
	if (d->count++ == 0) {
		memcpy(d->tok, tok, toklen);
		d->len = toklen;
	}
	return 0;
}

static void test_tokenize_idempotent(void **state)
{
	(void)state;
	unsigned checked = 0;
	for (uint32_t cp = 1; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF) continue;
		char s[8];
		size_t n;
		if (cp < 0x80) { s[0] = (char)cp; n = 1; }
		else if (cp < 0x800) { s[0] = (char)(0xC0 | (cp >> 6)); s[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
		else if (cp < 0x10000) { s[0] = (char)(0xE0 | (cp >> 12)); s[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); s[2] = (char)(0x80 | (cp & 0x3F)); n = 3; }
		else { s[0] = (char)(0xF0 | (cp >> 18)); s[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); s[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); s[3] = (char)(0x80 | (cp & 0x3F)); n = 4; }
		struct idem a = { .count = 0 }, b = { .count = 0 };
		text_tokenize(s, n, idem_cb, &a);
		assert_true(a.count <= 1);
		if (a.count == 0) continue;
		text_tokenize(a.tok, a.len, idem_cb, &b);
		if (b.count != 1 || b.len != a.len || memcmp(a.tok, b.tok, a.len) != 0) {
			fail_msg("U+%04X folds to \"%.*s\", which tokenises differently", (unsigned)cp,
			         (int)a.len, a.tok);
		}
		checked++;
	}
	assert_true(checked > 100000); /* letters and digits of Unicode */
}

/* ==== stop words ==== */

static bool stop(const char *w)
{
	return text_is_stopword(w, strlen(w));
}

static void test_stopwords(void **state)
{
	(void)state;
	const char *yes[] = { "le", "la", "les", "de", "des", "du", "et", "ou", "un", "une", "pour",
	                      "par", "sur", "dans", "avec", "au", "aux", "l", "d", "qu", "a", "y",
	                      "vous", "nous", "ete", "etre", "meme", "tres", "ces", "cette", "qui" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_true(stop(yes[i]));
	const char *no[] = { "velo", "coeur", "ia", "mairie", "commune", "est", "donnees",
	                     "intelligence", "lee", "", "zzzz", "aaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_false(stop(no[i]));
	/* the argument is a folded token: not folded again */
	assert_false(stop("Le"));
	assert_false(stop("été"));
	/* the length is honoured */
	assert_true(text_is_stopword("lesbos", 3));
	assert_false(text_is_stopword("le\0", 3));
}

/* ==== FTS5 query building ==== */

static void test_fts_query(void **state)
{
	(void)state;
	/* the example of text.h */
	assert_query("Le vélo élec", "\"velo\" \"elec\"*");
	assert_query("cœur", "\"coeur\"*");
	assert_query("VÉLO", "\"velo\"*");
	/* no prefix after a trailing space or punctuation: the word is finished */
	assert_query("vélo ", "\"velo\"");
	assert_query("vélo électrique  ", "\"velo\" \"electrique\"");
	assert_query("vélo.", "\"velo\"");
	/* stop words dropped, also at the end and with apostrophes */
	assert_query("l’intelligence artificielle", "\"intelligence\" \"artificielle\"*");
	assert_query("l'IA dans les communes", "\"ia\" \"communes\"*");
	assert_query("vélo de", "\"velo\"");
	/* quoted phrases keep their stop words and are never prefixes */
	assert_query("\"le vélo\" électrique", "\"le velo\" \"electrique\"*");
	assert_query("électrique \"le vélo\"", "\"electrique\" \"le velo\"");
	assert_query("\"de la\"", "\"de la\"");
	assert_query("\"vélo\"", "\"velo\"");
	/* typographic quotes work as quotes (smart punctuation on phones) */
	assert_query("« vélo partagé » ville", "\"velo partage\" \"ville\"*");
	assert_query("“la poste”", "\"la poste\"");
	/* an unbalanced quote is closed at the end */
	assert_query("\"vélo de ville", "\"velo de ville\"");
	assert_query("mairie \"le", "\"mairie\" \"le\"");
	/* FTS5 syntax in user input is only ever quoted text */
	assert_query("NEAR(a b)", "\"near\" \"b\"");
	assert_query("NEAR(chat chien, 3)", "\"near\" \"chat\" \"chien\" \"3\"");
	assert_query("title:x", "\"title\" \"x\"*");
	assert_query("a OR b", "\"b\"*");
	assert_query("chat OR chien", "\"chat\" \"chien\"*");
	assert_query("chat AND NOT chien", "\"chat\" \"and\" \"not\" \"chien\"*");
	assert_query("^x", "\"x\"*");
	assert_query("x*", "\"x\"");
	assert_query("-x +z", "\"x\" \"z\"*");
	assert_query("{a b}: chat", "\"b\" \"chat\"*");
	assert_query("a\" OR \"b", "\"or\" \"b\"*");
	assert_query("velo\"", "\"velo\"");
	/* nothing searchable */
	assert_query_null(NULL);
	assert_query_null("");
	assert_query_null("   ");
	assert_query_null("\"");
	assert_query_null("\"\"");
	assert_query_null("\"\"\"");
	assert_query_null("*");
	assert_query_null("^ : ( ) - + *");
	assert_query_null("le la les de");
	assert_query_null("l’");
	/* invalid UTF-8 does not leak into the expression */
	assert_query("v\xFF" "elo", "\"v\" \"elo\"*");

	/* at most 32 terms */
	buf_t b = BUF_INIT;
	for (int i = 0; i < 40; i++) buf_fmt(&b, "mot%d ", i);
	char *q = text_fts_query(buf_cstr(&b));
	assert_non_null(q);
	int terms = 0;
	for (const char *p = q; *p; p++)
		if (*p == '"') terms++;
	assert_int_equal(terms, 2 * 32);
	assert_non_null(strstr(q, "\"mot31\""));
	assert_null(strstr(q, "mot32"));
	free(q);
	buf_free(&b);
}

/* ==== slugs ==== */

static void test_slugify(void **state)
{
	(void)state;
	assert_slug("Le Cœur de Paris !", 80, "le-coeur-de-paris");
	assert_slug("  --Élan  vital-- ", 80, "elan-vital");
	assert_slug("L’IA à la mairie d’Évry-Courcouronnes", 80, "l-ia-a-la-mairie-d-evry-courcouronnes");
	assert_slug("Straße ﬁne ÆSIR", 80, "strasse-fine-aesir");
	assert_slug("Chatbot 2024 (v2.1)", 80, "chatbot-2024-v2-1");
	assert_slug("", 80, "fiche");
	assert_slug("!!! ???", 80, "fiche");
	assert_slug("東京", 80, "fiche");
	/* cut at a '-' boundary when possible */
	assert_slug("intelligence artificielle municipale", 20, "intelligence");
	assert_slug("intelligence artificielle municipale", 25, "intelligence-artificielle");
	assert_slug("intelligence artificielle municipale", 26, "intelligence-artificielle");
	assert_slug("abc def", 7, "abc-def");
	assert_slug("abc def", 5, "abc");
	assert_slug("abc def", 3, "abc");
	assert_slug("abc def", 4, "abc");
	/* no '-' to cut at: cut inside the word */
	assert_slug("abcdefghij", 4, "abcd");
	/* 0 means no limit */
	assert_slug("abc def", 0, "abc-def");
}

/* ==== SQLite FTS5 round trip ==== */

static sqlite3 *open_db(void)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(text_fts5_register(db), SQLITE_OK);
	return db;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK) fail_msg("%s: %s", sql, err ? err : "?");
}

/* Run MATCH with expr; return the matching rowids as "1,3" (heap) and, if
 * hl is not NULL, the highlight() of the first row. */
static char *match(sqlite3 *db, const char *expr, char **hl)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db,
		"SELECT rowid, highlight(t, 0, '[', ']'), snippet(t, 0, '[', ']', '…', 4) "
		"FROM t WHERE t MATCH ?1 ORDER BY rowid", -1, &st, NULL);
	assert_int_equal(rc, SQLITE_OK);
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	buf_t b = BUF_INIT;
	buf_cstr(&b);
	if (hl) *hl = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (b.len) buf_putc(&b, ',');
		buf_fmt(&b, "%D", (int64_t)sqlite3_column_int64(st, 0));
		if (hl && !*hl) {
			buf_t h = BUF_INIT;
			buf_append(&h, sqlite3_column_text(st, 1), (size_t)sqlite3_column_bytes(st, 1));
			buf_puts(&h, " || ");
			buf_append(&h, sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2));
			*hl = buf_detach(&h);
		}
	}
	if (rc != SQLITE_DONE) fail_msg("MATCH %s: %s", expr, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return buf_detach(&b);
}

/* Build the expression from user input q and check the rowids. */
static void check_search(sqlite3 *db, const char *q, const char *rows)
{
	char *expr = text_fts_query(q);
	assert_non_null(expr);
	char *got = match(db, expr, NULL);
	if (strcmp(got, rows) != 0)
		fail_msg("search \"%s\" (%s): got rows [%s], want [%s]", q, expr, got, rows);
	free(got);
	free(expr);
}

static void test_fts5_roundtrip(void **state)
{
	(void)state;
	sqlite3 *db = open_db();
	exec(db, "CREATE VIRTUAL TABLE t USING fts5(a, tokenize='iat')");
	exec(db, "INSERT INTO t(rowid, a) VALUES "
	         "(1, 'Le cœur de l’intelligence artificielle bat à Bordeaux'),"
	         "(2, 'Vélo ÉLECTRIQUE en libre-service à Lyon'),"
	         "(3, 'ŒUVRES d''art et Straße : un ﬁchier'),"
	         "(4, 'Un coeur simple, et des vélos')");

	check_search(db, "coeur", "1,4");
	check_search(db, "cœur", "1,4");
	check_search(db, "CŒUR ", "1,4");
	check_search(db, "velo", "2,4");   /* prefix: vélo and vélos */
	check_search(db, "velo ", "2");    /* whole word only */
	check_search(db, "vélos ", "4");
	check_search(db, "élec", "2");
	check_search(db, "Le vélo élec", "2");
	check_search(db, "oeuvres", "3");
	check_search(db, "strasse fichier", "3");
	check_search(db, "l’intelligence", "1");
	check_search(db, "\"intelligence artificielle\"", "1");
	check_search(db, "\"artificielle intelligence\"", "");
	check_search(db, "\"cœur de l'intelligence\"", "1");
	check_search(db, "\"cœur l'intelligence\"", "");
	check_search(db, "coeur bordeaux", "1");
	check_search(db, "libre service", "2");

	/* highlight() and snippet() show the original text */
	char *hl = NULL;
	char *expr = text_fts_query("coeur ");
	char *rows = match(db, expr, &hl);
	assert_string_equal(rows, "1,4");
	assert_string_equal(hl, "Le [cœur] de l’intelligence artificielle bat à Bordeaux || "
	                        "Le [cœur] de l…");
	free(hl);
	free(rows);
	free(expr);

	expr = text_fts_query("élec");
	rows = match(db, expr, &hl);
	assert_string_equal(rows, "2");
	assert_string_equal(hl, "Vélo [ÉLECTRIQUE] en libre-service à Lyon || "
	                        "Vélo [ÉLECTRIQUE] en libre…");
	free(hl);
	free(rows);
	free(expr);

	/* FTS5 runs the tokenizer on raw MATCH strings too */
	rows = match(db, "VÉLO", NULL);
	assert_string_equal(rows, "2");
	free(rows);
	rows = match(db, "ŒUVRE*", NULL);
	assert_string_equal(rows, "3");
	free(rows);

	/* hostile user input always gives a valid expression that finds nothing
	 * unexpected (match() fails the test on any SQLite error) */
	const char *hostile[] = { "NEAR(a b)", "title:x", "a:coeur", "a OR b", "^x", "\"", "*",
	                          "x*", "coeur\" OR \"velo", "(coeur", "coeur)", "-coeur", "+coeur",
	                          "{a}: coeur", "coeur AND", "NOT coeur", "\"\"\"coeur", "« »",
	                          "coeur NEAR/2 velo", "a:", "'; DROP TABLE t; --" };
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		expr = text_fts_query(hostile[i]);
		if (!expr) continue;
		rows = match(db, expr, NULL);
		free(rows);
		free(expr);
	}
	check_search(db, "coeur\" OR \"velo", "");
	check_search(db, "coeur OR velo", "4");
	check_search(db, "a:coeur", "1,4"); /* not a column filter: "a" is a stop word */

	/* the tokenizer takes no options */
	char *err = NULL;
	assert_int_not_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE u USING fts5(a, tokenize='iat x')",
	                                  NULL, NULL, &err), SQLITE_OK);
	sqlite3_free(err);
	sqlite3_close(db);
}

/* A second connection must register the tokenizer too; registering twice is
 * harmless. */
static void test_fts5_register_twice(void **state)
{
	(void)state;
	sqlite3 *db = open_db();
	assert_int_equal(text_fts5_register(db), SQLITE_OK);
	exec(db, "CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='iat')");
	exec(db, "INSERT INTO t(a, b) VALUES ('Mairie', 'Éducation numérique')");
	char *rows = match(db, "\"education\"", NULL);
	assert_string_equal(rows, "1");
	free(rows);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_has_control),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_tokenize_basic),
		cmocka_unit_test(test_tokenize_limits),
		cmocka_unit_test(test_tokenize_idempotent),
		cmocka_unit_test(test_stopwords),
		cmocka_unit_test(test_fts_query),
		cmocka_unit_test(test_slugify),
		cmocka_unit_test(test_fts5_roundtrip),
		cmocka_unit_test(test_fts5_register_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
