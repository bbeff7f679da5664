/*
 * testdb.h — database fixtures shared by the unit tests that need a real
 * database (test_import.c, test_search.c).
 *
 * A test group builds one template database (migrations + organisations
 * loaded from a reference data directory) with testdb_template(); each test
 * gets its own copy with testdb_copy() (SQLite's backup API, so a test
 * starts from the same state whatever the previous one wrote), and removes
 * it with testdb_remove(). Files live in /tmp under mkstemp() names.
 * Header-only (static inline) so each test stays a single translation unit.
 */
#ifndef IAT_TESTDB_H
#define IAT_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db.h"
#include "org.h"
#include "util.h"

/* The repository root: $IAT_SOURCE_DIR (set by CTest), or ".". */
static inline const char *testdb_src_dir(void)
{
	const char *d = getenv("IAT_SOURCE_DIR");
	return d && *d ? d : ".";
}

/* Remove a database file and its WAL companions. */
static inline void testdb_remove(const char *path)
{
	char *w = xasprintf("%s-wal", path), *m = xasprintf("%s-shm", path);
	unlink(path);
	unlink(w);
	unlink(m);
	free(w);
	free(m);
}

/* Write a fresh mkstemp() name "/tmp/iat-test-<prefix>-XXXXXX" into path.
 * 0 or -1. */
static inline int testdb_tmpname(char *path, size_t pathsz, const char *prefix)
{
	snprintf(path, pathsz, "/tmp/iat-test-%s-XXXXXX", prefix);
	int fd = mkstemp(path);
	if (fd < 0) return -1;
	close(fd);
	return 0;
}

/* Create a migrated database at a fresh temporary path (written into path)
 * with the organisations of orgs_dir (relative to the repository root)
 * loaded. Returns the open connection, or NULL (message on stderr). */
static inline db_t *testdb_template(char *path, size_t pathsz, const char *prefix, const char *orgs_dir)
{
	char *err = NULL;
	if (testdb_tmpname(path, pathsz, prefix) < 0) return NULL;
	db_t *db = db_open(path, DB_CREATE, &err);
	if (!db) {
		fprintf(stderr, "db_open: %s\n", err);
		free(err);
		return NULL;
	}
	if (db_migrate(db) < 0) goto fail;
	char *dir = xasprintf("%s/%s", testdb_src_dir(), orgs_dir);
	struct org_load_stats s;
	int rc = org_load_reference(db, dir, false, &s, &err);
	free(dir);
	if (rc < 0) {
		fprintf(stderr, "org_load_reference: %s\n", err);
		free(err);
		goto fail;
	}
	return db;
fail:
	db_close(db);
	testdb_remove(path);
	return NULL;
}

/* Copy template into a fresh temporary path (written into path) and open
 * it. Returns the connection, or NULL (message on stderr). */
static inline db_t *testdb_copy(db_t *template, char *path, size_t pathsz, const char *prefix)
{
	char *err = NULL;
	if (testdb_tmpname(path, pathsz, prefix) < 0) return NULL;
	if (db_backup(template, path, &err) < 0) {
		fprintf(stderr, "db_backup: %s\n", err);
		free(err);
		return NULL;
	}
	db_t *db = db_open(path, 0, &err);
	if (!db) {
		fprintf(stderr, "db_open: %s\n", err);
		free(err);
		return NULL;
	}
	if (db_migrate(db) < 0) {
		db_close(db);
		return NULL;
	}
	return db;
}

#endif
