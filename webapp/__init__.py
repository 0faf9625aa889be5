"""Forewarn's web side: settings, catalog, selection, rendering, splice, middleware, app, CLI."""
