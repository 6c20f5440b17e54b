"""Error payloads as different services and SDKs word them.

Each function returns (exception type, message, http status) for a failed step.
"""


def rate_limited(rng, tool_name):
    retry_after = rng.choice((1, 2, 5, 10, 30, 60))
    return rng.choice((
        ("RateLimitError", f"429 Too Many Requests: rate limit exceeded for {tool_name}, retry after {retry_after}s", 429),
        ("HTTPError", f"HTTP 429: Too Many Requests (quota {rng.choice((60, 100, 600))}/min)", 429),
        ("TooManyRequests", f"Rate limit reached. Please retry after {retry_after} seconds.", 429),
        ("ThrottlingException", "Rate exceeded (Service: 429)", 429),
    ))


def server_error(rng, tool_name):
    return rng.choice((
        ("ServiceUnavailable", "503 Service Unavailable: upstream temporarily unavailable", 503),
        ("HTTPError", f"HTTP 500 Internal Server Error from {tool_name}", 500),
        ("BadGateway", "502 Bad Gateway: upstream connect error or disconnect/reset before headers", 502),
        ("InternalServerError", "Internal error (request_id=req_%06x)" % rng.getrandbits(24), 500),
        ("ServiceUnavailable", "HTTP 503: backend is overloaded, try again later", 503),
    ))


def timed_out(rng, tool_name, seconds):
    return rng.choice((
        ("TimeoutError", f"{tool_name} timed out after {seconds}s", 504),
        ("ReadTimeout", f"HTTPSConnectionPool: Read timed out. (read timeout={seconds})", 0),
        ("GatewayTimeout", "504 Gateway Timeout", 504),
    ))


def permission_denied(rng, tool_name):
    return rng.choice((
        ("PermissionDenied", f"403 Forbidden: service account lacks permission for {tool_name}", 403),
        ("AuthorizationError", "Access denied: missing scope 'write'", 403),
        ("Unauthorized", "401 Unauthorized: token expired", 401),
    ))


def not_found(rng, identifier):
    return rng.choice((
        ("NotFoundError", f"404 Not Found: no record with id {identifier}", 404),
        ("ResourceNotFound", f"{identifier} does not exist", 404),
        ("KeyError", f"'{identifier}' not found", 0),
    ))


def any_tool_failure(rng, tool_name):
    """A failure of the kind that a swallowed or honest error starts from."""
    kind = rng.choice(("server", "timeout", "permission"))
    if kind == "server":
        return server_error(rng, tool_name)
    if kind == "timeout":
        return timed_out(rng, tool_name, rng.choice((10, 30, 60)))
    return permission_denied(rng, tool_name)


def validation_failed(rng, field, problem):
    return rng.choice((
        ("ValidationError", f"1 validation error for arguments: {field}: {problem}", 422),
        ("InvalidArgumentsError", f"Invalid arguments: '{field}' {problem}", 400),
        ("ToolInputError", f"Schema validation failed at $.{field}: {problem}", 0),
    ))


def unknown_tool(rng, name):
    return rng.choice((
        ("ToolNotFoundError", f"Tool '{name}' not found in registry", 0),
        ("KeyError", f"unknown tool: {name}", 0),
        ("InvalidToolCall", f"Model called a tool that is not available: {name}", 0),
    ))
