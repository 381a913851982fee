"""The Bot Framework edge: the only package (with ``bot.app``) that imports botbuilder."""
