"""Errors the sandbox answers with, as ftrack error objects."""
from __future__ import annotations

from typing import Any, Dict, Optional

#: HTTP status of each exception name under ``ftrack-strict-api: true`` (sandbox rule).
STRICT_STATUS = {
    "ValidationError": 400,
    "ParseError": 400,
    "InvalidCredentialsError": 401,
    "PermissionError": 403,
}

INVALID_CREDENTIALS = (
    "The supplied API key is not valid. API keys are created from Settings under the page "
    'API keys. The api key should be passed in the request header "ftrack-api-key".'
)


class SandboxError(Exception):
    """An error answered to the client as ``{"exception", "content", "error_code"}``."""

    def __init__(
        self, exception: str, content: str, error_code: Optional[str] = None, http_status: Optional[int] = None
    ) -> None:
        super().__init__(content)
        self.exception = exception
        self.content = content
        self.error_code = error_code
        #: An HTTP status answered whatever the strict-API setting (e.g. 413: too large).
        self.http_status = http_status

    @property
    def status(self) -> int:
        return STRICT_STATUS.get(self.exception, 500)

    def to_json(self, operation_index: Optional[int] = None) -> Dict[str, Any]:
        body: Dict[str, Any] = {
            "exception": self.exception,
            "content": self.content,
            "error_code": self.error_code,
        }
        if operation_index is not None:
            body["operation_index"] = operation_index
        return body


def validation_error(content: str) -> SandboxError:
    return SandboxError("ValidationError", content)


def permission_error(content: str) -> SandboxError:
    return SandboxError("PermissionError", content)


def unstored(entity_type: str, attribute: str) -> SandboxError:
    """The error for a relation the sandbox has no storage for (instead of answering null or [])."""
    return validation_error(
        f"{entity_type}.{attribute} is not stored by the sandbox: it cannot be read, filtered on or "
        "written here (a real ftrack server computes it)."
    )
