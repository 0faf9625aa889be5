"""The notice catalog: its model, loading with one-line errors, the mirror lists it reads,
`forewarn check`'s warnings and the JSON Schema editors use. See docs/architecture.md."""
