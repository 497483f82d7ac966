"""The "tutorial stack": the retrieval bot a typical LangChain tutorial builds, for benchmarks.

RecursiveCharacterTextSplitter(1000, 200) over the corpus documents, a persistent langchain_chroma
store, all-MiniLM-L6-v2 through sentence-transformers (torch), and an answer that is the top-1
chunk plus a fixed disclaimer and booking link. No threshold, no safety screen, no chat UI.

    python benchmarks/tutorial_app.py index --data DIR [--corpus DIR]
    python benchmarks/tutorial_app.py ask --data DIR "question"
    python benchmarks/tutorial_app.py serve --data DIR [--host 127.0.0.1] --port N

Documents are read with kapbot's Markdown parser, as ``kapbot eval --tutorial`` does
(kapbot/workbench/evalrun.py): headings and paragraphs only, without front matter, the hidden
question bank or the not-covered document, so both stacks answer from the same text.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false", "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}
for _key, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_key, _value)

COLLECTION = "tutorial"
DISCLAIMER = (
    "This is an automated assistant that quotes published writing; it is not a clinician and "
    "cannot give medical advice. In a crisis, call or text 988, or call 911."
)
BOOKING_URL = "https://example.com/REPLACE-WITH-YOUR-BOOKING-PAGE"


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 from the local model folder, on the CPU, normalised vectors."""

    def __init__(self) -> None:
        from sentence_transformers import SentenceTransformer

        from kapbot.index.modelfolder import default_model_path

        self.model = SentenceTransformer(str(default_model_path()), device="cpu")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return [[float(x) for x in row] for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _chroma_options(data: Path) -> dict[str, Any]:
    from chromadb.config import Settings

    return {"collection_name": COLLECTION, "persist_directory": str(data / "chroma"),
            "client_settings": Settings(anonymized_telemetry=False)}


def load_documents(corpus: Path) -> list[Any]:
    """One LangChain Document per corpus document: its headings and paragraphs."""
    from langchain_core.documents import Document

    from kapbot.corpus.markdown import NOT_COVERED
    from kapbot.corpus.reader import load_corpus

    docs = []
    for doc in load_corpus(corpus).documents:
        if doc.kind == NOT_COVERED:
            continue
        text = "\n\n".join(part for s in doc.sections for part in (s.heading, s.text))
        docs.append(Document(page_content=text, metadata={"source": doc.name}))
    return docs


def build_index(data: Path, corpus: Path, embeddings: Embeddings | None = None) -> int:
    """(Re)build the persistent store in ``data`` from ``corpus``; returns the chunk count."""
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(load_documents(corpus))
    shutil.rmtree(data / "chroma", ignore_errors=True)
    Chroma.from_documents(chunks, embeddings or MiniLMEmbeddings(), **_chroma_options(data))
    return len(chunks)


class TutorialBot:
    """Answers from a store built by :func:`build_index`: the top-1 chunk and the footer."""

    def __init__(self, data: Path, embeddings: Embeddings | None = None) -> None:
        from langchain_chroma import Chroma

        self.store = Chroma(embedding_function=embeddings or MiniLMEmbeddings(),
                            **_chroma_options(Path(data)))

    def ask(self, question: str) -> str:
        hits = self.store.similarity_search(question, k=1)
        top = hits[0].page_content if hits else "Sorry, I could not find anything about that."
        return f"{top}\n\n---\n{DISCLAIMER}\n\n[Book a free discovery call]({BOOKING_URL})"


class Question(BaseModel):
    question: str


def create_app(bot: TutorialBot) -> Any:
    from fastapi import FastAPI

    app = FastAPI(title="tutorial")

    @app.post("/api/ask")
    def ask(body: Question) -> dict[str, str]:
        return {"text": bot.ask(body.question)}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="The LangChain tutorial stack, for benchmarks.")
    sub = parser.add_subparsers(dest="command", required=True)
    index = sub.add_parser("index")
    index.add_argument("--corpus", type=Path, default=Path("corpus"))
    ask = sub.add_parser("ask")
    ask.add_argument("question")
    serve = sub.add_parser("serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    for command in (index, ask, serve):
        command.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "index":
        print(f"Indexed {build_index(args.data, args.corpus)} chunks into {args.data}")
    elif args.command == "ask":
        print(TutorialBot(args.data).ask(args.question))
    else:
        import uvicorn

        uvicorn.run(create_app(TutorialBot(args.data)), host=args.host, port=args.port,
                    log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
