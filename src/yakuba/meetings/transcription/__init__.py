"""Transcription of meeting recordings: the verified Whisper model, audio probing and decoding, the engine."""
