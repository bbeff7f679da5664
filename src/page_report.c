/*
 * page_report.c — error reports on records: the report form
 * (GET/POST /fiches/{id}/signaler), the inbox of the owner organisations
 * (GET /espace/signalements), the answer (POST /signalements/{id}/repondre)
 * and the "Signalements" section of the record page (report_section()).
 *
 * Design notes
 * - Anyone may report, signed in or not, on a record readable by the
 *   public (published or retracted: auth_can_read_usecase() with an
 *   anonymous viewer); any other record is a 404, exactly like the record
 *   page, so drafts cannot be discovered here either.
 * - What is public and what is not: the section on the record page shows
 *   the counts and the organisation's answers (field, date, outcome,
 *   answer text). The reporter's description and contact are never
 *   public: a description may carry personal data, and the contact is
 *   shown only in the inbox of the owner organisation (members and
 *   curators: auth_can_edit_org()).
 * - Privacy: the reporter's address is never stored. Rate limits are kept
 *   in memory (server_throttle()): visitors by address
 *   (REPORT_ADDR_MAX per hour), signed-in accounts by account
 *   (REPORT_ACCT_MAX per hour; several people may share an address behind
 *   a NAT, an account is a better key when there is one). Only valid
 *   submissions count, so a typo does not use up the allowance. Contacts
 *   of answered reports are erased REPORT_CONTACT_KEEP after the answer;
 *   the erasure runs each time an answer is saved (answers are frequent
 *   enough on a live instance; documented on /donnees-personnelles).
 * - Spam: a honeypot field "site_web", hidden from people (off-screen,
 *   aria-hidden, out of the tab order). When it is filled the reply is
 *   exactly the success reply (303 + flash) but nothing is stored; the
 *   event is logged. It counts against the rate limit like a real report.
 * - Inbox rights: members see the reports of their organisations; curators
 *   and admins see every organisation's, with ?org=KEY to narrow. An
 *   account with no organisation (and not curator) gets a 403 page that
 *   explains the inbox is for organisation members. The answer requires
 *   auth_can_edit_org() on the record's owner (403 otherwise), a report
 *   still open (409 otherwise), an outcome among fixed / not_error /
 *   other and a non-empty answer of at most REPORT_ANSWER_MAX characters
 *   (422, shown on a page with only that report's form). Each answer is
 *   audited ("report.answer").
 * - The inbox lists one form per open report; their input ids carry the
 *   report id ("f-answer-12") so they stay unique on the page. The error
 *   page has one form with the usual ids ("f-answer").
 * - Notifications are not sent yet (no outbox_send() in this branch):
 *   a new report should notify the owner's members, an answer the
 *   reporter's contact when given.
 * - Memory: strings of the request are req_strdup()'d (freed with it);
 *   statement columns are rendered before the next step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "model.h"
#include "org.h"
#include "outbox.h"
#include "pages.h"
#include "store.h"
#include "util.h"

#define REPORT_DESC_MIN 10
#define REPORT_DESC_MAX 2000
#define REPORT_ANSWER_MAX 2000
#define REPORT_EMAIL_MAX 254
#define REPORT_ADDR_MAX 5      /* reports per hour per address (visitors) */
#define REPORT_ACCT_MAX 10     /* reports per hour per account (signed in) */
#define REPORT_WINDOW 3600
#define REPORT_CONTACT_KEEP (365 * 24 * 3600)   /* 12 months after the answer */
#define REPORT_FIELD_OTHER "autre"
#define REPORT_PUBLIC_ANSWERS 20                /* answers shown on the record page */
#define REPORT_INBOX_OPEN 500
#define REPORT_INBOX_DONE 50

/* ==== Small helpers ==== */

/* Characters (UTF-8 code points) of s. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80) n++;
	return n;
}

/* s without leading and trailing white space, owned by the request. */
static const char *trimmed(struct req *r, const char *s)
{
	if (!s) return NULL;
	while (*s == ' ' || *s == '\n' || *s == '\t') s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t')) n--;
	char *t = xstrndup(s, n);
	req_own(r, t);
	return t;
}

/* A field a report may name: a public field of the model. */
static bool reportable_field(const char *name)
{
	const struct field *f = name ? model_field(name) : NULL;
	return f && f->vis == VIS_PUBLIC;
}

static const char *field_label(const char *name)
{
	if (reportable_field(name)) return model_field(name)->label;
	return "L'ensemble de la fiche (autre)";
}

static const char *outcome_label(const char *state)
{
	if (!state) return "";
	if (strcmp(state, "fixed") == 0) return "Corrigé";
	if (strcmp(state, "not_error") == 0) return "Pas une erreur";
	if (strcmp(state, "other") == 0) return "Autre suite";
	return "En attente de réponse";
}

static bool outcome_ok(const char *s)
{
	return s && (strcmp(s, "fixed") == 0 || strcmp(s, "not_error") == 0 || strcmp(s, "other") == 0);
}

/* Digits of "123" or "123-slug" (the record page's rule). 0 or -1. */
static int parse_id(const char *seg, int64_t *id)
{
	size_t n = 0;
	while (seg[n] >= '0' && seg[n] <= '9') n++;
	if (n == 0 || n > 18 || (seg[n] != 0 && seg[n] != '-')) return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) v = v * 10 + (seg[i] - '0');
	if (v < 1) return -1;
	*id = v;
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ==== The report form ==== */

struct rec {
	int64_t id;
	int64_t owner_org_id;
	const char *state, *slug, *title;   /* owned by the request */
};

/* Load the columns of a record the form needs. 1 found, 0 not, -1 error. */
static int rec_load(struct req *r, int64_t id, struct rec *out)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT state, owner_org_id, slug, title FROM usecase WHERE id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = id;
		out->state = req_strdup(r, col_text(st, 0));
		out->owner_org_id = sqlite3_column_int64(st, 1);
		out->slug = req_strdup(r, col_text(st, 2) ? col_text(st, 2) : "");
		out->title = req_strdup(r, col_text(st, 3) && *col_text(st, 3) ? col_text(st, 3) : "(sans titre)");
		db_reset(st);
		return 1;
	}
	db_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(r->db, "report: load record");
}

/* The record of the route, readable by the public; else an error page
 * was written and false is returned. */
static bool rec_for_report(struct req *r, struct rec *u)
{
	static const struct viewer anonymous;
	int64_t id;
	if (r->nargs < 1 || parse_id(r->args[0], &id) < 0) {
		page_error(r, 404, "Cette fiche n'existe pas.");
		return false;
	}
	int rc = rec_load(r, id, u);
	if (rc < 0) {
		page_error(r, 500, "La fiche n'a pas pu être lue.");
		return false;
	}
	if (rc == 0 || !auth_can_read_usecase(&anonymous, u->state, u->owner_org_id)) {
		page_error(r, 404, "Cette fiche n'existe pas, ou n'est pas publiée.");
		return false;
	}
	return true;
}

/* The select of the record's public fields, grouped by form section. */
static void field_select(buf_t *b, const char *value, const struct verrors *e)
{
	const char *err = html_ferr(e, "field");
	buf_fmt(b,
	        "<div class=\"field%h\">\n"
	        "<label for=\"f-field\">Quelle information ? <span class=\"req\">(obligatoire)</span></label>\n"
	        "<p class=\"help\" id=\"h-field\">L'information de la fiche qui est inexacte ou périmée, "
	        "ou « Autre » si cela concerne l'ensemble de la fiche.</p>\n",
	        err ? " field-invalid" : "");
	html_field_error(b, e, "field");
	buf_fmt(b, "<select id=\"f-field\" name=\"field\" required aria-required=\"true\" aria-describedby=\"h-field%h\"%R>\n",
	        err ? " e-field" : "", err ? " aria-invalid=\"true\"" : "");
	buf_fmt(b, "<option value=\"\"%h>— Choisissez une information —</option>\n",
	        !value || !*value ? " selected" : "");
	const char *secs[16];
	int nsecs = model_sections(secs, (int)ARRAY_LEN(secs));
	for (int si = 0; si < nsecs; si++) {
		const char *sec = secs[si];
		int shown = 0;
		for (size_t j = 0; j < model_nfields; j++) {
			const struct field *f = &model_fields[j];
			if (strcmp(f->section, sec) != 0 || f->vis != VIS_PUBLIC) continue;
			if (shown++ == 0) buf_fmt(b, "<optgroup label=\"%h\">\n", model_section_label(sec));
			buf_fmt(b, "<option value=\"%h\"%h>%h</option>\n", f->name,
			        value && strcmp(value, f->name) == 0 ? " selected" : "", f->label);
		}
		if (shown) buf_puts(b, "</optgroup>\n");
	}
	buf_fmt(b, "<option value=\"" REPORT_FIELD_OTHER "\"%h>Autre / l'ensemble de la fiche</option>\n",
	        value && strcmp(value, REPORT_FIELD_OTHER) == 0 ? " selected" : "");
	buf_puts(b, "</select>\n</div>\n");
}

static void report_form(struct req *r, const struct rec *u, const char *field, const char *desc,
                        const char *contact, const struct verrors *e, const char *notice)
{
	/* the title is text (html_begin escapes it) */
	buf_t title = BUF_INIT;
	buf_puts(&title, notice ? "Trop de signalements : signaler une erreur — "
	                        : e && e->count ? "Erreur : signaler une erreur — " : "Signaler une erreur — ");
	buf_puts(&title, u->title);
	html_begin(r, buf_cstr(&title));
	buf_free(&title);

	buf_t *b = &r->out;
	buf_t path = BUF_INIT;
	html_usecase_path(&path, u->id, u->slug);
	buf_fmt(b,
	        "<nav class=\"breadcrumb\" aria-label=\"Fil d'Ariane\">\n<ol>\n"
	        "<li><a href=\"/\">Accueil</a></li>\n"
	        "<li><a href=\"/recherche\">Fiches</a></li>\n"
	        "<li><a href=\"%h\">%h</a></li>\n"
	        "<li><span aria-current=\"page\">Signaler une erreur</span></li>\n</ol>\n</nav>\n"
	        "<h1>Signaler une erreur ou une information périmée</h1>\n"
	        "<p>Fiche concernée : <a href=\"%h\">%h</a></p>\n",
	        buf_cstr(&path), u->title, buf_cstr(&path), u->title);
	if (notice) buf_fmt(b, "<div class=\"error-summary\" role=\"alert\"><p>%h</p></div>\n", notice);
	html_error_summary(b, e);
	buf_puts(b,
	         "<p>Votre signalement est transmis à l'organisation qui publie la fiche. Sa réponse sera "
	         "publiée sur la fiche ; votre message et votre adresse électronique, eux, ne sont jamais "
	         "rendus publics.</p>\n");

	buf_t action = BUF_INIT;
	buf_fmt(&action, "/fiches/%D/signaler", u->id);
	html_form_begin(r, buf_cstr(&action), "form");
	buf_free(&action);
	field_select(b, field, e);
	struct html_field fd = {
		.name = "description", .label = "Qu'est-ce qui est inexact ou périmé ?", .type = "textarea",
		.value = desc, .maxlength = REPORT_DESC_MAX, .rows = 6, .required = true,
		.help = "Entre 10 et 2 000 caractères. Dites ce qui est faux et, si vous la connaissez, "
		        "l'information exacte. N'y mettez pas de données personnelles.",
	};
	html_input(b, &fd, e);
	struct html_field fc = {
		.name = "contact", .label = "Votre adresse électronique (facultative)", .type = "email",
		.value = contact, .autocomplete = "email", .maxlength = REPORT_EMAIL_MAX,
		.help = "Format attendu : nom@domaine.fr. Elle n'est montrée qu'à l'organisation qui publie "
		        "la fiche, pour qu'elle puisse vous demander une précision ou vous prévenir de la "
		        "correction. Elle est effacée 12 mois après la réponse.",
	};
	html_input(b, &fc, e);
	buf_puts(b,
	         "<div class=\"hp-field\" aria-hidden=\"true\">\n"
	         "<label for=\"f-site_web\">Ne pas remplir ce champ</label>\n"
	         "<input type=\"text\" id=\"f-site_web\" name=\"site_web\" tabindex=\"-1\" autocomplete=\"off\">\n"
	         "</div>\n"
	         "<div class=\"actions\"><button type=\"submit\">Envoyer le signalement</button>\n");
	buf_fmt(b, "<a href=\"%h\">Revenir à la fiche</a></div>\n</form>\n", buf_cstr(&path));
	buf_puts(b, "<p>Pour savoir ce que nous faisons de ces informations, lisez la page "
	            "<a href=\"/donnees-personnelles\">Données personnelles</a>.</p>\n");
	buf_free(&path);
	html_end(r);
}

int page_report(struct req *r)
{
	struct rec u;
	if (!rec_for_report(r, &u)) return 0;
	r->status = 200;
	report_form(r, &u, NULL, NULL, NULL, NULL, NULL);
	return 0;
}

int page_report_post(struct req *r)
{
	struct rec u;
	if (!rec_for_report(r, &u)) return 0;

	const char *field = req_form(r, "field");
	const char *desc_raw = req_form(r, "description");
	const char *contact_raw = req_form(r, "contact");
	const char *desc = trimmed(r, desc_raw);
	const char *contact = trimmed(r, contact_raw);
	const char *hp = req_form(r, "site_web");
	struct verrors e = { 0 };

	if (!field || !*field)
		verrors_add(&e, "validation.required", "field", "Choisissez l'information concernée.");
	else if (strcmp(field, REPORT_FIELD_OTHER) != 0 && !reportable_field(field))
		verrors_add(&e, "validation.enum", "field", "Choisissez une information de la liste.");
	size_t n = desc ? utf8_chars(desc) : 0;
	if (n == 0)
		verrors_add(&e, "validation.required", "description", "Décrivez ce qui est inexact ou périmé.");
	else if (n < REPORT_DESC_MIN)
		verrors_add(&e, "validation.too_short", "description",
		            "La description est trop courte (10 caractères au moins).");
	else if (n > REPORT_DESC_MAX)
		verrors_add(&e, "validation.too_long", "description",
		            "La description est trop longue (2 000 caractères au plus, %zu actuellement).", n);
	if (contact && *contact && (strlen(contact) > REPORT_EMAIL_MAX || !auth_email_ok(contact)))
		verrors_add(&e, "validation.format", "contact",
		            "L'adresse électronique n'est pas valide (format attendu : nom@domaine.fr).");
	if (e.count) {
		r->status = 422;
		report_form(r, &u, field, desc_raw, contact_raw, &e, NULL);
		return 0;
	}

	int retry = 0;
	bool ok;
	if (r->viewer.user_id) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)r->viewer.user_id);
		ok = server_throttle(r->srv, "report-acct", key, REPORT_ACCT_MAX, REPORT_WINDOW, &retry);
	} else {
		char addr[64];
		req_client_addr(r, addr, sizeof addr);
		ok = server_throttle(r->srv, "report-addr", addr, REPORT_ADDR_MAX, REPORT_WINDOW, &retry);
	}
	if (!ok) {
		char ra[16], msg[300];
		int minutes = (retry + 59) / 60;
		snprintf(ra, sizeof ra, "%d", retry);
		req_add_header(r, "Retry-After", ra);
		snprintf(msg, sizeof msg,
		         "Vous avez envoyé beaucoup de signalements en peu de temps. Pour protéger le service des "
		         "envois automatiques, réessayez dans %d minute%s : votre texte est conservé ci-dessous.",
		         minutes, minutes > 1 ? "s" : "");
		log_warn("signalement freiné (fiche %lld)", (long long)u.id);
		r->status = 429;
		report_form(r, &u, field, desc_raw, contact_raw, NULL, msg);
		return 0;
	}

	if (hp && *hp) {
		/* the honeypot: same reply as a success, nothing stored */
		log_warn("signalement ignoré : champ piège rempli (fiche %lld)", (long long)u.id);
	} else {
		sqlite3_stmt *st = db_stmt(r->db,
		                           "INSERT INTO report(usecase_id, field, description, contact, user_id, created_at) "
		                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
		if (!st) {
			page_error(r, 500, "Le signalement n'a pas pu être enregistré.");
			return 0;
		}
		char ts[21];
		iso8601_utc(now_unix(), ts);
		db_bind_int(st, 1, u.id);
		db_bind_text(st, 2, strcmp(field, REPORT_FIELD_OTHER) == 0 ? NULL : field);
		db_bind_text(st, 3, desc);
		db_bind_text(st, 4, contact && *contact ? contact : NULL);
		if (r->viewer.user_id) db_bind_int(st, 5, r->viewer.user_id);
		db_bind_text(st, 6, ts);
		if (db_step_done(st) < 0) {
			page_error(r, 500, "Le signalement n'a pas pu être enregistré.");
			return 0;
		}
		log_info("signalement %lld reçu (fiche %lld)", (long long)sqlite3_last_insert_rowid(db_sqlite(r->db)),
		         (long long)u.id);
		/* the owner's members are told (never the description: it may carry
		 * personal data; they read it in their inbox) */
		buf_t body = BUF_INIT;
		buf_puts(&body, "Bonjour,\n\nUn signalement d'erreur a été déposé sur une fiche de votre organisation : ");
		buf_puts(&body, u.title ? u.title : "(sans titre)");
		buf_puts(&body, ".\nLisez-le et répondez-y dans la boîte des signalements : ");
		outbox_link(&body, outbox_base_url(), "/espace/signalements");
		buf_puts(&body, "\n\n— IA·T\n");
		outbox_notify_org(r->db, u.owner_org_id, OUTBOX_MEMBERS, "Nouveau signalement sur une fiche", buf_cstr(&body));
		buf_free(&body);
	}
	buf_t path = BUF_INIT;
	html_usecase_path(&path, u.id, u.slug);
	req_flash(r, "reported");
	req_redirect(r, buf_cstr(&path));
	buf_free(&path);
	return 0;
}

/* ==== The record page's section ==== */

void report_section(struct req *r, const struct uc_full *u)
{
	buf_t *b = &r->out;
	sqlite3_stmt *st = db_stmt(r->db,
	                           "SELECT state, field, answer, answered_at FROM report WHERE usecase_id = ?1 "
	                           "ORDER BY answered_at DESC, id DESC");
	if (!st) return;
	db_bind_int(st, 1, u->id);
	int64_t nopen = 0, ndone = 0;
	buf_t answers = BUF_INIT;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *state = col_text(st, 0);
		if (!state || strcmp(state, "open") == 0) {
			nopen++;
			continue;
		}
		if (ndone++ >= REPORT_PUBLIC_ANSWERS) continue;
		buf_fmt(&answers, "<li>\n<p class=\"report-meta\"><span class=\"report-field\">%h</span> — ",
		        field_label(col_text(st, 1)));
		buf_fmt(&answers, "<span class=\"report-outcome\">%h</span>, réponse du ", outcome_label(state));
		html_time(&answers, col_text(st, 3));
		buf_fmt(&answers, "</p>\n<div class=\"text\">%h</div>\n</li>\n", col_text(st, 2));
	}
	db_reset(st);

	buf_puts(b, "<section class=\"reports\" aria-labelledby=\"titre-signalements\">\n"
	            "<h2 id=\"titre-signalements\">Signalements</h2>\n<p class=\"report-counts\">");
	html_count(b, nopen, "signalement ouvert", "signalements ouverts");
	buf_puts(b, ", ");
	html_count(b, ndone, "traité", "traités");
	buf_puts(b, ".</p>\n");
	if (answers.len) {
		buf_puts(b, "<h3>Réponses de l'organisation</h3>\n<ul class=\"report-answers\">\n");
		/* built above from escaped text only */
		buf_fmt(b, "%R", buf_cstr(&answers));
		buf_puts(b, "</ul>\n");
		if (ndone > REPORT_PUBLIC_ANSWERS)
			buf_fmt(b, "<p class=\"hint\">Seules les %d réponses les plus récentes sont affichées.</p>\n",
			        REPORT_PUBLIC_ANSWERS);
	}
	buf_free(&answers);
	static const struct viewer anonymous;
	if (auth_can_read_usecase(&anonymous, u->state, u->owner_org_id))
		buf_fmt(b, "<p><a href=\"/fiches/%D/signaler\">Signaler une erreur ou une information périmée</a></p>\n",
		        u->id);
	buf_puts(b, "</section>\n");
}

/* ==== Inbox and answers ==== */

/* Columns shared by the inbox and the answer page. */
#define REPORT_COLS \
	"rp.id, rp.usecase_id, u.slug, u.title, o.name, rp.field, rp.description, rp.contact, rp.created_at"

/* One report (the row of a statement selecting REPORT_COLS first), with
 * a heading of level hlevel. */
static void render_report(buf_t *b, sqlite3_stmt *st, int hlevel)
{
	buf_t path = BUF_INIT;
	html_usecase_path(&path, sqlite3_column_int64(st, 1), col_text(st, 2));
	const char *title = col_text(st, 3) && *col_text(st, 3) ? col_text(st, 3) : "(sans titre)";
	buf_fmt(b, "<h%d>Signalement n<sup>o</sup>\u00a0%D sur la fiche <a href=\"%h\">%h</a></h%d>\n<dl class=\"report-details\">\n",
	        hlevel, (int64_t)sqlite3_column_int64(st, 0), buf_cstr(&path), title, hlevel);
	buf_free(&path);
	buf_fmt(b, "<div><dt>Organisation</dt><dd>%h</dd></div>\n", col_text(st, 4));
	buf_fmt(b, "<div><dt>Information</dt><dd>%h</dd></div>\n", field_label(col_text(st, 5)));
	buf_puts(b, "<div><dt>Reçu le</dt><dd>");
	html_time(b, col_text(st, 8));
	buf_fmt(b, "</dd></div>\n<div><dt>Description</dt><dd><div class=\"text\">%h</div></dd></div>\n",
	        col_text(st, 6));
	const char *contact = col_text(st, 7);
	if (contact && *contact)
		buf_fmt(b, "<div><dt>Contact</dt><dd><a href=\"mailto:%h\">%h</a></dd></div>\n", contact, contact);
	else
		buf_puts(b, "<div><dt>Contact</dt><dd>non communiqué</dd></div>\n");
	buf_puts(b, "</dl>\n");
}

/* The answer form of report rid. suffix makes the ids unique when several
 * forms share a page ("" on the error page, where e may hold errors). */
static void answer_form(struct req *r, int64_t rid, const char *suffix, const char *outcome,
                        const char *answer, const struct verrors *e)
{
	buf_t *b = &r->out;
	buf_t action = BUF_INIT;
	buf_fmt(&action, "/signalements/%D/repondre", rid);
	html_form_begin(r, buf_cstr(&action), "form answer-form");
	buf_free(&action);

	static const char *const codes[3] = { "fixed", "not_error", "other" };
	static const char *const labels[3] = {
		"Corrigé : la fiche est ou sera mise à jour",
		"Pas une erreur : l'information est exacte",
		"Autre suite",
	};
	const char *oerr = html_ferr(e, "outcome");
	buf_fmt(b, "<fieldset class=\"field%h\"%R>\n<legend>Suite donnée <span class=\"req\">(obligatoire)</span></legend>\n",
	        oerr ? " field-invalid" : "", oerr ? " aria-describedby=\"e-outcome\"" : "");
	html_field_error(b, e, "outcome");
	for (int i = 0; i < 3; i++) {
		buf_t id = BUF_INIT;
		if (i == 0) buf_fmt(&id, "f-outcome%h", suffix);
		else buf_fmt(&id, "f-outcome%h-%h", suffix, codes[i]);
		buf_fmt(b, "<div class=\"radio\"><input type=\"radio\" id=\"%h\" name=\"outcome\" value=\"%h\"%h%h> "
		           "<label for=\"%h\">%h</label></div>\n",
		        buf_cstr(&id), codes[i], outcome && strcmp(outcome, codes[i]) == 0 ? " checked" : "",
		        i == 0 ? " required" : "", buf_cstr(&id), labels[i]);
		buf_free(&id);
	}
	buf_puts(b, "</fieldset>\n");

	const char *aerr = html_ferr(e, "answer");
	buf_fmt(b,
	        "<div class=\"field%h\">\n<label for=\"f-answer%h\">Réponse publique <span class=\"req\">(obligatoire)</span></label>\n"
	        "<p class=\"help\" id=\"h-answer%h\">Elle sera publiée sur la fiche avec la suite donnée "
	        "(2 000 caractères au plus). Ne recopiez pas le message ni l'adresse de la personne.</p>\n",
	        aerr ? " field-invalid" : "", suffix, suffix);
	html_field_error(b, e, "answer");
	buf_fmt(b,
	        "<textarea id=\"f-answer%h\" name=\"answer\" rows=\"4\" maxlength=\"%d\" required aria-required=\"true\""
	        " aria-describedby=\"h-answer%h%h\"%R>%h</textarea>\n</div>\n",
	        suffix, REPORT_ANSWER_MAX, suffix, aerr ? " e-answer" : "", aerr ? " aria-invalid=\"true\"" : "",
	        answer ? answer : "");
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Enregistrer la réponse</button></div>\n</form>\n");
}

int page_report_inbox(struct req *r)
{
	const struct viewer *v = &r->viewer;
	bool curator = auth_is_curator(v);
	if (!curator && v->norgs == 0) {
		page_error(r, 403,
		           "Les signalements sont reçus par les organisations qui publient les fiches : cette page "
		           "est réservée à leurs membres. Si vous travaillez pour une collectivité, demandez à "
		           "rejoindre son organisation depuis votre compte.");
		return 0;
	}
	/* the organisations shown: a JSON array of ids, bound (NULL: all) */
	buf_t ids = BUF_INIT;
	struct org fo = { 0 };
	bool filtered = false;
	int frc = page_org_param(r, &fo);
	if (frc < 0) return 0;
	if (frc > 0) {
		buf_fmt(&ids, "[%D]", fo.id);
		filtered = true;
	} else if (!curator) {
		buf_puts(&ids, "[");
		for (int i = 0; i < v->norgs; i++) buf_fmt(&ids, "%h%D", i ? "," : "", v->orgs[i]);
		buf_puts(&ids, "]");
	}

	buf_t *b = &r->out;
	r->status = 200;
	r->no_etag = true;
	html_begin(r, "Signalements reçus");
	buf_puts(b, "<h1>Signalements reçus</h1>\n");
	if (filtered) buf_fmt(b, "<p>Organisation : <strong>%h</strong> (<a href=\"/espace/signalements\">toutes</a>)</p>\n", fo.name);
	buf_puts(b, "<p>Les signalements d'erreurs envoyés sur les fiches de ");
	buf_puts(b, curator ? "toutes les organisations" : "vos organisations");
	buf_puts(b, ". Votre réponse est publiée sur la fiche ; le message et l'adresse de la personne qui "
	            "signale restent confidentiels. L'adresse est effacée 12 mois après la réponse.</p>\n");
	if (curator || v->norgs > 1) page_org_filter_form(r, "/espace/signalements");
	org_free(&fo);

	const char *idsv = ids.len ? buf_cstr(&ids) : NULL;
	sqlite3_stmt *st = db_stmt(r->db,
	                           "SELECT " REPORT_COLS " FROM report rp JOIN usecase u ON u.id = rp.usecase_id "
	                           "JOIN organisation o ON o.id = u.owner_org_id "
	                           "WHERE rp.state = 'open' AND (?1 IS NULL OR u.owner_org_id IN (SELECT value FROM json_each(?1))) "
	                           "ORDER BY rp.id LIMIT ?2");
	if (!st) goto fail;
	db_bind_text(st, 1, idsv);
	db_bind_int(st, 2, REPORT_INBOX_OPEN);
	buf_puts(b, "<section aria-labelledby=\"titre-ouverts\">\n<h2 id=\"titre-ouverts\">À traiter</h2>\n");
	int nopen = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		nopen++;
		int64_t rid = sqlite3_column_int64(st, 0);
		buf_fmt(b, "<article class=\"report\" id=\"signalement-%D\">\n", rid);
		render_report(b, st, 3);
		char suffix[32];
		snprintf(suffix, sizeof suffix, "-%lld", (long long)rid);
		answer_form(r, rid, suffix, NULL, NULL, NULL);
		buf_puts(b, "</article>\n");
	}
	db_reset(st);
	if (rc != SQLITE_DONE) goto fail;
	if (!nopen) buf_puts(b, "<p>Aucun signalement en attente de réponse.</p>\n");
	buf_puts(b, "</section>\n");

	st = db_stmt(r->db,
	             "SELECT rp.id, rp.usecase_id, u.slug, u.title, o.name, rp.field, rp.state, rp.answer, rp.answered_at "
	             "FROM report rp JOIN usecase u ON u.id = rp.usecase_id "
	             "JOIN organisation o ON o.id = u.owner_org_id "
	             "WHERE rp.state <> 'open' AND (?1 IS NULL OR u.owner_org_id IN (SELECT value FROM json_each(?1))) "
	             "ORDER BY rp.answered_at DESC, rp.id DESC LIMIT ?2");
	if (!st) goto fail;
	db_bind_text(st, 1, idsv);
	db_bind_int(st, 2, REPORT_INBOX_DONE);
	buf_puts(b, "<section aria-labelledby=\"titre-traites\">\n<h2 id=\"titre-traites\">Signalements traités</h2>\n");
	int ndone = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ndone++ == 0)
			buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\">\n<table class=\"data\">\n"
			            "<caption>Les 50 derniers signalements traités, du plus récent au plus ancien</caption>\n"
			            "<thead><tr><th scope=\"col\">N<sup>o</sup></th><th scope=\"col\">Fiche</th>"
			            "<th scope=\"col\">Organisation</th><th scope=\"col\">Information</th>"
			            "<th scope=\"col\">Suite</th><th scope=\"col\">Réponse publiée</th>"
			            "<th scope=\"col\">Répondu le</th></tr></thead>\n<tbody>\n");
		buf_t path = BUF_INIT;
		html_usecase_path(&path, sqlite3_column_int64(st, 1), col_text(st, 2));
		buf_fmt(b, "<tr><td>%D</td><td><a href=\"%h\">%h</a></td><td>%h</td><td>%h</td><td>%h</td>"
		           "<td><div class=\"text\">%h</div></td><td>",
		        (int64_t)sqlite3_column_int64(st, 0), buf_cstr(&path),
		        col_text(st, 3) && *col_text(st, 3) ? col_text(st, 3) : "(sans titre)", col_text(st, 4),
		        field_label(col_text(st, 5)), outcome_label(col_text(st, 6)), col_text(st, 7));
		html_time(b, col_text(st, 8));
		buf_puts(b, "</td></tr>\n");
		buf_free(&path);
	}
	db_reset(st);
	if (rc != SQLITE_DONE) goto fail;
	if (ndone) buf_puts(b, "</tbody>\n</table>\n</div>\n");
	else buf_puts(b, "<p>Aucun signalement traité pour l'instant.</p>\n");
	buf_puts(b, "</section>\n");
	html_end(r);
	buf_free(&ids);
	return 0;
fail:
	buf_free(&ids);
	page_error(r, 500, "Les signalements n'ont pas pu être lus.");
	return 0;
}

/* The answer page after an invalid answer (422): the report and its form. */
static int answer_error_page(struct req *r, int64_t rid, const char *outcome, const char *answer,
                             const struct verrors *e)
{
	sqlite3_stmt *st = db_stmt(r->db,
	                           "SELECT " REPORT_COLS " FROM report rp JOIN usecase u ON u.id = rp.usecase_id "
	                           "JOIN organisation o ON o.id = u.owner_org_id WHERE rp.id = ?1");
	if (!st) {
		page_error(r, 500, "Erreur interne.");
		return 0;
	}
	db_bind_int(st, 1, rid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_reset(st);
		page_error(r, 500, "Erreur interne.");
		return 0;
	}
	r->status = 422;
	html_begin(r, "Erreur : répondre au signalement");
	buf_t *b = &r->out;
	buf_puts(b, "<h1>Répondre au signalement</h1>\n");
	html_error_summary(b, e);
	buf_puts(b, "<article class=\"report\">\n");
	render_report(b, st, 2);
	db_reset(st);
	answer_form(r, rid, "", outcome, answer, e);
	buf_puts(b, "</article>\n<p><a href=\"/espace/signalements\">Revenir aux signalements reçus</a></p>\n");
	html_end(r);
	return 0;
}

int page_report_answer(struct req *r)
{
	int64_t rid;
	if (r->nargs < 1 || parse_int64(r->args[0], 1, INT64_MAX, &rid) < 0) {
		page_error(r, 404, "Ce signalement n'existe pas.");
		return 0;
	}
	sqlite3_stmt *st = db_stmt(r->db,
	                           "SELECT rp.state, u.owner_org_id, rp.usecase_id FROM report rp "
	                           "JOIN usecase u ON u.id = rp.usecase_id WHERE rp.id = ?1");
	if (!st) {
		page_error(r, 500, "Erreur interne.");
		return 0;
	}
	db_bind_int(st, 1, rid);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		db_reset(st);
		if (rc == SQLITE_DONE) page_error(r, 404, "Ce signalement n'existe pas.");
		else page_error(r, 500, "Erreur interne.");
		return 0;
	}
	bool open = col_text(st, 0) && strcmp(col_text(st, 0), "open") == 0;
	int64_t owner = sqlite3_column_int64(st, 1);
	int64_t ucid = sqlite3_column_int64(st, 2);
	db_reset(st);
	if (!auth_can_edit_org(&r->viewer, owner)) {
		page_error(r, 403, "Seuls les membres de l'organisation qui publie la fiche peuvent répondre à ce signalement.");
		return 0;
	}
	if (!open) {
		page_error(r, 409, "Ce signalement a déjà reçu une réponse.");
		return 0;
	}

	const char *outcome = req_form(r, "outcome");
	const char *answer_raw = req_form(r, "answer");
	const char *answer = trimmed(r, answer_raw);
	struct verrors e = { 0 };
	if (!outcome || !*outcome)
		verrors_add(&e, "validation.required", "outcome", "Choisissez la suite donnée au signalement.");
	else if (!outcome_ok(outcome))
		verrors_add(&e, "validation.enum", "outcome", "Choisissez une suite de la liste : corrigé, pas une erreur, ou autre.");
	size_t n = answer ? utf8_chars(answer) : 0;
	if (n == 0)
		verrors_add(&e, "validation.required", "answer", "Écrivez la réponse qui sera publiée sur la fiche.");
	else if (n > REPORT_ANSWER_MAX)
		verrors_add(&e, "validation.too_long", "answer",
		            "La réponse est trop longue (2 000 caractères au plus, %zu actuellement).", n);
	if (e.count) return answer_error_page(r, rid, outcome_ok(outcome) ? outcome : NULL, answer_raw, &e);

	char ts[21], limit[21];
	int64_t now = now_unix();
	iso8601_utc(now, ts);
	iso8601_utc(now - REPORT_CONTACT_KEEP, limit);
	if (db_begin(r->db) < 0) goto fail;
	st = db_stmt(r->db, "UPDATE report SET state = ?2, answer = ?3, answered_by = ?4, answered_at = ?5 "
	                    "WHERE id = ?1 AND state = 'open'");
	if (!st) goto rollback;
	db_bind_int(st, 1, rid);
	db_bind_text(st, 2, outcome);
	db_bind_text(st, 3, answer);
	db_bind_int(st, 4, r->viewer.user_id);
	db_bind_text(st, 5, ts);
	if (db_step_done(st) < 0) goto rollback;
	if (sqlite3_changes(db_sqlite(r->db)) != 1) {
		db_rollback(r->db);
		page_error(r, 409, "Ce signalement a déjà reçu une réponse.");
		return 0;
	}
	/* retention: contacts of reports answered more than 12 months ago */
	st = db_stmt(r->db, "UPDATE report SET contact = NULL WHERE contact IS NOT NULL AND state <> 'open' "
	                    "AND answered_at < ?1");
	if (!st) goto rollback;
	db_bind_text(st, 1, limit);
	if (db_step_done(st) < 0) goto rollback;
	char target[32], detail[96];
	snprintf(target, sizeof target, "report:%lld", (long long)rid);
	snprintf(detail, sizeof detail, "outcome=%s usecase=%lld", outcome, (long long)ucid);
	if (auth_audit(r->db, r->viewer.user_id, "report.answer", target, detail) < 0) goto rollback;
	if (db_commit(r->db) < 0) goto rollback;
	/* the reporter is told, when they left an address */
	st = db_stmt(r->db, "SELECT contact FROM report WHERE id = ?1 AND contact IS NOT NULL");
	if (st) {
		db_bind_int(st, 1, rid);
		char *contact = NULL;
		if (sqlite3_step(st) == SQLITE_ROW) contact = xstrdup((const char *)sqlite3_column_text(st, 0));
		db_reset(st);
		if (contact) {
			buf_t body = BUF_INIT;
			char path[48];
			snprintf(path, sizeof path, "/fiches/%lld", (long long)ucid);
			buf_puts(&body, "Bonjour,\n\nL'organisation a répondu à votre signalement. Sa réponse, publiée sur la fiche :\n\n");
			buf_puts(&body, answer);
			buf_puts(&body, "\n\n");
			outbox_link(&body, outbox_base_url(), path);
			buf_puts(&body, "\n\n— IA·T\n");
			outbox_send(r->db, contact, "Réponse à votre signalement", buf_cstr(&body));
			buf_free(&body);
			free(contact);
		}
	}
	req_flash(r, "report-answered");
	req_redirect(r, "/espace/signalements");
	return 0;
rollback:
	db_rollback(r->db);
fail:
	page_error(r, 500, "La réponse n'a pas pu être enregistrée.");
	return 0;
}
