"""The Safer Partnership bot.

Only ``bot.teams`` imports the bot SDK (the Microsoft 365 Agents SDK), and only it, ``bot.app``,
``bot.web`` and ``bot.jobs.timer`` import aiohttp; everything else (plan rules, understanding,
handlers) is plain Python, so that a move to another bot SDK touches one folder.
"""
