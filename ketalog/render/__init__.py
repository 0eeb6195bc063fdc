"""Presentations of ketalog's records and report model: plain text, Rich, Markdown, HTML, JSON."""
