/*
 * api_export.c — the record exports over HTTP (issue 6):
 *   GET /api/v1/exports/usecases.csv         CSV, RFC 4180
 *   GET /api/v1/exports/usecases-excel.csv   CSV for French Excel
 *   GET /api/v1/exports/usecases.json        JSON array
 *   GET /api/v1/exports/usecases.jsonl       JSON Lines
 *
 * Design notes
 * - Public, with CORS, like the API's reads; a valid bearer token of a
 *   reader of restricted fields (auth_can_read_restricted, the API's
 *   rule) gives the agents' export: restricted fields and items. Records:
 *   auth_can_export_usecase() (published and retracted, never drafts).
 * - Streamed in constant memory: the handler only sets up a reader
 *   (struct export_stream) that server.c hands to libmicrohttpd
 *   (MHD_create_response_from_callback, chunked). Each time MHD wants
 *   bytes and the pending buffer is empty, the next batch of BATCH rows
 *   (id > cursor) is read on the worker's connection and formatted; so
 *   memory holds one batch whatever the size of the library, and no
 *   transaction stays open between batches (the export as a whole is not
 *   one snapshot: a record changed meanwhile appears once, as read in its
 *   batch). A database error after the first byte cuts the reply (no
 *   final chunk): clients see a truncated transfer, never a short file
 *   that looks complete.
 * - Optional filters, one value each, checked like the list's: theme,
 *   status (vocabulary codes), state (published | retracted), owner (an
 *   organisation key, SIREN or INSEE code); a bad value is a 400 before
 *   anything is sent.
 * - No ETag (the body is not known in advance); Content-Disposition names
 *   the file (iat-fiches[-agents][-excel]-AAAA-MM-JJ.ext).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "export.h"
#include "org.h"
#include "store.h"
#include "util.h"

#define BATCH 64

struct export_stream {
	db_t *db;
	struct export_writer w;
	int64_t cursor;
	struct export_filter flt;   /* strings owned by the stream */
	char *theme, *status, *state;
	buf_t *out;                 /* the batch being filled */
	bool begun;                 /* the header line (or "[") is written */
};

static int stream_row(void *ctx, const struct usecase_export_row *row)
{
	struct export_stream *s = ctx;
	s->cursor = row->id;
	if (auth_can_export_usecase(row->state)) export_row(&s->w, s->out, row);
	return 0;
}

/* req_fill_fn: the next BATCH records (req_stream_batches, http.h) */
static int stream_fill(void *ctx, buf_t *out)
{
	struct export_stream *s = ctx;
	s->out = out;
	if (!s->begun) {
		export_begin(&s->w, out);
		s->begun = true;
	}
	int n = store_usecase_export(s->db, s->w.restricted, &s->flt, s->cursor, BATCH, stream_row, s);
	if (n < 0) return -1;
	if (n < BATCH) {
		export_end(&s->w, out);
		return 0;
	}
	return 1;
}

static void stream_free(void *ctx)
{
	struct export_stream *s = ctx;
	free(s->theme);
	free(s->status);
	free(s->state);
	free(s);
}

/* The optional filters (theme, status, state, owner: one value each, as
 * in the list API). 0, or -1 after replying 400. */
static int parse_filters(struct req *r, struct export_filter *f)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < r->nparams; i++) /* one value per filter */
		for (int j = 0; j < i; j++)
			if (strcmp(r->params[i].name, r->params[j].name) == 0) {
				api_error(r, 400, "request.invalid_parameter", r->params[i].name,
				          "« %s » : une seule valeur dans un export.", r->params[i].name);
				return -1;
			}
	const char *names[] = { "theme", "status" };
	const char **dest[] = { &f->theme, &f->status };
	for (int k = 0; k < 2; k++) {
		const char *v = req_param(r, names[k]);
		if (v && !search_facet_value_ok(names[k], v)) {
			api_error(r, 400, "request.invalid_parameter", names[k], "Valeur « %.40s » inconnue pour « %s ».", v,
			          names[k]);
			return -1;
		}
		*dest[k] = v;
	}
	const char *st = req_param(r, "state");
	if (st && strcmp(st, "published") && strcmp(st, "retracted")) {
		api_error(r, 400, "request.invalid_parameter", "state", "« state » vaut « published » ou « retracted ».");
		return -1;
	}
	f->state = st;
	const char *owner = req_param(r, "owner");
	if (owner) {
		struct org o;
		int rc = org_find(r->db, owner, &o);
		if (rc <= 0) {
			api_error(r, rc < 0 ? 500 : 400, rc < 0 ? "server.database" : "request.invalid_parameter", "owner",
			          "Organisation « %.60s » introuvable.", owner);
			return -1;
		}
		f->owner_org_id = o.id;
		org_free(&o);
	}
	return 0;
}

static int export_reply(struct req *r, enum export_format fmt)
{
	struct export_filter flt;
	if (parse_filters(r, &flt) < 0) return 0;
	struct export_stream *s = xcalloc(1, sizeof *s);
	/* the stream outlives the request's parameters: own copies */
	s->theme = flt.theme ? xstrdup(flt.theme) : NULL;
	s->status = flt.status ? xstrdup(flt.status) : NULL;
	s->state = flt.state ? xstrdup(flt.state) : NULL;
	s->flt = (struct export_filter){ s->theme, s->status, s->state, flt.owner_org_id };
	s->db = r->db;
	s->w.fmt = fmt;
	s->w.restricted = auth_can_read_restricted(&r->viewer);
	s->w.base_url = server_base_url(r->srv);
	char name[96];
	export_filename(&s->w, name, sizeof name);
	req_stream_batches(r, export_content_type(fmt), name, stream_fill, stream_free, s);
	return 0;
}

int api_export_usecases_csv(struct req *r)
{
	return export_reply(r, EXPORT_CSV);
}

int api_export_usecases_excel(struct req *r)
{
	return export_reply(r, EXPORT_EXCEL);
}

int api_export_usecases_json(struct req *r)
{
	return export_reply(r, EXPORT_JSON);
}

int api_export_usecases_jsonl(struct req *r)
{
	return export_reply(r, EXPORT_JSONL);
}
