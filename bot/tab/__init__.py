"""The Teams tab: "My actions" (personal) and the plan dashboard (channels and meetings).

Pages are rendered on the server (Jinja2) from the same queries and rules as the chat answers;
``bot.web.tab`` serves them on the bot's own aiohttp app. Nothing here imports the Teams SDK.
"""
