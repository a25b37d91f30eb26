"""Date formats for the pages (FORMAT_MODULE_PATH): Django's own en-GB formats abbreviate months
("5 Apr 2026") and win over DATE_FORMAT in settings, so the GOV.UK style is set here."""
