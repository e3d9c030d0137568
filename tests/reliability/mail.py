"""Email backends standing in for a mail server that is down, or for a worker killed while sending."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as OutboxBackend


class DisconnectingBackend(BaseEmailBackend):
    """The server drops the connection on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """Nothing listens on the SMTP port."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class InterruptingBackend(OutboxBackend):
    """Delivers `deliver` messages to the test outbox, then the worker stops with `interruption`
    (KeyboardInterrupt for Ctrl-C or SIGINT, SystemExit for a worker shut down) before the next one."""

    deliver = 0
    interruption: type[BaseException] = KeyboardInterrupt
    delivered = 0

    def send_messages(self, messages):
        cls = type(self)
        if cls.delivered >= cls.deliver:
            raise cls.interruption()
        cls.delivered += len(messages)
        return super().send_messages(messages)


def backend_path(backend: type) -> str:
    return f"{backend.__module__}.{backend.__qualname__}"
