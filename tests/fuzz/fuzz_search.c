/*
 * fuzz_search.c — libFuzzer target: the search query parser (text.h) and
 * what consumes its output.
 *
 * The input is the q= of /recherche or /api/v1/usecases (and of the
 * organisation search), cut at the first NUL like any C string.
 * text_fts_query() turns it into an FTS5 expression, which is then run
 * the way search.c and org.c run it: a MATCH on usecase_fts (with the
 * "iatrank" ranking function) and on organisation_fts, in an in-memory
 * database with the migrations applied (db_open registers the "iat"
 * tokenizer) and a few indexed rows, set up once. The expression's terms
 * then feed the snippet builder (snippet.h), as for a result.
 *
 * Properties:
 *   - the expression is only quoted strings separated by spaces, with at
 *     most a '*' at the very end (no user text is FTS5 syntax), and FTS5
 *     accepts it: any error from prepare or step is a bug (the query
 *     builder must only produce valid FTS5 syntax);
 *   - snippets contain no markup but <mark> and </mark>;
 *   - text_fold() is idempotent and its result valid UTF-8; the tokens of
 *     text_tokenize() are non-empty, folded, at most 256 bytes, and lie
 *     inside the input in order; slugs are [a-z0-9-], never empty, with no
 *     '-' at either end and within their maximum length.
 */
#include <stdbool.h>

#include "buf.h"
#include "fuzz.h"
#include "snippet.h"
#include "text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;

static const char *const docs[][4] = {
	{ "Vélo électrique en libre-service", "Prévision de la demande de vélos",
	  "Un modèle d'apprentissage prévoit l'usage des stations. L'intelligence artificielle aide.", "Bordeaux Métropole" },
	{ "Chatbot de la mairie", "Réponses aux questions des usagers « en ligne »",
	  "IA générative ; cœur de métier : l'accueil. NEAR OR AND NOT title: ^x", "Ville de Metz" },
	{ "Détection des fuites d'eau", "Capteurs et algorithmes", "Œuvre commune, ﬁbre, straße, 42 km", "Eau de Paris" },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_ERROR);
	db = fuzz_db(NULL);
	for (size_t i = 0; i < ARRAY_LEN(docs); i++) {
		sqlite3_stmt *st = db_stmt(db, "INSERT INTO usecase_fts(rowid, title, summary, body, org) VALUES (?1, ?2, ?3, ?4, ?5)");
		FUZZ_CHECK(st);
		db_bind_int(st, 1, (int64_t)i + 1);
		for (int k = 0; k < 4; k++) db_bind_text(st, k + 2, docs[i][k]);
		FUZZ_CHECK(db_step_done(st) == 0);
	}
	return 0;
}

/* "t1" "t2" ... ["tn"*]: quoted strings (a quote inside doubled), single
 * spaces, an optional final '*'. */
static bool fts_shape_ok(const char *e)
{
	const char *p = e;
	if (!*p) return false;
	for (;;) {
		if (*p++ != '"') return false;
		for (;;) {
			if (!*p) return false;
			if (*p == '"' && p[1] == '"') {
				p += 2;
				continue;
			}
			if (*p == '"') break;
			p++;
		}
		p++;
		if (*p == '*') p++;
		if (!*p) return true;
		if (p[-1] == '*') return false; /* '*' only at the very end */
		if (*p++ != ' ') return false;
	}
}

static void run_match(const char *sql, const char *fts)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	FUZZ_CHECK(rc == SQLITE_OK);
	sqlite3_bind_text(st, 1, fts, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "fuzz: FTS5 refuses %s: %s\n", fts, sqlite3_errmsg(db_sqlite(db)));
	FUZZ_CHECK(rc == SQLITE_DONE);
	sqlite3_finalize(st);
}

static void check_snippet(const char *text, const struct snippet_terms *t)
{
	char *h = snippet_html(text, strlen(text), t, 28);
	if (!h) return;
	/* without its <mark> and </mark>, no markup is left */
	buf_t b = BUF_INIT;
	for (const char *p = h; *p;) {
		if (!strncmp(p, "<mark>", 6)) p += 6;
		else if (!strncmp(p, "</mark>", 7)) p += 7;
		else buf_putc(&b, *p++);
	}
	const char *rest = buf_cstr(&b);
	if (strchr(rest, '<') || strchr(rest, '>')) fprintf(stderr, "fuzz: markup in a snippet: %s\n", h);
	FUZZ_CHECK(!strchr(rest, '<') && !strchr(rest, '>'));
	buf_free(&b);
	free(h);
}

struct tok_check {
	const char *s;
	size_t len, last_end;
};

static int tok_cb(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	struct tok_check *c = ctx;
	FUZZ_CHECK(toklen > 0 && toklen <= 256);
	FUZZ_CHECK(start < end && end <= c->len && start >= c->last_end);
	c->last_end = end;
	size_t fl;
	char *f = text_fold(tok, toklen, &fl);
	FUZZ_CHECK(fl == toklen && memcmp(f, tok, fl) == 0);
	free(f);
	return 0;
}

static void check_text(const char *s, size_t len)
{
	size_t fl, ffl;
	char *f = text_fold(s, len, &fl);
	FUZZ_CHECK(strlen(f) == fl);
	FUZZ_CHECK(text_utf8_valid(f, fl));
	char *ff = text_fold(f, fl, &ffl);
	FUZZ_CHECK(ffl == fl && memcmp(f, ff, fl) == 0);
	free(ff);
	free(f);

	struct tok_check c = { s, len, 0 };
	FUZZ_CHECK(text_tokenize(s, len, tok_cb, &c) == 0);

	for (size_t maxlen = 0; maxlen <= 12; maxlen += 12) {
		char *slug = text_slugify(s, maxlen);
		size_t n = strlen(slug);
		FUZZ_CHECK(n > 0 && (maxlen == 0 || n <= maxlen || !strcmp(slug, "fiche")));
		FUZZ_CHECK(slug[0] != '-' && slug[n - 1] != '-');
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK((slug[i] >= 'a' && slug[i] <= 'z') || (slug[i] >= '0' && slug[i] <= '9') || slug[i] == '-');
		free(slug);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = fuzz_cstr(data, size);
	size_t len = strlen(q);
	check_text(q, len);

	char *fts = text_fts_query(q);
	if (fts) {
		if (!fts_shape_ok(fts)) fprintf(stderr, "fuzz: bad FTS5 expression: %s\n", fts);
		FUZZ_CHECK(fts_shape_ok(fts));
		run_match("SELECT rowid, iatrank(usecase_fts, 10.0, 5.0, 1.0, 2.0) FROM usecase_fts "
		          "WHERE usecase_fts MATCH ?1",
		          fts);
		run_match("SELECT rowid, bm25(organisation_fts) FROM organisation_fts WHERE organisation_fts MATCH ?1",
		          fts);
		struct snippet_terms t = { { 0 }, { 0 }, 0 };
		snippet_terms_parse(&t, fts);
		FUZZ_CHECK(t.n >= 1 && t.n <= SNIPPET_MAX_TERMS);
		for (size_t i = 0; i < ARRAY_LEN(docs); i++) check_snippet(docs[i][2], &t);
		check_snippet(q, &t);
		snippet_terms_free(&t);
		free(fts);
	}
	free(q);
	return 0;
}
