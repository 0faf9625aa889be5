"""The shipped catalog and demo data, installed as the package webapp.catalog (data, not code)."""
