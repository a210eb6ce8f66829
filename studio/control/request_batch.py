"""obs-websocket's RequestBatch (op 8): its fields checked as obs-websocket checks them (a bad
one closes the session: CloseSession), then its requests run one after another.

executionType SerialRealtime (the default) or SerialFrame run the requests in order, and a
Sleep in them waits (ms or frames) before the next; Parallel is accepted and run in order too
(requests run one at a time here anyway), without variables. Variables: a request's
outputVariables copy fields of its responseData into the batch's variables, and a later
request's inputVariables copy variables into its requestData. haltOnFailure stops at the
first failed request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from studio.control.remote_protocol import BatchExecution, CloseCode, CloseSession, RequestResult, request_status

# run(request_type, request_data, execution_type): one request's result, from the request worker
RunRequest = Callable[[object, object, int], Awaitable[RequestResult]]


@dataclass(frozen=True)
class RequestBatch:
    request_id: object
    execution_type: BatchExecution
    variables: dict[str, Any]
    halt_on_failure: bool
    requests: list[Any]


def read_batch(data: dict) -> RequestBatch:
    """A RequestBatch's data, checked in obs-websocket's order; CloseSession names the bad field."""
    if "requestId" not in data:
        raise CloseSession(CloseCode.MISSING_DATA_FIELD, "Your payload data is missing a `requestId`.")
    execution_type = BatchExecution.SERIAL_REALTIME
    if data.get("executionType") is not None:
        value = data["executionType"]
        if not isinstance(value, int) or isinstance(value, bool):
            raise CloseSession(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `executionType` is not a number.")
        if value not in (BatchExecution.SERIAL_REALTIME, BatchExecution.SERIAL_FRAME, BatchExecution.PARALLEL):
            raise CloseSession(CloseCode.INVALID_DATA_FIELD_VALUE, "Your `executionType` has an invalid value.")
        execution_type = BatchExecution(value)
    variables = data.get("variables")
    if variables is not None:
        if not isinstance(variables, dict):
            raise CloseSession(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `variables` is not an object.")
        if execution_type == BatchExecution.PARALLEL:
            raise CloseSession(CloseCode.UNSUPPORTED_FEATURE, "Variables are not supported in Parallel mode.")
    halt_on_failure = data.get("haltOnFailure")
    if halt_on_failure is not None and not isinstance(halt_on_failure, bool):
        raise CloseSession(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `haltOnFailure` is not a boolean.")
    if "requests" not in data:
        raise CloseSession(CloseCode.MISSING_DATA_FIELD, "Your payload data is missing a `requests`.")
    requests = data["requests"]
    if not isinstance(requests, list):
        raise CloseSession(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `requests` is not an array.")
    return RequestBatch(data["requestId"], execution_type, dict(variables or {}), bool(halt_on_failure), requests)


async def run_batch(batch: RequestBatch, run: RunRequest, closing: Callable[[], bool]) -> list[dict[str, Any]] | None:
    """The batch's results (RequestBatchResponse's `results`); None when the session began
    closing before the batch was through (no reply is sent then)."""
    values = dict(batch.variables)
    results: list[dict[str, Any]] = []
    for item in batch.requests:
        if closing():
            return None
        item = item if isinstance(item, dict) else {}
        request_type = item.get("requestType") if isinstance(item.get("requestType"), str) else ""
        request_data = item.get("requestData")
        inputs = item.get("inputVariables")
        if isinstance(inputs, dict) and inputs and batch.execution_type != BatchExecution.PARALLEL:
            request_data = dict(request_data) if isinstance(request_data, dict) else {}
            for key, name in inputs.items():
                if isinstance(name, str) and name in values:
                    request_data[key] = values[name]
        result = await run(request_type, request_data, batch.execution_type)
        outputs = item.get("outputVariables")
        if isinstance(outputs, dict) and result.data:
            for key, field in outputs.items():
                if isinstance(field, str) and field in result.data:
                    values[key] = result.data[field]
        entry: dict[str, Any] = {"requestType": request_type, "requestStatus": request_status(result)}
        if item.get("requestId") is not None:
            entry["requestId"] = item["requestId"]
        if result.data is not None:
            entry["responseData"] = result.data
        results.append(entry)
        if batch.halt_on_failure and not result.ok:
            break
        if result.sleep_s > 0:
            await asyncio.sleep(result.sleep_s)
    return results
