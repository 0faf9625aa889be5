"""The reader: their address (through trusted proxies) or a trusted CDN's word for their place,
the catalog jurisdictions the place falls in, the notices chosen for them and the block rendered
with its mirror links. Never logs or keeps an address. See docs/architecture.md."""
