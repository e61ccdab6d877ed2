"""Benchmarks: a deterministic briefing corpus and a timed comparison with Hugo and Pelican."""
