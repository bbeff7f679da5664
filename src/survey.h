/*
 * survey.h — survey campaigns of the observatory (issue 7 §1): a
 * campaign's definition, one organisation's answers, and targeting.
 * Pure functions: no database, no I/O (storage: store_survey.c).
 *
 * Design notes
 * - The definition format is "iat-campaign/1" and the answers format is
 *   a JSON object question code → value, exactly as in
 *   doc/surveys.md (shared with the statistics engine: never change
 *   their meaning). survey_def_parse() checks every rule and reports each
 *   problem with a French message naming the question and the field
 *   (« question 3 (budget), min : … ») and a stable code (validation.*).
 * - Unknown keys are refused (a typo in "requried" would otherwise be
 *   silently lost). The canonical JSON written back by survey_def_json()
 *   has the keys in the order of the contract and omits defaults
 *   (required false, empty target lists, no help).
 * - Answers: survey_answers_check() walks the questions in order, so a
 *   show_if (which always refers to an EARLIER single/multiple question)
 *   is evaluated on the already cleaned answer: a hidden question's
 *   answer is dropped (even when invalid) and it is never required; a
 *   question hidden because its condition's question is hidden is hidden
 *   too. Texts are trimmed; an empty text or an empty multiple choice is
 *   "not answered" (absent). `complete` (a submission) adds the
 *   "required" rule; a draft only checks what is there.
 * - Errors go into struct verrors (model.h): field "q-CODE" for an answer
 *   (the id of its form control), "questions.N.FIELD" or "FIELD" for a
 *   definition.
 */
#ifndef IAT_SURVEY_H
#define IAT_SURVEY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"

#define SURVEY_FORMAT "iat-campaign/1"
#define SURVEY_MAX_QUESTIONS 200
#define SURVEY_TEXT_MAX 500         /* characters, kind text */
#define SURVEY_LONGTEXT_MAX 10000   /* characters, kind longtext */

enum survey_kind { SQ_SINGLE, SQ_MULTIPLE, SQ_NUMBER, SQ_SCALE, SQ_TEXT, SQ_LONGTEXT };

struct survey_option {
	char *code, *label;
};

struct survey_question {
	char *code;
	enum survey_kind kind;
	char *label, *help;     /* help may be NULL */
	bool required;
	struct survey_option *options;
	int noptions;
	char *unit;             /* number only, may be NULL */
	bool has_min, has_max;
	double min, max;
	int show_q;             /* index of the condition's question, -1: always shown */
	char *show_value;       /* the option code it must have */
};

struct survey_def {
	char *code;
	int year;
	char *title, *intro;    /* intro may be NULL (Markdown) */
	char opens_on[11], closes_on[11];
	char **kinds, **bands, **regions;
	int nkinds, nbands, nregions;
	struct survey_question *q;
	int nq;
};

/* "single", "multiple"... and the French label ("choix unique"...). */
const char *survey_kind_name(enum survey_kind k);
const char *survey_kind_label(enum survey_kind k);
/* Does s match [a-z0-9][a-z0-9_-]{0,63}? */
bool survey_code_ok(const char *s);
/* Is s a real calendar date YYYY-MM-DD? */
bool survey_date_ok(const char *s);

/* Parse and validate a definition. 0 and *out filled (free with
 * survey_def_free()), or -1 with errs filled (*out zeroed). */
int survey_def_parse(const json_t *in, struct survey_def *out, struct verrors *errs);
/* Same from text (a JSON syntax error is one error naming line and
 * column). */
int survey_def_parse_text(const char *text, size_t len, struct survey_def *out, struct verrors *errs);
void survey_def_free(struct survey_def *d);
/* The canonical iat-campaign/1 document (new reference). */
json_t *survey_def_json(const struct survey_def *d);
/* Index of the question with this code, or -1. */
int survey_question_index(const struct survey_def *d, const char *code);

/* Is an organisation of this kind, population band (NULL: unknown) and
 * région (NULL: none) in the campaign's target? Empty lists mean all; an
 * unknown band or région is outside a non-empty list. */
bool survey_targets(const struct survey_def *d, const char *kind, const char *band, const char *region);

/* Campaign state on date today (YYYY-MM-DD): -1 à venir, 0 ouverte
 * (opens_on <= today <= closes_on), 1 close. */
int survey_state(const struct survey_def *d, const char *today);
const char *survey_state_label(int state);

/* Validate answers (a JSON object) against d. Returns the cleaned answers
 * (new reference: hidden answers dropped, texts trimmed, empty answers
 * removed) or NULL with errs filled. complete: also require the required
 * questions that are shown (a submission). */
json_t *survey_answers_check(const struct survey_def *d, const json_t *answers, bool complete,
                             struct verrors *errs);
/* Is question i shown with these (cleaned) answers? */
bool survey_question_shown(const struct survey_def *d, int i, const json_t *answers);

/* Changes that would alter the meaning of answered questions: for each
 * code of answered[0..n) (questions with at least one stored answer),
 * newd must keep the question with the same kind and the same option
 * codes. Adds one error per change; returns their number. */
int survey_def_check_change(const struct survey_def *oldd, const struct survey_def *newd, const char *const *answered,
                            int n, struct verrors *errs);

#endif
