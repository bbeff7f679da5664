/*
 * test_session.c — unit tests for session.c and the password functions of
 * auth.c: session creation and lookup, idle and absolute expiry (the rows'
 * times are moved back with SQL, since the code reads the real clock),
 * sign-out, ending every session of an account, disabled accounts, CSRF
 * token comparison, the password policy and argon2id hashing.
 *
 * One template database (migrations + tests/fixtures/orgs-mini) is built
 * once; each test works on its own copy (testdb.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "auth.h"
#include "session.h"
#include "testdb.h"

static db_t *tmpl;
static char tmpl_path[256];

struct fx {
	db_t *db;
	char path[256];
	int64_t uid;
};

static int group_setup(void **state)
{
	if (auth_init() < 0) return -1;
	tmpl = testdb_template(tmpl_path, sizeof tmpl_path, "session", "tests/fixtures/orgs-mini");
	return tmpl ? 0 : -1;
}

static int group_teardown(void **state)
{
	db_close(tmpl);
	testdb_remove(tmpl_path);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	f->db = testdb_copy(tmpl, f->path, sizeof f->path, "session-t");
	if (!f->db) return -1;
	char *err = NULL;
	f->uid = auth_user_add(f->db, "agent@example.fr", NULL, "citizen", &err);
	if (f->uid < 0) return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	db_close(f->db);
	testdb_remove(f->path);
	free(f);
	return 0;
}

static void exec_sql(db_t *db, const char *sql)
{
	assert_int_equal(db_exec(db, sql), 0);
}

static void test_create_lookup(void **state)
{
	struct fx *f = *state;
	char tok[SESSION_TOKEN_MAX], csrf[CSRF_TOKEN_LEN + 1];
	struct viewer v;
	assert_int_equal(session_create(f->db, f->uid, "192.0.2.1", tok), 0);
	assert_true(strncmp(tok, "s_", 2) == 0);
	assert_int_equal(strlen(tok), 2 + 43);
	assert_int_equal(session_lookup(f->db, tok, &v, csrf), 1);
	assert_int_equal(v.user_id, f->uid);
	assert_string_equal(v.role, "citizen");
	assert_int_equal(strlen(csrf), CSRF_TOKEN_LEN);
	/* the clear token is not stored */
	sqlite3_stmt *st = db_stmt(f->db, "SELECT count(*) FROM session WHERE token_hash = ?1 OR csrf = ?1");
	db_bind_text(st, 1, tok);
	int64_t n = -1;
	assert_int_equal(db_one_int(st, &n), 1);
	assert_int_equal(n, 0);
	/* two sessions have different tokens and CSRF tokens */
	char tok2[SESSION_TOKEN_MAX], csrf2[CSRF_TOKEN_LEN + 1];
	assert_int_equal(session_create(f->db, f->uid, NULL, tok2), 0);
	assert_string_not_equal(tok, tok2);
	assert_int_equal(session_lookup(f->db, tok2, &v, csrf2), 1);
	assert_string_not_equal(csrf, csrf2);
}

static void test_unknown_and_malformed(void **state)
{
	struct fx *f = *state;
	char csrf[CSRF_TOKEN_LEN + 1];
	struct viewer v;
	assert_int_equal(session_lookup(f->db, "", &v, csrf), 0);
	assert_int_equal(session_lookup(f->db, "s_short", &v, csrf), 0);
	assert_int_equal(session_lookup(f->db, "s_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &v, csrf), 0);
	assert_int_equal(session_lookup(f->db, "iat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &v, csrf), 0);
	assert_int_equal(v.user_id, 0);
	assert_string_equal(csrf, "");
}

static void test_idle_expiry(void **state)
{
	struct fx *f = *state;
	char tok[SESSION_TOKEN_MAX], csrf[CSRF_TOKEN_LEN + 1];
	struct viewer v;
	assert_int_equal(session_create(f->db, f->uid, NULL, tok), 0);
	/* just under the idle limit: still valid, and last_seen is refreshed */
	exec_sql(f->db, "UPDATE session SET last_seen = last_seen - 7000");
	assert_int_equal(session_lookup(f->db, tok, &v, csrf), 1);
	exec_sql(f->db, "UPDATE session SET last_seen = last_seen - 7000");
	assert_int_equal(session_lookup(f->db, tok, &v, csrf), 1);
	/* past the idle limit: gone, and the row is deleted */
	exec_sql(f->db, "UPDATE session SET last_seen = last_seen - 7201");
	assert_int_equal(session_lookup(f->db, tok, &v, csrf), 0);
	sqlite3_stmt *st = db_stmt(f->db, "SELECT count(*) FROM session");
	int64_t n = -1;
	assert_int_equal(db_one_int(st, &n), 1);
	assert_int_equal(n, 0);
}

static void test_absolute_expiry(void **state)
{
	struct fx *f = *state;
	char tok[SESSION_TOKEN_MAX], csrf[CSRF_TOKEN_LEN + 1];
	struct viewer v;
	assert_int_equal(session_create(f->db, f->uid, NULL, tok), 0);
	/* active all along, but signed in 12 hours ago */
	exec_sql(f->db, "UPDATE session SET abs_expires = unixepoch() - 1");
	assert_int_equal(session_lookup(f->db, tok, &v, csrf), 0);
}

static void test_destroy(void **state)
{
	struct fx *f = *state;
	char a[SESSION_TOKEN_MAX], b[SESSION_TOKEN_MAX], c[SESSION_TOKEN_MAX], csrf[CSRF_TOKEN_LEN + 1];
	struct viewer v;
	assert_int_equal(session_create(f->db, f->uid, NULL, a), 0);
	assert_int_equal(session_create(f->db, f->uid, NULL, b), 0);
	assert_int_equal(session_create(f->db, f->uid, NULL, c), 0);
	assert_int_equal(session_destroy(f->db, a), 0);
	assert_int_equal(session_lookup(f->db, a, &v, csrf), 0);
	assert_int_equal(session_lookup(f->db, b, &v, csrf), 1);
	/* a password change keeps the current session only */
	assert_int_equal(session_destroy_user(f->db, f->uid, c), 0);
	assert_int_equal(session_lookup(f->db, b, &v, csrf), 0);
	assert_int_equal(session_lookup(f->db, c, &v, csrf), 1);
	assert_int_equal(session_destroy_user(f->db, f->uid, NULL), 0);
	assert_int_equal(session_lookup(f->db, c, &v, csrf), 0);
}

static void test_disabled_account(void **state)
{
	struct fx *f = *state;
	char tok[SESSION_TOKEN_MAX], csrf[CSRF_TOKEN_LEN + 1];
	struct viewer v;
	assert_int_equal(session_create(f->db, f->uid, NULL, tok), 0);
	exec_sql(f->db, "UPDATE user SET disabled = 1");
	assert_int_equal(session_lookup(f->db, tok, &v, csrf), 0);
	assert_int_equal(v.user_id, 0);
}

static void test_memberships_and_role(void **state)
{
	struct fx *f = *state;
	char *err = NULL;
	/* becoming a member makes the citizen an agent; a referent elsewhere a referent */
	assert_true(auth_user_add(f->db, "agent@example.fr", "epci-243300316", "agent", &err) == f->uid);
	char tok[SESSION_TOKEN_MAX], csrf[CSRF_TOKEN_LEN + 1];
	struct viewer v;
	assert_int_equal(session_create(f->db, f->uid, NULL, tok), 0);
	assert_int_equal(session_lookup(f->db, tok, &v, csrf), 1);
	assert_string_equal(v.role, "agent");
	assert_int_equal(v.norgs, 1);
	assert_false(v.referent_of[0]);
	assert_true(auth_can_read_restricted(&v));
	assert_true(auth_can_edit_org(&v, v.orgs[0]));
	assert_false(auth_can_publish_org(&v, v.orgs[0]));
	assert_true(auth_can_see_members(&v, v.orgs[0]));
	assert_false(auth_can_manage_members(&v, v.orgs[0]));
	/* leaving every organisation makes them a citizen again */
	exec_sql(f->db, "DELETE FROM membership");
	assert_int_equal(auth_role_refresh(f->db, f->uid), 0);
	assert_int_equal(session_lookup(f->db, tok, &v, csrf), 1);
	assert_string_equal(v.role, "citizen");
	assert_false(auth_can_read_restricted(&v));
	/* a curator stays a curator */
	assert_true(auth_user_add(f->db, "agent@example.fr", NULL, "curator", &err) == f->uid);
	assert_true(auth_user_add(f->db, "agent@example.fr", "epci-243300316", "agent", &err) == f->uid);
	assert_int_equal(session_lookup(f->db, tok, &v, csrf), 1);
	assert_string_equal(v.role, "curator");
}

static void test_token_eq(void **state)
{
	assert_true(session_token_eq("abc", "abc"));
	assert_false(session_token_eq("abc", "abd"));
	assert_false(session_token_eq("abc", "abcd"));
	assert_false(session_token_eq("", ""));
	assert_false(session_token_eq(NULL, "abc"));
	assert_false(session_token_eq("abc", NULL));
	char a[CSRF_TOKEN_LEN + 1], b[CSRF_TOKEN_LEN + 1];
	session_random_token(a);
	session_random_token(b);
	assert_int_equal(strlen(a), CSRF_TOKEN_LEN);
	assert_string_not_equal(a, b);
}

static void test_password_policy(void **state)
{
	assert_non_null(auth_password_problem("", NULL));
	assert_non_null(auth_password_problem("onze-carac", NULL));       /* 10 characters */
	assert_null(auth_password_problem("douze-caract", NULL));         /* 12 */
	assert_null(auth_password_problem("éééééééééééa", NULL));         /* 12 characters, 23 bytes */
	assert_non_null(auth_password_problem("aaaaaaaaaaaaaaaa", NULL)); /* one repeated character */
	assert_non_null(auth_password_problem("Agent@Example.fr", "agent@example.fr"));
	assert_non_null(auth_password_problem("contrôle\001caractère", NULL));
	char long_pw[300];
	memset(long_pw, 'x', sizeof long_pw - 2);
	long_pw[0] = 'y';
	long_pw[sizeof long_pw - 2] = 0;
	assert_non_null(auth_password_problem(long_pw, NULL));
}

static void test_password_hash_check(void **state)
{
	struct fx *f = *state;
	int64_t uid = 0;
	/* no password yet: nothing matches */
	assert_int_equal(auth_password_check(f->db, "agent@example.fr", "", &uid), 0);
	assert_int_equal(auth_password_set(f->db, f->uid, "un mot de passe solide"), 0);
	assert_int_equal(auth_password_check(f->db, "agent@example.fr", "un mot de passe solide", &uid), 1);
	assert_int_equal(uid, f->uid);
	assert_int_equal(auth_password_check(f->db, "AGENT@example.FR", "un mot de passe solide", &uid), 1);
	assert_int_equal(auth_password_check(f->db, "agent@example.fr", "un mot de passe solid", &uid), 0);
	assert_int_equal(auth_password_check(f->db, "nobody@example.fr", "un mot de passe solide", &uid), 0);
	/* stored as an argon2id string, never in clear */
	sqlite3_stmt *st = db_stmt(f->db, "SELECT count(*) FROM user WHERE password_hash LIKE '$argon2id$%' "
	                                  "AND instr(password_hash, 'solide') = 0");
	int64_t n = 0;
	assert_int_equal(db_one_int(st, &n), 1);
	assert_int_equal(n, 1);
	/* a disabled account cannot sign in */
	exec_sql(f->db, "UPDATE user SET disabled = 1");
	assert_int_equal(auth_password_check(f->db, "agent@example.fr", "un mot de passe solide", &uid), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_account, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memberships_and_role, setup, teardown),
		cmocka_unit_test(test_token_eq),
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test_setup_teardown(test_password_hash_check, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
