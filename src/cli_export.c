/*
 * cli_export.c — `iat export FORMAT [--restricted] [--out FILE]`: the
 * record exports of the API (export.h) written by the command line.
 *
 * Design notes
 * - Same rows and formats as GET /api/v1/exports/usecases.* (export.c),
 *   read in batches of BATCH rows by id inside one read transaction (one
 *   consistent snapshot of the library), written as they are read: memory
 *   stays that of one batch (measured on 100k records: doc/api.md).
 * - --restricted gives the agents' export (restricted fields and items):
 *   whoever runs the command can read the database file anyway.
 * - --out writes FILE.tmp-PID then renames it: an interrupted or failed
 *   export never leaves a partial FILE. Without --out: standard output.
 * - Progress on stderr every 10,000 rows ("export : 10000 / 100000
 *   fiches"), then one summary line. Misuse: one French line, exit 2;
 *   failure (database, disk): exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "cli.h"
#include "export.h"
#include "export_history.h"
#include "jsonw.h"
#include "opendata.h"
#include "store.h"
#include "util.h"

#define BATCH 256
#define PROGRESS_EVERY 10000

static const char export_usage[] =
    "usage : iat export csv|excel|json|jsonl|history|history-csv|table-schema [--db PATH] [--restricted]\n"
    "                  [--out FICHIER] [--base-url https://iat.exemple.fr]\n"
    "Exporte toutes les fiches visibles (publiées et retirées, jamais les brouillons) :\n"
    "  csv    CSV RFC 4180 (virgule, UTF-8, fins de ligne CRLF)\n"
    "  excel  CSV pour Excel en français (point-virgule, BOM UTF-8, CRLF, dates JJ/MM/AAAA,\n"
    "         virgule décimale)\n"
    "  json   un tableau JSON des fiches telles que l'API les rend\n"
    "  jsonl  JSON Lines : une fiche par ligne\n"
    "  history      l'historique : chaque version publique (publiée, retirée) de chaque fiche\n"
    "               visible, datée, en JSON Lines (une version par ligne ; doc/api.md)\n"
    "  history-csv  le même historique en CSV RFC 4180\n"
    "  table-schema le Table Schema (Frictionless) de l'export CSV public des fiches, avec les\n"
    "               métadonnées de schema.data.gouv.fr (copie : doc/schema-fiches.json)\n"
    "--restricted : avec les champs réservés aux agents (sinon : champs publics seulement)\n"
    "--out : écrit dans FICHIER (sinon : sur la sortie standard)\n"
    "--base-url : adresses des fiches absolues (sinon : chemins /fiches/...)\n"
    "La progression et le bilan vont sur la sortie d'erreur : sur un terminal, une ligne\n"
    "mise à jour en continu ; sinon une ligne toutes les 10 000 fiches (ou versions).\n";

/* Progress on stderr. On a terminal: one line rewritten in place
 * (at most every 200 ms, then erased before the summary); otherwise (a
 * log, a pipe) one line every PROGRESS_EVERY rows. */
struct progress {
	bool tty;
	const char *unit;          /* "fiches", "versions" */
	int64_t total, next;
	uint64_t last_ns;
	bool shown;
};

static void progress_init(struct progress *p, const char *unit, int64_t total)
{
	p->tty = isatty(STDERR_FILENO) != 0;
	p->unit = unit;
	p->total = total;
	p->next = PROGRESS_EVERY;
	p->last_ns = 0;
	p->shown = false;
}

static void progress_update(struct progress *p, int64_t done)
{
	if (p->tty) {
		uint64_t now = mono_ns();
		if (p->shown && now - p->last_ns < 200000000ULL) return;
		p->last_ns = now;
		p->shown = true;
		int pct = p->total > 0 ? (int)(done * 100 / p->total) : 100;
		fprintf(stderr, "\rexport : %lld / %lld %s (%d %%)\033[K", (long long)done, (long long)p->total, p->unit,
		        pct > 100 ? 100 : pct);
		fflush(stderr);
		return;
	}
	while (done >= p->next) {
		fprintf(stderr, "export : %lld / %lld %s\n", (long long)p->next, (long long)p->total, p->unit);
		p->next += PROGRESS_EVERY;
	}
}

static void progress_end(struct progress *p)
{
	if (p->tty && p->shown) fputs("\r\033[K", stderr);
}

struct cli_export {
	struct export_writer w;
	buf_t out;
	FILE *f;
	int64_t cursor, total, written;
	bool write_error;
};

static int row_cb(void *ctx, const struct usecase_export_row *row)
{
	struct cli_export *e = ctx;
	e->cursor = row->id;
	if (!auth_can_export_usecase(row->state)) return 0;
	if (export_row(&e->w, &e->out, row) == 0) e->written++;
	return 0;
}

static void flush_out(struct cli_export *e)
{
	if (e->out.len && fwrite(e->out.data, 1, e->out.len, e->f) != e->out.len) e->write_error = true;
	buf_reset(&e->out);
}

/* ---- the history export (export_history.c) ---- */

struct cli_history {
	struct history_writer w;
	buf_t out;
	FILE *f;
	int64_t cursor_id, cursor_version, written;
};

static int history_cb(void *ctx, const struct history_export_row *row)
{
	struct cli_history *h = ctx;
	h->cursor_id = row->id;
	h->cursor_version = row->version;
	int64_t before = h->w.rows;
	export_history_row(&h->w, &h->out, row);
	h->written += h->w.rows - before;
	return 0;
}

static void check_base(const char *base)
{
	if (!base) return;
	size_t n = strlen(base);
	if (!(str_starts(base, "https://") || str_starts(base, "http://")) || n > 200 || base[n - 1] == '/' ||
	    strpbrk(base, " \"<>'\\?#"))
		cli_usage_error("export : --base-url attend une adresse http(s)://hôte[:port] sans / final");
}

/* --out FILE: the export is written to FILE.tmp-PID (*tmp, heap), renamed
 * by out_close() when everything went well; without --out, stdout. Dies
 * (closing db) when the file cannot be created. */
static FILE *out_open(const char *out, db_t *db, char **tmp)
{
	*tmp = NULL;
	if (!out) return stdout;
	*tmp = xasprintf("%s.tmp-%ld", out, (long)getpid());
	FILE *f = fopen(*tmp, "wb");
	if (!f) {
		int err = errno;
		db_close(db);
		die("export : impossible d'écrire %s : %s", *tmp, strerror(err));
	}
	return f;
}

/* Flush and close f; on a read or write failure remove the temporary file
 * and die (nothing replaces FILE), else rename it to out and free tmp.
 * Returns the size written (-1 on stdout). */
static long long out_close(FILE *f, const char *out, char *tmp, bool read_failed, bool write_error)
{
	if (fflush(f) != 0) write_error = true;
	long long size = out ? (long long)ftell(f) : -1;
	if (out && fclose(f) != 0) write_error = true;
	if (read_failed || write_error) {
		if (tmp) unlink(tmp);
		free(tmp);
		die("export : échec %s (rien n'a été écrit à la place du fichier demandé)",
		    read_failed ? "de lecture de la base" : "d'écriture");
	}
	if (out && rename(tmp, out) != 0) {
		int err = errno;
		unlink(tmp);
		free(tmp);
		die("export : impossible de renommer le fichier vers %s : %s", out, strerror(err));
	}
	free(tmp);
	return size;
}

/* `iat export history|history-csv`: same structure as the record export
 * below (one read transaction, batches, FILE.tmp-PID renamed at the end,
 * progress on stderr). */
static int export_history_cli(const char *dbpath, const char *out, const char *base, bool restricted, bool csv)
{
	if (out && !*out) cli_usage_error("export : --out attend un nom de fichier");
	check_base(base);
	struct cli_history h = { 0 };
	h.w.csv = csv;
	h.w.restricted = restricted;
	h.w.base_url = base;
	db_t *db = cli_open_db(dbpath, false);
	h.w.db = db;
	char *tmp = NULL;
	h.f = out_open(out, db, &tmp);
	uint64_t t0 = mono_ns();
	bool tx = db_read_begin(db);
	int64_t total = 0;
	int rc = store_history_export_count(db, &total);
	buf_init(&h.out);
	export_history_begin(&h.w, &h.out);
	struct progress pr;
	progress_init(&pr, "versions", total);
	bool write_error = false;
	while (rc == 0) {
		int n = store_history_export(db, h.cursor_id, h.cursor_version, BATCH, history_cb, &h);
		if (n < 0) {
			rc = -1;
			break;
		}
		if (h.out.len && fwrite(h.out.data, 1, h.out.len, h.f) != h.out.len) write_error = true;
		buf_reset(&h.out);
		progress_update(&pr, h.written);
		if (n < BATCH || write_error) break;
	}
	progress_end(&pr);
	db_read_end(db, tx);
	export_history_free(&h.w);
	db_close(db);
	buf_free(&h.out);
	long long size = out_close(h.f, out, tmp, rc < 0, write_error);
	double secs = (double)(mono_ns() - t0) / 1e9;
	const char *what = restricted ? "avec les champs réservés" : "champs publics";
	if (out)
		fprintf(stderr, "export %s : %lld versions (%s) → %s (%lld octets, %.2f s)\n", csv ? "history-csv" : "history",
		        (long long)h.written, what, out, size, secs);
	else
		fprintf(stderr, "export %s : %lld versions (%s), %.2f s\n", csv ? "history-csv" : "history",
		        (long long)h.written, what, secs);
	return 0;
}

int cmd_export(int argc, char **argv)
{
	const char *dbpath = cli_default_db(), *out = NULL, *base = NULL;
	bool restricted = false;
	struct cli_opt opts[] = {
		{ "db", &dbpath, NULL },
		{ "restricted", NULL, &restricted },
		{ "out", &out, NULL },
		{ "base-url", &base, NULL },
	};
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, export_usage);
	if (npos == 0) {
		free(pos);
		cli_usage_error("export : format manquant : csv, excel, json ou jsonl");
	}
	if (npos > 1) {
		char *extra = xstrdup(pos[1]);
		free(pos);
		cli_usage_error("export : argument inattendu « %.60s » (un seul format)", extra);
	}
	struct cli_export e = { 0 };
	if (strcmp(pos[0], "table-schema") == 0) {
		free(pos);
		check_base(base);
		if (out || restricted) cli_usage_error("export table-schema : ni --out ni --restricted (schéma public, sur la sortie standard)");
		buf_t b = BUF_INIT;
		jsonw_t jw;
		jw_init(&jw, &b);
		opendata_table_schema(&jw, base ? base : "");
		buf_putc(&b, '\n');
		bool ok = fwrite(b.data, 1, b.len, stdout) == b.len && fflush(stdout) == 0;
		buf_free(&b);
		if (!ok) die("export : échec d'écriture");
		return 0;
	}
	if (strcmp(pos[0], "history") == 0 || strcmp(pos[0], "history-csv") == 0) {
		bool csv = strcmp(pos[0], "history-csv") == 0;
		free(pos);
		return export_history_cli(dbpath, out, base, restricted, csv);
	}
	if (export_format_parse(pos[0], &e.w.fmt) < 0) {
		char *bad = xstrdup(pos[0]);
		free(pos);
		cli_usage_error("export : format inconnu « %.40s » (csv, excel, json, jsonl, history, history-csv ou table-schema)", bad);
	}
	free(pos);
	if (out && !*out) cli_usage_error("export : --out attend un nom de fichier");
	if (base) {
		size_t n = strlen(base);
		if (!(str_starts(base, "https://") || str_starts(base, "http://")) || n > 200 || base[n - 1] == '/' ||
		    strpbrk(base, " \"<>'\\?#"))
			cli_usage_error("export : --base-url attend une adresse http(s)://hôte[:port] sans / final");
	}
	e.w.restricted = restricted;
	e.w.base_url = base;

	db_t *db = cli_open_db(dbpath, false);
	char *tmp = NULL;
	e.f = out_open(out, db, &tmp);
	uint64_t t0 = mono_ns();
	bool tx = db_read_begin(db); /* one snapshot for the whole file */
	int rc = store_usecase_export_count(db, &e.total);
	buf_init(&e.out);
	export_begin(&e.w, &e.out);
	struct progress pr;
	progress_init(&pr, "fiches", e.total);
	while (rc == 0) {
		int n = store_usecase_export(db, restricted, NULL, e.cursor, BATCH, row_cb, &e);
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n < BATCH) export_end(&e.w, &e.out);
		flush_out(&e);
		progress_update(&pr, e.written);
		if (n < BATCH || e.write_error) break;
	}
	progress_end(&pr);
	db_read_end(db, tx);
	db_close(db);
	buf_free(&e.out);
	long long size = out_close(e.f, out, tmp, rc < 0, e.write_error);
	double secs = (double)(mono_ns() - t0) / 1e9;
	if (out)
		fprintf(stderr, "export %s : %lld fiches (%s) → %s (%lld octets, %.2f s)\n", export_format_name(e.w.fmt),
		        (long long)e.written, restricted ? "avec les champs réservés" : "champs publics", out, size, secs);
	else
		fprintf(stderr, "export %s : %lld fiches (%s), %.2f s\n", export_format_name(e.w.fmt), (long long)e.written,
		        restricted ? "avec les champs réservés" : "champs publics", secs);
	return 0;
}
