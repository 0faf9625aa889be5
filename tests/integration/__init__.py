"""Integration tests against real servers: Varnish ESI and nginx SSI in front of a plain origin
and Forewarn, running the deployment examples in deploy/."""
