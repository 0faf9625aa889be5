"""Jinja2 templates, installed as the package webapp.templates (data, not code)."""
