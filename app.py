"""Serve the chat: ``python app.py [--host H] [--port P]`` is ``kapbot serve``."""

import sys

from kapbot.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
