"""GOV.UK style dates in British English: "5 April 2026", "5 April 2026, 14:30", "April 2026"."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
