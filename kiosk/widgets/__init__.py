"""Kivy widgets of the kiosk: buttons, header, keyboard, number pad, pickers."""
