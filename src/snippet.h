/*
 * snippet.h — search result snippets, built in C from a record's public
 * text and the search terms (cheaper than FTS5's snippet(), which
 * re-evaluates the whole query for every hit, and with escaping in our
 * hands).
 *
 * The terms come from an FTS5 expression made by text_fts_query(): quoted
 * folded tokens, a '*' after the closing quote marking a prefix. Text is
 * tokenised with text_tokenize(), so matching uses the same folding as the
 * index (coeur matches « cœur »).
 */
#ifndef IAT_SNIPPET_H
#define IAT_SNIPPET_H

#include <stddef.h>

#define SNIPPET_MAX_TERMS 32

struct snippet_terms {
	char *term[SNIPPET_MAX_TERMS];
	int prefix[SNIPPET_MAX_TERMS];
	int n;
};

/* Extract the terms of an FTS5 expression. */
void snippet_terms_parse(struct snippet_terms *t, const char *fts);
void snippet_terms_free(struct snippet_terms *t);

/* Number of tokens of text that match a term. */
int snippet_score(const char *text, size_t len, const struct snippet_terms *t);

/* HTML snippet: a window of at most `words` tokens of text with the most
 * matches, HTML-escaped, matches wrapped in <mark>...</mark>, "…" where
 * the text is cut. Returns a heap string, or NULL when nothing matches. */
char *snippet_html(const char *text, size_t len, const struct snippet_terms *t, int words);

#endif
