"""Tests of the enterprise quality archive and the grade proposals."""
