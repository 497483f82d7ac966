"""The web front end: one FastAPI app with the Gradio chat mounted at ``/``, and what guards it.

    app.py          the FastAPI app: ``/api/ask``, ``/healthz``, ``/safety``, ``/widget.js``,
                    ``/admin/reload``; ``serve``
    asgi.py         plain ASGI pieces on every route: errors shielded, paths refused or hidden,
                    review mode's Host check, caching and compression, the request deadline
    webguard.py     the chat's body cap and per-visitor queue limit, plain ASGI
    sharedlimit.py  rate limits shared by replicas through Redis, the only importer of ``limits``
    chat.py         the Gradio chat and review mode, the only importer of Gradio
    chatlook.py     the chat page's stylesheet and script (pure)
    chatview.py     a reply as the chat bubble shows it (pure)
    colors.py       the practice's colour and the text drawn on it (pure)

The widget's script stays in ``kapbot/static/`` (package data).
"""
