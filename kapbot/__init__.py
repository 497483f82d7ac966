"""kapbot: answers visitors' questions about ketamine-assisted psychotherapy from a practice's own
writing. Everything asks one ``kapbot.bot.Bot``; importing this package loads nothing heavy."""

__version__ = "0.1.0"
