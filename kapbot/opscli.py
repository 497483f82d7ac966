"""The ``kapbot`` commands that operate a running practice rather than answer: ``purge``
(stored conversations past their retention) and ``reload`` (a running server picks up corpus
changes). Kept apart from ``kapbot.cli`` so each module stays small."""

from __future__ import annotations

import argparse
import json
import sys

from kapbot.errors import KapbotError
from kapbot.settings import Settings


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    from kapbot.storage.feedback import FeedbackStore
    from kapbot.storage.history import History

    history = History(settings.data_dir / "conversations.sqlite3", settings.retention_days)
    deleted = history.purge(everything=args.all)
    feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    blanked = feedback.purge_questions(settings.retention_days, everything=args.all)
    which = "all" if args.all else f"older than {settings.retention_days} days"
    print(f"Deleted {deleted} stored messages ({which}); {history.count()} remain. Deleted the "
          f"question kept with {blanked} ratings ({which}).")
    if not settings.store_conversations:
        print("Storing conversations is off (store_conversations = false): nothing new is kept.")
    return 0


def cmd_reload(settings: Settings, args: argparse.Namespace) -> int:
    import urllib.error
    import urllib.request

    url = (args.url or f"http://{settings.host}:{settings.port}").rstrip("/")
    token_file = settings.data_dir / "admin-token"
    if not token_file.is_file():
        raise KapbotError(f"No server token at {token_file}: is `kapbot serve` running with this "
                          "data folder? (Restarting the server also picks up changes.)")
    request = urllib.request.Request(url + "/admin/reload", data=b"", method="POST", headers={
        "X-Kapbot-Token": token_file.read_text(encoding="utf-8").strip()})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            result = json.loads(response.read())
    except urllib.error.HTTPError as err:
        result = json.loads(err.read() or b"{}")
    except OSError as exc:
        raise KapbotError(
            f"No kapbot server at {url} ({exc}): start it with `kapbot serve`"
        ) from exc
    if result.get("status") != "ok":
        print(f"Not reloaded ({result.get('status')}): {result.get('detail', '')}")
        return 1
    state = f"rebuilt ({result['reason']})" if result["rebuilt"] else "already current"
    print(f"Reloaded: index {state}, {result['units']} units from {result['sections']} sections "
          f"in {result['documents']} documents. Visitors were answered throughout.")
    for problem in result.get("problems", []):
        print(f"warning: {problem}", file=sys.stderr)
    return 0


COMMANDS = {"purge": cmd_purge, "reload": cmd_reload}
