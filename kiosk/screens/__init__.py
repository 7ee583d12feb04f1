"""Kiosk screens: one Python module and one .kv file each."""
