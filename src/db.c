/*
 * db.c — see db.h.
 *
 * The statement cache is a small open-addressing table keyed by the hash of
 * the SQL text; it belongs to the connection and is finalized with it.
 */
#include "db.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assets.h"
#include "text.h"
#include "util.h"

#define STMT_SLOTS 256

struct stmt_slot {
	uint64_t hash;
	char *sql;
	sqlite3_stmt *st;
};

struct db {
	sqlite3 *h;
	char *path;
	struct stmt_slot slots[STMT_SLOTS];
	size_t nslots;
};

db_t *db_open(const char *path, int flags, char **err)
{
	sqlite3 *h = NULL;
	int oflags = SQLITE_OPEN_NOMUTEX;
	if (flags & DB_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE | ((flags & DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	int rc = sqlite3_open_v2(path, &h, oflags, NULL);
	if (rc != SQLITE_OK) {
		if (err)
			*err = xasprintf("impossible d'ouvrir la base %s : %s", path,
			                 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close(h);
		return NULL;
	}
	db_t *db = xcalloc(1, sizeof *db);
	db->h = h;
	db->path = xstrdup(path);
	sqlite3_busy_timeout(h, 5000);
	sqlite3_extended_result_codes(h, 1);
	static const char *pragmas =
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA synchronous=NORMAL;"
	    "PRAGMA temp_store=MEMORY;"
	    "PRAGMA cache_size=-8000;";
	/* No mmap: it saves ~7 µs per record read (copies from the kernel),
	 * but every page of the file it touches counts in the process's RSS
	 * (2.5 GB on the 100k-record bench database, bench/RESULTS.md). */
	if (!(flags & DB_READONLY)) {
		char *msg = NULL;
		if (sqlite3_exec(h, "PRAGMA journal_mode=WAL;", NULL, NULL, &msg) != SQLITE_OK) {
			if (err) *err = xasprintf("%s : %s", path, msg ? msg : "journal_mode");
			sqlite3_free(msg);
			db_close(db);
			return NULL;
		}
	}
	char *msg = NULL;
	if (sqlite3_exec(h, pragmas, NULL, NULL, &msg) != SQLITE_OK ||
	    text_fts5_register(h) != SQLITE_OK || fts_rank_register(h) != SQLITE_OK) {
		if (err) *err = xasprintf("%s : %s", path, msg ? msg : sqlite3_errmsg(h));
		sqlite3_free(msg);
		db_close(db);
		return NULL;
	}
	return db;
}

void db_close(db_t *db)
{
	if (!db) return;
	for (size_t i = 0; i < STMT_SLOTS; i++) {
		if (db->slots[i].st) sqlite3_finalize(db->slots[i].st);
		free(db->slots[i].sql);
	}
	sqlite3_close(db->h);
	free(db->path);
	free(db);
}

sqlite3 *db_sqlite(db_t *db)
{
	return db->h;
}

const char *db_path(db_t *db)
{
	return db->path;
}

int db_error(db_t *db, const char *what)
{
	log_error("sqlite: %s: %s (%d)", what, sqlite3_errmsg(db->h), sqlite3_extended_errcode(db->h));
	return -1;
}

sqlite3_stmt *db_stmt(db_t *db, const char *sql)
{
	size_t len = strlen(sql);
	uint64_t h = hash64(sql, len);
	size_t i = (size_t)(h % STMT_SLOTS);
	for (size_t probe = 0; probe < STMT_SLOTS; probe++, i = (i + 1) % STMT_SLOTS) {
		struct stmt_slot *s = &db->slots[i];
		if (!s->st) break;
		if (s->hash == h && strcmp(s->sql, sql) == 0) {
			sqlite3_reset(s->st);
			sqlite3_clear_bindings(s->st);
			return s->st;
		}
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db->h, sql, (int)len, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_error("sqlite: prepare failed: %s in: %.200s", sqlite3_errmsg(db->h), sql);
		return NULL;
	}
	if (db->nslots >= STMT_SLOTS * 3 / 4) {
		/* Cache full (only possible with many distinct dynamic queries):
		 * drop everything and start again. */
		for (size_t k = 0; k < STMT_SLOTS; k++) {
			if (db->slots[k].st) sqlite3_finalize(db->slots[k].st);
			free(db->slots[k].sql);
			db->slots[k] = (struct stmt_slot){ 0 };
		}
		db->nslots = 0;
		i = (size_t)(h % STMT_SLOTS);
	}
	while (db->slots[i].st) i = (i + 1) % STMT_SLOTS;
	db->slots[i] = (struct stmt_slot){ h, xstrndup(sql, len), st };
	db->nslots++;
	return st;
}

void db_reset(sqlite3_stmt *st)
{
	if (!st) return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int db_exec(db_t *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("sqlite: %s in: %.200s", msg ? msg : "?", sql);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int db_begin(db_t *db)
{
	sqlite3_stmt *st = db_stmt(db, "BEGIN IMMEDIATE");
	return st ? db_step_done(st) : -1;
}

bool db_read_begin(db_t *db)
{
	if (!sqlite3_get_autocommit(db->h)) return false;
	sqlite3_stmt *st = db_stmt(db, "BEGIN DEFERRED");
	return st && db_step_done(st) == 0;
}

void db_read_end(db_t *db, bool began)
{
	if (!began) return;
	sqlite3_stmt *st = db_stmt(db, "COMMIT");
	if (!st || db_step_done(st) < 0) db_rollback(db);
}

int db_commit(db_t *db)
{
	sqlite3_stmt *st = db_stmt(db, "COMMIT");
	return st ? db_step_done(st) : -1;
}

void db_rollback(db_t *db)
{
	if (sqlite3_get_autocommit(db->h)) return;
	sqlite3_stmt *st = db_stmt(db, "ROLLBACK");
	if (st) db_step_done(st);
}

int db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s) return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

int db_bind_int(sqlite3_stmt *st, int idx, int64_t v)
{
	return sqlite3_bind_int64(st, idx, v);
}

int db_one_int(sqlite3_stmt *st, int64_t *out)
{
	int rc = sqlite3_step(st);
	int ret;
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		ret = 1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	} else {
		log_error("sqlite: step: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
		ret = -1;
	}
	db_reset(st);
	return ret;
}

int db_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_error("sqlite: step: %s (%d) in: %.200s", sqlite3_errmsg(sqlite3_db_handle(st)),
		          rc, sqlite3_sql(st));
		ret = -1;
	}
	db_reset(st);
	return ret;
}

int db_meta_get(db_t *db, const char *key, char **value)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT value FROM meta WHERE key = ?1");
	if (!st) return -1;
	db_bind_text(st, 1, key);
	int rc = sqlite3_step(st), ret;
	if (rc == SQLITE_ROW) {
		*value = xstrdup((const char *)sqlite3_column_text(st, 0));
		ret = 1;
	} else {
		ret = rc == SQLITE_DONE ? 0 : -1;
	}
	db_reset(st);
	return ret;
}

int db_meta_set(db_t *db, const char *key, const char *value)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
	                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	if (!st) return -1;
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, value);
	return db_step_done(st);
}

/* ==== Migrations ==== */

int db_schema_version(db_t *db)
{
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migration ("
	                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)") < 0)
		return -1;
	sqlite3_stmt *st = db_stmt(db, "SELECT coalesce(max(version), 0) FROM schema_migration");
	int64_t v = 0;
	if (!st || db_one_int(st, &v) < 0) return -1;
	return (int)v;
}

int db_migrate(db_t *db)
{
	int current = db_schema_version(db);
	if (current < 0) return -1;
	int applied = 0;
	/* assets are sorted by name, so NNN_*.sql come in order */
	for (size_t i = 0; i < assets_count; i++) {
		const struct asset *a = &assets[i];
		size_t n = strlen(a->name);
		if (n < 8 || strcmp(a->name + n - 4, ".sql") != 0) continue;
		int64_t num;
		char digits[4] = { a->name[0], a->name[1], a->name[2], 0 };
		if (a->name[3] != '_' || parse_int64(digits, 1, 999, &num) < 0) continue;
		if (num <= current) continue;
		if (db_begin(db) < 0) return -1;
		char *msg = NULL;
		if (sqlite3_exec(db->h, a->data, NULL, NULL, &msg) != SQLITE_OK) {
			log_error("migration %s failed: %s", a->name, msg ? msg : "?");
			sqlite3_free(msg);
			db_rollback(db);
			return -1;
		}
		sqlite3_stmt *st = db_stmt(db, "INSERT INTO schema_migration(version, name, applied_at) "
		                               "VALUES (?1, ?2, ?3)");
		char ts[21];
		iso8601_utc(now_unix(), ts);
		db_bind_int(st, 1, num);
		db_bind_text(st, 2, a->name);
		db_bind_text(st, 3, ts);
		if (db_step_done(st) < 0 || db_commit(db) < 0) {
			db_rollback(db);
			return -1;
		}
		applied++;
	}
	return applied;
}

/* ==== Backup ==== */

/* Remove DEST.tmp-PID and DEST.tmp-PID-journal left behind by a backup that
 * was killed (kill -9, power cut): its PID is no longer a live process. A
 * running backup to the same DEST (live PID) is left alone; a reused PID
 * only delays the clean-up to a later backup. */
static void backup_clean_stale(const char *dest)
{
	char *dir = xstrdup(dest);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dest;
	const char *dpath = slash ? (slash == dir ? "/" : dir) : ".";
	if (slash) *slash = '\0';
	size_t blen = strlen(base);
	DIR *d = opendir(dpath);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		if (strncmp(n, base, blen) != 0 || strncmp(n + blen, ".tmp-", 5) != 0) continue;
		const char *p = n + blen + 5;
		long pid = 0;
		while (*p >= '0' && *p <= '9' && pid < 100000000) pid = pid * 10 + (*p++ - '0');
		if (pid <= 0 || (*p != '\0' && strcmp(p, "-journal") != 0)) continue;
		if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
		char *path = xasprintf("%s/%s", dpath, n);
		if (unlink(path) == 0) log_info("sauvegarde : fichier temporaire abandonné %s supprimé", path);
		free(path);
	}
	if (d) closedir(d);
	free(dir);
}

int db_backup(db_t *db, const char *dest, char **err)
{
	char *tmp = xasprintf("%s.tmp-%d", dest, (int)getpid());
	sqlite3 *out = NULL;
	int ret = -1;
	backup_clean_stale(dest);
	unlink(tmp);
	if (sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		*err = xasprintf("impossible de créer %s : %s", tmp, sqlite3_errmsg(out));
		goto out;
	}
	sqlite3_backup *bk = sqlite3_backup_init(out, "main", db->h, "main");
	if (!bk) {
		*err = xasprintf("sauvegarde impossible : %s", sqlite3_errmsg(out));
		goto out;
	}
	/* All pages in one step, i.e. in one read transaction of the source:
	 * a copy made in several steps restarts from the first page whenever
	 * another process (the server) writes in between, so under steady
	 * writes it never finished. In WAL mode the read transaction does not
	 * block the writers. */
	int rc;
	do {
		rc = sqlite3_backup_step(bk, -1);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		*err = xasprintf("sauvegarde interrompue : %s", sqlite3_errstr(rc));
		goto out;
	}
	/* the copy is a standalone file: rollback journal, not WAL */
	sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close(out);
	out = NULL;
	int fd = open(tmp, O_RDONLY);
	if (fd < 0 || fsync(fd) < 0) {
		*err = xasprintf("fsync %s : %s", tmp, strerror(errno));
		if (fd >= 0) close(fd);
		goto out;
	}
	close(fd);
	if (rename(tmp, dest) < 0) {
		*err = xasprintf("renommage vers %s impossible : %s", dest, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (out) sqlite3_close(out);
	if (ret < 0) unlink(tmp);
	free(tmp);
	return ret;
}
