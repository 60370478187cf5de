"""addons.seams: the patches to Rasa are applied from one place, only on the Rasa release they were written for."""

import ast
import re
import subprocess
import sys
import warnings

import pytest
from rasa.core.actions.action import RemoteAction

from addons import action_results, seams
from customer_care.settings import PROJECT_ROOT


def _subclass_filters() -> list:
    return [
        entry
        for entry in warnings.filters
        if entry[0] == "ignore" and entry[1] is not None and entry[1].pattern == seams.SUBCLASS_WARNING
    ]


def test_the_pinned_version_is_the_one_requirements_lock_installs() -> None:
    pins = re.findall(r"^rasa==(\S+)$", (PROJECT_ROOT / "requirements.lock").read_text(), flags=re.MULTILINE)
    assert pins == [seams.RASA_VERSION]
    assert seams.installed_rasa_version() == seams.RASA_VERSION


def test_another_rasa_release_is_refused_before_anything_is_patched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seams, "installed_rasa_version", lambda: "3.7.0")
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_results._rasa_validate)

    with pytest.raises(seams.RasaVersionMismatch, match=r"Rasa 3\.7\.0 is installed.*Rasa 3\.6\.21"):
        seams.install()
    assert RemoteAction._validate_action_result is action_results._rasa_validate


def test_install_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_results._rasa_validate)
    monkeypatch.setattr(warnings, "filters", list(warnings.filters))

    seams.install()
    seams.install()

    assert RemoteAction._validate_action_result is action_results._validate_with_compiled_schema
    assert action_results._rasa_validate is not action_results._validate_with_compiled_schema  # never wraps itself
    assert len(_subclass_filters()) == 1


def test_a_later_install_puts_the_warning_filter_back_in_front(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warnings, "filters", list(warnings.filters))
    seams.install()
    warnings.filterwarnings("once", category=UserWarning)  # what Rasa's CLI does when it starts

    seams.install()

    assert warnings.filters[0] == _subclass_filters()[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn(f"{seams.SUBCLASS_WARNING}. Without it, default intents won't work.", UserWarning, stacklevel=1)
    assert caught == []


@pytest.mark.parametrize("path", ["connectors/__init__.py", "addons/rule_policy.py", "addons/tracker_store.py"])
def test_what_rasa_loads_by_name_applies_the_seams(path: str) -> None:
    """Plain `rasa run`, `rasa train` and `rasa shell` load these modules (credentials.yml, config.yml,
    endpoints.yml) without our launchers: each calls install() when imported."""
    module = ast.parse((PROJECT_ROOT / path).read_text())
    calls = [
        statement.value
        for statement in module.body
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
    ]
    assert any(ast.unparse(call) == "seams.install()" for call in calls)


def test_customer_care_imports_no_rasa() -> None:
    modules = sorted(
        path.relative_to(PROJECT_ROOT).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
        for path in (PROJECT_ROOT / "customer_care").rglob("*.py")
    )
    check = (
        f"import importlib, sys; [importlib.import_module(name) for name in {modules!r}]; "
        "loaded = sorted(name for name in sys.modules if name == 'rasa' or name.startswith('rasa.')); "
        "assert not loaded, loaded"
    )
    result = subprocess.run([sys.executable, "-c", check], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
