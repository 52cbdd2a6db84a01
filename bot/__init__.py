"""The Telegram bot citizens talk to."""
