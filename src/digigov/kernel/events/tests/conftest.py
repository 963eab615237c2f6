import pytest

from digigov.kernel.events import registry


class Recorder:
    """A handler that records payloads and can be told to fail."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.fail_with: Exception | None = None

    def __call__(self, payload: dict) -> None:
        self.calls.append(payload)
        if self.fail_with is not None:
            raise self.fail_with


@pytest.fixture
def subscribe():
    """subscribe(topic, name) -> Recorder, unsubscribed after the test."""
    made: list[tuple[str, str]] = []

    def _subscribe(topic: str, name: str, handler=None, when=None):
        handler = handler or Recorder()
        registry.subscribe(topic, name=name, when=when)(handler)
        made.append((topic, name))
        return handler

    yield _subscribe
    for topic, name in made:
        registry.unsubscribe(topic, name)
