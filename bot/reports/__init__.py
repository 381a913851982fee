"""The delivery plan report for the Scrutiny Sub Panel: one table row per action, XLSX/DOCX/CSV.

Nothing here imports the bot SDK or aiohttp: the command line (``python -m bot report``) and the
download route (``bot.web.reports``) both call :func:`bot.reports.export.export_report`.
"""
