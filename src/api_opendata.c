/*
 * api_opendata.c — the open-data documents of issue 6 over HTTP:
 *   GET /api/v1/exports/history.jsonl    every public version (JSON Lines)
 *   GET /api/v1/exports/history.csv      the same as CSV
 *   GET /api/v1/exports/datapackage.json Frictionless data package
 *   GET /api/v1/exports/usecases.schema.json  Table Schema of the records CSV
 *   GET /api/v1/catalog.jsonld           DCAT-AP catalogue (JSON-LD)
 *
 * Design notes
 * - The history export streams like the record export (api_export.c):
 *   the handler sets up a reader that server.c hands to libmicrohttpd;
 *   each time the pending bytes are taken, the next BATCH versions after
 *   the (id, version) cursor are read (store_history_export()) and
 *   formatted (export_history.c). Memory: one batch. A database error
 *   after the first byte cuts the reply (no final chunk).
 * - Public with CORS; a bearer token of a reader of restricted fields
 *   (auth_can_read_restricted(), the record export's rule) gives the
 *   agents' history with restricted fields and items. Which versions:
 *   auth_can_export_version().
 * - The data package and the catalogue are written by opendata.c from
 *   the export column tables and the model; URLs are absolute when the
 *   server knows its base URL (--base-url), else built from the Host
 *   header is NOT done (a forged Host would end up in the document):
 *   they are then site paths, which JSON-LD resolves against the
 *   document's own address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "export_history.h"
#include "opendata.h"
#include "store.h"
#include "util.h"

#define BATCH 64

struct history_stream {
	db_t *db;
	struct history_writer w;
	int64_t cursor_id, cursor_version;
	buf_t *out;              /* the batch being filled */
	bool begun;              /* the CSV header is written */
};

static int stream_row(void *ctx, const struct history_export_row *row)
{
	struct history_stream *s = ctx;
	s->cursor_id = row->id;
	s->cursor_version = row->version;
	export_history_row(&s->w, s->out, row);
	return 0;
}

/* req_fill_fn: the next BATCH versions (req_stream_batches, http.h) */
static int stream_fill(void *ctx, buf_t *out)
{
	struct history_stream *s = ctx;
	s->out = out;
	if (!s->begun) {
		export_history_begin(&s->w, out);
		s->begun = true;
	}
	int n = store_history_export(s->db, s->cursor_id, s->cursor_version, BATCH, stream_row, s);
	return n < 0 ? -1 : n < BATCH ? 0 : 1;
}

static void stream_free(void *ctx)
{
	struct history_stream *s = ctx;
	export_history_free(&s->w);
	free(s);
}

static int history_reply(struct req *r, bool csv)
{
	struct history_stream *s = xcalloc(1, sizeof *s);
	s->db = r->db;
	s->w.csv = csv;
	s->w.restricted = auth_can_read_restricted(&r->viewer);
	s->w.base_url = server_base_url(r->srv);
	s->w.db = r->db;
	char name[96];
	export_history_filename(&s->w, name, sizeof name);
	req_stream_batches(r, csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8", name, stream_fill,
	                   stream_free, s);
	return 0;
}

int api_export_history_jsonl(struct req *r)
{
	return history_reply(r, false);
}

int api_export_history_csv(struct req *r)
{
	return history_reply(r, true);
}

int api_export_datapackage(struct req *r)
{
	char first[40], last[40];
	if (store_public_dates(r->db, first, last, sizeof last) < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	jsonw_t w;
	jw_init(&w, &r->out);
	opendata_datapackage(&w, server_base_url(r->srv), first, last);
	buf_putc(&r->out, '\n');
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	return 0;
}

int api_export_table_schema(struct req *r)
{
	jsonw_t w;
	jw_init(&w, &r->out);
	opendata_table_schema(&w, server_base_url(r->srv));
	buf_putc(&r->out, '\n');
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	return 0;
}

int api_catalog(struct req *r)
{
	char first[40], last[40];
	if (store_public_dates(r->db, first, last, sizeof last) < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	jsonw_t w;
	jw_init(&w, &r->out);
	opendata_catalog(&w, server_base_url(r->srv), first, last);
	buf_putc(&r->out, '\n');
	r->status = 200;
	r->content_type = "application/ld+json; charset=utf-8";
	return 0;
}
