"""Real-browser tests (Chromium via Playwright); a package so its conftest does not shadow tests/conftest.py."""
