"""The editors' preview: the side-by-side page and its matrix (Flask views), who may see them,
the places and query they take, serving a page as a reader somewhere gets it, and
`forewarn preview` with its snapshots and screenshots. See docs/architecture.md."""
