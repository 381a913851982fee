"""Web routes besides the bot's own endpoint (aiohttp is allowed here, as in ``bot.app``)."""
