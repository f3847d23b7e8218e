"""Readers for data packages and external bulk formats; every reader validates before anything is stored."""
