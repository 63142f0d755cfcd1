"""The ASGI app at ``/graphql``: GraphQL over HTTP as its specification says.

- The response media type follows ``Accept``: ``application/graphql-response+json`` when the
  client asks for it, else ``application/json`` (also for ``*/*`` and no Accept); anything
  else is 406.
- With ``application/graphql-response+json`` a request that cannot run (unparsable,
  invalid, over a limit, bad variables) is 400 without ``data``; with ``application/json``
  it is 200, as legacy clients expect. Field errors are 200 either way.
- GET runs queries only (a mutation over GET is 405); a browser GET shows GraphiQL.
- Persisted queries (APQ, allow-list) are resolved from ``extensions`` before anything runs;
  their refusals (``PersistedQueryNotFound`` ...) are request errors like any other.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeGuard, cast

import msgspec
from cross_web import HTTPException
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import OperationType, execute, get_operation_ast
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.execution import optimized_is_awaitable
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema.exceptions import InvalidOperationTypeError

from microcred_hub import telemetry
from microcred_hub.config import QueryLimits
from microcred_hub.graphql import direct
from microcred_hub.graphql.context import QueryContext
from microcred_hub.graphql.limits import ready_document
from microcred_hub.graphql.persisted import PersistedQueries, PersistedQueryError
from microcred_hub.graphql.schema import FastExecutionContext, build_schema
from microcred_hub.graphql.sources import sources_extension
from microcred_hub.responses import DECODED_BODY, json_error

if TYPE_CHECKING:
    from cross_web import AsyncHTTPRequestAdapter
    from starlette.types import Receive, Scope, Send
    from starlette.websockets import WebSocket
    from strawberry.http import GraphQLRequestData
    from strawberry.http.types import QueryParams
    from strawberry.types import ExecutionResult

#: strawberry's quicker check for awaitables (typed as a plain predicate there)
_is_awaitable = cast("Callable[[Any], TypeGuard[Awaitable[Any]]]", optimized_is_awaitable)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_UNDECODED = object()
ContextFactory = Callable[[], QueryContext | Awaitable[QueryContext]]


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header; None when we can offer none of it."""
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        media = media.lower()
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        # Explicit graphql-response+json beats explicit json beats a wildcard at equal q.
        if media == GRAPHQL_RESPONSE_JSON:
            option = (quality, 2, GRAPHQL_RESPONSE_JSON)
        elif media == JSON:
            option = (quality, 1, JSON)
        elif media in ("*/*", "application/*"):
            option = (quality, 0, JSON)
        else:
            continue
        if best is None or option[:2] > best[:2]:
            best = option
    return None if best is None else best[2]


def _header(scope: Scope, name: bytes) -> str | None:
    """A request header's value, as starlette's ``Headers.get`` reads it (the server gives
    names in lower case), without building the Headers mapping for a header or two."""
    for key, value in scope["headers"]:
        if key == name:
            return cast(bytes, value).decode("latin-1")
    return None


def is_request_error(result: ExecutionResult) -> bool:
    """True when the operation never ran: parse, validation, limit or variable errors."""
    # Field errors always carry a path; errors raised before execution never do.
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8"


def error_response(
    status: int, message: str, media_type: str = JSON, *, code: str | None = None
) -> Response:
    headers = {"Allow": "GET, POST"} if status == 405 else None
    return json_error(status, message, code=code, media_type=media_type, headers=headers)


class GraphQLApp(GraphQL[QueryContext, None]):
    """strawberry's ASGI view with content negotiation and spec status codes."""

    def __init__(
        self,
        schema: Any,
        get_context: ContextFactory,
        *,
        graphiql: bool = True,
        persisted: PersistedQueries | None = None,
        limits: QueryLimits | None = None,
        graphiql_page: Callable[[], Response] | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=True,
            subscription_protocols=(),
        )
        self._context_factory = get_context
        self.persisted = persisted
        self.limits = limits or QueryLimits()
        # With tracing on, strawberry's extension makes the spans: every request takes the
        # full path then.
        self.lean = not telemetry.graphql_extensions()
        self._executor = schema.execution_context_class
        self._graphql_schema = schema._schema
        self._graphiql_page = graphiql_page

    async def render_graphql_ide(self, request: Request) -> Response:
        # strawberry's own page loads GraphiQL from a CDN; the hub's loads it from the hub
        if self._graphiql_page is not None:
            return self._graphiql_page()
        return await super().render_graphql_ide(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        accept = _header(scope, b"accept")
        media_type = negotiate(accept)
        if media_type is None and not self._wants_graphiql(request):
            response = error_response(
                406, f"cannot answer in {accept}: accept {GRAPHQL_RESPONSE_JSON} or {JSON}"
            )
        else:
            if media_type is not None and self.lean:
                lean = await self._lean(request, media_type)
                if lean is not None:
                    await send(lean[0])
                    await send(lean[1])
                    return
            request.state.media_type = media_type or JSON
            try:
                response = await self.run(request)
            except HTTPException as error:
                response = error_response(error.status_code, error.reason, media_type or JSON)
            except PersistedQueryError as error:
                # Nothing ran: 400 under graphql-response+json, 200 for legacy JSON clients
                # (Apollo's link looks for the code in either).
                status = 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
                response = error_response(
                    status, error.message, media_type or JSON, code=error.code
                )
        await response(scope, receive, send)

    async def _lean(
        self, request: Request, media_type: str
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The answer to a plain query that runs without an error, straight on graphql-core:
        the two ASGI messages, or None for anything else (strawberry's view answers that).

        strawberry's view and ``Schema.execute`` cost most of a small uncached query (request
        adapters, an extension runner per phase, argument plumbing); the common request needs
        none of it. What decides an answer is the same: the cached document, the same
        validation and limits, the same executor, resolvers and ``extensions.sources``. Any
        error, a mutation, persisted-query extensions, batching, GraphiQL: the full path runs
        it (from the start; a query has no side effects), so every refusal and error reads
        exactly as before.
        """
        method = request.method
        if method == "POST":
            content_type = _header(request.scope, b"content-type") or ""
            if content_type.split(";", 1)[0].strip().lower() != JSON:
                return None
            # (the response cache in front has decoded the very body it passes on)
            payload = request.scope.get(DECODED_BODY, _UNDECODED)
            if payload is _UNDECODED:
                try:
                    payload = msgspec.json.decode(await request.body())
                except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
                    return None
            if not isinstance(payload, dict):
                return None
            query = payload.get("query")
            variables = payload.get("variables")
            operation_name = payload.get("operationName")
            if payload.get("extensions") is not None:
                return None
        elif method == "GET":
            params = request.query_params
            query = params.get("query")
            operation_name = params.get("operationName")
            if "extensions" in params:
                return None
            try:
                raw = params.get("variables")
                variables = msgspec.json.decode(raw) if raw else None
            except (msgspec.DecodeError, RecursionError):
                return None
        else:
            return None
        if not (
            isinstance(query, str)
            and isinstance(variables, dict | None)
            and isinstance(operation_name, str | None)
        ):
            return None
        if self.persisted is not None:
            try:  # without extensions: only the allow-list's verdict, nothing remembered
                self.persisted.resolve(query, None)
            except PersistedQueryError:
                return None
        schema = self._graphql_schema
        document = ready_document(schema, query, operation_name, variables, self.limits)
        if document is None:
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        context = await self.get_context(request, None)
        plan = (
            direct.plan(schema, document, operation, operation_name, _is_awaitable)
            if self._executor is FastExecutionContext
            else None
        )
        data = None if plan is None else await direct.run(plan, variables, context)
        if data is None:
            result = execute(
                schema,
                document,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                executor_class=self._executor,
                is_awaitable=_is_awaitable,
            )
            if inspect.isawaitable(result):
                result = await result
            if not isinstance(result, GraphQLExecutionResult) or result.errors:
                return None
            data = result.data
        response: dict[str, Any] = {"data": data}
        extensions = await sources_extension(context)
        if extensions:
            response["extensions"] = extensions
        body = self.encode_json(response)
        headers = [
            (b"content-type", _content_type(media_type).encode("latin-1")),
            (b"content-length", str(len(body)).encode("latin-1")),
        ]
        return (
            {"type": "http.response.start", "status": 200, "headers": headers},
            {"type": "http.response.body", "body": body},
        )

    def _wants_graphiql(self, request: Request) -> bool:
        return (
            self.graphql_ide is not None
            and request.method == "GET"
            and "query" not in request.query_params
            and "extensions" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A hash-only APQ GET has no `query` either, yet it is an operation, not a browser.
        params: QueryParams = request.query_params
        return params.get("extensions") is None and super().should_render_graphql_ide(request)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if self.persisted is None or isinstance(data, list):  # (batching is off)
            return data
        query = self.persisted.resolve(data.query, data.extensions)
        return data if query is data.query else dataclasses.replace(data, query=query)

    async def get_context(self, request: Request | WebSocket, response: Any) -> QueryContext:
        context = self._context_factory()
        if inspect.isawaitable(context):
            return await context
        return context

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = getattr(request.state, "media_type", JSON)
        request.state.sub_response = sub_response
        return sub_response

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: QueryContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as error:
            if request_adapter.method == "GET" and isinstance(
                error.__cause__, InvalidOperationTypeError
            ):
                raise HTTPException(405, "only queries run over GET; POST mutations") from error
            raise

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = process_result(result)
        if is_request_error(result):
            # The GraphQL spec: no "data" entry when the operation never ran.
            response.pop("data", None)
            sub_response: Response = request.state.sub_response
            if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
                sub_response.status_code = 400
        return response

    def parse_json(self, data: str | bytes) -> Any:
        # strawberry catches only json.JSONDecodeError: invalid UTF-8 or deep nesting were 500s
        try:
            return msgspec.json.decode(data)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as error:
            raise HTTPException(400, "Unable to parse request body as JSON") from error

    def encode_json(self, data: object) -> bytes:
        return msgspec.json.encode(data)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=_content_type(sub_response.media_type or JSON),
        )
        response.headers.raw.extend(
            (name, value)
            for name, value in sub_response.headers.raw
            if name.lower() not in (b"content-type", b"content-length")
        )
        return response


def make_graphql_app(
    get_context: ContextFactory,
    limits: QueryLimits | None = None,
    *,
    graphiql: bool = True,
    persisted: PersistedQueries | None = None,
    graphiql_page: Callable[[], Response] | None = None,
) -> GraphQLApp:
    """The ASGI app to mount at ``/graphql``; ``get_context`` is called once per request."""
    return GraphQLApp(
        build_schema(limits),
        get_context,
        graphiql=graphiql,
        persisted=persisted,
        limits=limits,
        graphiql_page=graphiql_page,
    )
