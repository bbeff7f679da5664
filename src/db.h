/*
 * db.h — the SQLite connection wrapper: opening with our pragmas and the
 * "iat" FTS5 tokenizer, numbered migrations, a prepared-statement cache,
 * and transactions.
 *
 * Design notes
 * - One db_t per thread (SQLite connections are not shared between
 *   threads here). The server opens one per worker thread lazily
 *   (server.c); CLI commands open one.
 * - SQL is never built from values: every value is bound. db_stmt()
 *   prepares a statement once per connection and caches it by SQL text;
 *   callers bind, step, and end with db_reset(). Dynamic SQL (search
 *   filters) is assembled from fixed fragments only and cached the same way.
 * - Errors from SQLite that are not the caller's fault (I/O, corruption,
 *   misuse) are logged with the SQL and returned as -1; the caller turns
 *   them into a 500.
 * - WAL journal, synchronous=NORMAL (a committed transaction survives a
 *   process crash; a power loss may lose the last ones), foreign keys on,
 *   busy timeout 5 s.
 */
#ifndef IAT_DB_H
#define IAT_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct db db_t;

#define DB_CREATE 1   /* create the file if it does not exist */
#define DB_READONLY 2

/* Open path. On failure returns NULL and, if err is not NULL, a heap
 * message in *err (caller frees). */
db_t *db_open(const char *path, int flags, char **err);
void db_close(db_t *db);
sqlite3 *db_sqlite(db_t *db);
const char *db_path(db_t *db);

/* Apply the embedded migrations (src/sql/NNN_*.sql) not yet applied.
 * Idempotent. Returns the number applied, or -1. */
int db_migrate(db_t *db);
/* Highest applied migration number (0 for a fresh file), or -1. */
int db_schema_version(db_t *db);

/* Cached prepared statement for sql (prepared on first use). Returns NULL
 * on a prepare error (logged). The statement is reset and unbound when
 * handed out. */
sqlite3_stmt *db_stmt(db_t *db, const char *sql);
/* Reset + clear bindings; call when done stepping a cached statement. */
void db_reset(sqlite3_stmt *st);

/* Execute SQL without parameters (DDL, BEGIN...). 0 or -1 (logged). */
int db_exec(db_t *db, const char *sql);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. 0 or -1. */
int db_begin(db_t *db);
/* A read transaction (BEGIN DEFERRED) when none is open: a request that
 * runs many small reads takes the WAL read lock once instead of once per
 * statement. Returns true when it began one (then end it with
 * db_read_end()), false when a transaction was already open. */
bool db_read_begin(db_t *db);
void db_read_end(db_t *db, bool began);
int db_commit(db_t *db);
void db_rollback(db_t *db);

/* Helpers for bound parameters: text may be NULL (binds NULL). */
int db_bind_text(sqlite3_stmt *st, int idx, const char *s);
int db_bind_int(sqlite3_stmt *st, int idx, int64_t v);

/* Run a statement expected to return at most one integer; *out unchanged
 * when there is no row. Returns 1 if a row, 0 if none, -1 on error. The
 * statement is reset. */
int db_one_int(sqlite3_stmt *st, int64_t *out);
/* Step a statement that returns no row; reset it. 0 or -1. */
int db_step_done(sqlite3_stmt *st);

/* Log the connection's last error with context; returns -1. */
int db_error(db_t *db, const char *what);

/* meta table */
int db_meta_get(db_t *db, const char *key, char **value);  /* 1 found, 0 absent, -1 */
int db_meta_set(db_t *db, const char *key, const char *value);

/* Online consistent copy of the database to dest (sqlite3 backup API),
 * written to dest.tmp-PID then fsync'ed and renamed, so an interrupted
 * backup never leaves a partial file at dest. The dest.tmp-PID files of
 * killed backups (dead PID) are removed first. 0 or -1 with *err. */
int db_backup(db_t *db, const char *dest, char **err);

#endif
