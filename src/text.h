/*
 * text.h — French text handling: UTF-8 validation, folding for search,
 * tokenising, stop words, FTS5 query building, slugs, and the FTS5
 * tokenizer "iat" that SQLite uses for the search index.
 *
 * Design notes
 * - Folding = case folding + removal of diacritics + ligature expansion
 *   (œ→oe, æ→ae, ß→ss, ﬁ→fi ...), so that "coeur" finds "cœur" and "velo"
 *   finds "vélo". The same function folds the indexed text (inside the FTS5
 *   tokenizer) and the query, so both sides always agree.
 * - Tokens are maximal runs of letters and digits (Unicode categories L* and
 *   N*); everything else separates tokens (apostrophes, hyphens, spaces,
 *   punctuation). "l'intelligence" gives "l" and "intelligence".
 * - The tokenizer reports byte offsets into the *original* text, so FTS5
 *   snippets show the original accents.
 * - Stop words are only dropped from queries (the index keeps them, so
 *   quoted phrases still match exactly).
 * - Pure functions, thread-safe, no global state except constant tables.
 */
#ifndef IAT_TEXT_H
#define IAT_TEXT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* true if s[0..len) is well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF). NUL bytes make it invalid too. */
bool text_utf8_valid(const char *s, size_t len);

/* true if s (valid UTF-8) contains a control character other than \n, \r
 * and \t (C0, DEL, C1). Used to reject such input in text fields. */
bool text_has_control(const char *s, size_t len);

/* Number of Unicode code points in valid UTF-8 s. */
size_t text_utf8_len(const char *s, size_t len);

/* Fold s for search (see notes). Returns a heap string (caller frees);
 * *outlen (if not NULL) gets its length. Invalid UTF-8 bytes are dropped. */
char *text_fold(const char *s, size_t len, size_t *outlen);

/* Callback for text_tokenize: tok/toklen is the folded token (not
 * NUL-terminated, valid only during the call), [start,end) the byte range
 * of the token in the original text. Return non-zero to stop. */
typedef int (*text_token_cb)(void *ctx, const char *tok, size_t toklen, size_t start, size_t end);

/* Split s into folded tokens. Returns 0, or the first non-zero value a
 * callback returned. Does not allocate on the heap for tokens up to 256
 * bytes (longer tokens are truncated to 256 bytes of folded text). */
int text_tokenize(const char *s, size_t len, text_token_cb cb, void *ctx);

/* true if the folded token is a French stop word (le, la, les, de, des, du,
 * et, ou, un, une, pour, par, sur, dans, avec, au, aux, l, d, qu, ...). */
bool text_is_stopword(const char *folded, size_t len);

/* Build an FTS5 MATCH expression from a user's query:
 *   - words are folded; stop words are dropped outside quotes;
 *   - "double quoted" parts become FTS5 phrases (stop words kept);
 *   - the last bare word becomes a prefix query (word*) unless the query
 *     ends with a space or a quote;
 *   - terms are ANDed (implicit AND in FTS5); every term is emitted as a
 *     quoted FTS5 string so no user text is ever FTS5 syntax (no injection
 *     of NEAR, OR, column filters, ^, etc.);
 *   - an unbalanced quote is treated as closed at the end.
 * Details: typographic double quotes (“ ” „ « ») count as quotes (phones
 * turn " into them); the prefix applies only when the last word runs to the
 * very end of q (so not after a space, a quote or punctuation); at most 32
 * terms are kept.
 * Returns a heap string, or NULL when no searchable term remains (empty or
 * only stop words). Example: `Le vélo élec` -> `"velo" "elec"*`. */
char *text_fts_query(const char *q);

/* URL slug: folded, [a-z0-9] runs joined by '-', no leading/trailing '-',
 * at most maxlen bytes (cut at a '-' boundary when possible; maxlen 0: no
 * limit). Never empty: "fiche" when nothing is left. Heap string. */
char *text_slugify(const char *s, size_t maxlen);

/* Register the FTS5 tokenizer named "iat" on this connection (must be done
 * on every connection before it touches an FTS5 table using it). Returns
 * SQLITE_OK or an SQLite error code. */
int text_fts5_register(sqlite3 *db);

/* The connection's FTS5 API (for registering tokenizers and functions),
 * or NULL. */
fts5_api *text_fts5_api(sqlite3 *db);

/* Register "iatrank", the ranking function of fts_rank.c. */
int fts_rank_register(sqlite3 *db);

#endif
