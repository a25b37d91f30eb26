"""A real SMTP server on loopback (aiosmtpd): tests receive each email as it was sent, and follow
the link in it, as the person it was sent to would. Use the ``smtp`` fixture (import it into a
conftest or a test module)."""

from __future__ import annotations

import email
import re
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]

    def link_in(self, message: EmailMessage) -> str:
        """The path of the one link in the message (the test client follows paths, not hosts)."""
        body = message.get_body(preferencelist=("plain",)).get_content()
        found = re.findall(r"https?://[^/\s]+(/\S+)", body)
        assert len(found) == 1, body
        return found[0]


@pytest.fixture
def smtp(settings, free_tcp_port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_tcp_port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_tcp_port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()
