/*
 * snippet.c — see snippet.h.
 */
#include "snippet.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"
#include "util.h"

void snippet_terms_parse(struct snippet_terms *t, const char *fts)
{
	memset(t, 0, sizeof *t);
	if (!fts) return;
	const char *p = fts;
	while (*p && t->n < SNIPPET_MAX_TERMS) {
		if (*p != '"') {
			p++;
			continue;
		}
		/* a quoted group: tokens separated by spaces, "" is a quote */
		p++;
		buf_t group = BUF_INIT;
		while (*p) {
			if (p[0] == '"' && p[1] == '"') {
				buf_putc(&group, '"');
				p += 2;
			} else if (*p == '"') {
				p++;
				break;
			} else {
				buf_putc(&group, *p++);
			}
		}
		bool prefix = *p == '*';
		buf_cstr(&group);
		int first = t->n;
		char *save = NULL;
		for (char *tok = strtok_r(group.data, " ", &save); tok && t->n < SNIPPET_MAX_TERMS;
		     tok = strtok_r(NULL, " ", &save)) {
			t->term[t->n] = xstrdup(tok);
			t->prefix[t->n] = 0;
			t->n++;
		}
		if (prefix && t->n > first) t->prefix[t->n - 1] = 1;
		buf_free(&group);
	}
}

void snippet_terms_free(struct snippet_terms *t)
{
	for (int i = 0; i < t->n; i++) free(t->term[i]);
	t->n = 0;
}

static bool matches(const struct snippet_terms *t, const char *tok, size_t len)
{
	for (int i = 0; i < t->n; i++) {
		size_t tl = strlen(t->term[i]);
		if (t->prefix[i] ? (len >= tl && memcmp(tok, t->term[i], tl) == 0)
		                 : (len == tl && memcmp(tok, t->term[i], tl) == 0))
			return true;
	}
	return false;
}

struct tok {
	size_t start, end;
	bool hit;
};

struct toks {
	struct tok *v;
	size_t n, cap;
	const struct snippet_terms *t;
};

static int collect(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	struct toks *ts = ctx;
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 128;
		ts->v = xrealloc(ts->v, ts->cap * sizeof *ts->v);
	}
	ts->v[ts->n++] = (struct tok){ start, end, matches(ts->t, tok, toklen) };
	return 0;
}

int snippet_score(const char *text, size_t len, const struct snippet_terms *t)
{
	struct toks ts = { NULL, 0, 0, t };
	text_tokenize(text, len, collect, &ts);
	int n = 0;
	for (size_t i = 0; i < ts.n; i++) n += ts.v[i].hit;
	free(ts.v);
	return n;
}

char *snippet_html(const char *text, size_t len, const struct snippet_terms *t, int words)
{
	if (!text || t->n == 0 || words <= 0) return NULL;
	struct toks ts = { NULL, 0, 0, t };
	text_tokenize(text, len, collect, &ts);
	/* best window: most hits; first one on ties */
	size_t w = (size_t)words, best = 0;
	int best_hits = 0, hits = 0;
	for (size_t i = 0; i < ts.n; i++) {
		hits += ts.v[i].hit;
		if (i >= w) hits -= ts.v[i - w].hit;
		if (hits > best_hits) {
			best_hits = hits;
			best = i + 1 >= w ? i + 1 - w : 0;
		}
	}
	if (best_hits == 0) {
		free(ts.v);
		return NULL;
	}
	/* centre the window on its hits, so they have context on both sides */
	{
		size_t end = best + w < ts.n ? best + w : ts.n, f = end, l = best;
		for (size_t i = best; i < end; i++)
			if (ts.v[i].hit) {
				if (f == end) f = i;
				l = i;
			}
		size_t mid = (f + l) / 2;
		size_t start = mid > w / 2 ? mid - w / 2 : 0;
		if (start + w > ts.n) start = ts.n > w ? ts.n - w : 0;
		if (start <= f && start + w > l) best = start;
	}
	size_t last = best + w < ts.n ? best + w : ts.n;
	/* the whole text at an end that is not cut (leading and trailing
	 * punctuation included) */
	size_t from = best == 0 ? 0 : ts.v[best].start;
	size_t to = last == ts.n ? len : ts.v[last - 1].end;
	buf_t out = BUF_INIT;
	if (best > 0) buf_puts(&out, "… ");
	size_t pos = from;
	for (size_t i = best; i < last; i++) {
		if (!ts.v[i].hit) continue;
		buf_html(&out, text + pos, ts.v[i].start - pos);
		buf_puts(&out, "<mark>");
		buf_html(&out, text + ts.v[i].start, ts.v[i].end - ts.v[i].start);
		buf_puts(&out, "</mark>");
		pos = ts.v[i].end;
	}
	buf_html(&out, text + pos, to - pos);
	if (last < ts.n) buf_puts(&out, " …");
	free(ts.v);
	return buf_detach(&out);
}
