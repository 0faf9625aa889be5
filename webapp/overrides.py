"""The WSGI environ keys through which Forewarn's own preview forces a place, a day and a page
language for one internal request. Readers cannot set environ keys (only HTTP_* headers), so
these are not an attack surface."""

LOCATION_KEY = "forewarn.location"
DAY_KEY = "forewarn.date"
LANG_KEY = "forewarn.lang"
