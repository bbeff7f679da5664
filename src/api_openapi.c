/*
 * api_openapi.c — the API contract: GET /api/v1/openapi.json (OpenAPI 3.1).
 *
 * Design notes
 * - The document is a hand-written skeleton (src/openapi/openapi-skeleton.json,
 *   embedded like the static files: paths, envelopes, error responses, every
 *   error code, the shapes of lists, versions, reuses...) completed at run
 *   time from the model: components/schemas/RecordFields (the record as
 *   served: every field of model_fields[], nullable, organisations
 *   expanded), RecordInput (the same fields as accepted in POST/PATCH:
 *   organisations as keys) and one vocab_<name> schema per vocabulary. A
 *   field added to the model therefore appears in the contract without
 *   touching the skeleton.
 * - Each field has its French label (title), its French help and an English
 *   description (field_en[] below: the model has no English text) in
 *   "description", and x-visibility / x-section / x-interconnectes-column.
 *   A field without English text gets "EN: (missing)", which the black-box
 *   test "contract" rejects.
 * - The generated text is committed as doc/openapi.json; the test
 *   "contract" checks that the served document equals that file, so a
 *   change of the model shows in review (regenerate with
 *   UPDATE_OPENAPI=1 ctest -R blackbox/contract).
 * - Built once (pthread_once) and kept for the life of the process: it
 *   depends only on the binary. The documentation page (page_apidoc.c)
 *   renders the same json_t.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "assets.h"
#include "openapi.h"
#include "util.h"

static const struct {
	const char *name, *en;
} field_en[] = {
	{ "title", "Name of the project or of the deployed service." },
	{ "summary", "One or two sentences (350 characters at most): what the service does and for whom." },
	{ "description", "What the service is for, its expected benefits and uses (Markdown)." },
	{ "owner", "The local authority or public body that runs the project (output: the organisation; input: an IA·T key, SIREN or INSEE code)." },
	{ "partner_orgs", "Other local authorities or public bodies associated with the project." },
	{ "partners", "Academic, expert, technical or funding partners." },
	{ "suppliers", "Contractors and software vendors, with their SIREN when known." },
	{ "contact", "E-mail of the contact person or department in charge (restricted)." },
	{ "start_date", "Start date: YYYY, YYYY-MM or YYYY-MM-DD." },
	{ "status", "Maturity: idea, experiment, deployed, ended or abandoned." },
	{ "abandon_reasons", "If the project was abandoned: the obstacles met (required when status is abandoned)." },
	{ "theme", "Main public-policy theme." },
	{ "sub_themes", "One or two public-policy sub-themes (suggestions in /api/v1/schema)." },
	{ "latitude", "Location of the project (WGS84 latitude)." },
	{ "longitude", "Location of the project (WGS84 longitude)." },
	{ "image_url", "URL of the owner authority's logo." },
	{ "info_updated_on", "Date on which the owner last updated the record (declared)." },
	{ "reuse_context", "Why and in what context the authority takes up the project it reuses (Markdown)." },
	{ "reuse_adaptations", "What was changed from the original project: scope, data, suppliers..." },
	{ "audiences", "Users of the service: general public, beneficiaries, staff, elected officials..." },
	{ "implementation", "How it was developed and deployed: in-house, external, contractors, public procurement..." },
	{ "funding", "Funding programmes (restricted)." },
	{ "budget_band", "Yearly budget band (restricted)." },
	{ "cost_one_off", "One-off cost (acquisition, development, set-up), euros excluding VAT (restricted)." },
	{ "cost_yearly", "Yearly running cost (licences, hosting, maintenance), euros excluding VAT (restricted)." },
	{ "staff_time", "Staff time spent on the service, full-time equivalents per year (restricted)." },
	{ "funding_sources", "Sources of funding: own budget, Fonds vert, CRTE, DSIL, France 2030, FEDER..." },
	{ "hosting", "Where the data are hosted (restricted)." },
	{ "decision_scope", "Scope of the decision: external (users) or internal procedure." },
	{ "decisions_per_year", "Approximate number of decisions made or assisted per year." },
	{ "automation_level", "Decision support, partial automation or fully automated decision." },
	{ "individual_decisions", "Whether the processing grounds individual decisions (French CRPA, L311-3-1)." },
	{ "human_oversight", "Who checks the results, how, and can correct them." },
	{ "algorithm_name", "Name of the algorithm, or the decision it implements." },
	{ "algorithm_description", "What the algorithm is for and which tasks it performs." },
	{ "algorithm_operations", "Technical details of the operations performed by the algorithm (restricted)." },
	{ "ai_techniques", "AI techniques: machine learning, language processing, generative AI, vision..." },
	{ "effectiveness_gap", "Gap to objectives: low (meets them) to high (does not)." },
	{ "explainability", "Difficulty of explanation to the public: low to high." },
	{ "environmental_impact", "Score or assessment of the environmental impact." },
	{ "data_sources", "Who provides the training and operating data." },
	{ "data_access", "How the data are collected and updated (restricted)." },
	{ "personal_data", "Personal data: none, pseudonymised, personal, sensitive." },
	{ "risk_level", "Risk level under the EU AI Act: minimal, limited (transparency), high, prohibited." },
	{ "risk_assessment", "Assessment used, risks identified and mitigation measures." },
	{ "proportionality", "Why the algorithm is necessary; benefit compared with a solution without AI." },
	{ "reversibility", "Whether and how the effects of the algorithm can be fully undone." },
	{ "objection_procedure", "How people can object to the use or the result." },
	{ "dpia_done", "Whether a data protection impact assessment (DPIA) was carried out." },
	{ "dpia_url", "URL of the published DPIA (needs dpia_done true)." },
	{ "legal_bases", "Legal texts the processing is based on (title and link)." },
	{ "indicators", "Impact indicators: baseline, dated measurements, target, method and level of evidence (Etalab impact model); restricted items only for agents." },
	{ "reuse_kit", "Documents and links to take up the project: specifications, procurement documents, contacts; restricted items only for agents." },
	{ "info_url", "Project page (information or access to the service)." },
	{ "resource_urls", "Links to the algorithm, data, model..." },
	{ "source_code_url", "URL of the open source code." },
	{ "source_code_licence", "Licence of the code, SPDX identifier preferably." },
};

static const struct vocab *const vocabs[] = {
	&vocab_theme, &vocab_status, &vocab_audience, &vocab_hosting, &vocab_implementation,
	&vocab_ai_technique, &vocab_data_source, &vocab_data_access, &vocab_risk_level, &vocab_budget_band,
	&vocab_level3, &vocab_automation, &vocab_personal_data, &vocab_state, &vocab_org_kind,
	&vocab_pop_band, &vocab_sub_theme, &vocab_indicator_type, &vocab_frequency, &vocab_evidence,
	&vocab_item_visibility, &vocab_kit_kind, &vocab_funding_source,
};

static json_t *ref(const char *name)
{
	char p[128];
	snprintf(p, sizeof p, "#/components/schemas/%s", name);
	return json_pack("{s:s}", "$ref", p);
}

static json_t *vocab_ref(const struct vocab *v)
{
	char n[96];
	snprintf(n, sizeof n, "vocab_%s", v->name);
	return ref(n);
}

static json_t *vocab_schema(const struct vocab *v)
{
	json_t *codes = json_array(), *labels = json_object();
	buf_t d;
	buf_init(&d);
	buf_puts(&d, "Vocabulaire « ");
	buf_puts(&d, v->name);
	buf_puts(&d, " » (codes ; libellés français dans x-labels). / Vocabulary (codes; French labels in x-labels).");
	for (size_t i = 0; i < v->count; i++) {
		json_array_append_new(codes, json_string(v->terms[i].code));
		json_object_set_new(labels, v->terms[i].code, json_string(v->terms[i].label));
	}
	json_t *s = json_pack("{s:s, s:o, s:s, s:o}", "type", "string", "enum", codes, "description", buf_cstr(&d),
	                      "x-labels", labels);
	buf_free(&d);
	return s;
}

static json_t *str_schema(int maxlen)
{
	json_t *s = json_pack("{s:s}", "type", "string");
	if (maxlen > 0) json_object_set_new(s, "maxLength", json_integer(maxlen));
	return s;
}

static json_t *uri_schema(void)
{
	return json_pack("{s:s, s:s, s:i}", "type", "string", "format", "uri", "maxLength", 2000);
}

static json_t *list_of(json_t *items, int maxitems)
{
	json_t *s = json_pack("{s:s, s:o}", "type", "array", "items", items);
	if (maxitems > 0) json_object_set_new(s, "maxItems", json_integer(maxitems));
	return s;
}

/* The value schema of field f (not null), as served (input false) or as
 * accepted (input true). */
static json_t *value_schema(const struct field *f, bool input)
{
	switch (f->type) {
	case F_STR:
	case F_TEXT:
	case F_MD: return str_schema(f->maxlen);
	case F_ENUM: return vocab_ref(f->vocab);
	case F_ENUMS: {
		json_t *s = list_of(vocab_ref(f->vocab), f->maxlen);
		json_object_set_new(s, "uniqueItems", json_true());
		return s;
	}
	case F_STRS: return list_of(json_pack("{s:s}", "type", "string"), f->maxlen);
	case F_URL: return uri_schema();
	case F_URLS: return list_of(uri_schema(), f->maxlen);
	case F_BOOL: return json_pack("{s:s}", "type", "boolean");
	case F_INT: {
		json_t *s = json_pack("{s:s, s:i}", "type", "integer", "minimum", 0);
		if (f->max > 0) json_object_set_new(s, "maximum", json_real(f->max));
		return s;
	}
	case F_NUM: return json_pack("{s:s, s:f, s:f}", "type", "number", "minimum", f->min, "maximum", f->max);
	case F_DATE:
		return json_pack("{s:s, s:s}", "type", "string", "pattern", "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$");
	case F_ORG:
		return input ? json_pack("{s:s, s:i}", "type", "string", "maxLength", 64) : ref("OrgRef");
	case F_ORGS:
		return list_of(input ? json_pack("{s:s, s:i}", "type", "string", "maxLength", 64)
		                     : json_pack("{s:[o, {s:s}]}", "anyOf", ref("OrgRef"), "type", "null"),
		               f->maxlen);
	case F_SUPPLIERS: return list_of(ref("Supplier"), f->maxlen);
	case F_LEGAL: return list_of(ref("LegalBasis"), f->maxlen);
	case F_INDICATORS: return list_of(ref("Indicator"), f->maxlen);
	case F_KIT: return list_of(ref("KitItem"), f->maxlen);
	}
	return json_object();
}

static const char *english(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(field_en); i++)
		if (strcmp(field_en[i].name, name) == 0) return field_en[i].en;
	return "(missing)";
}

static json_t *field_schema(const struct field *f, bool input)
{
	json_t *alts = json_array();
	json_array_append_new(alts, value_schema(f, input));
	json_array_append_new(alts, json_pack("{s:s}", "type", "null"));
	if (input) json_array_append_new(alts, json_pack("{s:s}", "const", ""));
	buf_t d;
	buf_init(&d);
	buf_puts(&d, f->help);
	buf_puts(&d, "\n\nEN: ");
	buf_puts(&d, english(f->name));
	json_t *s = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s}", "title", f->label, "description", buf_cstr(&d), "anyOf", alts,
	                      "x-type", model_type_name(f->type), "x-visibility",
	                      f->vis == VIS_PUBLIC ? "public" : "restricted", "x-section", f->section);
	buf_free(&d);
	if (f->required) json_object_set_new(s, "x-required-on-create", json_true());
	if (f->source) json_object_set_new(s, "x-interconnectes-column", json_string(f->source));
	if (f->type == F_NUM && model_field_unit(f))
		json_object_set_new(s, "x-unit", json_string(model_field_unit(f)));
	return s;
}

static json_t *build(void)
{
	const struct asset *a = asset_find("openapi-skeleton.json");
	if (!a) return NULL;
	json_error_t err;
	json_t *doc = json_loadb(a->data, a->len, 0, &err);
	if (!doc) {
		fprintf(stderr, "openapi-skeleton.json:%d:%d: %s\n", err.line, err.column, err.text);
		return NULL;
	}
	/* the schema version in info.description */
	json_t *info = json_object_get(doc, "info");
	const char *desc = json_string_value(json_object_get(info, "description"));
	const char *mark = desc ? strstr(desc, "@SCHEMA_VERSION@") : NULL;
	if (mark) {
		buf_t d;
		buf_init(&d);
		buf_append(&d, desc, (size_t)(mark - desc));
		buf_puts(&d, MODEL_SCHEMA_VERSION);
		buf_puts(&d, mark + strlen("@SCHEMA_VERSION@"));
		json_object_set_new(info, "description", json_string(buf_cstr(&d)));
		buf_free(&d);
	}
	json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	json_t *out = json_object(), *in = json_object(), *req = json_array();
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		json_object_set_new(out, f->name, field_schema(f, false));
		json_object_set_new(in, f->name, field_schema(f, true));
		if (f->vis == VIS_PUBLIC) json_array_append_new(req, json_string(f->name));
	}
	json_t *rf = json_object_get(schemas, "RecordFields");
	json_object_set_new(rf, "properties", out);
	json_object_set_new(rf, "required", req);
	json_object_set_new(json_object_get(schemas, "RecordInput"), "properties", in);
	for (size_t i = 0; i < ARRAY_LEN(vocabs); i++) {
		char n[96];
		snprintf(n, sizeof n, "vocab_%s", vocabs[i]->name);
		json_object_set_new(schemas, n, vocab_schema(vocabs[i]));
	}
	return doc;
}

static json_t *doc_cache;
static char *text_cache;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	doc_cache = build();
	if (doc_cache) {
		char *t = json_dumps(doc_cache, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (t) {
			size_t n = strlen(t);
			text_cache = xrealloc(t, n + 2);
			text_cache[n] = '\n';
			text_cache[n + 1] = 0;
		}
	}
}

const json_t *openapi_document(void)
{
	pthread_once(&once, init);
	return doc_cache;
}

const char *openapi_text(void)
{
	pthread_once(&once, init);
	return text_cache;
}

int api_openapi(struct req *r)
{
	const char *t = openapi_text();
	if (!t) {
		api_error(r, 500, "server.database", NULL, "Document OpenAPI indisponible.");
		return 0;
	}
	buf_reset(&r->out);
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	buf_puts(&r->out, t);
	return 0;
}
