"""One JSON error shape for every failure: {"error": {"code", "message", "fields"}}."""

import pytest
from django.http import Http404

from digigov.kernel import errors
from digigov.kernel.regions import selectors as region_selectors

pytestmark = pytest.mark.django_db


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def _raise(exc):
    def raiser(*args, **kwargs):
        raise exc

    return raiser


def test_domain_error_from_a_real_endpoint(client):
    error = _error(client.get("/api/v1/regions/999999"), 404)

    assert error == {"code": "region_not_found", "message": "区划代码不存在", "fields": {}}


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (errors.DomainError(), 400, "bad_request"),
        (errors.ValidationFailed(), 422, "validation_failed"),
        (errors.NotFound(), 404, "not_found"),
        (errors.Unauthenticated(), 401, "unauthenticated"),
        (errors.PermissionDenied(), 403, "forbidden"),
        (errors.Conflict(), 409, "conflict"),
        (errors.Throttled(), 429, "throttled"),
        (errors.PermissionDenied("无权查看", code="scope_missing"), 403, "scope_missing"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_domain_error_maps_to_its_status_and_code(client, monkeypatch, exc, status, code):
    monkeypatch.setattr(region_selectors, "region_children", _raise(exc))

    error = _error(client.get("/api/v1/regions/"), status)

    assert error["code"] == code
    assert error["message"] == exc.message


def test_domain_error_carries_its_fields(client, monkeypatch):
    exc = errors.ValidationFailed(
        "身份证号无效", code="invalid_identifier", fields={"id_number": ["校验位错误"]}
    )
    monkeypatch.setattr(region_selectors, "region_children", _raise(exc))

    error = _error(client.get("/api/v1/regions/"), 422)

    assert error == {
        "code": "invalid_identifier",
        "message": "身份证号无效",
        "fields": {"id_number": ["校验位错误"]},
    }


def test_request_validation_error_names_the_fields(client):
    error = _error(client.get("/api/v1/organizations/?limit=abc&offset=-1"), 422)

    assert error["code"] == "validation_failed"
    assert error["message"] == "提交的数据不符合要求"
    assert set(error["fields"]) == {"limit", "offset"}
    assert all(isinstance(m, str) and m for ms in error["fields"].values() for m in ms)


def test_request_validation_messages_are_chinese(client):
    error = _error(client.get("/api/v1/organizations/?limit=abc"), 422)

    assert error["fields"]["limit"] == ["应为整数"]


def test_http404_is_shaped(client, monkeypatch):
    monkeypatch.setattr(region_selectors, "region_get", _raise(Http404("internal detail")))

    error = _error(client.get("/api/v1/regions/440000"), 404)

    assert error == {"code": "not_found", "message": "请求的对象不存在", "fields": {}}


def test_unhandled_exception_is_500_without_a_traceback(client, monkeypatch, caplog):
    monkeypatch.setattr(
        region_selectors, "region_children", _raise(RuntimeError("password=hunter2 at db.py"))
    )

    response = client.get("/api/v1/regions/")
    error = _error(response, 500)

    assert error == {
        "code": "internal_error",
        "message": "服务器内部错误，请稍后再试",
        "fields": {},
    }
    body = response.content.decode()
    assert "Traceback" not in body
    assert "hunter2" not in body
    assert "RuntimeError" not in body
    # ... but the operator's log has it.
    assert any("hunter2" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_missing_credentials_are_401_in_the_shape(client):
    error = _error(client.get("/api/v1/audit/entries"), 401)

    assert error["code"] == "unauthenticated"
    assert error["message"] == "请先登录或提供有效的凭据"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "missing", "msg": "Field required"}, "必填"),
        ({"type": "greater_than_equal", "ctx": {"ge": 1}, "msg": "..."}, "应不小于 1"),
        ({"type": "string_too_long", "ctx": {"max_length": 18}, "msg": "..."}, "至多 18 个字符"),
        ({"type": "value_error", "msg": "Value error, 身份证号校验位错误"}, "身份证号校验位错误"),
        ({"type": "something_new", "msg": "Some message"}, "Some message"),
    ],
)
def test_field_messages(error, message):
    from digigov.kernel.api.root import _field_message

    assert _field_message(error) == message
