/*
 * page_feed.c — Atom feeds of new and updated records (issue 6):
 * GET /flux/fiches.atom[?theme=CODE][&organisation=KEY].
 *
 * Design notes
 * - The FEED_MAX most recently updated public records (published or
 *   retracted), newest first, from search_run(): the same index, the same
 *   visibility rules as the search page, so a draft can never appear. One
 *   feed for everything, one per theme (?theme=), one per organisation
 *   (?organisation=, any key org_find() accepts), or both filters.
 * - Atom 1.0 (RFC 4287). Feed and entry ids are tag URIs
 *   ("tag:iat.territoires.fr,2026:fiches/ID") so they stay the same
 *   whatever address serves the site; links are absolute with
 *   `serve --base-url`, else site paths (which feed readers resolve
 *   against the feed's own address).
 * - Only public text goes out (title, summary, organisation, theme):
 *   everything through %h, whose five entities are valid XML.
 * - Bad parameters: 400 (unknown theme) or 404 (unknown organisation),
 *   as French HTML error pages like the other pages.
 */
#include <string.h>

#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "util.h"

#define FEED_MAX 50
#define FEED_TAG "tag:iat.territoires.fr,2026:"

/* base + path (base without its trailing '/'), escaped for XML. */
static void feed_link(buf_t *b, const char *base, const char *path)
{
	size_t n = base ? strlen(base) : 0;
	while (n > 0 && base[n - 1] == '/') n--;
	if (n) buf_fmt(b, "%.*h", (int)n, base);
	buf_fmt(b, "%h", path);
}

int page_feed(struct req *r)
{
	const char *theme = req_param(r, "theme");
	const char *okey = req_param(r, "organisation");
	if (theme && !*theme) theme = NULL;
	if (okey && !*okey) okey = NULL;
	if (theme && vocab_index(&vocab_theme, theme) < 0) {
		page_error(r, 400, "Thème inconnu : le paramètre « theme » doit être un code de thème (voir /api/v1/schema).");
		return 0;
	}
	struct org o = { 0 };
	bool have_org = false;
	if (okey) {
		int rc = org_find(r->db, okey, &o);
		if (rc < 0) {
			page_error(r, 500, "Le flux n'a pas pu être préparé.");
			return 0;
		}
		if (rc == 0) {
			page_error(r, 404, "Organisation inconnue : le paramètre « organisation » ne désigne aucune organisation.");
			return 0;
		}
		have_org = true;
	}

	struct search_query sq = { 0 };
	sq.page = 1;
	sq.per_page = FEED_MAX;
	sq.by_relevance = false;
	if (theme) {
		sq.filters[0].facet = "theme";
		sq.filters[0].values[0] = theme;
		sq.filters[0].nvalues = 1;
		sq.nfilters = 1;
	}
	if (have_org) sq.owner_org_id = o.id;
	struct search_result res = { 0 };
	if (search_run(r->db, &sq, &res) < 0) {
		search_result_free(&res);
		org_free(&o);
		page_error(r, 500, "Le flux n'a pas pu être préparé.");
		return 0;
	}

	const char *base = server_base_url(r->srv);
	char now[21];
	iso8601_utc(now_unix(), now);
	buf_t self = BUF_INIT;
	buf_puts(&self, "/flux/fiches.atom");
	if (theme || have_org) buf_putc(&self, '?');
	char *ok = have_org ? org_key(&o) : NULL;
	if (theme) buf_fmt(&self, "theme=%U", theme);
	if (theme && ok) buf_putc(&self, '&');
	if (ok) buf_fmt(&self, "organisation=%U", ok);

	buf_t *b = &r->out;
	r->status = 200;
	r->content_type = "application/atom+xml; charset=utf-8";
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n");
	buf_puts(b, "<title>IA·T — fiches nouvelles et mises à jour");
	if (theme) buf_fmt(b, " — %h", vocab_label(&vocab_theme, theme));
	if (have_org) buf_fmt(b, " — %h", o.name);
	buf_puts(b, "</title>\n<subtitle>Bibliothèque nationale des usages de l'IA dans les collectivités territoriales</subtitle>\n");
	buf_fmt(b, "<id>%hflux/fiches", FEED_TAG);
	if (theme) buf_fmt(b, "/theme/%h", theme);
	if (ok) buf_fmt(b, "/organisation/%h", ok);
	buf_puts(b, "</id>\n");
	/* the feed is as new as its newest entry (the list is newest first) */
	buf_fmt(b, "<updated>%h</updated>\n", res.nhits > 0 && res.hits[0].updated_at ? res.hits[0].updated_at : now);
	buf_puts(b, "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	feed_link(b, base, buf_cstr(&self));
	buf_puts(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	feed_link(b, base, "/recherche");
	buf_puts(b, "\"/>\n<author><name>IA·T — observatoire de l'IA dans les territoires</name></author>\n"
	            "<generator>IA·T</generator>\n");
	for (int i = 0; i < res.nhits; i++) {
		const struct search_hit *h = &res.hits[i];
		buf_t path = BUF_INIT;
		html_usecase_path(&path, h->id, h->slug);
		buf_fmt(b, "<entry>\n<id>%hfiches/%D</id>\n<title>%h</title>\n<updated>%h</updated>\n", FEED_TAG, h->id,
		        h->title && *h->title ? h->title : "(sans titre)", h->updated_at ? h->updated_at : now);
		buf_puts(b, "<link rel=\"alternate\" type=\"text/html\" href=\"");
		feed_link(b, base, buf_cstr(&path));
		buf_puts(b, "\"/>\n");
		if (h->owner_name) buf_fmt(b, "<author><name>%h</name></author>\n", h->owner_name);
		if (h->theme)
			buf_fmt(b, "<category term=\"%h\" label=\"%h\"/>\n", h->theme, vocab_label(&vocab_theme, h->theme));
		if (h->summary && *h->summary) buf_fmt(b, "<summary type=\"text\">%h</summary>\n", h->summary);
		if (h->state && strcmp(h->state, "retracted") == 0)
			buf_puts(b, "<rights>Fiche retirée par son organisation : conservée pour mémoire.</rights>\n");
		buf_puts(b, "</entry>\n");
		buf_free(&path);
	}
	buf_puts(b, "</feed>\n");
	free(ok);
	buf_free(&self);
	search_result_free(&res);
	org_free(&o);
	return 0;
}
