/*
 * page_similar.c — "similar records" on the record page (issue 5).
 *
 * Design notes
 * - search_similar() (recommend.c) does the work and caches it per
 *   (record, search index generation); the page reads that cache only
 *   (search_similar_cached: a miss is filled in the background, so the
 *   first view of a record after a write may lack the section); this
 *   section only writes the list:
 *   up to SIMILAR_MAX published records, each with one line saying why
 *   ("Même thème · mots communs : compostage, collecte").
 * - similar_reason() is shared with the API (GET /api/v1/usecases/{id}/
 *   similar) so both say the same thing.
 * - Nothing is shown when there is no similar record (no empty heading).
 */
#include <string.h>

#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"

void similar_reason(buf_t *b, const struct similar_item *it)
{
	bool any = false;
	if (it->same_theme) {
		buf_puts(b, "Même thème");
		any = true;
	}
	if (it->shared_sub_themes > 0) {
		if (any) buf_puts(b, " · ");
		if (it->shared_sub_themes == 1) buf_puts(b, "1 sous-thème commun");
		else buf_fmt(b, "%d sous-thèmes communs", it->shared_sub_themes);
		any = true;
	}
	if (it->words[0]) {
		if (any) buf_puts(b, " · ");
		buf_puts(b, "mots communs : ");
		buf_puts(b, it->words);
		any = true;
	}
	if (!any) buf_puts(b, "Texte proche");
}

void similar_section(struct req *r, const struct uc_full *u)
{
	struct similar_result res;
	/* from the cache only: a miss queues the computation (recommend.c) */
	if (search_similar_cached(r->db, u->id, &res) <= 0 || res.n == 0) return;
	buf_t *b = &r->out;
	buf_puts(b, "<section class=\"similar\" aria-labelledby=\"titre-similaires\">\n"
	            "<h2 id=\"titre-similaires\">Fiches similaires</h2>\n<ul class=\"similar-list\">\n");
	for (int i = 0; i < res.n; i++) {
		const struct similar_item *it = &res.items[i];
		buf_t href = BUF_INIT, why = BUF_INIT;
		html_usecase_path(&href, it->h.id, it->h.slug);
		similar_reason(&why, it);
		buf_fmt(b, "<li><a href=\"%h\">%h</a>", buf_cstr(&href), it->h.title ? it->h.title : "(sans titre)");
		if (it->h.owner_name) {
			const char *kl = org_kind_label(it->h.owner_kind);
			buf_fmt(b, " — <span class=\"hit-owner\">%h</span>", it->h.owner_name);
			if (kl) buf_fmt(b, " <span class=\"hit-kind\">(%h)</span>", kl);
		}
		buf_fmt(b, "<br><span class=\"similar-why\">%h</span></li>\n", buf_cstr(&why));
		buf_free(&href);
		buf_free(&why);
	}
	buf_puts(b, "</ul>\n</section>\n");
	similar_result_free(&res);
}
