"""Declaring an API endpoint: its request and response schemas, who may call
it, and one unit of work.

The schemas given here both validate the request and feed /api/openapi.json,
so the document cannot drift from what the server accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Response, g, jsonify, request
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.exc import DataError

from nattlys import access
from nattlys.accounts.models import Role
from nattlys.api import json_limits
from nattlys.api.errors import ApiError, bad_request, check_storable_text, from_validation_error
from nattlys.db import discard_after_commit, get_db, run_after_commit

# Statuses every authenticated endpoint may answer, documented for each.
_COMMON_ERRORS = (400, 401, 403, 404, 413, 429)


@dataclass(frozen=True)
class EndpointSpec:
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    roles: tuple[Role, ...] | None = None
    public: bool = False
    patient: access.Need | None = None
    errors: tuple[int, ...] = field(default=_COMMON_ERRORS)
    # The statuses the endpoint itself names (a public one may name 401).
    declared_errors: tuple[int, ...] = ()


def _parse_body(model: type[BaseModel]) -> BaseModel:
    raw = request.get_data(cache=False)
    if not raw:
        raise bad_request("malformed_json", "The request body must be a JSON object.")
    try:
        data = json_limits.loads(raw)
    except json_limits.TooDeep as exc:
        raise bad_request(
            "too_deep", f"The request body nests more than {json_limits.MAX_DEPTH} levels deep."
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request("malformed_json", "The request body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise bad_request("malformed_json", "The request body must be a JSON object.")
    check_storable_text(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc


def _parse_query(model: type[BaseModel]) -> BaseModel:
    args = request.args.to_dict()
    check_storable_text(args)
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc


def _serialise(result: Any, spec: EndpointSpec) -> Response:
    if isinstance(result, Response):
        return result
    if result is None or spec.status == 204:
        return Response(status=204)
    if spec.response is not None:
        payload = TypeAdapter(spec.response).dump_python(result, mode="json")
    elif isinstance(result, BaseModel):
        payload = result.model_dump(mode="json")
    else:
        payload = result
    response = jsonify(payload)
    response.status_code = spec.status
    return response


def endpoint(
    summary: str,
    *,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    roles: tuple[Role, ...] | None = None,
    public: bool = False,
    patient: access.Need | None = None,
    errors: tuple[int, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Wrap a view: authenticate (unless public), check the role, validate the
    body and query, commit on success and roll back on any error.

    With `patient`, the route's `patient_id` is asked of the access module for
    that need, and the view gets the patient (`patient=`) instead of the id."""
    spec = EndpointSpec(
        summary=summary,
        tag=tag,
        body=body,
        query=query,
        response=response,
        status=status,
        roles=roles,
        public=public,
        patient=patient,
        errors=tuple(sorted(set(_COMMON_ERRORS) | set(errors))),
        declared_errors=tuple(errors),
    )

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            db = get_db()
            try:
                if not public:
                    if roles:
                        access.require_role(g.get("user"), *roles)
                    else:
                        access.require_login(g.get("user"))
                if body is not None:
                    kwargs["body"] = _parse_body(body)
                if query is not None:
                    kwargs["query"] = _parse_query(query)
                if patient is not None:
                    kwargs["patient"] = access.require_patient(db, g.user, kwargs.pop("patient_id"), patient)
                result = view(**kwargs)
                db.commit()
            except ApiError as err:
                if err.commit:
                    db.commit()
                else:
                    db.rollback()
                discard_after_commit()
                raise
            except (OverflowError, DataError) as exc:
                # A number the database cannot hold (an id of 10**30, say) is the
                # request's fault, not the server's.
                db.rollback()
                discard_after_commit()
                raise bad_request("out_of_range", "A value in the request is out of range.") from exc
            except BaseException:
                db.rollback()
                discard_after_commit()
                raise
            run_after_commit()
            return _serialise(result, spec)

        wrapper.endpoint_spec = spec  # type: ignore[attr-defined]  # read back by getattr in api/openapi.py and web/security.py
        return wrapper

    return decorate
