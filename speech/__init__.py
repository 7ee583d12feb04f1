"""Speech shared by the kiosk and the hotline: TTS with a cache, recording, Vosk recognition."""
