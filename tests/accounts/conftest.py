from mail_support import smtp  # noqa: F401 - the SMTP server on loopback, for every accounts test
