"""The Safer Partnership bot.

Only ``bot.teams``, ``bot.app`` and ``bot.jobs.timer`` may import botbuilder or aiohttp; everything
else (plan rules, understanding, handlers) is plain Python so that a move to another bot SDK
touches one folder.
"""
