"""pyproject.toml's lower bounds work: the unit tests pass with every runtime dependency at the
lowest version it allows (scripts/lowest_versions.py, run beside the rest of the suite: see
tests/lower_bounds.py). gunicorn < 25.1 lacks control_socket_disable, pydantic < 2.13 writes the
catalog's schema without its descriptions, netaddr 1.0.0 is yanked: each made this fail."""

from __future__ import annotations

import re

from tests.lower_bounds import RUN


def test_the_unit_tests_pass_at_the_lowest_allowed_versions() -> None:
    assert RUN, "started by tests/conftest.py once the test was collected"
    status, output = RUN[0].wait()
    pins = re.search(r"^lowest versions: (.*)$", output, re.M)
    assert pins is not None, output[-3000:]
    assert status == 0, output[-6000:]
    lowest = dict(pin.split("==") for pin in pins.group(1).split(", "))
    for name, needed in (("gunicorn", (25, 1)), ("pydantic", (2, 13)), ("netaddr", (1, 1))):
        assert tuple(int(part) for part in lowest[name].split(".")[:2]) >= needed, name
