"""Production settings: the deploy checks pass, and nothing insecure has a default with DEBUG off."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env_overrides: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def random_secret_key(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def test_the_deploy_checks_pass_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY=random_secret_key(),
        DJANGO_ALLOWED_HOSTS="example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_with_debug_off_and_no_secret_key():
    result = manage("check", DJANGO_DEBUG="False", DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_it_refuses_to_start_with_debug_off_and_no_allowed_hosts():
    result = manage(
        "check", DJANGO_DEBUG="False", DJANGO_SECRET_KEY=random_secret_key(), DJANGO_ALLOWED_HOSTS=None
    )
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_development_settings_need_no_environment_at_all():
    result = manage("check", DJANGO_DEBUG=None, DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_upload_limits_documented_as_variables_are_read_from_the_environment():
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings; print(settings.MAX_WORKBOOK_BYTES, settings.MAX_UPLOAD_BYTES)",
        MAX_WORKBOOK_BYTES="1234",
        MAX_UPLOAD_BYTES="5678",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1234", "5678"]
