"""The assistant's public JSON API (views/public.py api_search, api_ask) described for the town's OpenAPI document."""

from __future__ import annotations

from typing import Any

from yakuba.kernel import openapi

from .models import Kind

Json = dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: Json) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


SCHEMAS: dict[str, Json] = {
    "AssistantError": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    "Passage": {
        "type": "object", "required": ["title", "section", "url", "score", "text", "kind", "version_date"],
        "properties": {"title": {"type": "string"}, "section": {"type": "string"},
                       "url": {"type": "string", "format": "uri"}, "score": {"type": "number"},
                       "text": {"type": "string"}, "kind": {"enum": list(Kind.values)},
                       "version_date": {"type": ["string", "null"], "format": "date"},
                       "source": {"type": "string"}, "national": {"type": "boolean"},
                       "highlights": {"type": "array", "items": {
                           "type": "array", "items": {"type": "integer", "minimum": 0},
                           "minItems": 2, "maxItems": 2}}},
    },
    "SearchHits": {
        "type": "object", "required": ["query", "hits"],
        "properties": {"query": {"type": "string"}, "hits": {"type": "array", "items": _ref("Passage")}},
    },
    "Answer": {
        "type": "object", "required": ["question", "known", "confidence", "passages", "maybe", "contact"],
        "properties": {
            "question": {"type": "string"}, "known": {"type": "boolean"},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "passages": {"type": "array", "items": _ref("Passage"),
                         "description": "What the answer relies on (known; empty when not known)."},
            "maybe": {"type": "array", "items": _ref("Passage"),
                      "description": "Not known: the likeliest pages (at most two), 「こちらかもしれません」."},
            "contact": {"anyOf": [{"type": "null"}, {
                "type": "object", "required": ["department", "phone", "form_url"],
                "properties": {"department": {"type": "string"}, "phone": {"type": "string"},
                               "form_url": {"type": "string"}}}]},
        },
    },
}

_QUESTION = {"type": "string", "description": "The question in everyday words (at most 500 characters)."}


def _responses(ok: Json) -> Json:
    return {"200": ok, "400": openapi.unreadable(_ref("AssistantError")),
            "429": openapi.rate_limited()}


def paths() -> Json:
    search = {
        "tags": ["assistant"], "operationId": "assistant_search",
        "summary": "The town's public passages for a question, best first, with citations.",
        "parameters": [
            {"name": "q", "in": "query", "required": True, "schema": _QUESTION},
            {"name": "kind", "in": "query", "required": False, "style": "form", "explode": True,
             "schema": {"type": "array", "items": {"enum": list(Kind.values)}}},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
        ],
        "responses": _responses(_json("Ranked passages.", _ref("SearchHits"))),
    }
    answered = _json("The answer: the passages it relies on, or 「分かりません」 with whom to ask.", _ref("Answer"))
    ask_get = {"tags": ["assistant"], "operationId": "assistant_ask_get",
               "summary": "The chat's answer to a question, only from the town's own documents.",
               "parameters": [{"name": "q", "in": "query", "required": True, "schema": _QUESTION}],
               "responses": _responses(answered)}
    body_schema = {"type": "object", "required": ["q"], "properties": {"q": _QUESTION}}
    ask_post = {"tags": ["assistant"], "operationId": "assistant_ask_post",
                "summary": "The same answer for a question sent as JSON or as a form.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": body_schema},
                                                              "application/x-www-form-urlencoded": {
                                                                  "schema": body_schema}}},
                "responses": _responses(answered)}
    return {"/assistant/api/search": {"get": search}, "/assistant/api/ask": {"get": ask_get, "post": ask_post}}


PART = openapi.register(openapi.ApiPart(
    tag="assistant", description="AI問い合わせ: search the town's public documents and get cited answers.",
    paths=paths, schemas=SCHEMAS))
