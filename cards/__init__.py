"""Adaptive Cards (version 1.5) as pure functions from view data to card JSON.

Every action id and verb lives in :mod:`cards.verbs`. Nothing here needs the bot SDK.
"""
