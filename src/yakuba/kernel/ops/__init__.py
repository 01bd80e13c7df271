"""Operations: health check, request logging, the demo towns and the yakuba commands (demo, worker)."""
