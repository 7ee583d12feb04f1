"""Shared assets shipped as package data: prompt and notice templates, fonts, images, sounds (read with importlib.resources)."""
