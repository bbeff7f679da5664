/*
 * page_import.c — the curators' import page (issue 6, section 2):
 * GET /admin/imports shows the form and the latest imports, POST
 * /admin/imports runs one import of an uploaded file and shows its report.
 *
 * Design notes
 * - Curators and admins only (CAP_CURATOR, checked by the router). The
 *   post is a multipart form (R_UPLOAD: body up to HTTP_MAX_UPLOAD, the
 *   file in r->upload, the CSRF field checked by the router like any form).
 * - The page offers exactly import_formats[] (import.c), the list the CLI
 *   uses, and runs the same entry points with the same options: "Essai"
 *   (dry run, checked by default so that a first click never writes) and
 *   "ignorer les enregistrements invalides" (skip_invalid). The report is
 *   the CLI's: counts, every rejected row with its reason, the warnings
 *   (the first 200).
 * - The importers read a path: the upload is written to a private
 *   temporary file (mkstemp, mode 0600) removed right after the import.
 *   The name the browser sent is used for provenance and display only.
 * - The import runs in the request (a 3 MB register imports in about a
 *   second); it takes the database's write lock for that time.
 * - Every real import (not an essai) gets an audit entry "import.run",
 *   target "import:FORMAT:FILE". The page lists the latest ones without
 *   the accounts' e-mail addresses (curators do not see the journal).
 * - Errors are French and name the field (format, fichier); the form comes
 *   back with the choices made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"
#include "importer.h"
#include "model.h"
#include "pages.h"
#include "util.h"

#define IMPORT_MAX_WARNINGS 200
#define IMPORT_RECENT 20

static void recent_imports(struct req *r)
{
	buf_t *b = &r->out;
	struct audit_query q = { "import.", NULL, NULL, 0, IMPORT_RECENT };
	struct audit_entry *e = NULL;
	int64_t total = 0;
	int n = audit_list(r->db, &q, &e, &total);
	buf_puts(b, "<h2 id=\"titre-derniers\">Derniers imports</h2>\n");
	if (n < 0) {
		buf_puts(b, "<p>La liste des derniers imports n'a pas pu être lue.</p>\n");
		return;
	}
	if (n == 0) {
		buf_puts(b, "<p>Aucun import enregistré.</p>\n");
	} else {
		buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"titre-derniers\">\n"
		            "<table class=\"data\">\n<caption>Derniers imports, du plus récent au plus ancien</caption>\n"
		            "<thead><tr><th scope=\"col\">Date (UTC)</th><th scope=\"col\">Origine</th>"
		            "<th scope=\"col\">Fichier</th><th scope=\"col\">Résultat</th></tr></thead>\n<tbody>\n");
		for (int i = 0; i < n; i++) {
			buf_puts(b, "<tr><td>");
			html_time(b, e[i].at);
			buf_fmt(b, "</td><td>%h</td><td>%h</td><td class=\"text\">%h</td></tr>\n",
			        e[i].user_id ? "page des imports" : "ligne de commande", e[i].target ? e[i].target : "",
			        e[i].detail ? e[i].detail : "");
		}
		buf_puts(b, "</tbody>\n</table>\n</div>\n");
	}
	audit_free(e, n);
}

static void import_form(struct req *r, const char *format, bool dry_run, bool skip, const struct verrors *e)
{
	buf_t *b = &r->out;
	buf_fmt(b, "<form method=\"post\" action=\"/admin/imports\" class=\"form\" enctype=\"multipart/form-data\" "
	           "novalidate aria-labelledby=\"titre-nouvel\">\n"
	           "<h2 id=\"titre-nouvel\">Nouvel import</h2>\n"
	           "<input type=\"hidden\" name=\"csrf\" value=\"%h\">\n",
	        req_csrf(r));
	const char *ferr = html_ferr(e, "format");
	buf_puts(b, ferr ? "<div class=\"field has-error\">\n" : "<div class=\"field\">\n");
	buf_puts(b, "<label for=\"f-format\">Format du fichier (obligatoire)</label>\n");
	html_field_error(b, e, "format");
	buf_puts(b, ferr ? "<select id=\"f-format\" name=\"format\" required aria-invalid=\"true\" aria-describedby=\"e-format\">\n"
	                 : "<select id=\"f-format\" name=\"format\" required>\n");
	buf_puts(b, "<option value=\"\">Choisir…</option>\n");
	for (size_t i = 0; i < import_nformats; i++) {
		const struct import_format *f = &import_formats[i];
		buf_fmt(b, "<option value=\"%h\"", f->name);
		if (format && strcmp(format, f->name) == 0) buf_puts(b, " selected");
		buf_fmt(b, ">%h</option>\n", f->label);
	}
	buf_puts(b, "</select>\n</div>\n");
	const char *ferr2 = html_ferr(e, "fichier");
	buf_puts(b, ferr2 ? "<div class=\"field has-error\">\n" : "<div class=\"field\">\n");
	buf_puts(b, "<label for=\"f-fichier\">Fichier (obligatoire)</label>\n"
	            "<p class=\"hint\" id=\"h-fichier\">CSV ou JSON tel que publié par sa source, 32 Mio au plus.</p>\n");
	html_field_error(b, e, "fichier");
	buf_puts(b, "<input id=\"f-fichier\" name=\"fichier\" type=\"file\" required "
	            "accept=\".csv,.json,.jsonl,text/csv,application/json\" ");
	buf_puts(b, ferr2 ? "aria-describedby=\"h-fichier e-fichier\" aria-invalid=\"true\">\n</div>\n"
	                  : "aria-describedby=\"h-fichier\">\n</div>\n");
	buf_puts(b, "<div class=\"field\"><div class=\"choice\"><input type=\"checkbox\" id=\"f-essai\" name=\"essai\" "
	            "value=\"1\"");
	if (dry_run) buf_puts(b, " checked");
	buf_puts(b, " aria-describedby=\"h-essai\"> <label for=\"f-essai\">Essai</label></div>\n"
	            "<p class=\"hint\" id=\"h-essai\">Tout vérifier et produire le rapport sans rien écrire.</p></div>\n");
	buf_puts(b, "<div class=\"field\"><div class=\"choice\"><input type=\"checkbox\" id=\"f-ignorer\" name=\"ignorer\" "
	            "value=\"1\"");
	if (skip) buf_puts(b, " checked");
	buf_fmt(b, " aria-describedby=\"h-ignorer\"> <label for=\"f-ignorer\">Ignorer les enregistrements "
	           "invalides</label></div>\n<p class=\"hint\" id=\"h-ignorer\">Sans cette case, un seul enregistrement "
	           "refusé annule tout l'import. Avec elle, les enregistrements valides sont importés et le rapport "
	           "liste les autres.</p></div>\n");
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Lancer l'import</button></div>\n</form>\n");
}

static void formats_list(buf_t *b)
{
	buf_puts(b, "<ul>\n");
	for (size_t i = 0; i < import_nformats; i++)
		buf_fmt(b, "<li><code>%h</code> : %h (source : %h)</li>\n", import_formats[i].name, import_formats[i].label,
		        import_formats[i].source);
	buf_puts(b, "</ul>\n");
}

static void page_head(struct req *r, const char *title)
{
	buf_t *b = &r->out;
	html_begin(r, title);
	buf_puts(b, "<h1>Imports</h1>\n<p class=\"lead\">Importer une bibliothèque existante, un registre étranger "
	            "(ses fiches deviennent des références internationales, tenues à part des statistiques "
	            "françaises) ou un export IA·T. Un nouvel import du même fichier met à jour les mêmes "
	            "enregistrements. La correspondance des champs est décrite dans la documentation "
	            "(doc/imports.md).</p>\n");
	formats_list(b);
}

int page_imports(struct req *r)
{
	r->status = 200;
	page_head(r, "Imports");
	import_form(r, NULL, true, false, NULL);
	recent_imports(r);
	html_end(r);
	return 0;
}

struct warnings {
	char *items[IMPORT_MAX_WARNINGS];
	int n, more;
};

static void collect_warning(void *ctx, const char *msg)
{
	struct warnings *w = ctx;
	if (w->n < IMPORT_MAX_WARNINGS) w->items[w->n++] = xstrdup(msg);
	else w->more++;
}

/* Write the upload to a private temporary file; its path in out. 0 or -1. */
static int save_upload(const struct req *r, char *out, size_t outsz)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir) dir = "/tmp";
	if ((size_t)snprintf(out, outsz, "%s/iat-import-XXXXXX", dir) >= outsz) return -1;
	int fd = mkstemp(out);
	if (fd < 0) return -1;
	size_t off = 0;
	while (off < r->upload.len) {
		ssize_t w = write(fd, r->upload.data + off, r->upload.len - off);
		if (w < 0) {
			if (errno == EINTR) continue;
			close(fd);
			unlink(out);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0) {
		unlink(out);
		return -1;
	}
	return 0;
}

static void count_row(buf_t *b, const char *label, int n)
{
	buf_fmt(b, "<tr><th scope=\"row\">%h</th><td class=\"num\">%d</td></tr>\n", label, n);
}

static void report(struct req *r, const struct import_format *fmt, const char *file, bool dry_run, int rc,
                   const char *err, const struct import_stats *st, const struct warnings *w)
{
	buf_t *b = &r->out;
	buf_fmt(b, "<section aria-labelledby=\"titre-rapport\" class=\"import-report\">\n"
	           "<h2 id=\"titre-rapport\">Rapport : %h (%h)</h2>\n",
	        file, fmt->name);
	if (rc < 0)
		buf_fmt(b, "<div class=\"error-summary\" role=\"alert\"><p>Rien n'a été importé : %h</p></div>\n", err);
	else if (dry_run)
		buf_puts(b, "<div class=\"notice\" role=\"status\"><p>Essai terminé : rien n'a été écrit. Pour importer, "
		            "relancez sans cocher « Essai ».</p></div>\n");
	else
		buf_puts(b, "<div class=\"notice\" role=\"status\"><p>Import terminé.</p></div>\n");
	const char *noun = fmt->noun ? fmt->noun : "fiche";
	buf_fmt(b, "<table class=\"data\">\n<caption>Enregistrements (%h%h)</caption>\n<tbody>\n", noun,
	        rc < 0 || dry_run ? ", ce qui aurait été fait" : "");
	count_row(b, "Lus", st->rows);
	count_row(b, "Créés", st->created);
	count_row(b, "Mis à jour", st->updated);
	count_row(b, "Inchangés", st->unchanged);
	count_row(b, "Refusés", st->rejected);
	count_row(b, "Avertissements", st->warnings);
	char secs[32]; /* French decimal comma */
	snprintf(secs, sizeof secs, "%.2f", st->seconds);
	for (char *p = secs; *p; p++)
		if (*p == '.') *p = ',';
	buf_fmt(b, "<tr><th scope=\"row\">Durée</th><td class=\"num\">%h s</td></tr>\n</tbody>\n</table>\n", secs);
	if (st->nrejects) {
		buf_puts(b, "<h3 id=\"titre-refuses\">Enregistrements refusés</h3>\n"
		            "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"titre-refuses\">\n"
		            "<table class=\"data\">\n<caption>Enregistrements refusés et raison</caption>\n<thead><tr>"
		            "<th scope=\"col\">Ligne ou n°</th><th scope=\"col\">Raison</th></tr></thead>\n<tbody>\n");
		for (size_t i = 0; i < st->nrejects; i++)
			buf_fmt(b, "<tr><td class=\"num\">%d</td><td class=\"text\">%h</td></tr>\n", st->rejects[i].line,
			        st->rejects[i].reason);
		buf_puts(b, "</tbody>\n</table>\n</div>\n");
	}
	if (w->n) {
		buf_puts(b, "<h3>Avertissements</h3>\n<ul class=\"warnings\">\n");
		for (int i = 0; i < w->n; i++) buf_fmt(b, "<li>%h</li>\n", w->items[i]);
		buf_puts(b, "</ul>\n");
		if (w->more) buf_fmt(b, "<p>… et %d autres avertissements.</p>\n", w->more);
	}
	buf_puts(b, "</section>\n");
}

int page_imports_post(struct req *r)
{
	const char *format = req_form(r, "format");
	bool dry_run = req_form(r, "essai") != NULL;
	bool skip = req_form(r, "ignorer") != NULL;
	struct verrors e = { 0 };
	const struct import_format *fmt = import_format_find(format);
	if (!format || !*format)
		verrors_add(&e, "required", "format", "Choisissez le format du fichier.");
	else if (!fmt)
		verrors_add(&e, "invalid", "format", "Format inconnu : choisissez un format de la liste.");
	if (!r->upload.present || !r->upload.filename[0])
		verrors_add(&e, "required", "fichier", "Choisissez le fichier à importer.");
	else if (r->upload.len == 0)
		verrors_add(&e, "invalid", "fichier", "Le fichier « %s » est vide.", r->upload.filename);
	if (e.count) {
		r->status = 400;
		page_head(r, "Erreur : Imports");
		html_error_summary(&r->out, &e);
		import_form(r, format, dry_run, skip, &e);
		recent_imports(r);
		html_end(r);
		return 0;
	}

	char tmp[512];
	if (save_upload(r, tmp, sizeof tmp) < 0) {
		log_warn("import upload: temporary file: %s", strerror(errno));
		page_error(r, 500, "Le fichier reçu n'a pas pu être enregistré pour l'import.");
		return 0;
	}
	/* the name as sent, without any directory part, for provenance */
	const char *file = strrchr(r->upload.filename, '/');
	file = file ? file + 1 : r->upload.filename;
	const char *bs = strrchr(file, '\\');
	if (bs) file = bs + 1;
	struct warnings w = { 0 };
	struct import_opts o = { 0 };
	o.dry_run = dry_run;
	o.skip_invalid = skip;
	o.filename = file;
	o.warn = collect_warning;
	o.warn_ctx = &w;
	struct import_stats st = { 0 };
	char *err = NULL;
	int rc = fmt->fn(r->db, tmp, &o, &st, &err);
	unlink(tmp);
	if (rc == 0 && !dry_run) {
		char *target = xasprintf("import:%s:%s", fmt->name, file);
		char *detail = xasprintf("%d créées, %d mises à jour, %d inchangées, %d refusées", st.created, st.updated,
		                         st.unchanged, st.rejected);
		if (auth_audit(r->db, r->viewer.user_id, "import.run", target, detail) < 0)
			log_warn("import: audit entry not written");
		free(target);
		free(detail);
	}
	r->status = rc < 0 ? 422 : 200;
	page_head(r, rc < 0 ? "Erreur : Imports" : "Rapport d'import");
	report(r, fmt, file, dry_run, rc, err, &st, &w);
	import_form(r, fmt->name, dry_run, skip, NULL);
	recent_imports(r);
	html_end(r);
	free(err);
	import_stats_free(&st);
	for (int i = 0; i < w.n; i++) free(w.items[i]);
	return 0;
}
