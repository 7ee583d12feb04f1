"""The hotline IVR: SIP and local lines, DTMF, TTS/ASR, menus as data and the call flows."""
