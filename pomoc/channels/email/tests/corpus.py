"""The imap_tools corpus (outside the repository) and the comparison of what a help desk shows.

Used by ``test_imap_tools_corpus.py`` and ``benchmarks/mail_parse.py``.
"""

from __future__ import annotations

import ast
import datetime
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pomoc.channels.email.parsing import ParsedMail, parse_mail

REPO = Path(__file__).resolve().parents[4]
CORPUS = REPO.parent / "shared" / "corpora" / "imap_tools" / "tests"
MESSAGES = CORPUS / "messages"
EXPECTED = CORPUS / "messages_data"
OWN_EML = Path(__file__).resolve().parent / "eml"
FIELDS = ("subject", "from", "text", "attachment_names", "attachment_bytes")


def corpus_files() -> list[Path]:
    return sorted(MESSAGES.rglob("*.eml")) if MESSAGES.is_dir() else []


def _email_address(name="", email="", full=""):  # the stand-in for imap_tools.EmailAddress
    return {"name": name, "email": email}


_NAMES = {"EmailAddress": _email_address, "datetime": datetime, "dict": dict, "tuple": tuple, "list": list}


def _evaluate(node: ast.AST):
    """Evaluate a literal-ish expression: literals, dict(...), EmailAddress(...), datetime(...)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_evaluate(e) for e in node.elts)
    if isinstance(node, ast.List):
        return [_evaluate(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {_evaluate(k): _evaluate(v) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _evaluate(node.left) + _evaluate(node.right)
    if isinstance(node, ast.Attribute):
        return getattr(_evaluate(node.value), node.attr)
    if isinstance(node, ast.Name):
        return _NAMES[node.id]
    if isinstance(node, ast.Call):
        func = _evaluate(node.func)
        args = [_evaluate(a) for a in node.args]
        kwargs = {k.arg: _evaluate(k.value) for k in node.keywords}
        return func(*args, **kwargs)
    raise ValueError(f"unsupported expression {ast.dump(node)[:80]}")


def expected_data(eml: Path) -> dict:
    source = (EXPECTED / eml.relative_to(MESSAGES)).with_suffix(".py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "DATA" for t in node.targets):
            return _evaluate(node.value)
    raise ValueError(f"no DATA in {eml}")


def norm(text: str) -> str:
    return " ".join((text or "").split())


def squash(text: str) -> str:
    """Text without any whitespace: parts joined with or without a newline compare equal."""
    return "".join((text or "").split())


@dataclass
class Comparison:
    name: str
    ok: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def all_ok(self) -> bool:
        return all(self.ok.values())


def compare(name: str, parsed: ParsedMail, data: dict) -> Comparison:
    result = Comparison(name)
    result.ok["subject"] = norm(parsed.subject) == norm(data["subject"])
    result.ok["from"] = parsed.from_email == (data["from_"] or "").lower()
    if norm(data["text"]) or not norm(data["html"]):
        result.ok["text"] = squash(parsed.text) == squash(data["text"])
    else:
        result.ok["text"] = True  # HTML-only: our text is derived from the HTML, imap_tools has none
    expected = [a for a in data["attachments"]]
    ours_by_bytes = Counter(a.content for a in parsed.attachments)
    exp_by_bytes = Counter(a["payload"] for a in expected)
    result.ok["attachment_bytes"] = all(ours_by_bytes[p] >= n for p, n in exp_by_bytes.items())
    ours_names = Counter(a.file_name for a in parsed.attachments)
    exp_names = Counter(a["filename"] for a in expected if a["filename"])
    result.ok["attachment_names"] = all(ours_names[p] >= n for p, n in exp_names.items())
    for key, ok in result.ok.items():
        if not ok:
            if key == "subject":
                result.notes.append(f"subject {parsed.subject!r} != {data['subject']!r}")
            elif key == "from":
                result.notes.append(f"from {parsed.from_email!r} != {data['from_']!r}")
            elif key == "text":
                result.notes.append(f"text {norm(parsed.text)[:120]!r} != {norm(data['text'])[:120]!r}")
            else:
                result.notes.append(
                    f"{key}: ours {[(a.file_name, len(a.content)) for a in parsed.attachments]} "
                    f"expected {[(a['filename'], len(a['payload'])) for a in expected]}"
                )
    return result


def run_corpus() -> list[Comparison]:
    results = []
    for eml in corpus_files():
        name = str(eml.relative_to(MESSAGES))
        results.append(compare(name, parse_mail(eml.read_bytes()), expected_data(eml)))
    return results


def summary(results: list[Comparison]) -> dict[str, int]:
    counts = {f: sum(1 for r in results if r.ok[f]) for f in FIELDS}
    counts["all"] = sum(1 for r in results if r.all_ok)
    counts["messages"] = len(results)
    return counts
