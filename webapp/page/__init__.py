"""The page's bytes: where the notice block goes in an HTML page (a tokenizer of the page's
prefix), the content codings undone and redone, and the response headers once Forewarn passed.
Knows nothing of readers, the catalog, Flask or WSGI. See docs/architecture.md."""
