/*
 * text.c — see text.h. French text handling for search: UTF-8 checks,
 * folding, tokenising, stop words, FTS5 query building, slugs and the FTS5
 * tokenizer "iat".
 *
 * Design notes
 * - One function folds one code point (fold_cp); everything else (text_fold,
 *   the tokenizer, hence the index *and* the queries, and slugs) goes
 *   through it, so indexed text and queries always agree.
 *     ASCII        lower-cased directly (the fast path: no table lookup);
 *     other        utf8proc_decompose_char() with CASEFOLD | DECOMPOSE |
 *                  COMPAT | STRIPMARK into a small stack array (the longest
 *                  compatibility decomposition, U+FDFA, has 18 code points),
 *                  then the letters Unicode does not decompose are spelled
 *                  out by hand: œ→oe, æ→ae, ß→ss, ø→o, đ→d, ł→l (upper-case
 *                  forms arrive here already case-folded).
 *   ﬁ, ﬂ, ﬀ... and ² ¹ etc. are handled by COMPAT.
 * - Tokens are maximal runs of word characters: a token starts at a letter
 *   or digit (L*, N*) and continues through letters, digits, combining marks
 *   (M*, so decomposed "e\u0301" stays inside its word) and format
 *   characters (Cf: soft hyphen, zero-width joiners), which fold to nothing.
 *   U+02BC (modifier letter apostrophe, a letter for Unicode, an apostrophe
 *   for French typists) separates like ' and ’.
 * - Inside a token only letters and digits of the folded form are kept
 *   ("½" gives "12", "℃" gives "c"). This makes tokenising idempotent:
 *   tokenising a folded token yields that same single token, which matters
 *   because FTS5 runs our tokenizer again on the query strings that
 *   text_fts_query() builds (the unit test checks this for every code
 *   point).
 * - Invalid UTF-8 bytes are treated as separators by the tokenizer and
 *   dropped by text_fold; they never abort indexing.
 * - The tokenizer never touches the heap: a token is folded into a 256-byte
 *   stack buffer (longer tokens are cut at a code point boundary and the
 *   rest of the run is skipped). Offsets passed to callbacks are byte
 *   offsets into the original text, so FTS5 snippets show the original
 *   accents.
 * - No mutable global state; everything is thread-safe.
 */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "util.h"

#define TOKEN_MAX 256  /* bytes of folded text kept per token */
#define FOLD_CP_MAX 32 /* code points one code point may fold into */
#define QUERY_MAX_TERMS 32

/* ==== UTF-8 ==== */

/* Decode one UTF-8 sequence at s[0..len) (len >= 1). Returns its length and
 * sets *cp, or 0 when the sequence is invalid (overlong, surrogate, above
 * U+10FFFF, truncated, stray continuation byte). NUL is accepted here. */
static size_t utf8_decode(const unsigned char *s, size_t len, int32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2; v = c & 0x1Fu; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3; v = c & 0x0Fu; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4; v = c & 0x07u; min = 0x10000;
	} else {
		return 0;
	}
	if (n > len) return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
	*cp = (int32_t)v;
	return n;
}

/* Encode cp (valid scalar value) into out (4 bytes). Returns the length. */
static size_t utf8_encode(int32_t cp, char *out)
{
	return (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out);
}

bool text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		if (p[i] == 0) return false;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		int32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) return false;
		i += n;
	}
	return true;
}

bool text_has_control(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return true;
		if (c == 0x7F) return true;
		/* C1: U+0080..U+009F is C2 80..C2 9F */
		if (c == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F) return true;
	}
	return false;
}

size_t text_utf8_len(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
	return n;
}

/* ==== Folding ==== */

/* Letters that Unicode does not decompose but that French (and its
 * neighbours) write as two letters or read without their stroke. Input is
 * already case-folded. Returns the ASCII replacement or NULL. */
static const char *fold_special(int32_t cp)
{
	switch (cp) {
	case 0x0153: return "oe"; /* œ */
	case 0x00E6: return "ae"; /* æ */
	case 0x00DF: return "ss"; /* ß (case folding already gives ss) */
	case 0x00F8: return "o";  /* ø */
	case 0x0111: return "d";  /* đ */
	case 0x0142: return "l";  /* ł */
	default: return NULL;
	}
}

static bool cat_is_alnum(utf8proc_category_t c)
{
	return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
	       (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* Fold one code point into out (at least FOLD_CP_MAX * 4 bytes). With
 * alnum_only, only letters and digits of the result are kept (tokens).
 * Returns the number of bytes written (0 when the code point folds to
 * nothing, e.g. a combining accent). Does not allocate. */
static size_t fold_cp(int32_t cp, char *out, bool alnum_only)
{
	if (cp < 0x80) {
		char c = (char)cp;
		if (c >= 'A' && c <= 'Z') c = (char)(c + ('a' - 'A'));
		if (alnum_only && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return 0;
		out[0] = c;
		return 1;
	}
	utf8proc_int32_t dec[FOLD_CP_MAX];
	int boundclass = 0;
	utf8proc_ssize_t n = utf8proc_decompose_char(
		cp, dec, FOLD_CP_MAX,
		UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK,
		&boundclass);
	if (n < 0 || n > FOLD_CP_MAX) return 0; /* cannot happen with Unicode 15 */
	size_t len = 0;
	for (utf8proc_ssize_t i = 0; i < n; i++) {
		int32_t d = dec[i];
		const char *sp = fold_special(d);
		if (sp) {
			size_t l = strlen(sp);
			memcpy(out + len, sp, l);
			len += l;
			continue;
		}
		if (d < 0x80) {
			char c = (char)d;
			if (c >= 'A' && c <= 'Z') c = (char)(c + ('a' - 'A'));
			if (alnum_only && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) continue;
			out[len++] = c;
			continue;
		}
		if (alnum_only && (d == 0x02BC || !cat_is_alnum(utf8proc_category(d)))) continue;
		len += utf8_encode(d, out + len);
	}
	return len;
}

char *text_fold(const char *s, size_t len, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	buf_t b = BUF_INIT;
	char tmp[FOLD_CP_MAX * 4];
	buf_reserve(&b, len);
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		/* ASCII runs: copy, lowering upper case letters in place */
		while (i < len && p[i] < 0x80) i++;
		if (i > start) {
			size_t at = b.len;
			buf_append(&b, s + start, i - start);
			for (size_t k = at; k < b.len; k++)
				if (b.data[k] >= 'A' && b.data[k] <= 'Z') b.data[k] = (char)(b.data[k] + 32);
			continue;
		}
		int32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) { /* invalid byte: dropped */
			i++;
			continue;
		}
		i += n;
		buf_append(&b, tmp, fold_cp(cp, tmp, false));
	}
	if (outlen) *outlen = b.len;
	return buf_detach(&b);
}

/* ==== Tokenizer ==== */

enum wclass { W_SEP, W_START, W_CONT };

/* Word class of a non-ASCII code point (see the design notes). */
static enum wclass word_class(int32_t cp)
{
	if (cp == 0x02BC) return W_SEP; /* ʼ used as an apostrophe */
	utf8proc_category_t c = utf8proc_category(cp);
	if (cat_is_alnum(c)) return W_START;
	if (c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME ||
	    c == UTF8PROC_CATEGORY_CF)
		return W_CONT;
	return W_SEP;
}

static bool ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int text_tokenize(const char *s, size_t len, text_token_cb cb, void *ctx)
{
	const unsigned char *p = (const unsigned char *)s;
	char tok[TOKEN_MAX];
	char tmp[FOLD_CP_MAX * 4];
	size_t i = 0;

	while (i < len) {
		/* Skip separators up to the start of a token. */
		size_t start = i;
		if (p[i] < 0x80) {
			if (!ascii_alnum(p[i])) {
				i++;
				continue;
			}
		} else {
			int32_t cp;
			size_t n = utf8_decode(p + i, len - i, &cp);
			if (n == 0) {
				i++;
				continue;
			}
			if (word_class(cp) != W_START) {
				i += n;
				continue;
			}
		}

		/* Inside a token: fold until the first separator. */
		size_t tl = 0;
		bool full = false;
		while (i < len) {
			unsigned char c = p[i];
			if (c < 0x80) {
				if (!ascii_alnum(c)) break;
				if (!full) {
					if (tl < TOKEN_MAX) {
						tok[tl++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
					} else {
						full = true;
					}
				}
				i++;
				continue;
			}
			int32_t cp;
			size_t n = utf8_decode(p + i, len - i, &cp);
			if (n == 0 || word_class(cp) == W_SEP) break;
			i += n;
			if (full) continue;
			size_t fl = fold_cp(cp, tmp, true);
			if (tl + fl <= TOKEN_MAX) {
				memcpy(tok + tl, tmp, fl);
				tl += fl;
				continue;
			}
			/* Keep the code points that still fit, then stop adding. */
			size_t k = 0;
			while (k < fl) {
				size_t cl = 1;
				unsigned char lead = (unsigned char)tmp[k];
				if (lead >= 0xF0) cl = 4;
				else if (lead >= 0xE0) cl = 3;
				else if (lead >= 0xC0) cl = 2;
				if (tl + cl > TOKEN_MAX) break;
				memcpy(tok + tl, tmp + k, cl);
				tl += cl;
				k += cl;
			}
			full = true;
		}
		if (tl == 0) continue;
		int rc = cb(ctx, tok, tl, start, i);
		if (rc) return rc;
	}
	return 0;
}

/* ==== Stop words ==== */

/* Folded French function words, sorted (strcmp order) for bsearch.
 * Dropped from queries only, never from the index. "est" is deliberately
 * absent: it is also a cardinal point ("Grand Est", "Est Ensemble"). */
static const char *const stopwords[] = {
	"a", "afin", "ai", "ainsi", "alors", "au", "aucun", "aucune", "aupres", "aussi", "autre",
	"aux", "avec", "avoir", "c", "ca", "car", "ce", "ceci", "cela", "celle", "celles", "celui",
	"ces", "cet", "cette", "ceux", "chaque", "chez", "comme", "d", "dans", "de", "des", "deux",
	"donc", "dont", "du", "elle", "elles", "en", "encore", "entre", "et", "etaient", "etait",
	"etc", "ete", "etre", "eux", "il", "ils", "j", "je", "l", "la", "le", "les", "leur", "leurs",
	"lors", "lui", "m", "ma", "mais", "me", "meme", "memes", "mes", "moi", "mon", "n", "ne",
	"ni", "nos", "notre", "nous", "on", "ont", "or", "ou", "par", "parmi", "pas", "peu", "pour",
	"qu", "quand", "que", "quel", "quelle", "quelles", "quels", "qui", "s", "sa", "sans", "se",
	"selon", "ses", "si", "son", "sont", "sous", "sur", "t", "ta", "te", "tes", "toi", "ton",
	"tous", "tout", "toute", "toutes", "tres", "tu", "un", "une", "unes", "uns", "vers", "via",
	"vos", "votre", "vous", "y",
};

static int stopword_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

bool text_is_stopword(const char *folded, size_t len)
{
	char key[16];
	if (len == 0 || len >= sizeof key) return false;
	memcpy(key, folded, len);
	key[len] = 0;
	if (memchr(key, 0, len)) return false;
	return bsearch(key, stopwords, ARRAY_LEN(stopwords), sizeof stopwords[0], stopword_cmp) != NULL;
}

/* ==== FTS5 query building ==== */

struct query_ctx {
	buf_t *out;
	int nterms;
	bool phrase;       /* tokens go into the current phrase */
	bool phrase_open;  /* the phrase's opening quote was written */
	size_t seg_off;    /* offset of the segment in the whole query */
	size_t qlen;       /* length of the whole query */
	bool last_at_end;  /* the last term written is a bare word ending the query */
};

static void query_sep(struct query_ctx *c)
{
	if (c->out->len) buf_putc(c->out, ' ');
}

/* text_tokenize callback: tokens are folded letters and digits only, so
 * they can be written between double quotes as they are. */
static int query_token(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	struct query_ctx *c = ctx;
	if (c->phrase) {
		if (!c->phrase_open) {
			if (c->nterms >= QUERY_MAX_TERMS) return 1;
			query_sep(c);
			buf_putc(c->out, '"');
			c->phrase_open = true;
			c->nterms++;
		} else {
			buf_putc(c->out, ' ');
		}
		buf_append(c->out, tok, toklen);
		return 0;
	}
	if (text_is_stopword(tok, toklen)) return 0;
	if (c->nterms >= QUERY_MAX_TERMS) return 1;
	query_sep(c);
	buf_putc(c->out, '"');
	buf_append(c->out, tok, toklen);
	buf_putc(c->out, '"');
	c->nterms++;
	c->last_at_end = (c->seg_off + end == c->qlen);
	return 0;
}

/* Length of the quote character at q (ASCII " or a typographic double
 * quote: “ ” „ « »), or 0. */
static size_t quote_len(const unsigned char *q)
{
	if (q[0] == '"') return 1;
	if (q[0] == 0xC2 && (q[1] == 0xAB || q[1] == 0xBB)) return 2;               /* « » */
	if (q[0] == 0xE2 && q[1] == 0x80 && (q[2] == 0x9C || q[2] == 0x9D || q[2] == 0x9E))
		return 3;                                                          /* “ ” „ */
	return 0;
}

char *text_fts_query(const char *q)
{
	if (!q) return NULL;
	const unsigned char *p = (const unsigned char *)q;
	buf_t out = BUF_INIT;
	struct query_ctx c = { .out = &out, .qlen = strlen(q) };
	size_t seg = 0;
	bool inquote = false;
	for (size_t i = 0;; i++) {
		size_t ql = p[i] ? quote_len(p + i) : 0;
		if (p[i] && !ql) continue;
		/* End of a segment: q[seg..i) */
		c.phrase = inquote;
		c.phrase_open = false;
		c.seg_off = seg;
		if (!inquote) c.last_at_end = false;
		text_tokenize(q + seg, i - seg, query_token, &c);
		if (c.phrase_open) {
			buf_putc(&out, '"');
			c.last_at_end = false;
		}
		if (!p[i]) break;
		inquote = !inquote;
		i += ql - 1;
		seg = i + 1;
	}
	if (out.len == 0) {
		buf_free(&out);
		return NULL;
	}
	if (c.last_at_end) buf_putc(&out, '*');
	return buf_detach(&out);
}

/* ==== Slugs ==== */

char *text_slugify(const char *s, size_t maxlen)
{
	size_t flen;
	char *f = text_fold(s, strlen(s), &flen);
	buf_t b = BUF_INIT;
	bool sep = false;
	for (size_t i = 0; i < flen; i++) {
		char c = f[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (sep && b.len) buf_putc(&b, '-');
			sep = false;
			buf_putc(&b, c);
		} else {
			sep = true;
		}
	}
	free(f);
	if (maxlen && b.len > maxlen) {
		size_t cut = maxlen;
		if (b.data[cut] != '-') { /* cutting inside a word: back up to a '-' */
			size_t k = cut;
			while (k > 0 && b.data[k - 1] != '-') k--;
			if (k > 1) cut = k - 1;
		}
		while (cut > 0 && b.data[cut - 1] == '-') cut--;
		b.len = cut;
	}
	if (b.len == 0) {
		buf_free(&b);
		return xstrdup("fiche");
	}
	return buf_detach(&b);
}

/* ==== FTS5 tokenizer "iat" ==== */

struct fts5_ctx {
	void *pctx;
	int (*xtoken)(void *, int, const char *, int, int, int);
};

static int fts5_token_cb(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	struct fts5_ctx *c = ctx;
	return c->xtoken(c->pctx, 0, tok, (int)toklen, (int)start, (int)end);
}

/* The tokenizer has no state: every instance is this one constant object. */
static const char fts5_instance = 0;

static int fts5_create(void *unused, const char **argv, int argc, Fts5Tokenizer **out)
{
	if (argc > 0) return SQLITE_ERROR; /* "iat" takes no options */
	*out = (Fts5Tokenizer *)(uintptr_t)&fts5_instance;
	return SQLITE_OK;
}

static void fts5_delete(Fts5Tokenizer *t)
{
	UNUSED(t);
}

/* Documents and queries (FTS5_TOKENIZE_QUERY, with or without PREFIX) are
 * tokenised the same way: folding is idempotent, so query strings already
 * folded by text_fts_query() come out unchanged. */
static int fts5_tokenize(Fts5Tokenizer *t, void *pctx, int flags, const char *text, int ntext,
                         int (*xtoken)(void *, int, const char *, int, int, int))
{
	struct fts5_ctx c = { pctx, xtoken };
	if (ntext <= 0) return SQLITE_OK;
	return text_tokenize(text, (size_t)ntext, fts5_token_cb, &c);
}

fts5_api *text_fts5_api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK) return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	if (sqlite3_step(st) != SQLITE_ROW) api = NULL;
	sqlite3_finalize(st);
	if (api && api->iVersion < 2) api = NULL;
	return api;
}

int text_fts5_register(sqlite3 *db)
{
	/* FTS5 copies the method table, so it can live on the stack. */
	fts5_tokenizer tok = { fts5_create, fts5_delete, fts5_tokenize };
	fts5_api *api = text_fts5_api(db);
	if (!api) return SQLITE_ERROR;
	return api->xCreateTokenizer(api, "iat", NULL, &tok, NULL);
}
