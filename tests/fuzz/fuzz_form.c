/*
 * fuzz_form.c — libFuzzer target: urlencoded form bodies (R_FORM routes).
 *
 * The input is a POST body as the router hands it to http_parse_form():
 * http_parse_pairs() in multiline mode (up to HTTP_MAX_FORM fields). The
 * fields then go through the checks the sign-in, sign-up and password
 * forms apply first: auth_email_ok() on "email" and
 * auth_password_problem() on "password"/"mot_de_passe" (and on every
 * value, with and without an e-mail, since any of them may be typed in).
 *
 * Properties: names are one-line, values may hold only \n and \t among the
 * control characters (CR normalised away), everything is valid UTF-8; an
 * accepted e-mail has exactly one '@', a '.' after it, 3 to 254 bytes and
 * no space or control; an accepted password is valid UTF-8 of 12 to 256
 * bytes that is not the e-mail.
 */
#include <stdbool.h>
#include <strings.h>

#include "auth.h"
#include "fuzz.h"
#include "http.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_email(const char *e)
{
	if (!auth_email_ok(e)) return;
	size_t n = strlen(e);
	FUZZ_CHECK(n >= 3 && n <= 254);
	const char *at = strchr(e, '@');
	FUZZ_CHECK(at && at != e && !strchr(at + 1, '@') && strchr(at + 1, '.'));
	for (size_t i = 0; i < n; i++) FUZZ_CHECK((unsigned char)e[i] > 0x20 && e[i] != 0x7f);
}

static void check_password(const char *pw, const char *email)
{
	if (auth_password_problem(pw, email)) return;
	size_t n = strlen(pw);
	FUZZ_CHECK(n >= 12 && n <= AUTH_PASSWORD_MAX);
	FUZZ_CHECK(text_utf8_valid(pw, n) && !text_has_control(pw, n));
	FUZZ_CHECK(!email || strcasecmp(pw, email) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qparam *form = xcalloc(HTTP_MAX_FORM, sizeof *form);
	char *bad = NULL;
	int n = http_parse_pairs((const char *)data, size, form, HTTP_MAX_FORM, true, &bad);
	if (n < 0) {
		FUZZ_CHECK(bad != NULL && *bad);
		free(bad);
		free(form);
		return 0;
	}
	FUZZ_CHECK(bad == NULL && n <= HTTP_MAX_FORM);
	const char *email = NULL;
	for (int i = 0; i < n; i++) {
		const char *k = form[i].name, *v = form[i].value;
		size_t kl = strlen(k), vl = strlen(v);
		FUZZ_CHECK(kl > 0 && kl <= size && vl <= size);
		FUZZ_CHECK(text_utf8_valid(k, kl) && text_utf8_valid(v, vl));
		FUZZ_CHECK(fuzz_no_controls(k, kl, ""));
		FUZZ_CHECK(fuzz_no_controls(v, vl, "\n\t"));
		FUZZ_CHECK(!text_has_control(v, vl));
		if (!email && strcmp(k, "email") == 0) email = v;
	}
	for (int i = 0; i < n; i++) {
		const char *v = form[i].value;
		check_email(v);
		check_password(v, NULL);
		if (email) check_password(v, email);
	}
	for (int i = 0; i < n; i++) {
		free(form[i].name);
		free(form[i].value);
	}
	free(form);
	return 0;
}
