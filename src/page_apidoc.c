/*
 * page_apidoc.c — GET /api/documentation: the API documentation, rendered
 * from the OpenAPI document (openapi.h), in French.
 *
 * Design notes
 * - One source: the page walks the same json_t as /api/v1/openapi.json, so
 *   the documentation cannot drift from the contract. No script, no
 *   external resource; every text of the document goes through %h.
 * - Accessibility: one h1; a table of contents; an h2 per tag (and for the
 *   envelope, the error codes and the record schema), an h3 per operation
 *   ("GET /api/v1/usecases — summary"); tables with a caption and th
 *   scope; examples in <pre>.
 * - The path starts with /api/, so the router treats it as an API path:
 *   its errors (an unknown query parameter) come back as JSON, and no
 *   session is loaded (the page does not depend on the viewer).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openapi.h"
#include "pages.h"

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Follow a "$ref" inside the document ("#/components/..."), once. */
static const json_t *deref(const json_t *doc, const json_t *v)
{
	const char *ref = sget(v, "$ref");
	if (!ref || strncmp(ref, "#/", 2) != 0) return v;
	const json_t *cur = doc;
	char part[128];
	const char *p = ref + 2;
	while (*p && cur) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof part) return v;
		memcpy(part, p, n);
		part[n] = 0;
		cur = json_object_get(cur, part);
		p = e ? e + 1 : p + n;
	}
	return cur ? cur : v;
}

/* The name of a referenced schema ("Record"), or NULL. */
static const char *ref_name(const json_t *v)
{
	const char *ref = sget(v, "$ref");
	const char *s = ref ? strrchr(ref, '/') : NULL;
	return s ? s + 1 : NULL;
}

/* A short type description of a schema: "Record", "tableau de UsecaseHit", "entier". */
static void type_text(buf_t *b, const json_t *s)
{
	const char *rn = ref_name(s);
	if (rn) {
		buf_fmt(b, "<a href=\"#schema-%h\">%h</a>", rn, rn);
		return;
	}
	const json_t *t = json_object_get(s, "type");
	const char *ts = json_string_value(t);
	if (json_is_array(t)) ts = json_string_value(json_array_get(t, 0));
	if (ts && strcmp(ts, "array") == 0) {
		buf_puts(b, "liste de ");
		type_text(b, json_object_get(s, "items"));
		return;
	}
	const json_t *en = json_object_get(s, "enum");
	if (en) {
		buf_puts(b, "une valeur parmi ");
		size_t i;
		const json_t *x;
		json_array_foreach(en, i, x) {
			if (!json_is_string(x)) continue;
			buf_fmt(b, "%h<code>%h</code>", i ? ", " : "", json_string_value(x));
		}
		return;
	}
	const json_t *any = json_object_get(s, "anyOf");
	if (any) {
		type_text(b, json_array_get(any, 0));
		buf_puts(b, " ou null");
		return;
	}
	static const struct {
		const char *en, *fr;
	} names[] = { { "string", "texte" }, { "integer", "entier" }, { "number", "nombre" },
		      { "boolean", "booléen" }, { "object", "objet" } };
	for (size_t i = 0; ts && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(ts, names[i].en) == 0) {
			buf_puts(b, names[i].fr);
			return;
		}
	buf_puts(b, ts ? ts : "valeur");
}

/* A table that may scroll sideways: a focusable, labelled region (as in
 * page_audit.c), the label unique on the page. */
static void scroll_open(buf_t *b, const char *label, const char *method, const char *path)
{
	buf_fmt(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"%h%h%h%h%h\">\n"
	           "<table class=\"data\">\n",
	        label, method ? " " : "", method ? method : "", path ? " " : "", path ? path : "");
}

static void render_example(buf_t *b, const json_t *ex)
{
	if (!ex) return;
	char *t = json_dumps(ex, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (!t) return;
	buf_fmt(b, "<pre><code>%h</code></pre>\n", t);
	free(t);
}

static void render_operation(buf_t *b, const json_t *doc, const char *path, const char *method, const json_t *op)
{
	char upper[8];
	size_t n = strlen(method);
	if (n >= sizeof upper) n = sizeof upper - 1;
	for (size_t i = 0; i < n; i++) upper[i] = (char)(method[i] - 'a' + 'A');
	upper[n] = 0;
	const char *id = sget(op, "operationId");
	buf_fmt(b, "<section class=\"api-op\" aria-labelledby=\"op-%h\">\n<h3 id=\"op-%h\"><code>%h %h</code> — %h</h3>\n", id,
	        id, upper, path, sget(op, "summary"));
	if (sget(op, "description")) buf_fmt(b, "<p>%h</p>\n", sget(op, "description"));
	const json_t *sec = json_object_get(op, "security");
	bool token = json_array_size(sec) == 1 && json_object_size(json_array_get(sec, 0)) == 1;
	buf_fmt(b, "<p><strong>Accès :</strong> %h</p>\n",
	        token ? "jeton d'API obligatoire (Authorization: Bearer …) ; pas de CORS."
	              : "public (jeton facultatif : il ouvre les champs restreints aux agents) ; CORS ouvert.");

	const json_t *params = json_object_get(op, "parameters");
	if (json_array_size(params)) {
		scroll_open(b, "Paramètres de", upper, path);
		buf_fmt(b, "<caption>Paramètres de <code>%h %h</code></caption>\n"
		           "<thead><tr><th scope=\"col\">nom</th><th scope=\"col\">où</th><th scope=\"col\">obligatoire</th>"
		           "<th scope=\"col\">type</th><th scope=\"col\">description</th></tr></thead>\n<tbody>\n",
		        upper, path);
		size_t i;
		const json_t *p;
		json_array_foreach(params, i, p) {
			p = deref(doc, p);
			const char *in = sget(p, "in");
			buf_fmt(b, "<tr><th scope=\"row\"><code>%h</code></th><td>%h</td><td>%h</td><td>", sget(p, "name"),
			        in && strcmp(in, "path") == 0 ? "chemin" : "requête",
			        json_is_true(json_object_get(p, "required")) ? "oui" : "non");
			type_text(b, json_object_get(p, "schema"));
			buf_fmt(b, "</td><td>%h</td></tr>\n", sget(p, "description"));
		}
		buf_puts(b, "</tbody></table></div>\n");
	}
	const json_t *body = json_object_get(json_object_get(json_object_get(op, "requestBody"), "content"), "application/json");
	if (body) {
		buf_puts(b, "<p><strong>Corps (JSON) :</strong> ");
		type_text(b, json_object_get(body, "schema"));
		buf_puts(b, "</p>\n");
		render_example(b, json_object_get(body, "example"));
	}
	scroll_open(b, "Réponses de", upper, path);
	buf_fmt(b, "<caption>Réponses de <code>%h %h</code></caption>\n"
	           "<thead><tr><th scope=\"col\">statut</th><th scope=\"col\">description</th>"
	           "<th scope=\"col\">contenu</th><th scope=\"col\">codes d'erreur</th></tr></thead>\n<tbody>\n",
	        upper, path);
	const char *st;
	const json_t *resp;
	json_object_foreach((json_t *)json_object_get(op, "responses"), st, resp) {
		const json_t *rr = deref(doc, resp);
		buf_fmt(b, "<tr><th scope=\"row\">%h</th><td>%h</td><td>", st, sget(rr, "description"));
		const char *media;
		const json_t *mt;
		json_object_foreach((json_t *)json_object_get(rr, "content"), media, mt) {
			buf_fmt(b, "<code>%h</code> ", media);
			const json_t *sch = json_object_get(mt, "schema");
			const json_t *data = json_object_get(json_object_get(sch, "properties"), "data");
			if (data) {
				buf_puts(b, "— data : ");
				type_text(b, data);
			} else if (ref_name(sch)) {
				buf_puts(b, "— ");
				type_text(b, sch);
			}
		}
		buf_puts(b, "</td><td>");
		size_t i;
		const json_t *c;
		json_array_foreach(json_object_get(rr, "x-error-codes"), i, c)
			buf_fmt(b, "%h<a href=\"#err-%h\"><code>%h</code></a>", i ? ", " : "", json_string_value(c),
			        json_string_value(c));
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n");
	/* examples of the success replies */
	json_object_foreach((json_t *)json_object_get(op, "responses"), st, resp) {
		const json_t *ex = json_object_get(
		    json_object_get(json_object_get(deref(doc, resp), "content"), "application/json"), "example");
		if (st[0] != '2' || !ex) continue;
		buf_fmt(b, "<details><summary>Exemple de réponse %h</summary>\n", st);
		render_example(b, ex);
		buf_puts(b, "</details>\n");
	}
	buf_puts(b, "</section>\n");
}

static void render_schema_table(buf_t *b, const json_t *doc, const char *name, const json_t *s)
{
	const json_t *props = json_object_get(s, "properties");
	buf_fmt(b, "<h3 id=\"schema-%h\">%h</h3>\n", name, name);
	if (sget(s, "description")) buf_fmt(b, "<p>%h</p>\n", sget(s, "description"));
	const json_t *all = json_object_get(s, "allOf");
	if (all) {
		buf_puts(b, "<p>Composé de : ");
		size_t i;
		const json_t *x;
		json_array_foreach(all, i, x) {
			if (i) buf_puts(b, " + ");
			type_text(b, x);
		}
		buf_puts(b, ".</p>\n");
	}
	if (!json_is_object(props) || !json_object_size(props)) return;
	const json_t *req = json_object_get(s, "required");
	scroll_open(b, "Propriétés de", NULL, name);
	buf_fmt(b, "<caption>Propriétés de %h</caption>\n"
	           "<thead><tr><th scope=\"col\">nom</th><th scope=\"col\">type</th><th scope=\"col\">toujours présent</th>"
	           "<th scope=\"col\">description</th></tr></thead>\n<tbody>\n",
	        name);
	const char *k;
	const json_t *p;
	json_object_foreach((json_t *)props, k, p) {
		bool required = false;
		size_t i;
		const json_t *x;
		json_array_foreach(req, i, x) if (json_string_value(x) && strcmp(json_string_value(x), k) == 0) required = true;
		buf_fmt(b, "<tr><th scope=\"row\"><code>%h</code></th><td>", k);
		type_text(b, p);
		buf_fmt(b, "</td><td>%h</td><td>", required ? "oui" : "non");
		if (sget(p, "title")) buf_fmt(b, "<strong>%h</strong>. ", sget(p, "title"));
		if (sget(p, "description")) buf_fmt(b, "%h", sget(p, "description"));
		if (sget(p, "x-visibility") && strcmp(sget(p, "x-visibility"), "restricted") == 0)
			buf_puts(b, " <em>(restreint aux agents)</em>");
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n");
	(void)doc;
}

int page_apidoc(struct req *r)
{
	const json_t *doc = openapi_document();
	if (!doc) {
		page_error(r, 500, "Documentation indisponible.");
		return 0;
	}
	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, "Documentation de l'API");
	const json_t *info = json_object_get(doc, "info");
	const json_t *tags = json_object_get(doc, "tags");
	const json_t *paths = json_object_get(doc, "paths");
	buf_fmt(b,
	        "<div class=\"api-doc\">\n<h1>Documentation de l'API</h1>\n<p>%h</p>\n"
	        "<p>Contrat lisible par machine : <a href=\"/api/v1/openapi.json\"><code>/api/v1/openapi.json</code></a> "
	        "(OpenAPI %h). Limites et temps de réponse mesurés : <a href=\"/api/v1/status\"><code>/api/v1/status</code></a>. "
	        "Modèle des fiches : <a href=\"/api/v1/schema\"><code>/api/v1/schema</code></a>.</p>\n",
	        sget(info, "description"), sget(doc, "openapi"));
	/* issue 6: the open-data descriptions (api_opendata.c) */
	buf_puts(b, "<p>Données ouvertes : catalogue DCAT-AP <a href=\"/api/v1/catalog.jsonld\" "
	            "type=\"application/ld+json\"><code>/api/v1/catalog.jsonld</code></a>, paquet de données "
	            "Frictionless <a href=\"/api/v1/exports/datapackage.json\"><code>/api/v1/exports/datapackage.json</code></a>, "
	            "historique des versions publiques <a href=\"/api/v1/exports/history.jsonl\"><code>"
	            "/api/v1/exports/history.jsonl</code></a>.</p>\n");
	buf_puts(b, "<nav aria-labelledby=\"api-toc\"><h2 id=\"api-toc\">Sommaire</h2>\n<ul>\n"
	            "<li><a href=\"#erreurs\">Enveloppe et codes d'erreur</a></li>\n");
	size_t i;
	const json_t *tag;
	json_array_foreach(tags, i, tag)
		buf_fmt(b, "<li><a href=\"#tag-%z\">%h</a></li>\n", i, sget(tag, "name"));
	buf_puts(b, "<li><a href=\"#schemas\">Schémas</a></li>\n</ul></nav>\n");

	/* envelope and error codes */
	buf_puts(b, "<h2 id=\"erreurs\">Enveloppe et codes d'erreur</h2>\n"
	            "<p>Succès : <code>{\"ok\": true, \"data\": …, \"meta\": {…}}</code> (<code>meta</code> sur les listes). "
	            "Erreur : <code>{\"ok\": false, \"error\": {\"status\", \"code\", \"message\", \"field\", \"details\"}}</code> ; "
	            "<code>details</code> liste chaque problème de validation (422). Les codes sont stables, les messages "
	            "peuvent changer.</p>\n"
	            "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Codes d'erreur\">\n"
	            "<table class=\"data\">\n<caption>Codes d'erreur</caption>\n"
	            "<thead><tr><th scope=\"col\">code</th><th scope=\"col\">statut</th><th scope=\"col\">quand</th></tr></thead>\n<tbody>\n");
	const json_t *e;
	json_array_foreach(json_object_get(doc, "x-error-codes"), i, e)
		buf_fmt(b, "<tr><th scope=\"row\" id=\"err-%h\"><code>%h</code></th><td>%D</td><td>%h</td></tr>\n",
		        sget(e, "code"), sget(e, "code"), (int64_t)json_integer_value(json_object_get(e, "status")),
		        sget(e, "description"));
	buf_puts(b, "</tbody></table></div>\n");

	/* operations, by tag */
	json_array_foreach(tags, i, tag) {
		const char *tn = sget(tag, "name");
		buf_fmt(b, "<section aria-labelledby=\"tag-%z\">\n<h2 id=\"tag-%z\">%h</h2>\n<p>%h</p>\n", i, i, tn,
		        sget(tag, "description"));
		const char *path;
		const json_t *item;
		json_object_foreach((json_t *)paths, path, item) {
			const char *method;
			const json_t *op;
			json_object_foreach((json_t *)item, method, op) {
				const char *t0 = json_string_value(json_array_get(json_object_get(op, "tags"), 0));
				if (t0 && strcmp(t0, tn) == 0) render_operation(b, doc, path, method, op);
			}
		}
		buf_puts(b, "</section>\n");
	}

	/* schemas (vocabularies are in /api/v1/schema) */
	buf_puts(b, "<section aria-labelledby=\"schemas\">\n<h2 id=\"schemas\">Schémas</h2>\n"
	            "<p>Objets des réponses et des corps, puis les vocabulaires (<code>vocab_*</code> : codes et libellés, "
	            "aussi dans <a href=\"/api/v1/schema\"><code>/api/v1/schema</code></a>).</p>\n");
	const char *name;
	const json_t *s;
	json_object_foreach((json_t *)json_object_get(json_object_get(doc, "components"), "schemas"), name, s) {
		if (strncmp(name, "vocab_", 6) == 0) {
			/* a vocabulary: its codes and French labels, on one line */
			buf_fmt(b, "<h3 id=\"schema-%h\">%h</h3>\n<p>", name, name);
			const char *code;
			const json_t *label;
			bool first = true;
			json_object_foreach((json_t *)json_object_get(s, "x-labels"), code, label) {
				buf_fmt(b, "%h<code>%h</code> : %h", first ? "" : " ; ", code, json_string_value(label));
				first = false;
			}
			buf_puts(b, ".</p>\n");
			continue;
		}
		render_schema_table(b, doc, name, s);
	}
	buf_puts(b, "</section>\n</div>\n");
	html_end(r);
	return 0;
}
