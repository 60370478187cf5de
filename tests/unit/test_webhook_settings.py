"""The ticket webhook's settings: the `ticket_webhook` section of endpoints.yml (none, broken, or a URL with
retries and timeouts), and its signing secret, from the environment or a file but never from endpoints.yml."""

from pathlib import Path

import pytest

from customer_care.settings import PROJECT_ROOT
from customer_care.webhook import TicketWebhook, load_webhook
from tests.unit.webhook_helpers import SECRET

# No proxy between the tests and the loopback receiver, and a signing secret (the conftest's fixtures).
pytestmark = pytest.mark.usefixtures("no_proxy_for_loopback", "signing_secret")


# --- configuration -------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "endpoints.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_webhook_without_the_file_is_none(tmp_path: Path) -> None:
    assert load_webhook(tmp_path / "missing.yml") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "action_endpoint:\n  url: http://localhost:5055/webhook\n",
        "ticket_webhook:\n",
        "ticket_webhook: {}\n",
        "ticket_webhook:\n  retries: 2\n",
        "ticket_webhook:\n  url: ''\n",
        "ticket_webhook:\n  url: '   '\n",
        "ticket_webhook:\n  url:\n  retries: 2\n",
    ],
)
def test_load_webhook_without_a_url_is_none(tmp_path: Path, text: str) -> None:
    assert load_webhook(write(tmp_path, text)) is None


def test_load_webhook_reads_url_retries_and_timeout(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "action_endpoint:\n  url: http://localhost:5055/webhook\n"
        "ticket_webhook:\n  url: ' https://helpdesk.example/hooks/larkspur '\n"
        "  retries: 5\n  timeout: 2.5\n",
    )

    webhook = load_webhook(path)

    assert webhook == TicketWebhook(
        url="https://helpdesk.example/hooks/larkspur", secret=SECRET, retries=5, timeout=2.5
    )


def test_load_webhook_defaults_retries_and_timeout(tmp_path: Path) -> None:
    webhook = load_webhook(write(tmp_path, "ticket_webhook:\n  url: https://helpdesk.example/hook\n"))

    assert webhook is not None
    assert (webhook.url, webhook.retries, webhook.timeout, webhook.total_timeout) == (
        "https://helpdesk.example/hook",
        3,
        5.0,
        30.0,
    )


def test_load_webhook_follows_the_endpoints_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARE_ENDPOINTS", str(write(tmp_path, "ticket_webhook:\n  url: http://127.0.0.1:9/x\n")))

    webhook = load_webhook()

    assert webhook is not None and webhook.url == "http://127.0.0.1:9/x"


def test_the_repository_endpoints_file_has_no_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARE_ENDPOINTS", raising=False)
    endpoints = PROJECT_ROOT / "endpoints.yml"
    assert endpoints.is_file()
    assert "# ticket_webhook:" in endpoints.read_text(encoding="utf-8")  # the example is there, commented out

    assert load_webhook() is None
    assert load_webhook(endpoints) is None


@pytest.mark.parametrize(
    "section",
    [
        '"https://example.invalid/hook"',
        "{url: 'https://example.invalid', retries: -1}",
        "{url: 'https://example.invalid', timeout: zero}",
    ],
)
def test_a_broken_webhook_setting_is_ignored_not_fatal(tmp_path, section, caplog):
    path = tmp_path / "endpoints.yml"
    path.write_text(f"ticket_webhook: {section}\n")
    assert load_webhook(path) is None
    assert "Ignoring ticket_webhook" in caplog.text


# --- the signing secret (issue 14) -----------------------------------------------------------------------------


def test_the_secret_comes_from_the_environment_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "ticket_webhook:\n  url: https://helpdesk.example/hook\n")
    monkeypatch.delenv("TICKET_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("TICKET_WEBHOOK_SECRET_FILE", raising=False)

    assert load_webhook(path) is None  # never sent unsigned
    assert "TICKET_WEBHOOK_SECRET" in caplog.text

    secret_file = tmp_path / "webhook.secret"
    secret_file.write_text("from-a-file-secret-0123456789\n", encoding="utf-8")
    monkeypatch.setenv("TICKET_WEBHOOK_SECRET_FILE", str(secret_file))
    assert load_webhook(path).secret == "from-a-file-secret-0123456789"  # type: ignore[union-attr]

    monkeypatch.setenv("TICKET_WEBHOOK_SECRET", "from-the-environment-0123456789")
    assert load_webhook(path).secret == "from-the-environment-0123456789"  # type: ignore[union-attr]


def test_a_secret_in_endpoints_yml_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TICKET_WEBHOOK_SECRET", "from-the-environment-0123456789")
    path = write(tmp_path, "ticket_webhook:\n  url: https://helpdesk.example/hook\n  secret: committed-by-mistake\n")

    assert load_webhook(path) is None
    assert "secret" in caplog.text and "committed-by-mistake" not in caplog.text
