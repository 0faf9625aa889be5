"""Forewarn geo location: MaxMind DB reading, schema adapters, stacking, building."""
