/*
 * pages.h — server-rendered French HTML pages (one file per page:
 * page_home.c, page_search.c, page_usecase.c, page_org.c,
 * page_accessibility.c, page_static.c) and the shared layout and
 * components (html.c).
 *
 * Design notes
 * - Every page is written into r->out with buf_fmt(): data only through %h
 *   (HTML) or %U (URL components); %R only for markup this program produced
 *   (search snippets, markdown_render() output, fragments built here).
 * - Every handler sets r->status (default 200) and r->content_type.
 * - The helpers below append to a buffer and never fail (buffers abort on
 *   out of memory); none of them keeps a pointer to its arguments.
 */
#ifndef IAT_PAGES_H
#define IAT_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"

struct search_result;

/* The accessibility compliance status shown in the footer of every page and
 * on /accessibilite (one place to change it after the audit). Without a
 * valid audit, RGAA requires "non conforme". */
#define HTML_A11Y_STATUS "non conforme"

/* Layout: <!doctype html>...<main id="contenu">. title is text (escaped);
 * " — IA·T" is appended in <title>. Sets r->content_type to HTML. */
void html_begin(struct req *r, const char *title);
/* Closes main, adds the footer (accessibility statement link, data
 * attribution), closes the document. */
void html_end(struct req *r);
/* A complete French error page with this status: resets r->out, sets
 * r->status and r->content_type. message is text (escaped). */
void page_error(struct req *r, int status, const char *message);
/* The record id of a path segment "123" or "123-slug", 0 when not one. */
int64_t page_seg_id(const char *seg);
struct uc_full;
/* Load the record of r->args[0] for a page, if the viewer may read it: 1,
 * or 0 after replying 404 (no such record, or not readable: alike) or
 * 500. Free with store_usecase_free(). */
int page_usecase_load(struct req *r, struct uc_full *u);
struct org;
/* The organisation named by the ?org= filter of an inbox page
 * (/espace/signalements, /espace/messages): 1 with *fo filled (free with
 * org_free()) when the viewer is a member or on the observatory team, 0
 * when there is no filter, -1 after replying 404 (unknown) or 403. */
int page_org_param(struct req *r, struct org *fo);
/* The "Filtrer par organisation" form of those pages (GET to action,
 * keeping the current ?org= value). */
void page_org_filter_form(struct req *r, const char *action);

/* ==== Shared components (html.c) ==== */

/* Append a date in French words: "2026-11-26" → "26 novembre 2026",
 * "2026-11-01" → "1er novembre 2026", "2026-11" → "novembre 2026",
 * "2026" → "2026"; a timestamp "2026-11-26T10:00:00Z" gives its date (UTC).
 * Anything else is appended escaped, as is. NULL appends nothing. */
void html_date_fr(buf_t *b, const char *iso);
/* The same inside <time datetime="..."> (the date part of iso). */
void html_time(buf_t *b, const char *iso);
/* An integer with French digit grouping ("12 345", U+202F between groups). */
void html_int_fr(buf_t *b, int64_t n);
/* A number in French: digit grouping, decimal comma, true minus sign,
 * at most 6 decimals, no trailing zeros ("1 234,5"). */
void html_num_fr(buf_t *b, double v);
struct field;
/* A number exactly as stored, in fixed notation (never an exponent) with a
 * decimal comma ("44,8380737", "-0,5844559"). */
void html_num_exact(buf_t *b, double v);
/* The value of a number field: with its unit ("987 654,5 € HT") when the
 * model gives one, else html_num_exact(). */
void html_field_num(buf_t *b, const struct field *f, double v);
/* One line for an item of an indicator list or a reuse kit (escaped):
 * "Délai de traitement : 12 jours (2024-01-01) → 5 jours (2024-06-30) —
 * niveau de preuve : …", "Cahier des charges : titre — url". */
void html_item_summary(buf_t *b, const struct field *f, const json_t *item);
/* A SIREN grouped by three digits ("243 300 316"); other text escaped. */
void html_siren(buf_t *b, const char *siren);
/* "<n> <singular|plural>" with French agreement (0 and 1 are singular). */
void html_count(buf_t *b, int64_t n, const char *singular, const char *plural);
/* The path of a record page, "/fiches/ID-slug" (slug URL-encoded), not
 * HTML-escaped: pass it through %h when it goes into an attribute. */
void html_usecase_path(buf_t *b, int64_t id, const char *slug);
/* A status badge (<span class="badge ...">label</span>) for a vocabulary
 * code: kind is "status" or "state". */
void html_badge(buf_t *b, const char *kind, const char *code);
/* The list of search hits (<ol class="hits">, each title a heading of level
 * hlevel, 2..6). Nothing when res has no hit. */
void html_hits(buf_t *b, const struct search_result *res, int hlevel);
/* Pagination <nav aria-label="Pagination">: base is a raw URL (escaped
 * here) without the page parameter; "page=N" is appended with '?' or '&'
 * (not for page 1). Nothing when npages <= 1. */
void html_pagination(buf_t *b, const char *base, int page, int npages);
/* Append base + "page=N" as a raw URL (same rule as html_pagination). */
void html_page_url(buf_t *b, const char *base, int page);

/* ==== Forms (html.c) ====
 * Conventions of every form: method="post", a hidden "csrf" field (checked
 * by the router), the input of field NAME has id "f-NAME", its help
 * "h-NAME" and its error "e-NAME" (linked with aria-describedby); on error
 * the page title starts with "Erreur : ", an error summary (role="alert")
 * comes first and links to each field, and every value is sent back
 * (except passwords). */
struct verrors;

/* <form method="post" action=...> with the CSRF field. cls may be NULL.
 * Close with buf_puts(&r->out, "</form>\n"). */
void html_form_begin(struct req *r, const char *action, const char *cls);
/* First error message for field, or NULL. */
const char *html_ferr(const struct verrors *e, const char *field);
/* The summary of errors (nothing when there is none). */
void html_error_summary(buf_t *b, const struct verrors *e);
/* The error paragraph of one field (id "e-FIELD"), if any. */
void html_field_error(buf_t *b, const struct verrors *e, const char *field);

/* One labelled input with its help and error. */
struct html_field {
	const char *name;          /* form name; id is "f-" + name */
	const char *label;
	const char *help;          /* or NULL */
	const char *type;          /* text (default), email, password, search, number, url, date, textarea */
	const char *value;         /* current value (escaped here), NULL = empty */
	const char *autocomplete;  /* e.g. "email", "current-password", "new-password" */
	int maxlength;             /* 0: none */
	int rows;                  /* textarea */
	bool required;
};
void html_input(buf_t *b, const struct html_field *f, const struct verrors *e);

/* ==== Handlers ==== */

int page_home(struct req *r);
int page_search(struct req *r);
int page_usecase(struct req *r);
int page_org(struct req *r);
int page_static(struct req *r);
int page_accessibility(struct req *r);
/* ---- international references, issue 6 §2 (page_intl.c) ---- */
int page_intl_list(struct req *r);
int page_intl(struct req *r);
/* The block of /recherche: "N références internationales correspondent à
 * votre recherche" with a link (nothing without text or match). */
void page_intl_search_block(struct req *r, const char *q);

/* ---- accounts, sessions, memberships (page_account.c, page_member.c) ---- */
int page_signin(struct req *r);
int page_signin_post(struct req *r);
int page_signout(struct req *r);
/* page_signup.c */
int page_signup(struct req *r);
int page_signup_post(struct req *r);
int page_signup_sent(struct req *r);
int page_signup_confirm(struct req *r);
int page_forgot(struct req *r);
int page_forgot_post(struct req *r);
int page_reset(struct req *r);
int page_reset_post(struct req *r);
/* page_myaccount.c */
int page_account(struct req *r);
int page_password(struct req *r);
int page_password_post(struct req *r);
int page_mydata(struct req *r);
int page_delete(struct req *r);
int page_delete_post(struct req *r);
int page_join_cancel(struct req *r);
/* page_member.c */
int page_join_search(struct req *r);
int page_join_request(struct req *r);
int page_members(struct req *r);
int page_join_accept(struct req *r);
int page_join_refuse(struct req *r);
int page_member_role(struct req *r);
int page_member_remove(struct req *r);
/* The "members" section of an organisation page (appended to r->out):
 * for its members, curators and admins, the member count, the link to
 * /organisations/{key}/membres and, for those who manage members, the
 * number of pending requests; for other signed-in people, a button to ask
 * to join. Nothing for anonymous visitors. */
void page_org_members_section(struct req *r, int64_t org_id, const char *key);

/* ---- writing records and the publication workflow (page_edit.c, page_workspace.c) ---- */
struct uc_full;
int page_edit_new(struct req *r);
int page_edit_new_post(struct req *r);
int page_edit(struct req *r);
int page_edit_post(struct req *r);
int page_wf_submit(struct req *r);
int page_wf_publish(struct req *r);
int page_wf_request_changes(struct req *r);
int page_wf_retract(struct req *r);
int page_workspace(struct req *r);
int page_review_queue(struct req *r);
/* The workflow box of the record page (state, review comment, the actions
 * the viewer may take); nothing for viewers who may not edit u. */
void page_edit_actions(struct req *r, const struct uc_full *u);

/* ---- history, comparison, audit (page_history.c, page_audit.c) ---- */
struct uc_full;
int page_history(struct req *r);
int page_compare(struct req *r);
int page_audit(struct req *r);
/* The link "Historique des modifications (N versions)" of the record page
 * (N: the versions this viewer may see). */
void page_history_link(struct req *r, const struct uc_full *u);

/* ---- error reports (page_report.c) ---- */
struct uc_full;
int page_report(struct req *r);
int page_report_post(struct req *r);
int page_report_inbox(struct req *r);
int page_report_answer(struct req *r);
/* The "Signalements" section of the record page: counts, the public
 * answers, and the link to the report form (for public records). */
void report_section(struct req *r, const struct uc_full *u);

/* ---- measured impact (page_impact.c) ---- */
/* The "Impact démontré" badge in the record page's tags (when awarded). */
void impact_badge(struct req *r, const struct uc_full *u);
/* The record page's impact section: indicators (baseline → result,
 * change, period, chart), the label and what it lacks, curator acts. doc:
 * the doc as the reader sees it (model_doc_for_reader). */
void impact_section(struct req *r, const struct uc_full *u, const json_t *doc);
/* Curator acts on the label (forms posted from the record page). */
int page_impact_review(struct req *r);
int page_impact_grant(struct req *r);
int page_impact_withdraw(struct req *r);
int page_impact_clear(struct req *r);
/* GET /impact-demontre: the label's rules for people (doc/impact.md). */
int page_impact_rules(struct req *r);
/* The "Label « impact démontré »" section of the history page: the
 * label's events (never the curator's name). */
void impact_history_section(struct req *r, int64_t id);

/* ---- reuse between territories (page_reuse.c) ---- */
/* "Cette fiche réutilise …" under the record page's header (reuses only). */
void reuse_origin_note(struct req *r, const struct uc_full *u);
/* Reuses of the record, lineage link, reuse kit, "we reuse this" button. */
void reuse_section(struct req *r, const struct uc_full *u, const json_t *doc);
/* GET/POST /fiches/{id}/reutiliser (declare a reuse), GET /fiches/{id}/lignee
 * (the lineage tree), GET /espace/messages (the organisations' inbox). */
int page_reuse_form(struct req *r);
int page_reuse_post(struct req *r);
int page_lineage(struct req *r);
int page_inbox(struct req *r);

/* ---- similar records (page_similar.c) ---- */
void similar_section(struct req *r, const struct uc_full *u);

/* ---- editing indicators and the reuse kit (page_indicators.c) ---- */
int page_indicators(struct req *r);
int page_indicator_new(struct req *r);
int page_indicator_new_post(struct req *r);
int page_indicator_edit(struct req *r);
int page_indicator_edit_post(struct req *r);
int page_indicator_delete(struct req *r);
int page_indicator_delete_post(struct req *r);
int page_kit(struct req *r);
int page_kit_new(struct req *r);
int page_kit_new_post(struct req *r);
int page_kit_edit(struct req *r);
int page_kit_edit_post(struct req *r);
int page_kit_delete(struct req *r);
int page_kit_delete_post(struct req *r);
/* ---- discovery, issue 5 (page_similar.c, page_recommend.c) ---- */
struct similar_item;
struct reco_hit;
/* One line saying why a similar record is shown (plain text, to escape). */
void similar_reason(buf_t *b, const struct similar_item *it);
/* One line saying why a recommendation is shown, for an organisation of
 * this kind, band (may be NULL) and name (plain text, to escape). */
void reco_explain(buf_t *b, const struct reco_hit *x, const char *kind, const char *band, const char *org_name);
/* GET /territoires-comme-le-mien */
int page_territories(struct req *r);

/* ---- Atom feeds (page_feed.c) ---- */
/* GET /flux/fiches.atom[?theme=][&organisation=]: the newest public records. */
int page_feed(struct req *r);

/* ---- legal pages (page_legal.c) ---- */
int page_legal_notice(struct req *r);
int page_privacy(struct req *r);

/* ---- API contract, issue 6 (page_apidoc.c) ---- */
/* GET /api/documentation: the OpenAPI document rendered as a French page */
int page_apidoc(struct req *r);

/* page_import.c (issue 6): the curators' import page */
int page_imports(struct req *r);
int page_imports_post(struct req *r);

/* ---- open data, issue 6: an authority's CRPA public-algorithm inventory (page_inventory.c) ---- */
int page_org_inventory(struct req *r);
/* ---- observatory, issue 7 (page_observatory.c): library statistics, charts, map ---- */
int page_observatory(struct req *r);
int page_observatory_csv(struct req *r);

/* ---- survey campaigns, issue 7 §1 (page_survey.c) ---- */
int page_survey_campaigns(struct req *r);
int page_survey_import_post(struct req *r);
int page_survey_campaign(struct req *r);
int page_survey_definition(struct req *r);
int page_survey_preview(struct req *r);
int page_survey_followup(struct req *r);
int page_survey_nonrespondents(struct req *r);
int page_survey_mine(struct req *r);
int page_survey_answer(struct req *r);
int page_survey_answer_post(struct req *r);
/* the curators' editors (page_survey_edit.c) */
int page_survey_edit(struct req *r);
int page_survey_edit_post(struct req *r);
int page_survey_question_new(struct req *r);
int page_survey_question_new_post(struct req *r);
int page_survey_question_edit(struct req *r);
int page_survey_question_edit_post(struct req *r);
int page_survey_question_delete_post(struct req *r);
int page_survey_new(struct req *r);
int page_survey_new_post(struct req *r);

/* page_survey_results.c (issue 7): the results of the survey campaigns */
int page_survey_results_list(struct req *r);
int page_survey_results(struct req *r);
int page_survey_results_csv(struct req *r);
int page_survey_published(struct req *r);

#endif
