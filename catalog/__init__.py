"""The shipped catalog and demo data, installed as the package webapp.shipped_catalog.

Data, not code."""
