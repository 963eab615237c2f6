"""Domain errors: stable code, Chinese default message, HTTP status, optional fields."""

import re

import pytest

from digigov.kernel import errors

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (errors.DomainError, 400, "bad_request"),
        (errors.ValidationFailed, 422, "validation_failed"),
        (errors.NotFound, 404, "not_found"),
        (errors.Unauthenticated, 401, "unauthenticated"),
        (errors.PermissionDenied, 403, "forbidden"),
        (errors.Conflict, 409, "conflict"),
        (errors.Throttled, 429, "throttled"),
    ],
)
def test_defaults(cls, status, code):
    error = cls()

    assert (error.status, error.code, error.fields, error.detail) == (status, code, {}, None)
    assert CHINESE.search(error.message)
    assert str(error) == error.message
    assert isinstance(error, errors.DomainError)


def test_message_code_and_fields_can_be_given():
    error = errors.ValidationFailed(
        "身份证号无效", code="invalid_identifier", fields={"id_number": ["校验位错误"]}, detail=3
    )

    assert (error.message, error.code, error.status) == ("身份证号无效", "invalid_identifier", 422)
    assert error.fields == {"id_number": ["校验位错误"]}
    assert error.detail == 3


def test_a_custom_code_does_not_leak_to_other_instances():
    errors.NotFound(code="region_not_found")

    assert errors.NotFound().code == "not_found"
